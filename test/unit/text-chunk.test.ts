import { describe, it, expect } from 'vitest';
import { chunkText, normalizeText, prepareText, type Chunk } from '../../src/text/index.js';

const texts = (chunks: Chunk[]) => chunks.map((c) => c.runs.map((r) => r.text).join(' '));
const noSpace = (s: string) => s.replace(/\s/g, '');
const speakableOnly = (s: string) => s.replace(/[^\p{L}\p{N}]/gu, '');

/** Invariants every chunk list must satisfy, whatever the input. */
function checkInvariants(normalized: string, chunks: Chunk[], max: number): void {
  chunks.forEach((c, i) => {
    expect(c.index).toBe(i);
    expect(c.chars).toBeGreaterThanOrEqual(1);
    expect(c.chars).toBeLessThanOrEqual(max);
    expect(c.chars).toBe(c.runs.reduce((n, r) => n + r.text.length, 0));
    expect(c.runs.length).toBeGreaterThan(0);
    for (const r of c.runs) {
      expect(r.text.length).toBeGreaterThan(0);
      expect(r.text).toBe(r.text.trim());
      expect(/\p{Cs}/u.test(r.text)).toBe(false); // no split surrogate pair
    }
    for (let k = 1; k < c.runs.length; k++) expect(c.runs[k]!.lang).not.toBe(c.runs[k - 1]!.lang);
  });
  const joined = chunks.map((c) => c.runs.map((r) => r.text).join('')).join('');
  expect(speakableOnly(joined)).toBe(speakableOnly(normalized));
  if (chunks.length > 0) expect(chunks[chunks.length - 1]!.paragraphEnd).toBe(true);
}

describe('chunkText examples', () => {
  const cases: { name: string; input: string; max: number; expected: string[]; ends?: boolean[] }[] = [
    { name: 'empty', input: '', max: 10, expected: [] },
    { name: 'fits whole', input: 'One. Two.', max: 20, expected: ['One. Two.'], ends: [true] },
    {
      name: 'packs sentences greedily',
      input: 'One. Two. Three. Four.',
      max: 10,
      expected: ['One. Two.', 'Three.', 'Four.'],
    },
    { name: 'exact fit', input: 'aaaa. bbbb', max: 10, expected: ['aaaa. bbbb'] },
    {
      name: 'never packs across paragraphs',
      input: 'One.\n\nTwo. Three.',
      max: 100,
      expected: ['One.', 'Two. Three.'],
      ends: [true, true],
    },
    {
      name: 'paragraphEnd only on last chunk of a paragraph',
      input: 'Alpha beta. Gamma delta.\n\nEnd.',
      max: 12,
      expected: ['Alpha beta.', 'Gamma delta.', 'End.'],
      ends: [false, true, true],
    },
    {
      name: 'long sentence split at commas',
      input: 'one two, three four, five six.',
      max: 12,
      expected: ['one two,', 'three four,', 'five six.'],
    },
    {
      name: 'long sentence split at whitespace',
      input: 'one two three four five six',
      max: 10,
      expected: ['one two', 'three four', 'five six'],
    },
    {
      name: 'early comma loses to later space',
      input: 'a, bb cc dd ee ff',
      max: 10,
      expected: ['a, bb cc', 'dd ee ff'],
    },
    {
      name: 'Han split at 、and ，',
      input: '苹果、香蕉、橙子，还有葡萄和西瓜。',
      max: 6,
      expected: ['苹果、香蕉、', '橙子,', '还有葡萄和西', '瓜。'],
    },
    {
      name: 'unbroken word split hard',
      input: 'a'.repeat(25),
      max: 10,
      expected: ['a'.repeat(10), 'a'.repeat(10), 'a'.repeat(5)],
    },
    { name: 'unbroken Han split hard', input: '汉'.repeat(7), max: 3, expected: ['汉汉汉', '汉汉汉', '汉'] },
    { name: 'hard split never breaks a surrogate pair', input: '𠀀'.repeat(3), max: 3, expected: ['𠀀', '𠀀', '𠀀'] },
    {
      name: 'hard split keeps combining marks with base',
      input: 'aaa' + 'e\u0301\u0301',
      max: 4,
      expected: ['aaa', '\u00e9\u0301'],
    },
    {
      name: 'punctuation-only hard pieces are dropped',
      input: `ab${','.repeat(10)}cd`,
      max: 4,
      expected: ['ab,,', 'cd'],
    },
    {
      name: 'soft line break inside a chunk',
      input: 'line one\nline two.',
      max: 100,
      expected: ['line one\nline two.'],
    },
    {
      name: 'mixed languages',
      input: '我有3个apple和2个banana。Yes.',
      max: 100,
      expected: ['我有3个 apple 和2个 banana。Yes.'],
    },
  ];
  it.each(cases)('$name', ({ input, max, expected, ends }) => {
    const normalized = normalizeText(input);
    const chunks = chunkText(normalized, { maxChars: max });
    expect(texts(chunks)).toEqual(expected);
    if (ends) expect(chunks.map((c) => c.paragraphEnd)).toEqual(ends);
    checkInvariants(normalized, chunks, max);
  });
});

