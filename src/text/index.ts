/**
 * Text front-end v1: raw request text → normalized text → chunks of language runs.
 * Pure functions, no I/O.
 */
import { emptyText } from '../domain/errors.js';
import type { Chunk } from './types.js';
import { hasSpeakable } from './chars.js';
import { chunkText } from './chunk.js';
import { normalizeText } from './normalize.js';
import { type LexiconRule, markAnnotations, markLexicon, splitAnnotatedRuns } from './annotations.js';

export type { Chunk, Lang, Run } from './types.js';
export { normalizeText } from './normalize.js';
export { splitLanguageRuns, splitParagraphs, splitSentences } from './segment.js';
export { chunkText } from './chunk.js';
export { cardinalEn, digitsEn, expandNumbersEn, ordinalEn, yearEn } from './numbers-en.js';
export { expandAbbreviationsEn } from './abbreviations-en.js';
export { normalizeEn } from './normalize-en.js';
export { cardinalZh, digitsZh, expandNumbersZh } from './numbers-zh.js';

/** Chunks normalized text, honouring inline pronunciation annotations; [] when nothing is speakable. */
export function chunkAnnotated(
  normalized: string,
  opts: { maxChunkChars: number; lexicon?: readonly LexiconRule[] },
): Chunk[] {
  const inline = markAnnotations(normalized);
  const { text, marks } = opts.lexicon?.length ? markLexicon(inline, opts.lexicon) : inline;
  if (marks.length === 0) return hasSpeakable(text) ? chunkText(text, { maxChars: opts.maxChunkChars }) : [];
  // A placeholder counts as speakable: an annotated word alone is a sentence worth saying.
  return chunkText(text, {
    maxChars: opts.maxChunkChars,
    speakable: (t) => hasSpeakable(t) || /[\u{f0000}-\u{fffff}]/u.test(t),
  })
    .map((c) => ({ ...c, runs: splitAnnotatedRuns(c.runs, marks) }))
    .filter((c) => c.runs.length > 0)
    .map((c, index) => ({ ...c, index }));
}

/** Normalizes and chunks request text; throws `emptyText()` when no letter, digit or Han character is left. */
export function prepareText(raw: string, opts: { maxChunkChars: number; lexicon?: readonly LexiconRule[] }): Chunk[] {
  const chunks = chunkAnnotated(normalizeText(raw), opts);
  if (chunks.length === 0) throw emptyText();
  return chunks;
}
