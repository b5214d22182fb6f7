/**
 * Character classes shared by the text front-end. They take code points, not
 * UTF-16 units, so astral Han (Extension B and later) is classified whole.
 * ASCII is answered without a regex because it dominates real input.
 */

const HAN = /\p{Script=Han}/u;
const LATIN = /\p{Script=Latin}/u;
const KANA_HANGUL = /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const SPEAKABLE = /[\p{L}\p{N}]/u;
const MARK = /\p{M}/u;
const LOWER = /\p{Ll}/u;
// ASCII quotes are ambiguous (open or close); after a terminator they close.
const CLOSER = /[\p{Pe}\p{Pf}"']/u;
const OPENER = /[\p{Ps}\p{Pi}]/u;

/** Same set as JavaScript's `\s` (and `String.prototype.trim`). */
export function isWhitespace(c: number): boolean {
  if (c < 0x80) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/** Whether the code point is a Han ideograph (Script=Han). */
export function isHan(cp: number): boolean {
  if (cp >= 0x4e00 && cp <= 0x9fff) return true; // CJK Unified Ideographs: nearly all real Han text
  return cp >= 0x2e80 && HAN.test(String.fromCodePoint(cp));
}

/** Whether the code point is a Latin-script letter (ASCII or accented). */
export function isLatinLetter(cp: number): boolean {
  if (cp < 0x80) return (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a);
  return cp >= 0xaa && LATIN.test(String.fromCodePoint(cp));
}

/** CJK and full-width punctuation that survives NFKC (。、「」『』《》【】 …). */
export function isCjkPunct(cp: number): boolean {
  return (
    (cp >= 0x3001 && cp <= 0x303f) ||
    (cp >= 0xfe10 && cp <= 0xfe1f) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff01 && cp <= 0xff65)
  );
}

/** Characters of scripts written without spaces, after which a sentence may end without one. */
export function isWide(cp: number): boolean {
  if (cp < 0x1100) return false;
  return isHan(cp) || isCjkPunct(cp) || KANA_HANGUL.test(String.fromCodePoint(cp));
}

/** Whether the string holds at least one letter or digit (anything a voice can say). */
export function hasSpeakable(s: string): boolean {
  return SPEAKABLE.test(s);
}

/** Whether the code point at UTF-16 index i is a combining mark. */
export function isMarkAt(s: string, i: number): boolean {
  const cp = s.codePointAt(i);
  return cp !== undefined && cp >= 0x300 && MARK.test(String.fromCodePoint(cp));
}

/** Whether the code point at UTF-16 index i is a lower-case letter. */
export function isLowerAt(s: string, i: number): boolean {
  const cp = s.codePointAt(i);
  if (cp === undefined) return false;
  if (cp < 0x80) return cp >= 0x61 && cp <= 0x7a;
  return LOWER.test(String.fromCodePoint(cp));
}

/** Closing brackets and quotes, which stay with the sentence they end. */
export function isCloser(ch: string): boolean {
  return CLOSER.test(ch);
}

/** Opening brackets and quotes, which go with the text that follows them. */
export function isOpener(ch: string): boolean {
  return OPENER.test(ch);
}

/** Code point that ends just before UTF-16 index i (handles surrogate pairs). */
export function codePointBefore(s: string, i: number): number | undefined {
  if (i <= 0) return undefined;
  const lo = s.charCodeAt(i - 1);
  if (lo >= 0xdc00 && lo <= 0xdfff && i >= 2) {
    const hi = s.charCodeAt(i - 2);
    if (hi >= 0xd800 && hi <= 0xdbff) return s.codePointAt(i - 2);
  }
  return lo;
}
