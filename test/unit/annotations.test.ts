import { describe, expect, it } from 'vitest';
import { prepareText } from '../../src/text/index.js';

const runsOf = (text: string) => prepareText(text, { maxChunkChars: 200 }).flatMap((c) => c.runs);

describe('inline pronunciation', () => {
  it.each([
    ['去[银行](/yin2 hang2/)。', [{ text: '银行', ph: { pinyin: 'yin2 hang2' } }]],
    ['[行](/XING2/)走', [{ text: '行', ph: { pinyin: 'xing2' } }]],
    ['[绿](/lv4/)色', [{ text: '绿', ph: { pinyin: 'lü4' } }]],
    ['Buy [Nvidia](/ɛnˈvɪdiə/) now.', [{ text: 'Nvidia', ph: { ipa: 'ɛnˈvɪdiə' } }]],
  ])('%s', (text, expected) => {
    expect(runsOf(text).filter((r) => r.ph)).toEqual(expected.map((e) => expect.objectContaining(e)));
  });

  it.each([
    '[行](/xing/)', // no tone
    '[银行](/yin2/)', // one syllable for two characters
    '[x](/1/)', // digits are not IPA
    '[a](b)', // not /…/
    '[](/a/)',
    `[${'a'.repeat(65)}](/a/)`, // longer than an annotation may be
  ])('%s is read as written', (text) => {
    const runs = runsOf(`${text} ok`);
    expect(runs.some((r) => r.ph)).toBe(false);
    expect(runs.map((r) => r.text).join(' ')).toContain('ok');
  });

  it('an annotation alone is still a chunk', () => {
    expect(runsOf('[行](/xing2/)')).toEqual([{ lang: 'zh', text: '行', ph: { pinyin: 'xing2' } }]);
  });

  it('hostile bracket runs finish fast', () => {
    const t0 = performance.now();
    runsOf(`${'[a](/'.repeat(20_000)} ${'[['.repeat(20_000)}](/x/)`);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});
