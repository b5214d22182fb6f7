/**
 * The chunk plan: how long each chunk of a job may be. The first chunk is short, so the first audio
 * of a stream (and a short synchronous answer) waits for one sentence or clause, not for a whole
 * engine-sized chunk; each later chunk may be twice as long as the one before, up to the engine's
 * limit. Synthesis runs far faster than playback, so every chunk is ready before the audio before it
 * has been heard, and the job soon reaches the long chunks that keep per-chunk overhead low.
 *
 * Every job uses the plan, not only streamed and synchronous ones: the result cache promises that
 * equal requests get equal bytes whichever endpoint asked, the API and the worker count the same
 * chunks without being told which kind of job it is, and the cost is a handful of extra engine calls
 * at the start of a long job (⌈log2(limit ÷ first)⌉, 4 for espeak-ng).
 */

/**
 * Longest first chunk, in units of speaking time (a Latin letter 1, a Han character 3; see
 * chunk.ts): about one short English sentence or one Chinese clause, a second or two of speech.
 * Chosen by measuring a stream's first byte against the end-to-end time of a 50-character job
 * (`npm run bench -- stream`): with plain characters a 22-character Chinese sentence (5 s of speech)
 * led, and Opus took 2.4 times as long as the job to deliver its first byte.
 */
export const FIRST_CHUNK_CHARS = 48;

/** Chunk limits: the first chunk's and every chunk's (the engine's). */
export interface ChunkPlan {
  maxChunkChars: number;
  firstChunkChars: number;
}

/**
 * The plan for an engine that takes at most `maxChunkChars` per call; `firstChunkChars` when the
 * engine asks for another first chunk (EngineCapabilities.firstChunkChars), else FIRST_CHUNK_CHARS.
 */
export function chunkPlan(limits: { maxChunkChars: number; firstChunkChars?: number }): ChunkPlan {
  const first = limits.firstChunkChars ?? FIRST_CHUNK_CHARS;
  return { maxChunkChars: limits.maxChunkChars, firstChunkChars: Math.min(first, limits.maxChunkChars) };
}

/** Size of chunk number `index` (0-based): first × 2^index, at most the engine's limit (in UTF-16 units). */
export function chunkLimit(plan: { maxChunkChars: number; firstChunkChars?: number }, index: number): number {
  const first = plan.firstChunkChars ?? plan.maxChunkChars;
  if (first >= plan.maxChunkChars || index >= 31) return plan.maxChunkChars;
  return Math.min(plan.maxChunkChars, first * 2 ** index);
}
