import type { JobTimings, SegmentTiming, WordTiming } from '../domain/timing.js';

/** One caption: times in ms (exact, unrounded), text, and the words inside it where known. */
export interface Cue {
  startMs: number;
  endMs: number;
  text: string;
  /** Words with their offset into `text`. */
  words: { startMs: number; offset: number; length: number }[];
}

/** Longest cue text in characters: about two lines of Latin text; CJK counts double (full width). */
export const MAX_CUE_WIDTH = 84;

const isWide = (ch: string) => /[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]/u.test(ch);
const widthOf = (s: string) => [...s].reduce((n, ch) => n + (isWide(ch) ? 2 : 1), 0);
const SENTENCE_END = /[.!?。！？；;…]/u;
const SOFT_BREAK = /[,，、：:\s]/u;

/**
 * Whether text[i] ends a sentence. A full-width mark always does; an ASCII one only before a space, a closer,
 * a wide character or the end, so "1.0?", "example.com" and "U.S." stay whole.
 */
function endsSentence(text: string, i: number): boolean {
  const ch = text.charAt(i);
  const next = text.charAt(i + 1);
  const free = next === '' || /\s/u.test(next) || isWide(next);
  // Closing quotes and brackets after a sentence's mark belong to that sentence.
  if (CLOSER.test(ch)) return SENTENCE_END.test(text.charAt(i - 1)) && free;
  if (!SENTENCE_END.test(ch) || SENTENCE_END.test(next) || CLOSER.test(next)) return false;
  return isWide(ch) || free;
}

const CLOSER = /["')\]”’»」』）]/u;

/**
 * Cut a segment's text into cue-sized pieces, at sentence ends first and at
 * commas or spaces when a sentence is still too long. Returns [start, end) offsets.
 */
export function splitText(text: string, maxWidth = MAX_CUE_WIDTH): [number, number][] {
  const pieces: [number, number][] = [];
  let start = 0;
  let lastSoft = -1;
  let width = 0;
  const push = (end: number) => {
    if (text.slice(start, end).trim()) pieces.push([start, end]);
    start = end;
    lastSoft = -1;
    width = 0;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] ?? '';
    width += isWide(ch) ? 2 : 1;
    if (endsSentence(text, i)) push(i + 1);
    else if (width > maxWidth) {
      push(lastSoft > start ? lastSoft : i + 1);
      // What followed the soft break belongs to the next piece.
      width = widthOf(text.slice(start, i + 1));
    } else if (SOFT_BREAK.test(ch)) lastSoft = i + 1;
  }
  push(text.length);
  return pieces;
}

const toMs = (samples: number, rate: number) => (samples * 1000) / rate;

function cuesOf(seg: SegmentTiming, rate: number): Cue[] {
  const pieces = splitText(seg.text);
  const words: WordTiming[] = seg.words ?? [];
  const span = seg.end - seg.start;
  const out: Cue[] = [];
  pieces.forEach(([from, to], i) => {
    const inside = words.filter(([, , offset]) => offset >= from && offset < to);
    let start: number;
    const first = inside[0];
    if (i === 0) start = seg.start;
    else if (first) start = first[0];
    // No word timings (e.g. Kokoro): place the piece in proportion to its characters.
    else start = seg.start + Math.round((span * from) / Math.max(1, seg.text.length));
    // Cues never run backwards, whatever the engine reported for odd text.
    const previous = out.at(-1);
    if (previous) start = Math.max(start, (previous.startMs * rate) / 1000);
    const raw = seg.text.slice(from, to);
    const lead = raw.length - raw.trimStart().length;
    out.push({
      startMs: toMs(start, rate),
      endMs: toMs(seg.end, rate),
      text: raw.trim(),
      words: inside.map(([s, , offset, length]) => ({ startMs: toMs(s, rate), offset: offset - from - lead, length })),
    });
  });
  // Each cue ends where the next one of the segment starts; the last at the segment's end.
  for (let i = 0; i + 1 < out.length; i++) {
    const cur = out[i];
    const next = out[i + 1];
    if (cur && next) cur.endMs = Math.max(cur.startMs, next.startMs);
  }
  return out;
}

/** The cues of a whole job, in order. */
export function buildCues(t: JobTimings): Cue[] {
  return t.segments.flatMap((s) => cuesOf(s, t.sampleRate));
}
