import type { Config } from '../config/schema.js';
import type { JobData, JobProgress, JobResult } from '../domain/job.js';
import { isoTime, jobIdOf } from '../domain/required.js';

export type TerminalStatus = 'succeeded' | 'failed' | 'canceled';

/** The JSON body POSTed to a job's webhook (Standard Webhooks' `{type, timestamp, data}` envelope). */
export interface WebhookEvent {
  type: `job.${TerminalStatus}`;
  timestamp: string;
  data: {
    id: string;
    status: TerminalStatus;
    engine: { requested: string; route: string; used: string | null };
    fell_back: boolean;
    fallback: { from: string; reason: string } | null;
    audio: { url: string; content_type: string; bytes: number; duration_ms: number; sha256: string | null } | null;
    progress: { chunks_done: number; chunks_total: number | null };
    timings: { queued_at: string; started_at: string | null; finished_at: string; synthesis_ms: number | null };
    error: { message: string } | null;
    /** Present for a succeeded job submitted with `"captions": true`. */
    captions?: { url: string };
  };
}

/** The `webhook-id` of a job's terminal event: the same on every retry, so receivers can drop duplicates. */
export const eventId = (jobId: string, status: TerminalStatus): string => `msg_${jobId}_${status}`;

/** PUBLIC_BASE_URL, or http://HOST:PORT (a wildcard HOST becomes 127.0.0.1). */
export function publicBaseUrl(config: Pick<Config, 'publicBaseUrl' | 'host' | 'port'>): string {
  if (config.publicBaseUrl) return config.publicBaseUrl.replace(/\/+$/, '');
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.port}`;
}

const iso = (ms: number | undefined | null) => (ms ? new Date(ms).toISOString() : null);

/** Build a job's terminal event from what the processor (or the API, for a canceled waiting job) holds. */
export function buildEvent(input: {
  job: { id?: string; data: JobData; timestamp: number; processedOn?: number };
  status: TerminalStatus;
  baseUrl: string;
  result?: JobResult;
  progress?: Partial<JobProgress>;
  error?: string;
  now?: number;
}): WebhookEvent {
  const { job, status, result } = input;
  const now = input.now ?? Date.now();
  const id = jobIdOf(job);
  return {
    type: `job.${status}`,
    timestamp: new Date(now).toISOString(),
    data: {
      id,
      status,
      engine: { requested: job.data.request.engine, route: job.data.route, used: result?.engine ?? null },
      fell_back: !!job.data.fallback,
      fallback: job.data.fallback ? { from: job.data.fallback.from, reason: job.data.fallback.reason } : null,
      audio: result
        ? {
            url: `${input.baseUrl}/api/jobs/${id}/audio`,
            content_type: result.audio.contentType,
            bytes: result.audio.bytes,
            duration_ms: result.audio.durationMs,
            sha256: result.audio.sha256 ?? null,
          }
        : null,
      progress: { chunks_done: input.progress?.chunksDone ?? 0, chunks_total: input.progress?.chunksTotal ?? null },
      timings: {
        queued_at: isoTime(job.timestamp),
        started_at: iso(result?.startedAt ?? job.processedOn),
        finished_at: isoTime(result?.finishedAt ?? now),
        synthesis_ms: result?.synthesisMs ?? null,
      },
      error: input.error ? { message: input.error } : null,
      ...(result && job.data.request.captions ? { captions: { url: `${input.baseUrl}/api/jobs/${id}/captions` } } : {}),
    },
  };
}
