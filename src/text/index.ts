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
export { type ChunkPlan, chunkLimit, chunkPlan, FIRST_CHUNK_CHARS } from './chunk-plan.js';
export { cardinalEn, digitsEn, expandNumbersEn, ordinalEn, yearEn } from './numbers-en.js';
export { expandAbbreviationsEn } from './abbreviations-en.js';
export { normalizeEn } from './normalize-en.js';
export { cardinalZh, digitsZh, expandNumbersZh } from './numbers-zh.js';

/** How text is cut: the engine's limit, and (the chunk plan) the first chunk's. */
export interface ChunkOptions {
  maxChunkChars: number;
  /** The first chunk's limit; later ones double up to maxChunkChars (chunk-plan.ts). Unset: all maxChunkChars. */
  firstChunkChars?: number;
  /** Chunks of the same job before this text (SSML pieces are chunked one by one). */
  startIndex?: number;
  lexicon?: readonly LexiconRule[];
}

/** Chunks normalized text, honouring inline pronunciation annotations; [] when nothing is speakable. */
export function chunkAnnotated(normalized: string, opts: ChunkOptions): Chunk[] {
  const inline = markAnnotations(normalized);
  const { text, marks } = opts.lexicon?.length ? markLexicon(inline, opts.lexicon) : inline;
  const sizes = { maxChars: opts.maxChunkChars, firstChars: opts.firstChunkChars, startIndex: opts.startIndex };
  if (marks.length === 0) return hasSpeakable(text) ? chunkText(text, sizes) : [];
  // A placeholder counts as speakable: an annotated word alone is a sentence worth saying.
  return chunkText(text, {
    ...sizes,
    speakable: (t) => hasSpeakable(t) || /[\u{f0000}-\u{fffff}]/u.test(t),
  })
    .map((c) => ({ ...c, runs: splitAnnotatedRuns(c.runs, marks) }))
    .filter((c) => c.runs.length > 0)
    .map((c, index) => ({ ...c, index }));
}

/** Normalizes and chunks request text; throws `emptyText()` when no letter, digit or Han character is left. */
export function prepareText(raw: string, opts: ChunkOptions): Chunk[] {
  const chunks = chunkAnnotated(normalizeText(raw), opts);
  if (chunks.length === 0) throw emptyText();
  return chunks;
}
