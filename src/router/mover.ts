import type { Queue, Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { JobData, JobOutcome, MovedResult } from '../domain/job.js';
import { movingKey, SYNTHESIZE_JOB } from '../queue/names.js';
import { jobIdOf } from '../domain/required.js';

/**
 * Moves `auto` jobs from the primary's queue to the backup's, keeping their
 * id. Adding a job whose id already exists is a no-op in BullMQ, so every
 * step can be repeated safely; an outbox record covers a crash between
 * removing a waiting job and adding its copy.
 */
export class JobMover {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly backup: Queue<JobData, JobOutcome>,
    private readonly backupEngine: string,
  ) {}

  private copyData(data: JobData, from: string, reason: string): JobData {
    return { ...data, route: 'backup', engine: this.backupEngine, fallback: { from, reason, at: Date.now() } };
  }

  private async addCopy(id: string, data: JobData, opts: Job['opts']): Promise<void> {
    await this.backup.add(SYNTHESIZE_JOB, data, {
      jobId: id,
      attempts: opts.attempts,
      backoff: opts.backoff,
      priority: opts.priority,
      removeOnComplete: opts.removeOnComplete,
      removeOnFail: opts.removeOnFail,
    });
  }

  private moved(reason: string): MovedResult {
    return { moved: { to: 'backup', engine: this.backupEngine, reason } };
  }

  /** From the primary's processor, which holds the job's lock: queue the copy; the caller completes the original. */
  async handOver(job: Job<JobData, JobOutcome>, reason: string): Promise<MovedResult> {
    await this.addCopy(jobIdOf(job), this.copyData(job.data, job.data.engine, reason), job.opts);
    return this.moved(reason);
  }

  /** Whether the backup already holds this job (the primary crashed after handing it over). */
  async movedAlready(job: Job<JobData, JobOutcome>): Promise<MovedResult | null> {
    const copy = await this.backup.getJob(jobIdOf(job));
    return copy ? this.moved(copy.data.fallback?.reason ?? 'moved to the backup engine') : null;
  }

  /**
   * Move a job that is waiting on the primary. Returns false when a primary
   * worker took it meanwhile (BullMQ refuses to remove a locked job).
   */
  async moveWaiting(job: Job<JobData, JobOutcome>, reason: string): Promise<boolean> {
    const data = this.copyData(job.data, job.data.engine, reason);
    const key = movingKey(this.prefix, jobIdOf(job));
    await this.redis.set(key, JSON.stringify({ id: job.id, data, opts: job.opts }));
    try {
      await job.remove();
    } catch {
      await this.redis.del(key);
      return false;
    }
    await this.addCopy(jobIdOf(job), data, job.opts);
    await this.redis.del(key);
    return true;
  }

  /** Finish moves that a crashed monitor left half done. */
  async recoverOutbox(): Promise<number> {
    let cursor = '0';
    let n = 0;
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', movingKey(this.prefix, '*'), 'COUNT', 200);
      cursor = next;
      for (const key of keys) {
        const raw = await this.redis.get(key);
        if (raw) {
          const { id, data, opts } = JSON.parse(raw) as { id: string; data: JobData; opts: Job['opts'] };
          await this.addCopy(id, data, opts);
          n++;
        }
        await this.redis.del(key);
      }
    } while (cursor !== '0');
    return n;
  }
}
