import { describe, expect, it } from 'vitest';
import { longText, textOf } from '../../bench/texts.js';
import { parseSsml } from '../../src/ssml/parse.js';
import { chunkSsml } from '../../src/ssml/prepare.js';
import { chunkLimit, chunkPlan, normalizeText, prepareText, type Chunk } from '../../src/text/index.js';

const text = (c: Chunk) => c.runs.map((r) => r.text).join('');
const texts = (chunks: Chunk[]) => chunks.map(text);
const speakable = (s: string) => s.replace(/[^\p{L}\p{N}]/gu, '');
/** espeak-ng's plan: 400 characters a call. */
const ESPEAK = chunkPlan({ maxChunkChars: 400 });

/** What every planned chunk list must hold: each chunk within its limit, nothing lost, order kept. */
function checkPlan(raw: string, chunks: Chunk[], plan = ESPEAK): void {
  chunks.forEach((c, i) => {
    expect(c.index).toBe(i);
    expect(c.chars).toBeLessThanOrEqual(chunkLimit(plan, i));
  });
  expect(speakable(texts(chunks).join(''))).toBe(speakable(normalizeText(raw)));
}

describe('chunk plan', () => {
  it('starts at the first chunk limit and doubles up to the engine limit', () => {
    expect([0, 1, 2, 3, 4, 5, 60].map((i) => chunkLimit(ESPEAK, i))).toEqual([48, 96, 192, 384, 400, 400, 400]);
    expect([0, 1, 2, 3].map((i) => chunkLimit(chunkPlan({ maxChunkChars: 300 }), i))).toEqual([48, 96, 192, 300]);
    // An engine whose limit is below the first chunk's: every chunk is the engine's size.
    expect(chunkPlan({ maxChunkChars: 30 })).toEqual({ maxChunkChars: 30, firstChunkChars: 30 });
    // An engine that asks for a shorter first chunk (Kokoro) starts there and doubles from it.
    expect([0, 1, 2, 3, 4].map((i) => chunkLimit(chunkPlan({ maxChunkChars: 300, firstChunkChars: 24 }), i))).toEqual([
      24, 48, 96, 192, 300,
    ]);
    // Without a first chunk limit (the plan off) every chunk may be the engine's size.
    expect(chunkLimit({ maxChunkChars: 400 }, 0)).toBe(400);
  });

  it('Chinese: the first chunk is the first clause, later chunks grow to the limit', () => {
    // The document the bench streams.
    const raw = longText('zh', 5000);
    const chunks = prepareText(raw, ESPEAK);
    checkPlan(raw, chunks);
    // A Han character weighs three in the plan's sizes (about as long to say as three letters): the
    // first 22-character sentence is over 48, so its first clause leads.
    expect(texts(chunks).slice(0, 2)).toEqual(['清晨六点,', '小镇的第一班公交车从车站缓缓开出。']);
    const sizes = chunks.map((c) => c.chars);
    for (let i = 1; i < 3; i++) expect(sizes[i]).toBeGreaterThan(sizes[i - 1]!);
    expect(Math.max(...sizes)).toBeGreaterThan(350);
    // Every chunk but the last ends at a sentence or clause: the prose has punctuation enough.
    for (const t of texts(chunks).slice(0, -1)) expect(t).toMatch(/[。,;、!?]$/u);
    // The plan costs a few chunks over engine-sized chunking, no more.
    const plain = prepareText(raw, { maxChunkChars: 400 }).length;
    expect(chunks.length).toBeGreaterThan(plain);
    expect(chunks.length).toBeLessThanOrEqual(plain + 6);
  });

  it('Chinese: a long first sentence gives its first clauses, cut after the comma', () => {
    const raw =
      '在这个阳光明媚的早晨,住在河边小镇上的老人们像往常一样,沿着长长的石板路慢慢地走到公园里去打太极拳,顺便聊聊昨天晚上看过的新闻。';
    const chunks = prepareText(raw, ESPEAK);
    checkPlan(raw, chunks);
    expect(texts(chunks)).toEqual([
      '在这个阳光明媚的早晨,',
      '住在河边小镇上的老人们像往常一样,',
      '沿着长长的石板路慢慢地走到公园里去打太极拳,顺便聊聊昨天晚上看过的新闻。',
    ]);
    // 、 and ； are clause marks too; a closing quote stays with the clause it ends.
    const quoted = prepareText(
      '他说:「苹果、香蕉、橙子、葡萄、西瓜、草莓、芒果、菠萝、荔枝、龙眼、樱桃、柿子,」然后把水果都放进了篮子里。',
      ESPEAK,
    );
    expect(texts(quoted).slice(0, 2)).toEqual([
      '他说:「苹果、香蕉、橙子、葡萄、',
      '西瓜、草莓、芒果、菠萝、荔枝、龙眼、樱桃、柿子,」',
    ]);
  });

  it('English: the first sentence is cut at a comma, or else between words', () => {
    const comma = prepareText(
      'Before the sun rose, the first bus of the day pulled away from the little station.',
      ESPEAK,
    );
    expect(texts(comma)).toEqual([
      'Before the sun rose,',
      'the first bus of the day pulled away from the little station.',
    ]);
    const raw = textOf('en', 1000);
    const chunks = prepareText(raw, ESPEAK);
    checkPlan(raw, chunks);
    expect(text(chunks[0]!)).toBe('At six in the morning the first bus of the day');
    for (const [i, c] of chunks.entries()) {
      const t = text(c);
      // Never ends or starts inside a word.
      if (i < chunks.length - 1) expect(raw).toContain(`${t} `);
    }
  });

  it('a number is never cut, at its commas or between its Han numerals', () => {
    // The number reaches past the first chunk's 48 characters: the cut goes before it, not at its commas.
    const raw = 'Savings came to 1,234,567,890,123,456,789,012,345 dollars, and then more came.';
    const en = prepareText(raw, ESPEAK);
    checkPlan(raw, en);
    expect(texts(en)).toEqual(['Savings came to', '1,234,567,890,123,456,789,012,345 dollars, and then more came.']);
    // No punctuation, and the number spans the first chunk's 48th character.
    const zh = `${'我们明天早上一起去图书馆看书'.repeat(2)}今年的总人口已经达到了一千二百三十四万五千六百七十八人还在不断增长之中`;
    const chunks = prepareText(zh, ESPEAK);
    checkPlan(zh, chunks);
    expect(texts(chunks).join('|')).toMatch(/一千二百三十四万五千六百七十八/u);
  });

  it('a long sentence without punctuation: chunks grow and are cut between words', () => {
    const raw = '我们明天早上一起去图书馆看书'.repeat(40);
    const chunks = prepareText(raw, ESPEAK);
    checkPlan(raw, chunks);
    expect(chunks[0]!.chars).toBeLessThanOrEqual(16);
    expect(chunks[0]!.chars).toBeGreaterThan(8);
    for (const t of texts(chunks)) {
      expect(t).not.toMatch(/图$|图书$|^书馆|^馆|早$|^上/u);
    }
    const en = 'word '.repeat(300).trim();
    for (const t of texts(prepareText(en, ESPEAK))) expect(t).toMatch(/^word( word)*$/);
  });

  it('a sentence a little over the first size with no clause mark is kept whole, not cut between words', () => {
    // 17 units weigh 51 > 48, but the only cut would be between words (and ICU cuts 人民|币).
    expect(texts(prepareText('今天的汇率是一美元兑换七元人民币。', ESPEAK))).toEqual([
      '今天的汇率是一美元兑换七元人民币。',
    ]);
  });

  it('mixed Chinese and English', () => {
    const raw =
      '我有3个apple和2个banana,它们都放在厨房的桌子上。Then we walked to the market together, and bought more fruit for the week.';
    const chunks = prepareText(raw, ESPEAK);
    checkPlan(raw, chunks);
    expect(texts(chunks)).toEqual([
      '我有3个apple和2个banana,',
      '它们都放在厨房的桌子上。',
      'Then we walked to the market together, and bought more fruit for the week.',
    ]);
  });

  it('one-sentence text is one chunk; a text as short as the first chunk too', () => {
    expect(texts(prepareText('Hello there.', ESPEAK))).toEqual(['Hello there.']);
    expect(texts(prepareText('你好。', ESPEAK))).toEqual(['你好。']);
    const two = 'One short sentence. And another.';
    expect(texts(prepareText(two, ESPEAK))).toEqual([two]);
  });

  it('runs over a whole SSML document, not piece by piece', () => {
    const sentence = '这是一个比较长的句子,用来检查计划在不同片段之间是否连续。';
    const doc = parseSsml(`<speak>${sentence.repeat(3)}<break time="300ms"/>${sentence.repeat(12)}</speak>`);
    const chunks = chunkSsml(doc, ESPEAK);
    for (const [i, c] of chunks.entries()) expect(c.chars).toBeLessThanOrEqual(chunkLimit(ESPEAK, i));
    // The piece after the break starts at the plan's later, larger limits, not at 48 again.
    const afterBreak = chunks.findIndex((c) => c.pauseAfterMs !== undefined) + 1;
    expect(chunks[afterBreak]!.chars).toBeGreaterThan(48);
  });
});
