import { cpuMs } from '../support/cpu-time.js';
import { describe, expect, it } from 'vitest';
import { cardinalEn, expandNumbersEn, ordinalEn, yearEn } from '../../src/text/numbers-en.js';
import { cardinalZh, expandNumbersZh } from '../../src/text/numbers-zh.js';

describe('English number reading', () => {
  it.each([
    ['0', 'zero'],
    ['7', 'seven'],
    ['15', 'fifteen'],
    ['40', 'forty'],
    ['97', 'ninety-seven'],
    ['100', 'one hundred'],
    ['3497', 'three thousand four hundred ninety-seven'],
    ['1000000', 'one million'],
    ['2000017', 'two million seventeen'],
  ])('cardinal %s', (input, expected) => expect(cardinalEn(input)).toBe(expected));

  it.each([
    ['1', 'first'],
    ['2', 'second'],
    ['12', 'twelfth'],
    ['20', 'twentieth'],
    ['21', 'twenty-first'],
    ['103', 'one hundred third'],
  ])('ordinal %s', (input, expected) => expect(ordinalEn(input)).toBe(expected));

  it.each([
    ['1999', 'nineteen ninety-nine'],
    ['2026', 'twenty twenty-six'],
    ['2000', 'two thousand'],
    ['2005', 'two thousand five'],
    ['1900', 'nineteen hundred'],
    ['1905', 'nineteen oh five'],
  ])('year %s', (input, expected) => expect(yearEn(input)).toBe(expected));

  it.each([
    ['3,497', 'three thousand four hundred ninety-seven'],
    ['It costs $3,497.50.', 'It costs three thousand four hundred ninety-seven dollars and fifty cents.'],
    ['$1 and £2', 'one dollar and two pounds'],
    ['$1.5 million', 'one point five million dollars'],
    ['€10', 'ten euros'],
    ['50% of 3.14', 'fifty percent of three point one four'],
    ['0.5', 'zero point five'],
    ['at 14:17', 'at fourteen seventeen'],
    ['at 9:05', 'at nine oh five'],
    ['at 10:00', "at ten o'clock"],
    ['on 2026-03-20', 'on March twentieth, twenty twenty-six'],
    ['March 20, 2026', 'March twentieth, twenty twenty-six'],
    ['in 1999', 'in nineteen ninety-nine'],
    ['the 1990s', 'the nineteen nineties'],
    ['1,999 people', 'one thousand nine hundred ninety-nine people'],
    ['5 km and 1 kg', 'five kilometers and one kilogram'],
    ['10kg', 'ten kilograms'],
    ['20 °C', 'twenty degrees Celsius'],
    ['-5', 'minus five'],
    ['pages 10-20', 'pages ten to twenty'],
    ['1st, 22nd and 3rd', 'first, twenty-second and third'],
    ['iPhone 15', 'iPhone fifteen'],
    [
      '1234567890123456789',
      'one two three four five six seven eight nine zero one two three four five six seven eight nine',
    ],
  ])('%s', (input, expected) => expect(expandNumbersEn(input)).toBe(expected));
});

