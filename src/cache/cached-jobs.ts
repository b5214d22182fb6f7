import { Queue, Worker, type Job, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { JobData, JobOutcome } from '../domain/job.js';
import { CACHED_QUEUE } from '../queue/names.js';
import type { Storage } from '../storage/storage.js';
import { cachedResult } from './job-cache.js';
import type { ResultCache } from './result-cache.js';

/** Cached jobs completed at once by each API process. */
const CONCURRENCY = 32;

/**
 * The API's side of the result cache. On a hit at submit the audio is linked
 * to the job's own key and the job goes to a queue of its own, which every
 * API process serves with a worker that only returns the prepared result: the
 * job is an ordinary BullMQ job (found, listed, expired like any other) that
 * completes within milliseconds, however busy the synthesis workers are.
 */
export class CachedJobs {
  readonly queue: Queue<JobData, JobOutcome>;
  private worker?: Worker<JobData, JobOutcome>;
  private connection?: Redis;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    readonly cache: ResultCache,
    private readonly storage: Storage,
  ) {
    this.queue = new Queue(CACHED_QUEUE, { connection: redis, prefix });
  }

  /** Queue `data` as a finished job if `key` is cached; undefined on a miss. */
  async submit(
    key: string,
    audioKey: string,
    data: JobData,
    opts: JobsOptions & { jobId: string },
  ): Promise<Job<JobData, JobOutcome> | undefined> {
    if (!this.cache.enabled) return undefined;
    const started = Date.now();
    const entry = await this.cache.lookup(key);
    if (!entry) return undefined;
    const stored = await this.cache.copyOut(key, entry, this.storage, audioKey).catch(() => null);
    if (!stored) return undefined; // evicted meanwhile: synthesize
    const result = cachedResult(entry, audioKey, stored.size, 'cache', started);
    return this.queue.add('cached', { ...data, cached: result }, { ...opts, attempts: 1 });
  }

  /** Start completing cached jobs (every API process does). */
  start(logger: Logger): void {
    this.connection = this.redis.duplicate({ maxRetriesPerRequest: null });
    this.worker = new Worker<JobData, JobOutcome>(
      CACHED_QUEUE,
      async (job) => {
        if (!job.data.cached) throw new Error('cached job without a result');
        return job.data.cached;
      },
      { connection: this.connection, prefix: this.prefix, concurrency: CONCURRENCY },
    );
    this.worker.on('error', (err) => logger.warn({ err: err.message }, 'cached-jobs worker error'));
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
    await this.connection?.quit().catch(() => undefined);
  }
}
