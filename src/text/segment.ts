/**
 * Paragraph and sentence segmentation. Work is done on [start, end) spans of the
 * input so that merging pieces keeps the original separators byte for byte.
 */
import { codePointBefore, hasSpeakable, isCloser, isLowerAt, isWhitespace, isWide } from './chars.js';

export { splitLanguageRuns } from './runs.js';

/** A [start, end) range of UTF-16 indices into a string. */
export type Span = [start: number, end: number];

const PARAGRAPH_BREAK = /\n[^\S\n]*\n/;
const TERMINATORS = new Set(['.', '!', '?', ';', '…', '。', '！', '？', '；', '‼', '⁇', '⁈', '⁉']);
const WIDE_TERMINATORS = new Set(['。', '！', '？', '；']);
const DOTS = new Set(['.', '…']);
// Words that precede a name or number; "etc." and "Inc." are left out because they end sentences too often.
const ABBREVIATIONS = new Set([
  'mr',
  'mrs',
  'ms',
  'dr',
  'prof',
  'sr',
  'jr',
  'st',
  'mt',
  'vs',
  'fig',
  'vol',
  'approx',
  'gen',
  'col',
  'lt',
  'sgt',
  'capt',
  'rev',
  'hon',
  'cf',
]);
// Only abbreviations when a number follows ("No. 5", "p. 12"); "no." also ends sentences.
const NUMBER_ABBREVIATIONS = new Set([
  'no',
  'nos',
  'p',
  'pp',
  'fig',
  'figs',
  'vol',
  'vols',
  'ch',
  'sec',
  'art',
  'ext',
  'jan',
  'feb',
  'mar',
  'apr',
  'jun',
  'jul',
  'aug',
  'sep',
  'sept',
  'oct',
  'nov',
  'dec',
]);
const ABBREV_CHAR = /[A-Za-z.]/;
// "U.S", "p.m", "Ph.D": letters in groups of one or two, as the English front-end spells them.
const INITIALISM = /^(?:[A-Za-z]{1,2}\.)+[A-Za-z]{1,2}$/;
const MAX_ABBREV = 12;

/** Splits text into paragraphs at blank lines; paragraphs are trimmed and never empty. */
export function splitParagraphs(text: string): string[] {
  return text
    .split(PARAGRAPH_BREAK)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

/** Splits a paragraph into trimmed, non-empty sentences that keep their terminators and closing quotes. */
export function splitSentences(paragraph: string): string[] {
  return sentenceSpans(paragraph).map(([a, b]) => paragraph.slice(a, b));
}

/** Sentence spans of a paragraph; a piece with nothing speakable ("...") is merged into a neighbour. */
export function sentenceSpans(p: string): Span[] {
  const spans: Span[] = [];
  let start = 0;
  let i = 0;
  while (i < p.length) {
    if (!TERMINATORS.has(p.charAt(i))) {
      i++;
      continue;
    }
    // A run like "?!" or "..." ends one sentence, not several; closers that follow belong to it.
    let j = i;
    while (j < p.length && TERMINATORS.has(p.charAt(j))) j++;
    let k = j;
    while (k < p.length && isCloser(p.charAt(k))) k++;
    if (isBoundary(p, i, j, k)) {
      pushTrimmed(spans, p, start, k);
      start = k;
    }
    i = k;
  }
  pushTrimmed(spans, p, start, p.length);
  return mergeUnspeakable(spans, p);
}

/** Decides whether terminators p[i..j) followed by closers p[j..k) end a sentence. */
function isBoundary(p: string, i: number, j: number, k: number): boolean {
  if (k >= p.length) return true;
  const next = p.charCodeAt(k);
  if (isWhitespace(next)) {
    let n = k;
    while (n < p.length && isWhitespace(p.charCodeAt(n))) n++;
    // "Wait... what" and "e.g. this" continue; a capital after ". " starts a new sentence.
    if (allIn(p, i, j, DOTS) && isLowerAt(p, n)) return false;
    if (j - i === 1 && p.charAt(i) === '.' && k === j && isAbbreviation(p, i, isDigitAt(p, n))) return false;
    return true;
  }
  for (let x = i; x < j; x++) if (WIDE_TERMINATORS.has(p.charAt(x))) return true;
  // CJK needs no space after a sentence, and NFKC has turned "！" into "!": look at both sides.
  // Otherwise a terminator glued to the next word is "3.14", "U.S.A" or "example.com".
  const before = codePointBefore(p, i);
  return (before !== undefined && isWide(before)) || isWide(p.codePointAt(k) ?? 0);
}

function allIn(p: string, i: number, j: number, set: Set<string>): boolean {
  for (let x = i; x < j; x++) if (!set.has(p.charAt(x))) return false;
  return true;
}

function isDigitAt(p: string, i: number): boolean {
  const c = p.charCodeAt(i);
  return c >= 0x30 && c <= 0x39;
}

/** Whether the word ending at the period p.charAt(dot) is a known abbreviation, an initial or "e.g."-style. */
function isAbbreviation(p: string, dot: number, numberFollows: boolean): boolean {
  let a = dot;
  while (a > 0 && dot - a < MAX_ABBREV && ABBREV_CHAR.test(p.charAt(a - 1))) a--;
  if (a === dot || (a > 0 && ABBREV_CHAR.test(p.charAt(a - 1)))) return false;
  const word = p.slice(a, dot);
  if (numberFollows && NUMBER_ABBREVIATIONS.has(word.toLowerCase())) return true;
  if (word.length === 1) return word >= 'A' && word <= 'Z';
  return INITIALISM.test(word) || ABBREVIATIONS.has(word.toLowerCase());
}

/** Appends p[a..b) with surrounding whitespace removed, if anything is left. */
export function pushTrimmed(out: Span[], p: string, a: number, b: number): void {
  while (a < b && isWhitespace(p.charCodeAt(a))) a++;
  while (b > a && isWhitespace(p.charCodeAt(b - 1))) b--;
  if (a < b) out.push([a, b]);
}

function mergeUnspeakable(spans: Span[], p: string): Span[] {
  const out: Span[] = [];
  let pending = -1;
  for (const [a, b] of spans) {
    if (!hasSpeakable(p.slice(a, b))) {
      const prev = out.at(-1);
      if (prev) prev[1] = b;
      else if (pending < 0) pending = a;
      continue;
    }
    out.push([pending < 0 ? a : pending, b]);
    pending = -1;
  }
  const first = spans[0];
  const last = spans.at(-1);
  if (out.length === 0 && first && last) out.push([first[0], last[1]]);
  return out;
}
