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
