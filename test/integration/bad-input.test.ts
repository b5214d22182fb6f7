import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, postJson, REDIS_URL, startService, type Service } from './harness.js';

let svc: Service;
let queue: Queue;
beforeAll(async () => {
  svc = await startService({ env: { TTS_MAX_CHARS: '500', JOBS_MAX_CHARS: '2000' } });
  queue = new Queue('tts-espeak', { connection: { url: REDIS_URL }, prefix: svc.prefix });
});
afterAll(async () => {
  await queue?.close();
  await svc?.stop();
});

async function jobCount(): Promise<number> {
  const c = await queue.getJobCounts();
  return Object.values(c).reduce((a, b) => a + b, 0);
}

const VOICES = ['female', 'male', 'zh-female', 'zh-male', 'en-us-female', 'en-us-male', 'en-gb-female', 'en-gb-male'];

interface Case {
  name: string;
  body: unknown;
  status: number;
  json: Record<string, unknown>;
  contentType?: string;
  path?: string;
}

const CASES: Case[] = [
  {
    name: 'missing text',
    body: { voice: 'female' },
    status: 400,
    json: { code: 'invalid_request', field: 'text', error: 'Missing "text": the text to speak' },
  },
  { name: 'null text', body: { text: null }, status: 400, json: { code: 'invalid_request', field: 'text' } },
  {
    name: 'empty text',
    body: { text: '' },
    status: 400,
    json: { code: 'invalid_request', field: 'text', error: '"text" is empty' },
  },
  { name: 'blank text', body: { text: '   \n\t ' }, status: 400, json: { code: 'invalid_request', field: 'text' } },
  {
    name: 'text empty after normalization',
    body: { text: '\u200b\u200d\u0007' },
    status: 400,
    json: { code: 'empty_text' },
  },
  { name: 'text of only punctuation', body: { text: '...!!!，。' }, status: 400, json: { code: 'empty_text' } },
  {
    name: 'text not a string',
    body: { text: 42 },
    status: 400,
    json: { code: 'invalid_request', field: 'text', error: '"text" must be a string' },
  },
  { name: 'text an object', body: { text: { a: 1 } }, status: 400, json: { code: 'invalid_request', field: 'text' } },
  {
    name: 'text over the /api/tts limit',
    path: '/api/tts',
    body: { text: 'a'.repeat(501) },
    status: 413,
    json: { error: 'Text too long', max_length: 500 },
  },
  {
    name: 'CJK text over the limit (code points)',
    path: '/api/tts',
    body: { text: '你'.repeat(501) },
    status: 413,
    json: { error: 'Text too long', max_length: 500 },
  },
  {
    name: 'text over the /api/jobs limit',
    path: '/api/jobs',
    body: { text: 'a'.repeat(2001) },
    status: 413,
    json: { error: 'Text too long', max_length: 2000 },
  },
  {
    name: 'speed too low',
    body: { text: 'hi', speed: 0.1 },
    status: 400,
    json: { code: 'invalid_request', field: 'speed', allowed: { min: 0.5, max: 2 } },
  },
  {
    name: 'speed too high',
    body: { text: 'hi', speed: 2.5 },
    status: 400,
    json: { code: 'invalid_request', field: 'speed', error: '"speed" must be a number from 0.5 to 2' },
  },
  {
    name: 'speed a string',
    body: { text: 'hi', speed: 'fast' },
    status: 400,
    json: { code: 'invalid_request', field: 'speed' },
  },
  {
    name: 'speed NaN-ish',
    body: { text: 'hi', speed: [] },
    status: 400,
    json: { code: 'invalid_request', field: 'speed' },
  },
  {
    name: 'unknown voice',
    body: { text: 'hi', voice: 'robot' },
    status: 400,
    json: { code: 'invalid_request', field: 'voice', error: 'Unknown voice "robot"', allowed: VOICES },
  },
  {
    name: 'voice not a string',
    body: { text: 'hi', voice: 7 },
    status: 400,
    json: { code: 'invalid_request', field: 'voice', allowed: VOICES },
  },
  {
    name: 'unknown engine',
    body: { text: 'hi', engine: 'gpt' },
    status: 400,
    json: { code: 'invalid_request', field: 'engine', allowed: ['auto', 'primary', 'backup'] },
  },
  {
    name: 'unknown format',
    body: { text: 'hi', format: 'mp4' },
    status: 400,
    json: { code: 'invalid_request', field: 'format', allowed: ['wav', 'mp3', 'opus', 'flac', 'pcm'] },
  },
  { name: 'body an array', body: [{ text: 'hi' }], status: 400, json: { code: 'invalid_request' } },
  { name: 'body a bare string', body: '"hello"', status: 400, json: { code: 'invalid_request' } },
  {
    name: 'malformed JSON',
    body: '{"text": "hi",',
    status: 400,
    json: { code: 'invalid_json', error: 'Request body is not valid JSON' },
  },
  {
    name: 'wrong content type',
    body: 'text=hi',
    contentType: 'application/x-www-form-urlencoded',
    status: 400,
    json: { code: 'unsupported_content_type', allowed: ['application/json'] },
  },
  {
    name: 'plain text body',
    body: 'hello',
    contentType: 'text/plain',
    status: 400,
    json: { code: 'unsupported_content_type' },
  },
];