describe('chunkText invariants', () => {
  const corpus = [
    '你好，这是一个语音示例。Hello, this is a sample.',
    'Dr. Smith paid $3.14 for it. He said: "That is fine!" Then he left... quietly.\nSecond line here.\n\nNew paragraph; with clauses, commas — and dashes.',
    '人工智能是计算机科学的一个分支，它企图了解智能的实质，并生产出一种新的能以人类智能相似的方式做出反应的智能机器。该领域的研究包括机器人、语言识别、图像识别、自然语言处理和专家系统等。',
    'iPhone 15 很好用。我有3个apple和2个banana！“Really?” 她问道。OK.',
    'A very long sentence without any terminators but with many words that just keeps going and going and going and going until it has to be cut somewhere reasonable',
    'Emoji 😀 and astral 𠀀𠀁 Han, e\u0301 combining; “quotes” (brackets) [more] {even more}.',
    `${'x'.repeat(97)} ${'汉'.repeat(61)}。${'Word '.repeat(40)}`,
  ];
  const sizes = [2, 3, 5, 8, 13, 40, 100, 250, 1000];
  for (const [n, raw] of corpus.entries()) {
    it.each(sizes.map((max) => ({ max })))(`corpus #${n} at maxChars=$max`, ({ max }) => {
      const normalized = normalizeText(raw);
      const chunks = chunkText(normalized, { maxChars: max });
      checkInvariants(normalized, chunks, max);
      // Ordinary text loses nothing at all but whitespace (plain sizes; tiny ones may drop lone punctuation).
      if (max >= 8)
        expect(noSpace(chunks.map((c) => c.runs.map((r) => r.text).join('')).join(''))).toBe(noSpace(normalized));
      const paragraphs = normalized.split('\n\n').length;
      expect(chunks.filter((c) => c.paragraphEnd).length).toBe(paragraphs);
    });
  }

  it('random soup keeps its invariants', () => {
    const alphabet = [
      'a',
      'Bc',
      '你',
      '好',
      ' ',
      ' ',
      '.',
      '。',
      ',',
      '、',
      '!',
      '\n',
      '\n\n',
      '😀',
      '𠀀',
      'e\u0301',
      '3',
      '"',
      '(',
      ')',
      '…',
      '—',
    ];
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let round = 0; round < 300; round++) {
      let raw = '';
      const len = 1 + rand(120);
      for (let i = 0; i < len; i++) raw += alphabet[rand(alphabet.length)];
      const max = 2 + rand(30);
      const normalized = normalizeText(raw);
      if (!/[\p{L}\p{N}]/u.test(normalized)) continue;
      checkInvariants(normalized, prepareText(raw, { maxChunkChars: max }), max);
    }
  });
});
