/**
 * Expected conditions are answers, not faults: a 507 for a full disk or an error raised after the
 * Redis gate answered is logged on the request's line (with its code), never as an "unhandled
 * error" with a stack trace, so the real faults (a 500 `internal`) stand out.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { storageFull, type FreeSpace } from '../../src/storage/free-space.js';
import { type FakeApp, serveFakeApp } from './support/fake-app.js';

let app: FakeApp | undefined;
afterEach(async () => {
  app?.redis.resume();
  await app?.close();
});

const ERROR_LEVEL = 50;
const errors = (a: FakeApp) => a.logs.filter((l) => Number(l.level) >= ERROR_LEVEL);
const withStack = (a: FakeApp) => a.logs.filter((l) => JSON.stringify(l).includes('"stack"'));
const requestLine = (a: FakeApp, path: string) => a.logs.find((l) => l.msg === 'request' && l.path === path);
const settle = () => new Promise((r) => setTimeout(r, 100));
const ID = '00000000-0000-4000-8000-000000000000';

describe('the error log', () => {
  it('keeps a 507 storage_full to the request line, with its code', async () => {
    const space = { assertRoom: () => Promise.reject(storageFull('Storage is full')) } as unknown as FreeSpace;
    app = await serveFakeApp({}, { space });
    const r = await fetch(`${app.base}/api/tts`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ text: 'Hello' }),
    });
    expect(r.status).toBe(507);
    await settle();
    expect(errors(app)).toEqual([]);
    expect(withStack(app)).toEqual([]);
    expect(requestLine(app, '/api/tts')).toMatchObject({ status: 507, code: 'storage_full' });
  });

  it('logs a route that fails after the Redis gate answered at debug, without a stack', async () => {
    const late = () =>
      new Promise((_resolve, reject) => setTimeout(() => reject(new Error('Connection is closed.')), 400));
    app = await serveFakeApp({ REDIS_UNAVAILABLE_MS: '200' }, { jobs: { get: late } });
    const r = fetch(`${app.base}/api/jobs/${ID}`);
    // After the route started: the gate's PING is what stalls.
    await settle();
    app.redis.pause();
    expect((await r).status).toBe(503);
    await new Promise((res) => setTimeout(res, 500));
    expect(errors(app)).toEqual([]);
    expect(withStack(app)).toEqual([]);
    expect(
      app.logs.some((l) => l.msg === 'error after the request was answered' && l.code === 'redis_unavailable'),
    ).toBe(true);
  });

  it('still logs an unexpected fault as an unhandled error with its stack', async () => {
    app = await serveFakeApp({});
    expect((await fetch(`${app.base}/api/jobs/${ID}`)).status).toBe(500);
    await settle();
    expect(errors(app).map((l) => l.msg)).toEqual(['unhandled error']);
    expect(withStack(app)).toHaveLength(1);
    expect(requestLine(app, `/api/jobs/${ID}`)).toMatchObject({ status: 500, code: 'internal' });
  });
});
