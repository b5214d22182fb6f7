/** The voice tier's scoring (test/voice/score.ts): edit distance, tokens, digits read as spoken. */
import { describe, expect, it } from 'vitest';
import { editDistance, rate, score, tokens } from '../voice/score.js';

describe('voice tier scoring', () => {
  it.each([
    { a: [], b: [], d: 0 },
    { a: ['a', 'b', 'c'], b: ['a', 'b', 'c'], d: 0 },
    { a: ['a', 'b', 'c'], b: ['a', 'c'], d: 1 },
    { a: ['a', 'b'], b: ['x', 'a', 'b', 'y'], d: 2 },
    { a: ['k', 'i', 't', 't', 'e', 'n'], b: ['s', 'i', 't', 't', 'i', 'n', 'g'], d: 3 },
  ])('edit distance $a / $b = $d', ({ a, b, d }) => expect(editDistance(a, b)).toBe(d));

  it('splits English into words and Chinese into characters, without punctuation', () => {
    expect(tokens('Hello, World! 你好，世界。')).toEqual(['hello', 'world', '你', '好', '世', '界']);
    expect(tokens("It's 'fine'.")).toEqual(["it's", 'fine']);
  });

  it.each([
    { spoken: 'i paid forty two dollars and fifty cents', heard: 'I paid $42.50.', lang: 'en' as const },
    { spoken: 'our sales grew by fifteen percent', heard: 'Our sales grew by 15%.', lang: 'en' as const },
    { spoken: 'doctor smith is here', heard: 'Dr. Smith is here.', lang: 'en' as const },
    { spoken: '他的收入增长了一百倍', heard: '他的收入增长了100倍。', lang: 'zh' as const },
    { spoken: '会议定于明天上午九点开始', heard: '会议定于明天上午9点开始', lang: 'zh' as const },
    { spoken: '今年增长了百分之十五', heard: '今年增长了15%', lang: 'zh' as const },
    { spoken: '他在google工作了三年', heard: '他在Google工作了3年。', lang: 'mixed' as const },
    {
      spoken: 'the meeting starts at nine thirty tomorrow',
      heard: 'The meeting starts at 9.30 tomorrow.',
      lang: 'en' as const,
    },
    { spoken: '他出生于一九九五年', heard: '她出生于1995年', lang: 'zh' as const },
    { spoken: 'the train leaves at six p m', heard: 'The train leaves at six PM.', lang: 'en' as const },
    { spoken: '号码是一三八零零一三八零零零', heard: '号码是138 0013 8000', lang: 'zh' as const },
  ])('reads the recognizer’s digits as spoken: $heard', ({ spoken, heard, lang }) => {
    expect(score(spoken, heard, lang)).toEqual({ errors: 0, length: tokens(spoken).length });
  });

  it('counts a misreading: the hand-written reference is not what the digits would be read as', () => {
    // The service said "one thousand nine hundred ninety eight" and the recognizer wrote words.
    const s = score('nineteen ninety eight', 'one thousand nine hundred ninety eight', 'en');
    expect(s.errors).toBeGreaterThan(0);
    expect(score('一百倍', '一百', 'zh')).toEqual({ errors: 1, length: 3 });
  });

  it('rates errors over all reference tokens', () => {
    expect(
      rate([
        { errors: 1, length: 10 },
        { errors: 0, length: 10 },
      ]),
    ).toBeCloseTo(0.05);
    expect(rate([])).toBe(0);
  });
});
