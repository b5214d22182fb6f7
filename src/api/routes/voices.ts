import { Router } from 'express';
import { getEngine } from '../../engines/registry.js';
import type { JobService } from '../job-service.js';

/** GET /api/voices: the voices of the engine behind each role. */
export function voicesRouter({ jobs }: { jobs: JobService }): Router {
  const r = Router();
  r.get('/api/voices', (_req, res) => {
    const describe = (role: 'primary' | 'backup') => {
      const d = getEngine(jobs.engineFor(role));
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
