import type { EngineCapabilities } from '../engine.js';

/** espeak-ng voice id (language + variant) behind each public voice name. */
export const ESPEAK_VOICE_IDS: Record<string, string> = {
  'zh-female': 'cmn+f3',
  'zh-male': 'cmn+m3',
  'en-us-female': 'en-us+f3',
  'en-us-male': 'en-us+m3',
  'en-gb-female': 'en+f2',
  'en-gb-male': 'en+m1',
};

export const ESPEAK_CAPABILITIES: EngineCapabilities = {
  languages: ['zh', 'en'],
  voices: [
    {
      name: 'zh-female',
      locale: 'zh-CN',
      language: 'zh',
      gender: 'female',
      description: 'Mandarin, female (espeak-ng cmn+f3)',
    },
    {
      name: 'zh-male',
      locale: 'zh-CN',
      language: 'zh',
      gender: 'male',
      description: 'Mandarin, male (espeak-ng cmn+m3)',
    },
    {
      name: 'en-us-female',
      locale: 'en-US',
      language: 'en',
      gender: 'female',
      description: 'American English, female (espeak-ng en-us+f3)',
    },
    {
      name: 'en-us-male',
      locale: 'en-US',
      language: 'en',
      gender: 'male',
      description: 'American English, male (espeak-ng en-us+m3)',
    },
    {
      name: 'en-gb-female',
      locale: 'en-GB',
      language: 'en',
      gender: 'female',
      description: 'British English, female (espeak-ng en+f2)',
    },
    {
      name: 'en-gb-male',
      locale: 'en-GB',
      language: 'en',
      gender: 'male',
      description: 'British English, male (espeak-ng en+m1)',
    },
  ],
  defaults: {
    zh: { female: 'zh-female', male: 'zh-male' },
    en: { female: 'en-us-female', male: 'en-us-male' },
  },
  sampleRate: 22050,
  maxChunkChars: 400,
  speed: { min: 0.5, max: 2.0 },
};
