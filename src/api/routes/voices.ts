import { Router } from 'express';
import type { EngineRoster } from '../../engines/roster.js';

/** GET /api/voices: the voices of the engine behind each role. */
export function voicesRouter({ roster }: { roster: EngineRoster }): Router {
  const r = Router();
  r.get('/api/voices', (_req, res) => {
    const describe = (role: 'primary' | 'backup') => {
      const d = roster.engine(roster.engineFor(role));
      return {
        engine: d.name,
        languages: d.capabilities.languages,
        sample_rate: d.capabilities.sampleRate,
        speed: d.capabilities.speed,
        defaults: d.capabilities.defaults,
        voices: d.capabilities.voices,
      };
    };
    res.json({ generic: ['female', 'male'], primary: describe('primary'), backup: describe('backup') });
  });
  return r;
}