// Expected values are cn2an 0.5.22's an2cn (what misaki's legacy front-end runs before pypinyin),
// computed with cn2an itself; the "readable forms" block is where this project deliberately differs.
describe('Mandarin number reading', () => {
  it.each([
    ['0', '零'],
    ['10', '十'],
    ['15', '十五'],
    ['20', '二十'],
    ['100', '一百'],
    ['101', '一百零一'],
    ['110', '一百一十'],
    ['1005', '一千零五'],
    ['1010', '一千零一十'],
    ['3497', '三千四百九十七'],
    ['10005', '一万零五'],
    ['100010', '十万零一十'],
    ['1000000', '一百万'],
    ['20000000', '二千万'],
    ['12345678', '一千二百三十四万五千六百七十八'],
    ['100000000', '一亿'],
    ['100003000', '一亿零三千'],
    ['13800138000', '一百三十八亿零一十三万八千'],
    ['9999999999999999', '九千九百九十九万九千九百九十九亿九千九百九十九万九千九百九十九'],
  ])('cardinal %s', (input, expected) => expect(cardinalZh(input)).toBe(expected));

  it.each([
    ['100倍', '一百倍'],
    ['2倍', '二倍'],
    ['2个人', '二个人'],
    ['2026年3月20日', '二零二六年三月二十日'],
    ['2024年', '二零二四年'],
    ['99年', '九九年'],
    ['1月', '一月'],
    ['31日', '三十一日'],
    ['007', '零零七'] /* a leading zero names a code: digit by digit (cn2an: 七) */,
    ['0.5', '零点五'],
    ['1.000', '一点零零零'],
    ['3.14', '三点一四'],
    ['50%', '百分之五十'],
    ['12.5%', '百分之十二点五'],
    ['-3.5%', '百分之负三点五'],
    ['30℃', '三十摄氏度'],
    ['-5度', '负五度'],
    ['1/2', '二分之一'],
    ['13800138000', '一三八 零零一三 八零零零'] /* a mobile number: digit by digit, not cn2an's 一百三十八亿… */,
  ])('cn2an: %s', (input, expected) => expect(expandNumbersZh(input)).toBe(expected));

  // cn2an reads these as nonsense ("3,497" → 三,四百九十七; "10-20" → 十负二十; "14:17" → 十四:十七;
  // "2026-03-20" → 二千零二十六负三负二十; "¥100" leaves the sign for the model to drop).
  it.each([
    ['2026-03-20', '二零二六年三月二十日'],
    // Numbers that name something are read digit by digit (cn2an: 一百三十八亿零一十三万八千).
    ['他的电话号码是13800138000。', '他的电话号码是一三八 零零一三 八零零零。'],
    ['请拨打0755转分机', '请拨打零七五五转分机'],
    ['房间号码：2046', '房间号码：二零四六'],
    ['编号 317 的包裹', '编号 三一七 的包裹'],
    ['他有2046元', '他有二千零四十六元'],
    ['14:17', '十四点十七分'],
    ['9:05', '九点零五分'],
    ['10:00', '十点'],
    ['3,497人', '三千四百九十七人'],
    ['¥100', '一百元'],
    ['¥5,999', '五千九百九十九元'],
    ['$5', '五美元'],
    ['10-20岁', '十到二十岁'],
    ['138-0013-8000', '一三八 零零一三 八零零零'],
    ['5‰', '千分之五'],
    ['35°C', '三十五摄氏度'],
    ['98.6°F', '华氏九十八点六度'],
    ['30°', '三十度'],
    ['12345678901234567', '一二三四五六七八九零一二三四五六七'],
  ])('readable form: %s', (input, expected) => expect(expandNumbersZh(input)).toBe(expected));
});

// Same bound and spirit as text-hostile.test.ts: linear behaviour on ~200k-unit inputs.
describe('number normalization stays linear on hostile input', () => {
  const N = 200_000;
  const hostile: [string, string][] = [
    ['digits x 200k', '9'.repeat(N)],
    ['"1," x 100k', '1,'.repeat(N / 2)],
    ['"1." x 100k', '1.'.repeat(N / 2)],
    ['"1:" x 100k', '1:'.repeat(N / 2)],
    ['"1-" x 100k', '1-'.repeat(N / 2)],
    ['"1/" x 100k', '1/'.repeat(N / 2)],
    ['"1,234" x 40k', '1,234'.repeat(N / 5)],
    ['"$1 " x 66k', '$1 '.repeat(N / 3)],
    ['"1%" x 100k', '1%'.repeat(N / 2)],
    ['"1 km" x 50k', '1 km'.repeat(N / 4)],
    ['"1 k" x 66k (unit prefix that never completes)', '1 k'.repeat(N / 3)],
    ['"March 1" x 25k', 'March 1'.repeat(N / 7)],
    ['"a1" x 100k', 'a1'.repeat(N / 2)],
    ['"1年" x 100k', '1年'.repeat(N / 2)],
    ['"-" x 200k then a digit', `${'-'.repeat(N)}1`],
    ['"!?" x 100k', '!?'.repeat(N / 2)],
    ['full-width digits x 200k', '１'.repeat(N)],
    ['emoji and digits', '😀1'.repeat(N / 3)],
  ];
  it.each(hostile)('%s', (_name, input) => {
    for (const f of [expandNumbersEn, expandNumbersZh]) {
      expect(cpuMs(() => f(input))).toBeLessThan(500);
    }
  });
});
