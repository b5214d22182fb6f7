import { describe, expect, it } from 'vitest';
import { prepareText } from '../../src/text/index.js';
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

describe('espeak word timings', () => {
  it('spans multi-character Mandarin words (espeak reports each with length 1) and keeps English lengths', async () => {
    const e = new EspeakEngine();
    await e.load();
    const [zh] = prepareText('你好吗？我很好。', { maxChunkChars: 300 });
    const [en] = prepareText('Hello there. It works.', { maxChunkChars: 300 });
    if (!zh || !en) throw new Error('no chunk');
    const zhOut = await e.synthesizeTimed({ chunk: zh, voice: 'female', speed: 1 });
    const zhText = zh.runs.map((r) => r.text).join(' ');
    const zhWords = (zhOut.words ?? []).map((w) => zhText.slice(w.offset, w.offset + w.length));
    // Every character is in exactly one word, in order, and no word carries the punctuation after it.
    expect(zhWords.join('')).toBe('你好吗我很好');
    expect(zhWords.every((w) => !/[？。]/.test(w))).toBe(true);
    const starts = (zhOut.words ?? []).map((w) => w.start);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    const enOut = await e.synthesizeTimed({ chunk: en, voice: 'female', speed: 1 });
    const enText = en.runs.map((r) => r.text).join(' ');
    expect((enOut.words ?? []).map((w) => enText.slice(w.offset, w.offset + w.length))).toEqual([
      'Hello',
      'there',
      'It',
      'works',
    ]);
  });
});
