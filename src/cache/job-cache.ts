import type { Logger } from 'pino';
import type { CanceledResult, JobResult } from '../domain/job.js';
import type { Storage } from '../storage/storage.js';
import { SAFETY_RECHECK_MS, type JobWatcher } from '../jobs/watcher.js';
import type { CacheEntry, ResultCache } from './result-cache.js';

export interface SharedJob {
  jobId: string;
  /** Content key of the job's request. */
  key: string;
  /** Storage key the job's own audio goes to. */
  audioKey: string;
  workerId: string;
  /** Synthesize for real. */
  make(): Promise<JobResult | CanceledResult>;
  isCanceled?(): Promise<boolean>;
}

/**
 * The worker's side of the result cache: a job whose result is cached gets a
 * copy at once; of identical jobs running at the same time on any worker,
 * one synthesizes (holding the content key's lock) and the others wait for
 * its result and copy it. A holder that dies stops renewing its lock and a
 * waiter takes over.
 */
export class SharedSynthesis {
  constructor(
    private readonly cache: Pick<ResultCache, 'enabled' | 'lookup' | 'peek' | 'copyOut' | 'store' | 'lock' | 'holder'>,
    private readonly storage: Storage,
    private readonly lockMs: number,
    private readonly logger: Logger,
    /** Wakes a waiting job when the holder's record (or its own) changes. */
    private readonly watcher: Pick<JobWatcher, 'start' | 'next'>,
  ) {}

  async run(job: SharedJob): Promise<JobResult | CanceledResult> {
    if (!this.cache.enabled) return job.make();
    let waited = false;
    for (;;) {
      const hit = await this.fromCache(job, waited);
      if (hit) return hit;
      const lock = await this.cache.lock(job.key, this.lockMs, job.jobId);
      if (lock) {
        try {
          // The holder may have stored its result just before we got the lock.
          const late = waited ? await this.fromCache(job, true) : null;
          if (late) return late;
          const out = await job.make();
          if ('audio' in out) {
            await this.cache
              .store(job.key, this.storage, out.audio.key, entryOf(out))
              .catch((err) =>
                this.logger.warn(
                  { jobId: job.jobId, err: (err as Error).message },
                  'could not store the result in the cache',
                ),
              );
          }
          return out;
        } finally {
          await lock.release();
        }
      }
      if (!waited)
        this.logger.info(
          { jobId: job.jobId, key: job.key.slice(0, 12) },
          'identical request in flight: waiting for its result',
        );
      waited = true;
      await this.watcher.start();
      for (;;) {
        // Armed before looking, so the holder finishing in between is not missed.
        const mine = this.watcher.next(job.jobId, SAFETY_RECHECK_MS);
        const holder = await this.cache.holder(job.key);
        const theirs = holder ? this.watcher.next(holder, SAFETY_RECHECK_MS) : undefined;
        if (holder === null || (await job.isCanceled?.())) {
          mine.cancel();
          theirs?.cancel();
          if (holder === null) break;
          return { canceled: { at: Date.now(), chunksDone: 0 } };
        }
        await Promise.race([mine.wait, theirs?.wait ?? mine.wait]);
        mine.cancel();
        theirs?.cancel();
      }
    }
  }

  private async fromCache(job: SharedJob, quiet: boolean): Promise<JobResult | null> {
    const started = Date.now();
    const entry = quiet ? await this.cache.peek(job.key) : await this.cache.lookup(job.key);
    if (!entry) return null;
    try {
      const stored = await this.cache.copyOut(job.key, entry, this.storage, job.audioKey);
      this.logger.info(
        { jobId: job.jobId, key: job.key.slice(0, 12), bytes: stored.size },
        'served from the result cache',
      );
      return cachedResult(entry, job.audioKey, stored.size, job.workerId, started);
    } catch (err) {
      // Evicted between the lookup and the copy: synthesize instead.
      this.logger.warn({ jobId: job.jobId, err: (err as Error).message }, 'cached file vanished; synthesizing');
      return null;
    }
  }
}

export function entryOf(r: JobResult): CacheEntry {
  const format = r.audio.key.slice(r.audio.key.lastIndexOf('.') + 1) as CacheEntry['format'];
  return {
    format,
    contentType: r.audio.contentType,
    bytes: r.audio.bytes,
    durationMs: r.audio.durationMs,
    sampleRate: r.audio.sampleRate,
    chunks: r.chunks,
    engine: r.engine,
    createdAt: Date.now(),
    sha256: r.audio.sha256,
    ...(r.timings ? { timings: r.timings } : {}),
  };
}

/** The result of a job served from the cache (by a worker, or by the API at submit). */
export function cachedResult(
  entry: CacheEntry,
  audioKey: string,
  bytes: number,
  worker: string,
  startedAt: number,
): JobResult {
  const finishedAt = Date.now();
  return {
    audio: {
      key: audioKey,
      contentType: entry.contentType,
      bytes,
      durationMs: entry.durationMs,
      sampleRate: entry.sampleRate,
      sha256: entry.sha256,
    },
    engine: entry.engine,
    worker,
    chunks: entry.chunks,
    startedAt,
    finishedAt,
    synthesisMs: finishedAt - startedAt,
    cached: true,
    ...(entry.timings ? { timings: entry.timings } : {}),
  };
}
