/**
 * Text normalization: one canonical, speakable form of whatever the client sent.
 * Every step is a single linear regex pass or a built-in, so hostile input
 * cannot trigger catastrophic backtracking.
 */

// Every line/paragraph separator Unicode knows, mapped to "\n" before anything else looks at lines.
const NEWLINES = /\r\n?|[\v\f\u0085\u2028\u2029]/g;
// C0/C1 controls left after NEWLINES (tab and "\n" excluded). They never occur inside a
// word legitimately but do act as field separators, so they become a space.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this pattern's job.
const CONTROLS = /[\0-\x08\x0e-\x1f\x7f-\x9f]/g;
// Format characters (zero-width, bidi, soft hyphen, BOM), lone surrogates, private-use and
// unassigned code points. Format characters do sit inside words, so these vanish without a space.
const INVISIBLE = /[\p{Cf}\p{Cs}\p{Co}\p{Cn}]/gu;
// ICU reorders combining marks with an insertion sort: 200k mixed marks take seconds. Keeping
// at most 30 in a row (the Stream-Safe Text Format limit, UAX #15) bounds that; nobody speaks them.
const MARK_FLOOD = /(\p{M}{30})\p{M}+/gu;
const HSPACE = /[^\S\n]+/g;
const LINE_EDGE = / ?\n ?/g;
const BLANK_LINES = /\n{3,}/g;

/**
 * Normalizes raw text: NFKC, invisible/control characters removed, "\n" newlines,
 * single spaces, at most one blank line ("\n\n") between paragraphs, trimmed.
 */
export function normalizeText(input: string): string {
  return input
    .replace(NEWLINES, '\n')
    .replace(CONTROLS, ' ')
    .replace(INVISIBLE, '')
    .replace(MARK_FLOOD, '$1')
    .normalize('NFKC')
    .replace(HSPACE, ' ')
    .replace(LINE_EDGE, '\n')
    .replace(BLANK_LINES, '\n\n')
    .trim();
}
