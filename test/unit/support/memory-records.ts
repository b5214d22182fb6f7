import type { JobData, JobProgress, JobResult, JobStatus } from '../../../src/domain/job.js';
import { isTerminal, type JobRecord } from '../../../src/jobs/record.js';
import type { WriteOutcome } from '../../../src/jobs/store.js';
import type { AttemptRecords } from '../../../src/workers/synthesis.js';

/** One write the worker made, in order, for assertions. */
export interface Write {
  op: 'begin' | 'progress' | 'succeed' | 'fail' | 'retry' | 'canceled';
  progress?: JobProgress;
  error?: string;
}

/**
 * The attempt's view of the job store, in memory, with the store's guards (jobs/store.ts UPDATE):
 * a final record is never changed, a writer from another engine's queue gets `moved`, and every
 * answer carries the cancel flag.
 */
export class MemoryRecords implements AttemptRecords {
  readonly records = new Map<string, JobRecord & { queue: string }>();
  readonly writes: Write[] = [];
  /** Called after each progress write is applied (a test cancels or moves the job from here). */
  onProgress?: (rec: JobRecord & { queue: string }) => void;

  put(rec: JobRecord): void {
    this.records.set(rec.id, { ...rec, queue: rec.data.engine });
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const r = this.records.get(id);
    if (!r) return undefined;
    const { queue: _queue, ...rec } = r;
    return structuredClone(rec);
  }

  private update(
    id: string,
    queue: string,
    status: JobStatus | '',
    change: (r: JobRecord) => void,
    write: Write,
  ): Promise<WriteOutcome> {
    const r = this.records.get(id);
    if (!r) return Promise.resolve({ applied: false, status: 'missing', canceled: false });
    const canceled = r.cancelAt !== undefined;
    if (isTerminal(r.status)) return Promise.resolve({ applied: false, status: r.status, canceled });
    if (queue !== '' && r.queue !== queue) return Promise.resolve({ applied: false, status: 'moved', canceled });
    change(r);
    if (status) r.status = status;
    // The store serializes what it is given: later changes by the caller must not reach the record.
    this.writes.push(structuredClone(write));
    if (write.op === 'progress') this.onProgress?.(r);
    return Promise.resolve({ applied: true, status: r.status, canceled: r.cancelAt !== undefined });
  }

  async begin(
    id: string,
    queue: string,
    attempt: number,
    now = Date.now(),
  ): Promise<WriteOutcome & { record?: JobRecord }> {
    const out = await this.update(
      id,
      queue,
      'running',
      (r) => {
        r.attempts = attempt;
        r.startedAt = now;
        r.error = undefined;
      },
      { op: 'begin' },
    );
    // Like the store: the record comes back in the same round trip when the write applied.
    const record = out.applied ? await this.get(id) : undefined;
    return record ? { ...out, record } : out;
  }

  progress(id: string, queue: string, progress: JobProgress): Promise<WriteOutcome> {
    return this.update(
      id,
      queue,
      '',
      (r) => {
        r.progress = structuredClone(progress);
      },
      {
        op: 'progress',
        progress,
      },
    );
  }

  succeed(id: string, queue: string, result: JobResult, now = Date.now()): Promise<WriteOutcome> {
    return this.update(
      id,
      queue,
      'succeeded',
      (r) => {
        r.result = structuredClone(result);
        r.finishedAt = now;
        r.progress = { chunksDone: result.chunks, chunksTotal: result.chunks };
      },
      { op: 'succeed' },
    );
  }

  fail(id: string, queue: string, error: string, now = Date.now()): Promise<WriteOutcome> {
    return this.update(
      id,
      queue,
      'failed',
      (r) => {
        r.error = error;
        r.finishedAt = now;
      },
      { op: 'fail', error },
    );
  }

  retry(id: string, queue: string, error: string): Promise<WriteOutcome> {
    return this.update(
      id,
      queue,
      'queued',
      (r) => {
        r.error = error;
      },
      { op: 'retry', error },
    );
  }

  canceled(id: string, queue: string, progress: JobProgress, now = Date.now()): Promise<WriteOutcome> {
    return this.update(
      id,
      queue,
      'canceled',
      (r) => {
        r.finishedAt = now;
        r.progress = structuredClone(progress);
      },
      { op: 'canceled', progress },
    );
  }

  /** The job's work moves to another engine's queue (what the mover does on failover). */
  move(id: string, data: JobData): void {
    const r = this.records.get(id);
    if (r) Object.assign(r, { data, queue: data.engine, status: 'queued' });
  }

  ops(): Write['op'][] {
    return this.writes.map((w) => w.op);
  }
}
