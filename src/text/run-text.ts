import type { Run } from './types.js';

/** What a run may start with and still follow the previous one without a space: closing punctuation. */
const CLOSES = /^[.,!?;:…)\]}”’»、，。！？；：）》」』]/u;
/** What a run may end with and be followed without a space: opening brackets and quotes. */
const OPENS = /[([{“‘«（《「『]$/u;
/** A straight quote opens after a space or at the start, and closes before a space, punctuation or the end. */
const OPENING_QUOTE = /(?:^|\s)["']$/u;
const CLOSING_QUOTE = /^["'](?:$|[\s.,!?;:])/u;

/**
 * The space between two adjacent runs of a chunk: none before closing punctuation or after an
 * opening bracket (runs are cut around annotated words, so "I like [nvidia](/…/)." is three runs
 * and joining them with a space read "nvidia ."), one otherwise.
 */
export const runGap = (prev: string, next: string): string =>
  CLOSES.test(next) || CLOSING_QUOTE.test(next) || OPENS.test(prev) || OPENING_QUOTE.test(prev) ? '' : ' ';

/**
 * A chunk's text as one string, runs joined by `runGap`, and where each run starts in it (the
 * offsets engines report words at, and captions cut at).
 */
export function joinRuns(runs: readonly Pick<Run, 'text'>[]): { text: string; starts: number[] } {
  let text = '';
  const starts: number[] = [];
  runs.forEach((r, i) => {
    if (i > 0) text += runGap(runs[i - 1]?.text ?? '', r.text);
    starts.push(text.length);
    text += r.text;
  });
  return { text, starts };
}
