import type { Job, JobsOptions, Queue } from 'bullmq';
import type { JobData, JobOutcome, MovedResult } from '../domain/job.js';
import { jobIdOf } from '../domain/required.js';
import type { JobStore } from '../jobs/store.js';
import { SYNTHESIZE_JOB } from '../queue/names.js';

/**
 * Moves `auto` jobs from the primary's queue to the backup's, keeping their id. The job's record is
 * the outbox: it names the queue that holds the work, so a crash between the steps leaves a queued
 * record without work, which the reconciler queues again. Adding a job whose id already exists is a
 * no-op in BullMQ, so every step can be repeated safely.
 */
export class JobMover {
  constructor(
    private readonly records: JobStore,
    private readonly backup: Queue<JobData, JobOutcome>,
    private readonly backupEngine: string,
  ) {}

  private copyData(data: JobData, from: string, reason: string): JobData {
    return { ...data, route: 'backup', engine: this.backupEngine, fallback: { from, reason, at: Date.now() } };
  }

  /** Record the move, then queue the work on the backup; false when the record had ended (nothing to move). */
  private async moveRecord(job: Job<JobData, JobOutcome>, reason: string): Promise<boolean> {
    const id = jobIdOf(job);
    const data = this.copyData(job.data, job.data.engine, reason);
    const moved = await this.records.move(id, job.data.engine, data);
    // A job with no record (created before records existed) is moved as it is.
    if (!moved.applied && moved.status !== 'missing') return false;
    await this.backup.add(SYNTHESIZE_JOB, data, { ...copyOptions(job.opts), jobId: id });
    return true;
  }

  /** From the primary's processor, which holds the job's lock: move the work; the caller completes the original. */
  async handOver(job: Job<JobData, JobOutcome>, reason: string): Promise<MovedResult | null> {
    return (await this.moveRecord(job, reason)) ? this.moved(reason) : null;
  }

  private moved(reason: string): MovedResult {
    return { moved: { to: 'backup', engine: this.backupEngine, reason } };
  }

  /**
   * Move a job that is waiting on the primary. Returns false when a primary worker took it meanwhile
   * (BullMQ refuses to remove a locked job).
   */
  async moveWaiting(job: Job<JobData, JobOutcome>, reason: string): Promise<boolean> {
    try {
      await job.remove();
    } catch {
      return false;
    }
    return this.moveRecord(job, reason);
  }
}

/** The BullMQ options a moved job keeps. */
function copyOptions(opts: Job['opts']): JobsOptions {
  return {
    attempts: opts.attempts,
    backoff: opts.backoff,
    priority: opts.priority,
    removeOnComplete: opts.removeOnComplete,
    removeOnFail: opts.removeOnFail,
  };
}
