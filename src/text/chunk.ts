/**
 * Chunking: the unit of synthesis. Chunks follow paragraphs and sentences so a voice
 * never stops mid-sentence unless a sentence alone is longer than a chunk.
 *
 * Lengths are UTF-16 code units (`string.length`): an astral character such as an
 * emoji or a Han Extension-B ideograph counts 2. That over-counts slightly and so
 * stays on the safe side of an engine's limit.
 */
import type { Chunk } from './types.js';
import { hasSpeakable, isCloser, isMarkAt, isOpener, isWhitespace, isWide } from './chars.js';
import { chunkLimit } from './chunk-plan.js';
import { sentenceSpans, splitLanguageRuns, splitParagraphs } from './segment.js';

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
// A Han character takes about as long to say as three Latin letters (espeak-ng: ~4 Han a second, ~14 letters).
const WIDE_WEIGHT = 3;
// Han numerals: a word boundary between two of them is inside a number (一万|两千).
const HAN_NUMERALS = new Set([...'〇零一二两三四五六七八九十百千万亿点']);
// Word segmentation for text without spaces; ICU's dictionary covers Chinese and Japanese.
const WORDS = new Intl.Segmenter('zh', { granularity: 'word' });
const WORD_TAIL = 32;
const WORD_LOOKAHEAD = 8;
// Smaller windows are cut hard: segmenting them costs more than it is worth.
const MIN_WORD_WINDOW = 8;
// Cutting off combining marks from their base is avoided by backing up at most this far.
const MAX_MARK_BACKOFF = 32;

/**
 * Cuts normalized text into chunks of whole sentences of one paragraph, each with
 * 1..maxChars characters (UTF-16 units; maxChars must be an integer ≥ 2).
 * With `firstChars` the chunks follow the chunk plan (chunk-plan.ts): the first is at most
 * firstChars long, each later one at most twice the one before, up to maxChars. `startIndex`
 * is the number of chunks of the same job made before this text (SSML pieces are chunked apart).
 * Pieces with nothing speakable that cannot share a chunk are dropped.
 */
export function chunkText(
  normalized: string,
  opts: { maxChars: number; firstChars?: number; startIndex?: number; speakable?: (text: string) => boolean },
): Chunk[] {
  const max = opts.maxChars;
  for (const n of [max, opts.firstChars ?? max]) {
    if (!Number.isInteger(n) || n < 2) {
      // 2, not 1: a surrogate pair must fit in a chunk.
      throw new RangeError(`maxChars and firstChars must be integers >= 2, got ${n}`);
    }
  }
  const plan = { maxChunkChars: max, firstChunkChars: opts.firstChars };
  const speakable = opts.speakable ?? hasSpeakable;
  const chunks: Chunk[] = [];
  for (const paragraph of splitParagraphs(normalized)) {
    const texts: string[] = [];
    packParagraph(
      paragraph,
      (from) =>
        unitsWithin(paragraph, from, chunkLimit(plan, (opts.startIndex ?? 0) + chunks.length + texts.length), max),
      (text) => {
        if (speakable(text)) texts.push(text);
      },
      max,
    );
    texts.forEach((text, n) => {
      const runs = splitLanguageRuns(text);
      let chars = 0;
      for (const r of runs) chars += r.text.length;
      chunks.push({ index: chunks.length, runs, chars, paragraphEnd: n === texts.length - 1 });
    });
  }
  return chunks;
}

/**
 * How many UTF-16 units from `from` on fit a chunk of plan size `size` (at most `max`, the engine's
 * limit). Below the engine's limit the plan's sizes measure time to speak, not characters: a wide
 * character (Han, kana, Hangul) counts WIDE_WEIGHT, so a first chunk of 48 is about a sentence of
 * English or a clause of Chinese, both a second or two of speech.
 */
function unitsWithin(p: string, from: number, size: number, max: number): number {
  if (size >= max) return max;
  let weight = 0;
  let k = from;
  while (k < p.length && k - from < max) {
    const cp = p.codePointAt(k) ?? 0;
    const units = cp > 0xffff ? 2 : 1;
    weight += (isWide(cp) ? WIDE_WEIGHT : 1) * units;
    if (weight > size) break;
    k += units;
  }
  // At least 2: a surrogate pair must fit in a chunk.
  return Math.max(2, k - from);
}

/**
 * Greedily packs a paragraph's sentences into texts, each no longer than `limitFrom(start)` says
 * the chunk starting there may be; a sentence longer than that is cut into pieces (at clause marks,
 * else between words, else hard), and its last piece may share a chunk with the sentences after it.
 * Below the engine's limit (`max`) the plan's sizes are soft: a sentence up to twice as long that
 * could only be cut between words is kept whole, as a cut there changes how the words around it are
 * read (Mandarin tone sandhi, stress) for little gain.
 */