describe('bad input gets a clear JSON error and queues nothing', () => {
  for (const c of CASES) {
    for (const path of c.path ? [c.path] : ['/api/tts', '/api/jobs']) {
      it(`${path}: ${c.name} → ${c.status}`, async () => {
        const before = await jobCount();
        const r = await postJson(`${svc.base}${path}`, c.body, c.contentType ? { 'Content-Type': c.contentType } : {});
        expect(r.status).toBe(c.status);
        expect(r.headers.get('content-type')).toMatch(/^application\/json/);
        expect(r.json).toMatchObject(c.json);
        expect(typeof r.json.error).toBe('string');
        expect(r.buf.toString()).not.toMatch(/at .*\.js:\d+/); // no stack trace
        expect(await jobCount()).toBe(before);
      });
    }
  }

  it('a body over the size limit → 413', async () => {
    const r = await postJson(`${svc.base}/api/jobs`, { text: 'a'.repeat(3_000_000) });
    expect(r.status).toBe(413);
    expect(r.json.code).toBe('body_too_large');
  });

  it('deeply nested JSON → 400, not a crash', async () => {
    const r = await postJson(`${svc.base}/api/jobs`, `{"text":${'['.repeat(50_000)}${']'.repeat(50_000)}}`);
    expect(r.status).toBe(400);
    expect(r.json.field).toBe('text');
  });

  it('unknown job → 404', async () => {
    for (const id of ['6f1c1f2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f', 'nope', '..%2F..%2Fetc%2Fpasswd', '%00']) {
      for (const suffix of ['', '/audio']) {
        const r = await decode(await fetch(`${svc.base}/api/jobs/${id}${suffix}`));
        expect(r.status).toBe(404);
        expect(r.json.code).toBe('not_found');
      }
    }
  });

  it('a body its Content-Encoding does not describe, or an encoding not supported → 400 unsupported_encoding', async () => {
    const before = await jobCount();
    for (const encoding of ['gzip', 'deflate', 'br', 'zstd']) {
      const r = await decode(
        await fetch(`${svc.base}/api/jobs`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'Content-Encoding': encoding },
          body: '{"text":"not compressed at all"}',
        }),
      );
      expect(r.status, encoding).toBe(400);
      expect(r.json.code, encoding).toBe('unsupported_encoding');
      expect(r.json.allowed, encoding).toEqual(['identity', 'gzip', 'deflate', 'br']);
    }
    expect(await jobCount()).toBe(before);
  });

  it('unknown route → 404 JSON', async () => {
    const r = await decode(await fetch(`${svc.base}/api/nothing-here`));
    expect(r.status).toBe(404);
    expect(r.json.code).toBe('route_not_found');
  });

  it('the service still serves valid requests afterwards', async () => {
    const r = await postJson(`${svc.base}/api/tts`, { text: 'Still here.' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('audio/wav');
  });
});
