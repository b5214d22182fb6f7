import { describe, expect, it } from 'vitest';
import { EspeakEngine } from '../../src/engines/espeak/engine.js';
import { espeakDescriptor } from '../../src/engines/espeak/index.js';
import { engineContract } from '../contract/engine-contract.js';

engineContract(espeakDescriptor);

describe('espeak reads Mandarin with tones, not tone digits', () => {
  it('phonemizes 你好 as tonal Mandarin syllables', async () => {
    const e = new EspeakEngine();
    await e.load();
    const ipa = e.phonemes('你好', 'cmn');
    // Debian's espeak-ng 1.51 says "ni three hao three" here: the English word "three" is θɹiː.
    expect(ipa).not.toMatch(/θ|ɹ/);
    expect(ipa.replace(/[_ˈ]/g, '')).toMatch(/^ni.*[xχh][aɑ]u/);
    // Tone marks, not English words, follow the syllables.
    expect(ipa).toMatch(/[1-5ɜ]/);
    const en = e.phonemes('three', 'en-us');
    expect(en).toMatch(/θ/);
  });
});
