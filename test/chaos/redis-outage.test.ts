/**
 * Bounded answers while Redis is away: the service runs on a redis-server of
 * its own, which the test freezes (SIGSTOP: connections stay open and nothing
 * answers, the hardest case for a client) for longer than REDIS_UNAVAILABLE_MS.
 * Every route answers 503 `redis_unavailable` within the bound plus a small
 * margin; afterwards the service recovers by itself, with no route switch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobsIndexKey } from '../../src/queue/names.js';
import { type Service, waitForJob } from '../integration/harness.js';
import { engines, job, startHa, submit, until } from '../integration/ha-helpers.js';
import { type RedisNode, startDataNode, stopAll } from './redis-nodes.js';

const BOUND_MS = 1500;
const MARGIN_MS = 700;
let node: RedisNode;
let svc: Service | undefined;

beforeAll(async () => {
  node = await startDataNode();
  svc = await startHa({
    REDIS_URL: `redis://127.0.0.1:${node.port}`,
    REDIS_UNAVAILABLE_MS: String(BOUND_MS),
    // This test is about Redis, not engines: no fault injection, and a chunk timeout that a CPU
    // crowded by everything resuming at once does not trip.
    FAULT_INJECTION: 'false',
    CHUNK_TIMEOUT_MS: '15000',
  });
  await until('the monitor to see both engines up', async () => {
    const e = await engines(svc as Service);
    return e.route?.current === 'primary' && e.engines?.primary?.state === 'up' && e.engines?.backup?.state === 'up';
  });
}, 120_000);

afterAll(async () => {
  if (node?.child.exitCode === null) node.child.kill('SIGCONT');
  await svc?.stop().catch(() => undefined);
  await stopAll();
});

const json = { 'Content-Type': 'application/json' };

describe('Redis frozen for longer than REDIS_UNAVAILABLE_MS', () => {
  it('answers 503 redis_unavailable on every route within the bound, then recovers by itself without a route switch', async () => {
    const s = svc as Service;
    const before = await submit(s, { text: 'Accepted before the outage.' });
    await waitForJob(s.base, before, 30_000);
    const running = await submit(s, {
      text: Array.from({ length: 20 }, (_, i) => `Sentence ${i + 1}, running while Redis is away.`).join(' '),
    });
    await until('the long job to start', async () => (await job(s, running)).status === 'running', 10_000, 50);

    node.child.kill('SIGSTOP');
    const stoppedAt = Date.now();
    const routes: [string, string, unknown?][] = [
      ['POST', '/api/tts', { text: 'Hello while Redis is away.' }],
      ['POST', '/v1/audio/speech', { model: 'tts-1', input: 'Hello', voice: 'alloy' }],
      ['POST', '/api/jobs', { text: 'Queued while Redis is away.' }],
      ['GET', '/api/jobs'],
      ['GET', `/api/jobs/${before}`],
      ['GET', `/api/jobs/${before}/audio`],
      ['DELETE', '/api/jobs/00000000-0000-4000-8000-000000000000'],
      ['GET', '/api/engines'],
      ['GET', '/metrics'],
      ['GET', '/admin/queues/api/queues'],
    ];
    const answers = await Promise.all(
      routes.map(async ([method, path, body]) => {
        const t = Date.now();
        const r = await fetch(`${s.base}${path}`, {
          method,
          headers: body ? json : {},
          body: body ? JSON.stringify(body) : undefined,
          signal: AbortSignal.timeout(20_000),
        });
        const ms = Date.now() - t;
        const j = (await r.json().catch(() => ({}))) as { code?: string; error?: { code?: string } };
        return {
          method,
          path,
          status: r.status,
          ms,
          code: j.code ?? j.error?.code,
          retryAfter: r.headers.get('retry-after'),
        };
      }),
    );
    // Longer than the bound: Redis stays frozen a while after the answers came.
    await new Promise((r) => setTimeout(r, Math.max(0, BOUND_MS * 3 - (Date.now() - stoppedAt))));
    const readyz = await fetch(`${s.base}/readyz`, { signal: AbortSignal.timeout(10_000) });
    node.child.kill('SIGCONT');
    const resumedAt = Date.now();
    const outageMs = resumedAt - stoppedAt;

    // Recovers by itself: a submission is accepted and runs, and the job from before the outage finishes.
    const back = await until(
      'a submission accepted after the outage',
      async () => {
        const r = await fetch(`${s.base}/api/jobs`, {
          method: 'POST',
          headers: json,
          body: JSON.stringify({ text: 'After.' }),
        });
        return r.status === 202 ? ((await r.json()) as { id: string }).id : undefined;
      },
      20_000,
      100,
    );
    const recoverMs = Date.now() - resumedAt;
    if (process.env.DEBUG_HA) console.log(JSON.stringify({ answers, recoverMs, back, running }));
    expect((await waitForJob(s.base, back, 30_000)).status).toBe('succeeded');
    const survived = await waitForJob(s.base, running, 30_000);
    expect(survived.status, JSON.stringify(survived.error)).toBe('succeeded');
    // The submissions answered 503 were withdrawn: only the three accepted jobs exist.
    expect(await s.redis.zcard(jobsIndexKey(s.prefix))).toBe(3);
    // Long enough for the monitor's checks to resume (its grace after Redis returns) and probe again.
    await new Promise((r) => setTimeout(r, 6_000));
    const after = await engines(s);
    console.log(
      `redis outage: ${JSON.stringify({ outageMs, recoverMs, runningAttempts: survived.attempts, slowestMs: Math.max(...answers.map((a) => a.ms)), answers: answers.map((a) => `${a.method} ${a.path} ${a.status} ${a.code} ${a.ms}ms`) })}`,
    );

    for (const a of answers) {
      expect(a.status, `${a.method} ${a.path}`).toBe(503);
      expect(a.code, `${a.method} ${a.path}`).toBe('redis_unavailable');
      expect(Number(a.retryAfter), `${a.method} ${a.path}`).toBeGreaterThan(0);
      expect(a.ms, `${a.method} ${a.path}`).toBeLessThan(BOUND_MS + MARGIN_MS);
    }
    expect(readyz.status).toBe(503);
    expect(after.route.current).toBe('primary');
    expect(after.route.history).toEqual([]);
    expect(s.monitor?.lines.some((l) => l.includes('route_switch'))).toBe(false);
  });
});
