import type { Config } from '../config/schema.js';
import { isoTime } from '../domain/required.js';
import type { JobRecord } from '../jobs/record.js';

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

/** A job's terminal event: a projection of its (final) record. */
export function buildEvent(input: {
  record: JobRecord;
  status: TerminalStatus;
  baseUrl: string;
  now?: number;
}): WebhookEvent {
  const { record, status } = input;
  const { data, id } = record;
  const result = status === 'succeeded' ? record.result : undefined;
  const now = input.now ?? record.finishedAt ?? Date.now();
  const progress = record.progress;
  return {
    type: `job.${status}`,
    timestamp: new Date(now).toISOString(),
    data: {
      id,
      status,
      engine: { requested: data.request.engine, route: data.route, used: result?.engine ?? null },
      fell_back: !!data.fallback,
      fallback: data.fallback ? { from: data.fallback.from, reason: data.fallback.reason } : null,
      audio: result
        ? {
            url: `${input.baseUrl}/api/jobs/${id}/audio`,
            content_type: result.audio.contentType,
            bytes: result.audio.bytes,
            duration_ms: result.audio.durationMs,
            sha256: result.audio.sha256 ?? null,
          }
        : null,
      progress: { chunks_done: progress.chunksDone ?? 0, chunks_total: progress.chunksTotal ?? null },
      timings: {
        queued_at: isoTime(record.createdAt),
        started_at: iso(result?.startedAt ?? record.startedAt),
        // The record's: when the job reached its final status, as the job view says (the result's own
        // finish comes before the cache copy and the record write).
        finished_at: isoTime(record.finishedAt ?? result?.finishedAt ?? now),
        synthesis_ms: result?.synthesisMs ?? null,
      },
      error: status === 'failed' && record.error ? { message: record.error } : null,
      ...(result && data.request.captions ? { captions: { url: `${input.baseUrl}/api/jobs/${id}/captions` } } : {}),
    },
  };
}
