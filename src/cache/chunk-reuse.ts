import type { Chunk } from '../text/types.js';

const keyOf = (c: Chunk) => `${c.rate ?? 1}\u0000${c.runs.map((r) => `${r.lang}:${r.text}`).join('\u0000')}`;

/**
 * Sentence-level reuse inside one job: a chunk whose text occurs again later
 * in the document is synthesized once. Only audio that will be needed again
 * is kept, and only until its last occurrence, so memory stays bounded by the
 * repeated chunks, never by the document.
 */
export class ChunkReuse<T = Int16Array> {
  private readonly remaining = new Map<string, number>();
  private readonly kept = new Map<string, T>();
  /** Chunks actually sent to the engine. */
  synthesized = 0;

  constructor(chunks: readonly Chunk[]) {
    for (const c of chunks) {
      const k = keyOf(c);
      this.remaining.set(k, (this.remaining.get(k) ?? 0) + 1);
    }
  }

  async get(chunk: Chunk, synthesize: () => Promise<T>): Promise<T> {
    const k = keyOf(chunk);
    const left = (this.remaining.get(k) ?? 1) - 1;
    this.remaining.set(k, left);
    let pcm = this.kept.get(k);
    if (!pcm) {
      pcm = await synthesize();
      this.synthesized++;
    }
    if (left > 0) this.kept.set(k, pcm);
    else this.kept.delete(k);
    return pcm;
  }
}
