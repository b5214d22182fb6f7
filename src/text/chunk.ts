/**
 * Chunking: the unit of synthesis. Chunks follow paragraphs and sentences so a voice
 * never stops mid-sentence unless a sentence alone is longer than a chunk.
 *
 * Lengths are UTF-16 code units (`string.length`): an astral character such as an
 * emoji or a Han Extension-B ideograph counts 2. That over-counts slightly and so
 * stays on the safe side of an engine's limit.
 */
import type { Chunk } from './types.js';
import { hasSpeakable, isMarkAt, isWhitespace } from './chars.js';
import { type Span, pushTrimmed, sentenceSpans, splitLanguageRuns, splitParagraphs } from './segment.js';

// Places where a long sentence may be cut, after the mark. "." is absent: inside a
// sentence it is a decimal point, an abbreviation or a host name.
const CLAUSE_MARKS = new Set([
  ',',
  '，',
  '、',
  ':',
  '：',
  ';',
  '；',
  '—',
  '–',
  '…',
  '!',
  '?',
  '。',
  '！',
  '？',
  '\n',
  '·',
  '|',
]);
// Cutting off combining marks from their base is avoided by backing up at most this far.
const MAX_MARK_BACKOFF = 32;

/**
 * Cuts normalized text into chunks of whole sentences of one paragraph, each with
 * 1..maxChars characters (UTF-16 units; maxChars must be an integer ≥ 2).
 * Pieces with nothing speakable that cannot share a chunk are dropped.
 */
export function chunkText(
  normalized: string,
  opts: { maxChars: number; speakable?: (text: string) => boolean },
): Chunk[] {
  const max = opts.maxChars;
  if (!Number.isInteger(max) || max < 2) {
    // 2, not 1: a surrogate pair must fit in a chunk.
    throw new RangeError(`maxChars must be an integer >= 2, got ${max}`);
  }
  const chunks: Chunk[] = [];
  for (const paragraph of splitParagraphs(normalized)) {
    const texts = packParagraph(paragraph, max).filter(opts.speakable ?? hasSpeakable);
    texts.forEach((text, n) => {
      const runs = splitLanguageRuns(text);
      let chars = 0;
      for (const r of runs) chars += r.text.length;
      chunks.push({ index: chunks.length, runs, chars, paragraphEnd: n === texts.length - 1 });
    });
  }
  return chunks;
}

/** Greedily packs a paragraph's sentences (or pieces of over-long ones) into texts of ≤ max units. */
function packParagraph(p: string, max: number): string[] {
  const pieces: Span[] = [];
  for (const [a, b] of sentenceSpans(p)) {
    if (b - a <= max) pieces.push([a, b]);
    else splitLong(p, a, b, max, pieces);
  }
  const out: string[] = [];
  let start = -1;
  let end = -1;
  for (const [a, b] of pieces) {
    if (start >= 0 && b - start <= max) {
      end = b;
      continue;
    }
    if (start >= 0) out.push(p.slice(start, end));
    start = a;
    end = b;
  }
  if (start >= 0) out.push(p.slice(start, end));
  return out;
}

/** Splits p[a..b) into pieces of ≤ max units: at clause marks, else whitespace, else hard. */
function splitLong(p: string, a: number, b: number, max: number, out: Span[]): void {
  let pos = a;
  while (pos < b) {
    while (pos < b && isWhitespace(p.charCodeAt(pos))) pos++;
    if (b - pos <= max) {
      pushTrimmed(out, p, pos, b);
      return;
    }
    const cut = findCut(p, pos, pos + max);
    pushTrimmed(out, p, pos, cut);
    pos = cut;
  }
}

/**
 * Best end (exclusive) for a piece starting at `from` and ending by `limit`.
 * Scanning stops at the last clause mark; when that comes early in the window (or
 * is missing) the last space wins instead. A short piece is only taken when nothing
 * later exists, so the next window starts past this one's end: linear overall.
 */
function findCut(p: string, from: number, limit: number): number {
  let space = -1;
  let clause = -1;
  for (let k = limit; k > from; k--) {
    if (space < 0 && isWhitespace(p.charCodeAt(k))) space = k;
    if (CLAUSE_MARKS.has(p.charAt(k - 1))) {
      clause = k;
      break;
    }
  }
  if (clause >= 0 && (clause - from) * 3 >= limit - from) return clause;
  const best = Math.max(clause, space);
  return best > from ? best : hardCut(p, from, limit);
}

/** Cut at `limit` without splitting a surrogate pair, and if cheap without orphaning combining marks. */
function hardCut(p: string, from: number, limit: number): number {
  let k = limit;
  if (isLowSurrogate(p.charCodeAt(k)) && isHighSurrogate(p.charCodeAt(k - 1))) k--;
  let m = k;
  for (let n = 0; n < MAX_MARK_BACKOFF && isMarkAt(p, m); n++) {
    const step = isLowSurrogate(p.charCodeAt(m - 1)) && isHighSurrogate(p.charCodeAt(m - 2)) ? 2 : 1;
    if (m - step <= from) return k;
    m -= step;
  }
  return isMarkAt(p, m) ? k : m;
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}
