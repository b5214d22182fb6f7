import type { HttpEngineSpec } from '../../config/engines-file.js';
import type { Lang } from '../../text/types.js';
import type { EngineCapabilities, EngineDescriptor, Gender, VoiceInfo } from '../engine.js';
import { DEFAULT_VOICES } from './protocol.js';

const LANGS: Lang[] = ['zh', 'en'];

/** What a remote engine offers, from its entry in the engines file. */
export function httpCapabilities(spec: HttpEngineSpec): EngineCapabilities {
  const fallback = spec.voices?.zh ?? spec.voices?.en ?? DEFAULT_VOICES[spec.protocol];
  // A language the file leaves out is read by the other language's voices (most remotes are multilingual).
  const defaults = {
    zh: spec.voices?.zh ?? fallback,
    en: spec.voices?.en ?? fallback,
  } satisfies Record<Lang, Record<Gender, string>>;
  const voices: VoiceInfo[] = [];
  for (const language of LANGS) {
    for (const gender of ['female', 'male'] as const) {
      const name = defaults[language][gender];
      // `female`/`male` already mean the defaults; a name used for both languages is listed once.
      if (name === 'female' || name === 'male' || voices.some((v) => v.name === name)) continue;
      voices.push({ name, language, gender, description: `${spec.name} (remote, ${spec.protocol}): ${name}` });
    }
  }
  return {
    languages: LANGS,
    voices,
    defaults,
    sampleRate: spec.sample_rate,
    maxChunkChars: spec.max_chars,
    speed: spec.speed,
  };
}

/**
 * The descriptor of an engine of kind `http`. `apiKey` is read from the
 * environment by the process's main (the variable `api_key_env` names) and
 * stays inside the engine.
 */
export function httpDescriptor(spec: HttpEngineSpec, apiKey: string | undefined): EngineDescriptor {
  return {
    name: spec.name,
    capabilities: httpCapabilities(spec),
    inProcess: { concurrency: spec.concurrency },
    create: async () => new (await import('./engine.js')).HttpEngine(spec, httpCapabilities(spec), apiKey),
    installed: async () =>
      spec.api_key_env && !apiKey
        ? {
            ok: false,
            reason: `${spec.api_key_env} (the API key of remote engine ${spec.name}) is not set`,
            install: `set ${spec.api_key_env} in the environment of the ${spec.name} workers`,
          }
        : { ok: true },
  };
}
