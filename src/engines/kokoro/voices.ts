import type { EngineCapabilities, Gender, VoiceInfo } from '../engine.js';
import type { Lang } from '../../text/types.js';

/** Kokoro v1.0's English and Mandarin voices (the voice files `voices/<name>.bin`). */
const KOKORO_VOICE_FILES = [
  'af_alloy',
  'af_aoede',
  'af_bella',
  'af_heart',
  'af_jessica',
  'af_kore',
  'af_nicole',
  'af_nova',
  'af_river',
  'af_sarah',
  'af_sky',
  'am_adam',
  'am_echo',
  'am_eric',
  'am_fenrir',
  'am_liam',
  'am_michael',
  'am_onyx',
  'am_puck',
  'am_santa',
  'bf_alice',
  'bf_emma',
  'bf_isabella',
  'bf_lily',
  'bm_daniel',
  'bm_fable',
  'bm_george',
  'bm_lewis',
  'zf_xiaobei',
  'zf_xiaoni',
  'zf_xiaoxiao',
  'zf_xiaoyi',
  'zm_yunjian',
  'zm_yunxi',
  'zm_yunxia',
  'zm_yunyang',
] as const;

/**
 * The service-wide voice names (the backup engine offers the same ones), so a request
 * naming one reads alike whichever engine serves it.
 */
const ALIASES: Record<string, string> = {
  'zh-female': 'zf_xiaoxiao',
  'zh-male': 'zm_yunxi',
  'en-us-female': 'af_heart',
  'en-us-male': 'am_michael',
  'en-gb-female': 'bf_emma',
  'en-gb-male': 'bm_george',
};

const ACCENT: Record<string, string> = { a: 'American English', b: 'British English', z: 'Mandarin' };
const LOCALE: Record<string, string> = { a: 'en-US', b: 'en-GB', z: 'zh-CN' };

/** The voice file behind a public voice name. */
export function voiceFile(name: string): string {
  return ALIASES[name] ?? name;
}

/** English accent a voice was trained on: British voices are phonemized as en-gb. */
export function accentOf(name: string): 'en-us' | 'en-gb' {
  return voiceFile(name).startsWith('b') ? 'en-gb' : 'en-us';
}

/** Every voice file the engine may load. */
export function allVoiceFiles(): string[] {
  return [...KOKORO_VOICE_FILES];
}

function describe(file: string): VoiceInfo {
  const language: Lang = file.startsWith('z') ? 'zh' : 'en';
  const gender: Gender = file.charAt(1) === 'f' ? 'female' : 'male';
  const speaker = file.slice(3);
  const accent = ACCENT[file.charAt(0)] ?? 'Unknown accent';
  const locale = LOCALE[file.charAt(0)];
  return {
    name: file,
    language,
    gender,
    description: `${accent}, ${gender} (Kokoro ${speaker})`,
    ...(locale ? { locale } : {}),
  };
}

function aliasInfo(alias: string): VoiceInfo {
  const file = ALIASES[alias] ?? alias;
  const target = describe(file);
  return { ...target, name: alias, description: `${target.description}; alias of ${file}`, alias_of: file };
}

export const KOKORO_CAPABILITIES: EngineCapabilities = {
  languages: ['zh', 'en'],
  voices: [...Object.keys(ALIASES).map(aliasInfo), ...KOKORO_VOICE_FILES.map(describe)],
  defaults: {
    zh: { female: 'zf_xiaoxiao', male: 'zm_yunxi' },
    en: { female: 'af_heart', male: 'am_michael' },
  },
  sampleRate: 24_000,
  // Characters, not tokens: the engine splits a chunk's phonemes into ≤ 510-token calls itself.
  // 300 keeps an English chunk in one call and bounds a Mandarin chunk to about three.
  maxChunkChars: 300,
  // No shorter first chunk (firstChunkChars): tried at 24, it cut English sentences mid-clause ("for two |
  // tickets"), and listeners (the recognizer too) heard each cut as a sentence end.
  speed: { min: 0.5, max: 2.0 },
};
