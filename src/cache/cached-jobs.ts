import type { JobResult } from '../domain/job.js';
import type { Storage } from '../storage/storage.js';
import { cachedResult } from './job-cache.js';
import type { ResultCache } from './result-cache.js';

/**
 * The API's side of the result cache. On a hit at submit the cached audio is linked to the job's own
 * key and the job's record is created already succeeded: no queue, no worker, answered within
 * milliseconds however busy the synthesis workers are.
 */
export class CachedJobs {
  constructor(
    readonly cache: ResultCache,
    private readonly storage: Storage,
  ) {}

  /** Whether the result cache is on (CACHE_MAX_BYTES > 0): otherwise no content key need be computed. */
  get enabled(): boolean {
    return this.cache.enabled;
  }

  /** The finished result for a job whose request `key` is cached (its audio copied to `audioKey`); undefined on a miss. */
  async lookup(key: string, audioKey: string): Promise<JobResult | undefined> {
    if (!this.cache.enabled) return undefined;
    const started = Date.now();
    const entry = await this.cache.lookup(key);
    if (!entry) return undefined;
    const stored = await this.cache.copyOut(key, entry, this.storage, audioKey).catch(() => null);
    if (!stored) return undefined; // evicted meanwhile: synthesize
    return cachedResult(entry, audioKey, stored.size, 'cache', started);
  }
}
