/**
 * The job record: everything a client or a webhook receiver sees of one job, kept in one Redis hash
 * per job id (see store.ts). BullMQ queues carry only the work; views, listing rows and webhook events
 * are projections of this record.
 */
import type { JobData, JobProgress, JobResult, JobStatus } from '../domain/job.js';

export interface JobRecord {
  id: string;
  /** The request and its routing: who submitted it, which role and engine, why it moved (immutable but for a move). */
  data: JobData;
  status: JobStatus;
  /** Submit time (ms). */
  createdAt: number;
  /** When the latest attempt started (ms). */
  startedAt?: number;
  /** When the job reached its final status (ms). */
  finishedAt?: number;
  /** Attempts started so far (a job held for disk space spends none). */
  attempts: number;
  /** Of those, how many ended because the worker running them stopped (killed, crashed, cut off) and the job was run again. */
  restarts?: number;
  progress: JobProgress;
  /** The finished audio (succeeded jobs); word and chunk timings are kept apart (`timings` field). */
  result?: JobResult;
  /** Why the job failed (a code leads the message where there is one: `storage_full: …`). */
  error?: string;
  /** When a client asked to cancel it (ms); a running attempt stops at its next chunk. */
  cancelAt?: number;
}

export const TERMINAL: readonly JobStatus[] = ['succeeded', 'failed', 'canceled'];
export const isTerminal = (s: JobStatus): boolean => TERMINAL.includes(s);

/** Hash fields read for a view: all but `timings`, which can be large and only captions need. */
export const VIEW_FIELDS = [
  'data',
  'status',
  'createdAt',
  'startedAt',
  'finishedAt',
  'attempts',
  'progress',
  'result',
  'error',
  'cancel',
  'restarts',
] as const;

const num = (v: string | null | undefined): number | undefined => (v ? Number(v) : undefined);

/** A record from the values of VIEW_FIELDS, in that order; undefined when the hash does not exist. */
export function parseRecord(id: string, values: (string | null)[]): JobRecord | undefined {
  const [data, status, createdAt, startedAt, finishedAt, attempts, progress, result, error, cancel, restarts] = values;
  if (!data || !status) return undefined;
  return {
    id,
    data: JSON.parse(data) as JobData,
    status: status as JobStatus,
    createdAt: Number(createdAt ?? 0),
    startedAt: num(startedAt),
    finishedAt: num(finishedAt),
    attempts: Number(attempts ?? 0),
    progress: progress ? (JSON.parse(progress) as JobProgress) : { chunksDone: 0, chunksTotal: 0 },
    result: result ? (JSON.parse(result) as JobResult) : undefined,
    error: error || undefined,
    cancelAt: num(cancel),
    ...(restarts ? { restarts: Number(restarts) } : {}),
  };
}
