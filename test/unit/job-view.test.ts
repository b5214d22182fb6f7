import { describe, expect, it } from 'vitest';
import { toView } from '../../src/api/job-view.js';
import type { JobData, JobResult } from '../../src/domain/job.js';
import type { JobRecord } from '../../src/jobs/record.js';

const T0 = Date.UTC(2026, 0, 1);
const iso = (ms: number) => new Date(ms).toISOString();

const data = (over: Partial<JobData> = {}): JobData => ({
  request: { text: 'Hello 🌍 世界', voice: 'female', speed: 1.25, format: 'mp3', engine: 'auto' },
  route: 'primary',
  engine: 'kokoro',
  ...over,
});

const result = (over: Partial<JobResult> = {}): JobResult => ({
  audio: { key: 'j.mp3', contentType: 'audio/mpeg', bytes: 1234, durationMs: 900, sampleRate: 24000, sha256: 'ab' },
  engine: 'kokoro',
  worker: 'w1',
  chunks: 3,
  startedAt: T0 + 100,
  finishedAt: T0 + 400,
  synthesisMs: 300,
  ...over,
});

const rec = (over: Partial<JobRecord> = {}): JobRecord => ({
  id: 'j',
  data: data(),
  status: 'queued',
  createdAt: T0,
  attempts: 0,
  progress: { chunksDone: 0, chunksTotal: 3 },
  ...over,
});

const place = { position: 4, estimated_start: iso(T0 + 5000) };

describe('toView: the job view as a projection of the record', () => {
  it('shows a waiting job with its place in the queue, and no place once it runs', () => {
    const queued = toView(rec(), place);
    expect(queued).toMatchObject({
      id: 'j',
      status: 'queued',
      owner: 'anonymous',
      priority: 'normal',
      queue: place,
      engine: { requested: 'auto', route: 'primary', name: 'kokoro', used: null },
      fallback: null,
      progress: { chunks_done: 0, chunks_total: 3 },
      audio: null,
      error: null,
      cached: false,
      timings: { queued_at: iso(T0), started_at: null, finished_at: null, synthesis_ms: null },
      links: { self: '/api/jobs/j', audio: '/api/jobs/j/audio' },
    });
    // Characters are counted as code points: an emoji or a CJK character is one.
    expect(queued.chars).toBe(10);
    const running = toView(
      rec({ status: 'running', startedAt: T0 + 50, attempts: 1, progress: { chunksDone: 1, chunksTotal: 3 } }),
      place,
    );
    expect(running.queue).toBeNull();
    expect(running.progress).toEqual({ chunks_done: 1, chunks_total: 3 });
    expect(running.timings).toMatchObject({ started_at: iso(T0 + 50), finished_at: null });
  });

  it('describes a succeeded job from its result', () => {
    const v = toView(
      rec({
        status: 'succeeded',
        attempts: 2,
        startedAt: T0 + 100,
        finishedAt: T0 + 410,
        result: result({ cached: true }),
        progress: { chunksDone: 2, chunksTotal: 5 },
        data: data({ tenant: 'acme', priority: 'bulk', request: { ...data().request, captions: true } }),
      }),
      place,
    );
    expect(v).toMatchObject({
      owner: 'acme',
      priority: 'bulk',
      queue: null,
      engine: { used: 'kokoro' },
      progress: { chunks_done: 3, chunks_total: 3 },
      cached: true,
      attempts: 2,
      audio: {
        content_type: 'audio/mpeg',
        bytes: 1234,
        duration_ms: 900,
        sample_rate: 24000,
        sha256: 'ab',
        key: 'j.mp3',
      },
      timings: { started_at: iso(T0 + 100), finished_at: iso(T0 + 410), synthesis_ms: 300 },
      links: { captions: '/api/jobs/j/captions' },
    });
  });

  it('keeps timings in order when the result was made on a clock a little behind', () => {
    const v = toView(
      rec({ status: 'succeeded', result: result({ startedAt: T0 - 3, finishedAt: T0 - 1 }), finishedAt: undefined }),
      null,
    );
    expect(v.timings).toMatchObject({ queued_at: iso(T0), started_at: iso(T0), finished_at: iso(T0) });
  });

  it('shows no audio for a job that is not succeeded, whatever the record holds', () => {
    const v = toView(rec({ status: 'canceled', finishedAt: T0 + 9, result: result() }), null);
    expect(v.audio).toBeNull();
    expect(v.engine.used).toBeNull();
    expect(v.timings.finished_at).toBe(iso(T0 + 9));
  });

  it("gives a failure's error code when its message leads with one", () => {
    expect(toView(rec({ status: 'failed', error: 'storage_full: the disk is full' }), null).error).toEqual({
      message: 'storage_full: the disk is full',
      code: 'storage_full',
    });
    expect(toView(rec({ status: 'failed', error: 'engine crashed: signal 9' }), null).error).toEqual({
      message: 'engine crashed: signal 9',
    });
    // A retry records the last error while the job waits again: not shown until the job fails.
    expect(toView(rec({ status: 'queued', error: 'engine_failure: x' }), null).error).toBeNull();
  });

  it('shows a move to the backup, SSML warnings, lexicons and spoken characters', () => {
    const v = toView(
      rec({
        data: data({
          route: 'backup',
          engine: 'espeak',
          fallback: { from: 'kokoro', reason: 'primary engine kokoro failed: boom', at: T0 + 7 },
          request: {
            ...data().request,
            ssml: true,
            spokenChars: 4,
            warnings: ['<audio> read as text'],
            lexicon: { used: ['names@2'], entries: [] },
          },
        }),
      }),
      null,
    );
    expect(v.fallback).toEqual({ from: 'kokoro', reason: 'primary engine kokoro failed: boom', at: iso(T0 + 7) });
    expect(v.engine).toMatchObject({ route: 'backup', name: 'espeak' });
    expect(v.chars).toBe(4);
    expect(v.warnings).toEqual(['<audio> read as text']);
    expect(v.lexicons).toEqual(['names@2']);
    const plain = toView(rec(), null);
    expect(plain).not.toHaveProperty('warnings');
    expect(plain).not.toHaveProperty('lexicons');
    expect(plain.links).not.toHaveProperty('captions');
  });
});
