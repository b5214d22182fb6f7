import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { JobData, JobOutcome } from '../domain/job.js';
import { SYNTHESIZE_JOB } from '../queue/names.js';
import type { JobRecord } from './record.js';
import type { JobStore } from './store.js';

/** Open records looked at per run; the next run carries on where this one stopped. */
const BATCH = 500;

export interface ReconcileResult {
  /** Queued records whose work was missing, queued again. */
  requeued: number;
  /** Records whose work BullMQ had failed (a worker died too often) without the record saying so. */
  failed: number;
  /** Open-set entries whose record was gone. */
  forgotten: number;
}

/**
 * Settles job records that disagree with the queues, so no accepted job is left neither queued nor
 * final: the API crashing between creating a record and queuing its work, a monitor crashing mid-move,
 * or BullMQ failing a job whose workers kept dying (no processor ran to record it). Run by the leading
 * monitor; a record is settled within JOB_RECONCILE_AFTER_MS plus one run interval of the write that was lost.
 */
export class Reconciler {
  /** Score of the last open record looked at: runs go round the open set in batches. */
  private after = 0;

  constructor(
    private readonly redis: Redis,
    private readonly records: JobStore,
    private readonly queues: ReadonlyMap<string, Queue<JobData, JobOutcome>>,
    private readonly jobOptions: (id: string, data: JobData) => Parameters<Queue<JobData, JobOutcome>['add']>[2],
    private readonly logger: Logger,
    /** Records this old without their work in a queue are settled (younger ones may be mid-submit). */
    private readonly afterMs: number,
    /** Queue the terminal event of a job this run failed (for jobs with a webhook). */
    private readonly notifyFailed?: (record: JobRecord) => Promise<void>,
  ) {}

  async run(now = Date.now()): Promise<ReconcileResult> {
    const out: ReconcileResult = { requeued: 0, failed: 0, forgotten: 0 };
    let open = await this.records.openBefore(now - this.afterMs, this.after, BATCH);
    if (!open.length && this.after > 0) {
      this.after = 0;
      open = await this.records.openBefore(now - this.afterMs, 0, BATCH);
    }
    if (!open.length) return out;
    this.after = open.length < BATCH ? 0 : (open[open.length - 1]?.createdAt ?? 0);
    const records = await this.records.getMany(open.map((o) => o.id));
    // Each record's work, in the queue the record names: one round trip for the batch.
    const pipe = this.redis.pipeline();
    const bases: string[] = [];
    for (const rec of records) {
      const queue = rec && this.queues.get(rec.data.engine);
      const base = queue ? `${this.records.prefix}:${queue.name}:${rec.id}` : '';
      bases.push(base);
      pipe.hmget(base || `${this.records.prefix}:none`, 'finishedOn', 'failedReason', 'timestamp');
    }
    const work = (await pipe.exec()) ?? [];
    for (const [i, rec] of records.entries()) {
      const entry = open[i];
      if (!entry) continue;
      if (!rec) {
        await this.records.forgetOpen(entry.id);
        out.forgotten++;
        continue;
      }
      const queue = this.queues.get(rec.data.engine);
      if (!queue) continue;
      const [finishedOn, failedReason, timestamp] = (work[i]?.[1] ?? []) as (string | null)[];
      if (timestamp === null || timestamp === undefined) {
        // No work anywhere for a record that is not final: queue it (same id: a repeat is a no-op).
        await queue.add(SYNTHESIZE_JOB, rec.data, this.jobOptions(rec.id, rec.data));
        out.requeued++;
        this.logger.warn({ jobId: rec.id, engine: rec.data.engine }, 'job record had no queued work: queued it');
      } else if (finishedOn && failedReason) {
        const finishedAt = Date.now();
        const settled = await this.records.fail(rec.id, '', failedReason, finishedAt);
        if (settled.applied) {
          out.failed++;
          await this.notifyFailed?.({ ...rec, status: 'failed', error: failedReason, finishedAt }).catch((err) =>
            this.logger.warn(
              { jobId: rec.id, err: (err as Error).message },
              'could not queue the failed webhook event',
            ),
          );
          this.logger.warn({ jobId: rec.id, reason: failedReason }, 'job failed in its queue without a record of it');
        }
      }
    }
    return out;
  }
}