function packParagraph(
  p: string,
  limitFrom: (from: number) => number,
  emit: (text: string) => void,
  max: number,
): void {
  let start = -1;
  let end = -1;
  let limit = 0;
  const close = () => {
    if (start >= 0) emit(p.slice(start, end));
    start = -1;
  };
  for (const [a, b] of sentenceSpans(p)) {
    let pos = a;
    while (pos < b) {
      if (start >= 0) {
        if (b - start <= limit) {
          end = b;
          break;
        }
        close();
        continue;
      }
      while (pos < b && isWhitespace(p.charCodeAt(pos))) pos++;
      const size = limitFrom(pos);
      if (b - pos <= size) {
        limit = size;
        start = pos;
        end = b;
        break;
      }
      const cut = findCut(p, pos, pos + size);
      if (size < max && b - pos <= Math.min(max, 2 * size) && !isClauseCut(p, cut)) {
        limit = b - pos;
        start = pos;
        end = b;
        break;
      }
      let e = cut;
      while (e > pos && isWhitespace(p.charCodeAt(e - 1))) e--;
      if (e > pos) {
        start = pos;
        end = e;
        close();
      }
      pos = cut;
    }
  }
  close();
}

/**
 * Best end (exclusive) for a piece starting at `from` and ending by `limit`.
 * Scanning stops at the last clause mark; when that comes early in the window (or
 * is missing) the last space wins instead, then the last word boundary. A short piece
 * is only taken when nothing later exists, so the next window starts past this one's
 * end: linear overall.
 */
function findCut(p: string, from: number, limit: number): number {
  let space = -1;
  let clause = -1;
  for (let k = limit; k > from; k--) {
    if (space < 0 && isWhitespace(p.charCodeAt(k))) space = k;
    const after = clauseEnd(p, k, limit);
    if (after > 0) {
      clause = after;
      break;
    }
  }
  const window = limit - from;
  if (clause >= 0 && (clause - from) * 3 >= window) return clause;
  const best = Math.max(clause, space);
  // Any clause mark beats a cut between words of text without spaces.
  if (best > from && (clause > from || (best - from) * 3 >= window)) return best;
  const word = Math.max(best, wordCut(p, from, limit));
  return word > from ? word : hardCut(p, from, limit);
}

/** Whether a cut falls at a space or after a clause mark (and its closers), not inside a clause. */
function isClauseCut(p: string, cut: number): boolean {
  if (isWhitespace(p.charCodeAt(cut)) || isWhitespace(p.charCodeAt(cut - 1))) return true;
  let k = cut;
  while (k > 0 && isCloser(p.charAt(k - 1))) k--;
  return CLAUSE_MARKS.has(p.charAt(k - 1));
}

/**
 * Where a piece may end after the clause mark p[k-1], or -1: never inside a number ("1,000",
 * "10:30"), and closing quotes or brackets after the mark stay with it (as long as they fit).
 */
function clauseEnd(p: string, k: number, limit: number): number {
  if (!CLAUSE_MARKS.has(p.charAt(k - 1))) return -1;
  if (isAsciiDigit(p.charCodeAt(k - 2)) && isAsciiDigit(p.charCodeAt(k))) return -1;
  let e = k;
  while (e < p.length && isCloser(p.charAt(e))) e++;
  return e <= limit ? e : -1;
}

/**
 * The last word boundary in (from, limit], or -1, for text without spaces (Chinese, Japanese):
 * the boundaries of Intl.Segmenter's dictionary-based word segmentation, except those inside a
 * number (digits or Han numerals) or next to punctuation that belongs with its neighbour.
 * Only the window's tail is segmented: ICU's cost grows faster than the text (100k characters of
 * alternating Latin and Han take minutes), and a cut near the limit is the one wanted.
 */
function wordCut(p: string, from: number, limit: number): number {
  if (limit - from < MIN_WORD_WINDOW) return -1;
  const a = Math.max(from, limit - WORD_TAIL);
  let best = -1;
  // A little past the limit, so that whether a word ends exactly at the limit is known.
  for (const s of WORDS.segment(p.slice(a, Math.min(p.length, limit + WORD_LOOKAHEAD)))) {
    const k = a + s.index;
    if (k > limit) break;
    // The tail's own start is a boundary only because segmentation began there.
    if (k > a && isWordCut(p, k)) best = k;
  }
  return best;
}

function isWordCut(p: string, k: number): boolean {
  const before = p.charAt(k - 1);
  const after = p.charAt(k);
  if (isNumeral(before) && isNumeral(after)) return false;
  // An opening bracket goes with what follows it; other punctuation with what precedes it.
  if (isOpener(before) || isMarkAt(p, k) || isLowSurrogate(p.charCodeAt(k))) return false;
  return isWhitespace(p.charCodeAt(k)) || hasSpeakable(after) || isOpener(after);
}

const isNumeral = (ch: string) => isAsciiDigit(ch.charCodeAt(0)) || HAN_NUMERALS.has(ch);

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

function isAsciiDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}
