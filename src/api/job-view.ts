import { ANONYMOUS, type JobStatus, type Priority, type Route } from '../domain/job.js';
import { isoTime } from '../domain/required.js';
import type { JobRecord } from '../jobs/record.js';

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
  /** Times the worker running it stopped (killed, crashed, cut off from Redis) and another run began: 0 normally. */
  restarts: number;
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

/**
 * Whether a job waits for disk space: its audio did not fit, and it is held (still queued) until
 * space is freed. Its view shows why, in `error`; a synchronous request for it answers 507.
 */
export const heldForSpace = (rec: Pick<JobRecord, 'status' | 'error'>): boolean =>
  rec.status === 'queued' && rec.error?.startsWith('storage_full: ') === true;

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
 * A job as clients see it: a projection of its record. `queue` is the waiting job's place, when the
 * caller measured it.
 */
export function toView(rec: JobRecord, queue: JobView['queue']): JobView {
  const { data, status } = rec;
  const result = status === 'succeeded' ? rec.result : undefined;
  const p = rec.progress;
  const { request } = data;
  return {
    id: rec.id,
    status,
    owner: data.tenant ?? ANONYMOUS,
    priority: data.priority ?? 'normal',
    queue: status === 'queued' ? queue : null,
    engine: { requested: request.engine, route: data.route, name: data.engine, used: result?.engine ?? null },
    fallback: data.fallback
      ? { from: data.fallback.from, reason: data.fallback.reason, at: isoTime(data.fallback.at) }
      : null,
    voice: request.voice,
    speed: request.speed,
    format: request.format,
    chars: request.spokenChars ?? [...request.text].length,
    progress: result
      ? { chunks_done: result.chunks, chunks_total: result.chunks }
      : { chunks_done: p.chunksDone ?? 0, chunks_total: p.chunksTotal ?? null },
    cached: result?.cached === true,
    attempts: rec.attempts,
    restarts: rec.restarts ?? 0,
    timings: orderedTimings(
      rec.createdAt,
      result?.startedAt ?? rec.startedAt,
      FINAL_STATUSES.includes(status) ? (rec.finishedAt ?? result?.finishedAt) : undefined,
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
    error: (status === 'failed' || heldForSpace(rec)) && rec.error ? errorOf(rec.error) : null,
    ...(request.warnings?.length ? { warnings: request.warnings } : {}),
    ...(request.lexicon ? { lexicons: request.lexicon.used } : {}),
    links: jobLinks(rec.id, request.captions === true),
  };
}
