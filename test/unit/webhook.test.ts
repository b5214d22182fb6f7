import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { canonicalJson, requestHash } from '../../src/api/idempotency.js';
import type { JobData, JobStatus } from '../../src/domain/job.js';
import type { JobRecord } from '../../src/jobs/record.js';
import { webhookBackoff, MAX_WEBHOOK_BACKOFF_MS } from '../../src/workers/webhook-delivery.js';
import { buildEvent, eventId, publicBaseUrl } from '../../src/webhooks/event.js';
import { sign, signedHeaders } from '../../src/webhooks/signature.js';

const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

describe('webhook signatures', () => {
  it('verify with the standardwebhooks library', () => {
    const body = JSON.stringify({ type: 'job.succeeded', data: { id: 'x', text: '你好' } });
    const headers = signedHeaders(SECRET, 'msg_x_succeeded', body);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(new Webhook(SECRET).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('fail verification with another secret or a changed body', () => {
    const body = '{"a":1}';
    const headers = signedHeaders(SECRET, 'msg_1', body);
    expect(() => new Webhook(`whsec_${Buffer.alloc(32, 8).toString('base64')}`).verify(body, headers)).toThrow();
    expect(() => new Webhook(SECRET).verify('{"a":2}', headers)).toThrow();
  });

  it('sign id.timestamp.body with the decoded secret', () => {
    expect(sign(SECRET, 'msg_1', 1700000000, '{}')).toBe(
      sign(SECRET.slice('whsec_'.length), 'msg_1', 1700000000, '{}'),
    );
    expect(sign(SECRET, 'msg_1', 1700000000, '{}')).not.toBe(sign(SECRET, 'msg_1', 1700000001, '{}'));
  });
});

describe('webhook backoff', () => {
  it('doubles with jitter between half and all of the step, capped at an hour', () => {
    expect(webhookBackoff(1, 1000, () => 0)).toBe(500);
    expect(webhookBackoff(1, 1000, () => 1)).toBe(1000);
    expect(webhookBackoff(3, 1000, () => 0.5)).toBe(3000);
    expect(webhookBackoff(40, 1000, () => 1)).toBe(MAX_WEBHOOK_BACKOFF_MS);
    const spread = new Set(Array.from({ length: 50 }, () => webhookBackoff(4, 1000)));
    expect(spread.size).toBeGreaterThan(10);
    for (const d of spread) {
      expect(d).toBeGreaterThanOrEqual(4000);
      expect(d).toBeLessThanOrEqual(8000);
    }
  });
});

/** A job record as the store would hold it (only what events read). */
const record = (data: JobData, status: JobStatus, more: Partial<JobRecord> = {}): JobRecord => ({
  id: 'j1',
  data,
  status,
  createdAt: 1_000,
  attempts: 1,
  progress: { chunksDone: 1, chunksTotal: 1 },
  ...more,
});

describe('webhook events', () => {
  const data: JobData = {
    request: { text: 'hi', voice: 'female', speed: 1, format: 'wav', engine: 'auto' },
    route: 'backup',
    engine: 'espeak',
    webhook: { url: 'https://example.com/h' },
    fallback: { from: 'kokoro', reason: 'primary failed', at: 1 },
  };
  it('carry the absolute audio URL, the engine used, the fallback and the audio facts', () => {
    const ev = buildEvent({
      record: record(data, 'succeeded', {
        startedAt: 2_000,
        finishedAt: 3_000,
        result: {
          audio: {
            key: 'j1.wav',
            contentType: 'audio/wav',
            bytes: 44,
            durationMs: 10,
            sampleRate: 22050,
            sha256: 'ab',
          },
          engine: 'espeak',
          worker: 'w',
          chunks: 1,
          startedAt: 2_000,
          finishedAt: 3_000,
          synthesisMs: 1_000,
        },
      }),
      status: 'succeeded',
      baseUrl: 'https://tts.example.com',
      now: 3_000,
    });
    expect(ev).toMatchObject({
      type: 'job.succeeded',
      data: {
        id: 'j1',
        status: 'succeeded',
        fell_back: true,
        engine: { requested: 'auto', used: 'espeak' },
        audio: { url: 'https://tts.example.com/api/jobs/j1/audio', bytes: 44, duration_ms: 10, sha256: 'ab' },
        timings: {
          queued_at: new Date(1000).toISOString(),
          finished_at: new Date(3000).toISOString(),
          synthesis_ms: 1000,
        },
        error: null,
      },
    });
    expect(eventId('j1', 'succeeded')).toBe('msg_j1_succeeded');
  });

  it('link the captions of a job submitted with captions: true, and only then', () => {
    const result = {
      audio: { key: 'j1.wav', contentType: 'audio/wav', bytes: 44, durationMs: 10, sampleRate: 22050 },
      engine: 'espeak',
      worker: 'w',
      chunks: 1,
      startedAt: 2_000,
      finishedAt: 3_000,
      synthesisMs: 1_000,
    };
    const withCaptions = (captions: boolean) => ({
      ...data,
      request: { ...data.request, ...(captions ? { captions: true } : {}) },
    });
    const baseUrl = 'https://tts.example.com';
    const done = (captions: boolean) => record(withCaptions(captions), 'succeeded', { finishedAt: 3_000, result });
    expect(buildEvent({ record: done(true), status: 'succeeded', baseUrl }).data.captions).toEqual({
      url: 'https://tts.example.com/api/jobs/j1/captions',
    });
    expect(buildEvent({ record: done(false), status: 'succeeded', baseUrl }).data.captions).toBeUndefined();
    const failed = record(withCaptions(true), 'failed', { finishedAt: 3_000, error: 'x' });
    const ev = buildEvent({ record: failed, status: 'failed', baseUrl });
    expect(ev.data.captions).toBeUndefined();
    expect(ev.data.error).toEqual({ message: 'x' });
    expect(ev.data.audio).toBeNull();
  });

  it('default the public base URL to HOST:PORT', () => {
    expect(publicBaseUrl({ publicBaseUrl: undefined, host: '127.0.0.1', port: 8080 })).toBe('http://127.0.0.1:8080');
    expect(publicBaseUrl({ publicBaseUrl: undefined, host: '::1', port: 80 })).toBe('http://[::1]:80');
    expect(publicBaseUrl({ publicBaseUrl: 'https://tts.example.com/', host: '0.0.0.0', port: 80 })).toBe(
      'https://tts.example.com',
    );
  });
});

describe('idempotency body hash', () => {
  it('ignores key order but not values or endpoint', () => {
    expect(canonicalJson({ b: 1, a: [{ y: 2, x: 1 }] })).toBe('{"a":[{"x":1,"y":2}],"b":1}');
    expect(requestHash('/api/jobs', { text: 'a', speed: 1 })).toBe(requestHash('/api/jobs', { speed: 1, text: 'a' }));
    expect(requestHash('/api/jobs', { text: 'a' })).not.toBe(requestHash('/api/jobs', { text: 'b' }));
    expect(requestHash('/api/jobs', { text: 'a' })).not.toBe(requestHash('/api/tts', { text: 'a' }));
  });
});
