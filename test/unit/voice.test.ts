import { describe, expect, it } from 'vitest';
import { ESPEAK_CAPABILITIES } from '../../src/engines/espeak/voices.js';
import { allowedVoices, resolveVoice } from '../../src/engines/voice.js';

describe('voice resolution', () => {
  it.each([
    ['female', 'zh', 'zh-female'],
    ['male', 'en', 'en-us-male'],
    ['zh-male', 'zh', 'zh-male'],
    ['zh-male', 'en', 'en-us-male'],
    ['en-gb-female', 'zh', 'zh-female'],
    ['en-gb-female', 'en', 'en-gb-female'],
  ] as const)('%s reads %s with %s', (requested, lang, voice) => {
    expect(resolveVoice(ESPEAK_CAPABILITIES, requested, lang)).toBe(voice);
  });

  it('lists genders and named voices', () => {
    expect(allowedVoices(ESPEAK_CAPABILITIES).slice(0, 3)).toEqual(['female', 'male', 'zh-female']);
  });

  it('throws for an unknown voice', () => {
    expect(() => resolveVoice(ESPEAK_CAPABILITIES, 'robot', 'en')).toThrow(/unknown voice/);
  });
});
