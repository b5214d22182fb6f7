/**
 * The Mandarin suites again, but through the path /api/phonemize and the engine take
 * (normalize with NFKC, chunk, language runs, sentence by sentence through the phoneme cache):
 * what reaches the model must still be misaki's legacy output. Mixed Chinese–English sentences
 * are left out: their Latin words go to the English front-end, where misaki keeps raw letters.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { KokoroPhonemize } from '../../src/engines/kokoro/phonemize.js';

const FIXTURES = new URL('../fixtures/', import.meta.url);
const SENTENCES = JSON.parse(readFileSync(new URL('zh/misaki-legacy-sentences.json', FIXTURES), 'utf8')) as {
  category: string;
  text: string;
  expected: string;
}[];
const EXTRA = JSON.parse(readFileSync(new URL('zh/misaki-legacy-extra.json', FIXTURES), 'utf8')) as [string, string][];
const RANDOM = JSON.parse(
  gunzipSync(readFileSync(new URL('zh/misaki-legacy-random.json.gz', FIXTURES))).toString('utf8'),
) as [string, string][];

let tool: KokoroPhonemize;
beforeAll(async () => {
  tool = await KokoroPhonemize.create(new URL('kokoro-v1.0/config.json', FIXTURES).pathname);
}, 60_000);

describe('Mandarin through the phonemize path (source: misaki legacy ZHG2P)', () => {
  it('agrees on every written and random sentence', async () => {
    const cases = [
      ...SENTENCES.filter((c) => c.category !== 'mixed').map((c): [string, string] => [c.text, c.expected]),
      ...RANDOM,
    ];
    const wrong: string[] = [];
    for (const [text, expected] of cases) {
      const result = await tool.phonemize(text, 'female');
      const runs = result.chunks.flatMap((c) => c.runs);
      const got = runs.map((r) => r.phonemes).join(' ');
      if (got !== expected.replace(/\s+/g, ' ').trim()) wrong.push(`${text} → ${got}`);
      if (runs.some((r) => r.language !== 'zh' || (r.dropped?.length ?? 0) > 0))
        wrong.push(`${text}: ${JSON.stringify(runs)}`);
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(cases.length).toBe(6239);
  }, 120_000);
});

/** Where the project reads what a person says and misaki reads nonsense (docs/engines.md). */
const DEVIATIONS: Record<string, string> = {
  // misaki: 一百三十八负十三负八千
  '他的手机号码是138-0013-8000。': 'tʰa→ tɤ ʂou↓ʨi→xau↘ma↓ ʂɨ↘ i→ sa→npa→ li↗ŋli↗ŋ i→ sa→n pa→ li↗ŋli↗ŋ li↗ŋ.',
  // misaki: 九:三十到十一:零
  '会议时间是上午9:30到11:00。': 'xwei↘i↘ ʂɨ↗ʨjɛ→n ʂɨ↘ ʂa↘ŋu↓ ʨjou↓tjɛ↓n sa→nʂɨ↗fə→n tau↘ ʂɨ↗i↘tjɛ↓n.',
  // misaki: 十二分之二千零二十四/三十一
  '请在2024/12/31之前提交。': 'ʨʰi↓ŋ ʦai↘ ɚ↘li↗ŋɚ↘ sɨ↘njɛ↗n ʂɨ↗ɚ↘ɥe↘ sa→nʂɨ↗i→ɻɨ↘ ꭧɨ→ʨʰjɛ↗n tʰi↗ʨjau→.',
  // misaki keeps ¥ for the model to drop and says no 元
  '打八折以后，这件衣服只要¥240。': 'ta↓ pa→ꭧɤ↗ i↓xou↘, ꭧɤ↘ʨjɛ↘n i→fu↗ ꭧɨ↓jau↘ ɚ↘pai↓sɨ↘ʂɨ↗ ɥɛ↗n.',
};

describe('68 further sentences, written after the front-end (source: misaki legacy ZHG2P)', () => {
  it.each(EXTRA.filter(([text]) => !/[A-Za-z]/.test(text)))('%s', async (text, misaki) => {
    const result = await tool.phonemize(text, 'female');
    const got = result.chunks.flatMap((c) => c.runs.map((r) => r.phonemes)).join(' ');
    expect(got).toBe(DEVIATIONS[text] ?? misaki.replace(/\s+/g, ' ').trim());
  });
});
