/**
 * Unauthenticated traffic during a Redis stall: with keys configured, `CLIENT PAUSE 3000 ALL` on
 * the service's own redis-server holds every command for longer than REDIS_UNAVAILABLE_MS. The
 * Redis gate answers 503 while auth's failure counter or rate limiter still waits; when Redis
 * resumes, those late refusals used to set WWW-Authenticate / Retry-After on the finished response
 * and the API exited with ERR_HTTP_HEADERS_SENT. It must stay up and answer as before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKey } from '../../src/api/auth.js';
import { type Service, startService } from '../integration/harness.js';
import { probeClient, type RedisNode, startDataNode, stopAll } from './redis-nodes.js';

const KEY = 'stall-client-key';
const OTHER = 'stall-other-key';
const BOUND_MS = 1000;
const PAUSE_MS = 3000;
const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });
let node: RedisNode;
let svc: Service;

beforeAll(async () => {
  node = await startDataNode();
  svc = await startService({
    workers: 0,
    env: {
      REDIS_URL: `redis://127.0.0.1:${node.port}`,
      API_KEYS: `alice:${hashKey(KEY)},bob:${hashKey(OTHER)}`,
      RATE_LIMIT_PER_MINUTE: '3',
      REDIS_UNAVAILABLE_MS: String(BOUND_MS),
    },
  });
}, 60_000);

afterAll(async () => {
  await svc?.stop().catch(() => undefined);
  await stopAll();
});

async function ask(path: string, headers: Record<string, string> = {}, body?: unknown) {
  const r = await fetch(`${svc.base}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? headers : { ...headers, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  await r.arrayBuffer();
  return r;
}

describe('CLIENT PAUSE longer than REDIS_UNAVAILABLE_MS with no key, a wrong key and a key over its limit', () => {
  it('answers 503 within the bound, stays up when Redis resumes, and refuses with its headers again', async () => {
    // alice uses up her limit before the stall.
    for (let i = 0; i < 3; i++) expect((await ask('/api/jobs', bearer(KEY))).status).toBe(200);
    const admin = probeClient(node.port);
    await admin.connect();
    await admin.call('CLIENT', 'PAUSE', String(PAUSE_MS), 'ALL');
    const pausedAt = Date.now();
    const during = await Promise.all([
      ...Array.from({ length: 5 }, () => ask('/api/jobs')),
      ...Array.from({ length: 5 }, () => ask('/api/jobs', bearer('wrong-key'))),
      ...Array.from({ length: 5 }, () => ask('/api/jobs', bearer(KEY))),
      ask('/api/jobs', bearer(OTHER), { text: 'Submitted while Redis is paused.' }),
      ask('/v1/audio/speech', bearer('wrong-key'), { model: 'tts-1', input: 'Hi', voice: 'alloy' }),
    ]);
    const answeredMs = Date.now() - pausedAt;
    expect(during.map((r) => r.status).every((s) => s === 503)).toBe(true);
    expect(answeredMs).toBeLessThan(PAUSE_MS);
    // Past the pause, when every held count comes back and the late refusals run.
    await new Promise((r) => setTimeout(r, PAUSE_MS - answeredMs + 1500));
    admin.disconnect();

    expect(svc.api.child.exitCode).toBeNull();
    expect(svc.api.child.signalCode).toBeNull();
    const none = await ask('/api/jobs');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const over = await ask('/api/jobs', bearer(KEY));
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await ask('/api/jobs', bearer(OTHER))).status).toBe(200);
    const log = svc.api.lines.join('\n');
    expect(log).not.toMatch(/ERR_HTTP_HEADERS_SENT|ERR_STREAM_WRITE_AFTER_END|unhandled error/);
    // The submission answered 503 was not made after the answer (its route never ran).
    const listed = await fetch(`${svc.base}/api/jobs`, { headers: bearer(OTHER) }).then((r) => r.json());
    expect((listed as { jobs: unknown[] }).jobs).toEqual([]);
    console.log(`redis stall with unauthenticated traffic: ${JSON.stringify({ answeredMs, pauseMs: PAUSE_MS })}`);
  });
});
