/**
 * A request answered by one part while another still waits (the Redis gate's 503 while auth's
 * limiter waits on a stalled Redis) must not be written again when the waiting part resumes: a
 * late setHeader threw ERR_HTTP_HEADERS_SENT in a promise callback and ended the API.
 */
import express from 'express';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { answeredGuard } from '../../src/api/answered.js';
import { hashKey } from '../../src/api/auth.js';
import { type FakeApp, serveFakeApp } from './support/fake-app.js';

const ALICE = 'alice-key';
const BOB = 'bob-key';
const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });

let app: FakeApp;
let base: string;
const faults: unknown[] = [];
const onFault = (err: unknown) => faults.push(err);

beforeAll(async () => {
  process.on('unhandledRejection', onFault);
  process.on('uncaughtException', onFault);
  app = await serveFakeApp({
    API_KEYS: `alice:${hashKey(ALICE)},bob:${hashKey(BOB)}`,
    RATE_LIMIT_PER_MINUTE: '2',
    REDIS_UNAVAILABLE_MS: '200',
  });
  base = app.base;
});

afterAll(async () => {
  process.off('unhandledRejection', onFault);
  process.off('uncaughtException', onFault);
  await app.close();
});

beforeEach(() => {
  faults.length = 0;
  app.touched.length = 0;
});
afterEach(() => app.redis.resume());

const settle = () => new Promise((r) => setTimeout(r, 100));

describe('a Redis stall longer than REDIS_UNAVAILABLE_MS, with keys configured', () => {
  it('answers 503 to no key, a wrong key and a key over its limit, and stays up when Redis resumes', async () => {
    for (let i = 0; i < 2; i++)
      expect((await fetch(`${base}/api/nothing`, { headers: bearer(ALICE) })).status).toBe(404);
    app.redis.pause();
    const asks = [{}, bearer('wrong'), bearer(ALICE)].map((headers) => fetch(`${base}/api/nothing`, { headers }));
    const answers = await Promise.all(asks);
    expect(answers.map((r) => r.status)).toEqual([503, 503, 503]);
    app.redis.resume();
    await settle();
    expect(faults).toEqual([]);
    // Still serving, and the refusals have their headers again.
    const none = await fetch(`${base}/api/nothing`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/Bearer/);
    const over = await fetch(`${base}/api/nothing`, { headers: bearer(ALICE) });
    expect(over.status).toBe(429);
    expect(over.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(faults).toEqual([]);
  });

  it('does not run the route of a request the gate answered once the limiter lets it through', async () => {
    app.redis.pause();
    expect((await fetch(`${base}/api/jobs`, { headers: bearer(BOB) })).status).toBe(503);
    app.redis.resume();
    await settle();
    expect(app.touched).toEqual([]);
    expect(faults).toEqual([]);
  });
});

describe('the answered-response guard', () => {
  it('makes late header changes and writes no-ops instead of throwing or emitting an error', async () => {
    const late: Promise<void>[] = [];
    const app = express();
    app.use(answeredGuard(pino({ level: 'silent' })));
    app.get('/x', (_req, res) => {
      res.status(503).json({ code: 'first' });
      late.push(
        new Promise<void>((resolve) =>
          setTimeout(() => {
            res.setHeader('X-Late', '1');
            res.removeHeader('X-Request-Id');
            res.writeHead(200);
            expect(res.write('late')).toBe(true);
            res.status(200).json({ code: 'second' });
            res.end();
            resolve();
          }, 20),
        ),
      );
    });
    const s = app.listen(0, '127.0.0.1');
    await new Promise((r) => s.once('listening', r));
    const r = await fetch(`http://127.0.0.1:${(s.address() as { port: number }).port}/x`);
    expect(r.status).toBe(503);
    expect(await r.json()).toEqual({ code: 'first' });
    await Promise.all(late);
    await settle();
    s.close();
    expect(faults).toEqual([]);
  });
});
