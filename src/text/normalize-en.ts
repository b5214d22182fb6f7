/**
 * English text as it is read aloud: addresses, phone numbers and abbreviations written out,
 * then numbers as words, each number word a word of its own ("ninety seven", as misaki reads
 * digits). This is the text the Kokoro English front-end phonemizes.
 */
import { expandAbbreviationsEn } from './abbreviations-en.js';
import { expandNumbersEn } from './numbers-en.js';

export function normalizeEn(text: string): string {
  return expandNumbersEn(expandAbbreviationsEn(text), { hyphens: false });
}
