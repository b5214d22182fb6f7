/** Counts reported by the phoneme cache. */
export interface CacheStats {
  hits: number;
  misses: number;
  size: number;
  capacity: number;
}

/**
 * Least-recently-used map from (language, accent, sentence) to phonemes. Common
 * sentences recur across requests (greetings, boilerplate), and espeak and
 * jieba/pinyin cost far more than a lookup.
 */
export class PhonemeCache {
  private readonly map = new Map<string, string>();
  private hits = 0;
  private misses = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0)
      throw new RangeError(`cache capacity must be a non-negative integer, got ${capacity}`);
  }

  /** The cached value for `key`, computing and storing it on a miss. */
  get(key: string, compute: () => string): string {
    const hit = this.map.get(key);
    if (hit !== undefined) {
      this.hits++;
      this.map.delete(key);
      this.map.set(key, hit);
      return hit;
    }
    this.misses++;
    const value = compute();
    if (this.capacity > 0) {
      this.map.set(key, value);
      const oldest = this.map.keys().next();
      if (this.map.size > this.capacity && !oldest.done) this.map.delete(oldest.value);
    }
    return value;
  }

  stats(): CacheStats {
    return { hits: this.hits, misses: this.misses, size: this.map.size, capacity: this.capacity };
  }

  /** Forget the counts (not the entries), e.g. after pre-warming. */
  resetCounts(): void {
    this.hits = 0;
    this.misses = 0;
  }
}
