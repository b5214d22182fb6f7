import type { Lang } from '../text/types.js';
import type { EngineCapabilities, Gender } from './engine.js';

/** Every value `voice` may take for an engine: the genders plus its named voices. */
export function allowedVoices(caps: EngineCapabilities): string[] {
  return ['female', 'male', ...caps.voices.map((v) => v.name)];
}

/**
 * The engine voice that reads a run in `lang` for a requested voice:
 * `female`/`male` pick the language's default of that gender; a named voice
 * reads its own language and lends its gender to the others.
 */
export function resolveVoice(caps: EngineCapabilities, requested: string, lang: Lang): string {
  if (requested === 'female' || requested === 'male') return caps.defaults[lang][requested];
  const named = caps.voices.find((v) => v.name === requested);
  if (!named) throw new Error(`unknown voice ${requested}`);
  if (named.language === lang) return named.name;
  return caps.defaults[lang][named.gender as Gender];
}
