import type { Job } from 'bullmq';
import {
  ANONYMOUS,
  isCanceled,
  isMoved,
  type JobData,
  type JobOutcome,
  type JobProgress,
  type JobStatus,
  type Priority,
  type Route,
} from '../domain/job.js';
import { isoTime, jobIdOf } from '../domain/required.js';

export interface JobView {
  id: string;
  status: JobStatus;
  /** The tenant (key name) that submitted the job. */
  owner: string;
  priority: Priority;
  /** While queued: jobs ahead of it in its engine's queue and when it should start; else null. */
  queue: { position: number; estimated_start: string } | null;
  engine: { requested: string; route: Route; name: string; used: string | null };
  fallback: { from: string; reason: string; at: string } | null;
  voice: string;
  speed: number;
  format: string;
  chars: number;
  progress: { chunks_done: number; chunks_total: number | null };
  /** Served from the result cache: no synthesis ran for this job. */
  cached: boolean;
  attempts: number;
  timings: { queued_at: string; started_at: string | null; finished_at: string | null; synthesis_ms: number | null };
  audio: {
    content_type: string;
    bytes: number;
    duration_ms: number;
    sample_rate: number;
    sha256: string | null;
    key: string;
  } | null;
  /** `code` is the stable error code when the failure has one (e.g. `storage_full`). */
  error: { message: string; code?: string } | null;
  /** SSML the service read only in part (unsupported elements read as text). */
  warnings?: string[];
  /** Lexicons applied, as name@version. */
  lexicons?: string[];
  links: { self: string; audio: string; captions?: string };
}

const STATUS: Record<string, JobStatus> = {
  waiting: 'queued',
  'waiting-children': 'queued',
  prioritized: 'queued',
  delayed: 'queued',
  active: 'running',
  completed: 'succeeded',
  failed: 'failed',
};

export const jobLinks = (id: string, captions = false) => ({
  self: `/api/jobs/${id}`,
  audio: `/api/jobs/${id}/audio`,
  ...(captions ? { captions: `/api/jobs/${id}/captions` } : {}),
});

/** A failure's message, and its code when the message leads with one (`storage_full: …`). */
const errorOf = (reason: string): { message: string; code?: string } => {
  const code = /^([a-z][a-z_]{2,40}): /.exec(reason)?.[1];
  return code ? { message: reason, code } : { message: reason };
};

/** Statuses after which a job never changes again. */
export const FINAL_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'canceled'];
const iso = (ms: number | undefined | null) => (ms ? new Date(ms).toISOString() : null);

/**
 * A job's timings in order: a cache hit's result is prepared just before its job is queued, and
 * clocks of different hosts differ by a few ms, so each time is clamped to be no earlier than the
 * one before it.
 */
export function orderedTimings(
  queuedAt: number,
  startedAt: number | undefined | null,
  finishedAt: number | undefined | null,
  synthesisMs: number | null,
): JobView['timings'] {
  const started = startedAt ? Math.max(startedAt, queuedAt) : null;
  const finished = finishedAt ? Math.max(finishedAt, started ?? queuedAt) : null;
  return {
    queued_at: new Date(queuedAt).toISOString(),
    started_at: iso(started),
    finished_at: iso(finished),
    synthesis_ms: synthesisMs,
  };
}

/**
 * A queue job as clients see it. `state` is BullMQ's; `queue` the waiting
 * job's place, when the caller measured it.
 */
export function toView(job: Job<JobData, JobOutcome>, state: string, queue: JobView['queue']): JobView {
  const rv = job.returnvalue as JobOutcome | undefined;
  const result = state === 'completed' && rv && 'audio' in rv ? rv : null;
  // A primary copy that handed its work to the backup is not the job's final word. A completed job
  // whose result cannot be read (yet) is not reported as succeeded: a succeeded view always has audio.
  const status: JobStatus =
    state === 'completed' && isMoved(rv)
      ? 'queued'
      : state === 'completed' && isCanceled(rv)
        ? 'canceled'
        : state === 'completed' && !result
          ? 'running'
          : (STATUS[state] ?? 'queued');
  const p = (job.progress ?? {}) as Partial<JobProgress>;
  const { request } = job.data;
  const priority = job.data.priority ?? 'normal';
  const queued = status === 'queued' && (state === 'prioritized' || state === 'waiting') && !isMoved(rv);
  return {
    id: jobIdOf(job),
    status,
    owner: job.data.tenant ?? ANONYMOUS,
    priority,
    queue: queued ? queue : null,
    engine: { requested: request.engine, route: job.data.route, name: job.data.engine, used: result?.engine ?? null },
    fallback: job.data.fallback
      ? { from: job.data.fallback.from, reason: job.data.fallback.reason, at: isoTime(job.data.fallback.at) }
      : null,
    voice: request.voice,
    speed: request.speed,
    format: request.format,
    chars: request.spokenChars ?? [...request.text].length,
    progress: result
      ? { chunks_done: result.chunks, chunks_total: result.chunks }
      : { chunks_done: p.chunksDone ?? 0, chunks_total: p.chunksTotal ?? null },
    cached: result?.cached === true,
    // Finished attempts plus the running one; a job held for disk space spends none (BullMQ's attemptsStarted counts those).
    attempts: job.attemptsMade + (state === 'active' ? 1 : 0),
    timings: orderedTimings(
      job.timestamp,
      result?.startedAt ?? job.processedOn,
      FINAL_STATUSES.includes(status) ? (job.finishedOn ?? result?.finishedAt) : undefined,
      result?.synthesisMs ?? null,
    ),
    audio: result
      ? {
          content_type: result.audio.contentType,
          bytes: result.audio.bytes,
          duration_ms: result.audio.durationMs,
          sample_rate: result.audio.sampleRate,
          sha256: result.audio.sha256 ?? null,
          key: result.audio.key,
        }
      : null,
    error: status === 'failed' && job.failedReason ? errorOf(job.failedReason) : null,
    ...(request.warnings?.length ? { warnings: request.warnings } : {}),
    ...(request.lexicon ? { lexicons: request.lexicon.used } : {}),
    links: jobLinks(jobIdOf(job), request.captions === true),
  };
}
