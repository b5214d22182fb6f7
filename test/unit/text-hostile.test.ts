import { describe, it, expect } from 'vitest';
import { cpuMs } from '../support/cpu-time.js';
import { chunkText, normalizeText, prepareText, splitLanguageRuns, splitSentences } from '../../src/text/index.js';

// These guard against super-linear behaviour (backtracking, rescans, ICU mark reordering), not speed:
// each input is ~200k UTF-16 units and the whole pipeline must stay far below the bound.
const BOUND_MS = 500;
const N = 200_000;

const hostile: { name: string; input: string }[] = [
  { name: '"a" x 200k', input: 'a'.repeat(N) },
  { name: '"。" x 200k', input: '。'.repeat(N) },
  { name: '"a." x 100k', input: 'a.'.repeat(N / 2) },
  { name: '". " x 100k', input: '. '.repeat(N / 2) },
  { name: '"a. " x 66k', input: 'a. '.repeat(N / 3) },
  { name: '"Dr. " x 50k', input: 'Dr. '.repeat(N / 4) },
  { name: '"1." x 100k', input: '1.'.repeat(N / 2) },
  { name: '"." x 200k', input: '.'.repeat(N) },
  { name: '"." then 200k closing quotes', input: `a.${'”'.repeat(N)} b` },
  { name: 'emoji x 200k', input: '😀'.repeat(N) },
  { name: 'ZWJ emoji sequences', input: '👨\u200d👩\u200d👧'.repeat(N / 8) },
  { name: '"e\\u0301" x 100k', input: 'e\u0301'.repeat(N / 2) },
  { name: 'mixed-class combining marks (zalgo)', input: `a${'\u0301\u0316'.repeat(N / 2)}` },
  { name: 'zalgo between letters', input: `a${'\u0301\u0316\u0327'.repeat(20)}`.repeat(N / 61) },
  { name: '"a你" x 100k', input: 'a你'.repeat(N / 2) },
  { name: '"a 你 " x 50k', input: 'a 你 '.repeat(N / 4) },
  { name: '"(((" x 10k nested', input: `${'('.repeat(10_000)}a${')'.repeat(10_000)}` },
  { name: '"(" x 200k', input: '('.repeat(N) },
  { name: '"“a" x 100k', input: '“a'.repeat(N / 2) },
  { name: 'whitespace and newlines only', input: ' \n\t\r\n\u3000'.repeat(N / 5) },
  { name: '"\\n" x 200k', input: '\n'.repeat(N) },
  { name: '"a\\n" x 100k', input: 'a\n'.repeat(N / 2) },
  { name: '"a\\n \\n" x 50k', input: 'a\n \n'.repeat(N / 4) },
  { name: '"a," x 100k', input: 'a,'.repeat(N / 2) },
  { name: '"a " x 100k', input: 'a '.repeat(N / 2) },
  { name: 'comma at window start, long word after', input: `a,${'b'.repeat(997)} `.repeat(N / 1000) },
  { name: '"…" x 200k', input: '…'.repeat(N) },
  { name: 'zero-width x 200k', input: '\u200b'.repeat(N) },
  { name: 'lone surrogates x 200k', input: '\ud800'.repeat(N) },
  { name: 'private use x 200k', input: '\ue000'.repeat(N) },
  { name: 'NFKC x18 expansion (U+FDFA) x 20k', input: '\ufdfa'.repeat(N / 10) },
  { name: 'full-width x 200k', input: 'Ａ，'.repeat(N / 2) },
  { name: 'astral Han x 100k', input: '𠀀'.repeat(N / 2) },
];

const elapsed = cpuMs;

describe('hostile input stays linear', () => {
  it.each(hostile)('prepareText: $name', ({ input }) => {
    const ms = elapsed(() => {
      try {
        prepareText(input, { maxChunkChars: 300 });
      } catch (err) {
        expect((err as { code?: string }).code).toBe('empty_text');
      }
    });
    expect(ms).toBeLessThan(BOUND_MS);
  });

  // The smallest chunk size maximizes the number of cuts and chunks; the splitters also get
  // the whole text at once, as a caller outside prepareText might do.
  it.each(hostile)('chunkText(maxChars 2), splitSentences, splitLanguageRuns: $name', ({ input }) => {
    const normalized = normalizeText(input);
    expect(elapsed(() => chunkText(normalized, { maxChars: 2 }))).toBeLessThan(BOUND_MS);
    expect(elapsed(() => splitSentences(normalized))).toBeLessThan(BOUND_MS);
    expect(elapsed(() => splitLanguageRuns(normalized))).toBeLessThan(BOUND_MS);
  });
});
