import { describe, expect, it } from 'vitest';
import { expandAbbreviationsEn } from '../../src/text/abbreviations-en.js';
import { normalizeEn } from '../../src/text/normalize-en.js';
import { expandNumbersEn } from '../../src/text/numbers-en.js';
import { splitSentences } from '../../src/text/segment.js';
import { cpuMs } from '../support/cpu-time.js';

describe('English read aloud: addresses, phone numbers, abbreviations', () => {
  it.each([
    ['Write to john.smith@example.com today.', 'Write to john dot smith at example dot com today.'],
    ['Mail jane_doe+news@mail.example.co.uk!', 'Mail jane underscore doe plus news at mail dot example dot co dot uk!'],
    ['See https://www.example.com/docs/intro.', 'See W W W dot example dot com slash docs slash intro.'],
    ['Go to example.com, then leave.', 'Go to example dot com, then leave.'],
    ['Call 555-123-4567 now.', 'Call five five five, one two three, four five six seven now.'],
    ['Call (555) 123-4567.', 'Call five five five, one two three, four five six seven.'],
    ['Call +1 555-123-4567.', 'Call five five five, one two three, four five six seven.'],
    ['Dial 555-0199.', 'Dial five five five, zero one nine nine.'],
    ['King Jr. spoke.', 'King Junior spoke.'],
    ['It was Smith Jr.', 'It was Smith Junior.'],
    ['We visited St. Louis.', 'We visited Saint Louis.'],
    ['She lives on Main St. now.', 'She lives on Main Street now.'],
    ['Cats vs. dogs.', 'Cats versus dogs.'],
    ['See No. 5 and fig. 3.', 'See number 5 and figure 3.'],
    ['No. I said no.', 'No. I said no.'],
    ['See Vol. 3, p. 12 and pp. 5-10.', 'See volume 3, page 12 and pages 5-10.'],
    ['Dial ext. 23.', 'Dial extension 23.'],
    ['It is 15 ft. wide.', 'It is 15 ft wide.'],
    ['It is 15 ft.', 'It is 15 ft.'],
    ['On Dec. 5 we met.', 'On December 5 we met.'],
    ['Open 9am-5pm.', 'Open 9 a.m. to 5 p.m.'],
    ['At 7 PM.', 'At 7 p.m.'],
    ['It is 10x faster, #1.', 'It is 10 times faster, number 1.'],
    ['Pages 3–7.', 'Pages 3-7.'],
    ["Music of the '90s.", 'Music of the 90s.'],
    ['Dr. Smith, e.g. Mr. Brown, etc.', 'Dr. Smith, e.g. Mr. Brown, etc.'],
  ])('%s', (input, expected) => expect(expandAbbreviationsEn(input)).toBe(expected));
});

describe('English numbers for the Kokoro front-end', () => {
  it.each([
    ['97', 'ninety seven'],
    ['21st', 'twenty first'],
    ['$0.50', 'fifty cents'],
    ['$2.01', 'two dollars and one cent'],
    ['1/2 cup', 'one half cup'],
    ['3/4', 'three quarters'],
    ['2/3', 'two thirds'],
    ['24/7', 'twenty four seven'],
    ['5pm', 'five pm'],
    ['mp3.', 'mp three.'],
    ['COVID-19', 'COVID nineteen'],
    ['v1.0', 'v one point zero'],
    ['82M users', 'eighty two million users'],
    ['5 m', 'five meters'],
  ])('%s', (input, expected) => expect(expandNumbersEn(input, { hyphens: false }).trim()).toBe(expected));

  it('keeps the hyphenated form for other readers', () => {
    expect(expandNumbersEn('97')).toBe('ninety-seven');
  });

  it('reads a phone number in digit groups, never as a range', () => {
    expect(normalizeEn('555-123-4567')).toBe('five five five, one two three, four five six seven');
    expect(normalizeEn('pages 10-20')).toBe('pages ten to twenty');
  });
});

describe('abbreviation periods are not sentence stops', () => {
  it.each([
    'Dr. Smith is here.',
    'Mr. and Mrs. Brown are here.',
    'Ms. Lee is here.',
    'The U.S. Army is here.',
    'Meet at 9 a.m. Monday.',
    'Bring fruit, e.g. apples.',
    'One language, i.e. English.',
    'Pens, pencils, etc. are here.',
    'It was cats vs. dogs.',
    'We visited St. Louis.',
    'Visit example.com today.',
    'Write to john.smith@example.com today.',
    'On Jan. 5 we met.',
    'Dial ext. 23 now.',
    'Ph.D. Students came.',
  ])('%s', (text) => expect(splitSentences(text)).toEqual([text]));
});

// Same bound and spirit as text-hostile.test.ts: linear behaviour on ~200k-unit inputs.
describe('English read-aloud rules stay linear on hostile input', () => {
  const N = 200_000;
  it.each([
    ['"a." x 100k', 'a.'.repeat(N / 2)],
    ['"a@" x 100k', 'a@'.repeat(N / 2)],
    ['"a.com/" x 33k', 'a.com/'.repeat(N / 6)],
    ['"www." x 50k', 'www.'.repeat(N / 4)],
    ['200k letters then .com', `${'x'.repeat(N)}.com`],
    ['"555-" x 50k', '555-'.repeat(N / 4)],
    ['"St. " x 50k', 'St. '.repeat(N / 4)],
    ['"1x" x 100k', '1x'.repeat(N / 2)],
    ['"9am-" x 50k', '9am-'.repeat(N / 4)],
  ])('%s', (_name, input) => {
    expect(cpuMs(() => normalizeEn(input))).toBeLessThan(500);
  });
});
