/**
 * Text front-end v1: raw request text → normalized text → chunks of language runs.
 * Pure functions, no I/O.
 */
import { emptyText } from '../domain/errors.js';
import type { Chunk } from './types.js';
import { hasSpeakable } from './chars.js';
import { chunkText } from './chunk.js';
import { normalizeText } from './normalize.js';

export type { Chunk, Lang, Run } from './types.js';
export { normalizeText } from './normalize.js';
export { splitLanguageRuns, splitParagraphs, splitSentences } from './segment.js';
export { chunkText } from './chunk.js';
export { cardinalEn, digitsEn, expandNumbersEn, ordinalEn, yearEn } from './numbers-en.js';
export { expandAbbreviationsEn } from './abbreviations-en.js';
export { normalizeEn } from './normalize-en.js';
export { cardinalZh, digitsZh, expandNumbersZh } from './numbers-zh.js';

/** Normalizes and chunks request text; throws `emptyText()` when no letter, digit or Han character is left. */
export function prepareText(raw: string, opts: { maxChunkChars: number }): Chunk[] {
  const text = normalizeText(raw);
  if (!hasSpeakable(text)) throw emptyText();
  return chunkText(text, { maxChars: opts.maxChunkChars });
}
