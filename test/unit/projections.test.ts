import { describe, expect, it } from 'vitest';
import { toView } from '../../src/api/job-view.js';
import type { JobData, JobResult } from '../../src/domain/job.js';
import type { JobRecord } from '../../src/jobs/record.js';
import { buildEvent, type TerminalStatus } from '../../src/webhooks/event.js';

const T0 = Date.UTC(2026, 0, 1);

const data: JobData = {
  request: { text: 'Hello.', voice: 'female', speed: 1, format: 'wav', engine: 'auto', captions: true },
  route: 'backup',
  engine: 'espeak',
  fallback: { from: 'kokoro', reason: 'primary engine kokoro failed: boom', at: T0 + 5 },
  webhook: { url: 'https://example.com/hook' },
};

// A worker's result: its own finish time comes before the record's (the cache copy and the record
// write happen in between).
const result: JobResult = {
  audio: { key: 'j.wav', contentType: 'audio/wav', bytes: 4410, durationMs: 100, sampleRate: 22050, sha256: 'cd' },
  engine: 'espeak',
  worker: 'w1',
  chunks: 2,
  startedAt: T0 + 100,
  finishedAt: T0 + 300,
  synthesisMs: 200,
};

const base: JobRecord = {
  id: 'j',
  data,
  status: 'running',
  createdAt: T0,
  startedAt: T0 + 100,
  attempts: 1,
  progress: { chunksDone: 1, chunksTotal: 2 },
};

const finals: [TerminalStatus, JobRecord][] = [
  [
    'succeeded',
    {
      ...base,
      status: 'succeeded',
      finishedAt: T0 + 340,
      result,
      progress: { chunksDone: 2, chunksTotal: 2 },
    },
  ],
  ['failed', { ...base, status: 'failed', finishedAt: T0 + 250, error: 'engine_failure: it broke' }],
  ['canceled', { ...base, status: 'canceled', finishedAt: T0 + 260, cancelAt: T0 + 200 }],
];

describe('the job view and the webhook event: two projections of one record', () => {
  it.each(finals)('agree on a %s job', (status, record) => {
    const view = toView(record, null);
    const event = buildEvent({ record, status, baseUrl: 'https://tts.example.com' });
    expect(event.data.status).toBe(view.status);
    expect(event.data.engine).toEqual({
      requested: view.engine.requested,
      route: view.engine.route,
      used: view.engine.used,
    });
    expect(event.data.fallback).toEqual(view.fallback && { from: view.fallback.from, reason: view.fallback.reason });
    expect(event.data.progress).toEqual(view.progress);
    expect(event.data.timings).toEqual(view.timings);
    expect(event.data.error?.message ?? null).toBe(view.error?.message ?? null);
    expect(event.data.audio && { ...event.data.audio, url: undefined }).toEqual(
      view.audio && {
        url: undefined,
        content_type: view.audio.content_type,
        bytes: view.audio.bytes,
        duration_ms: view.audio.duration_ms,
        sha256: view.audio.sha256,
      },
    );
    expect(event.data.captions?.url.endsWith(view.links.captions ?? '-')).toBe(status === 'succeeded' || undefined);
    // The event's timestamp is the moment the job reached its final status.
    expect(event.timestamp).toBe(view.timings.finished_at);
  });
});
