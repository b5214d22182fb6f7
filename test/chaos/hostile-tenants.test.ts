/**
 * Hostile requests against a service with keys, quotas and several tenants:
 * odd credentials, idempotency keys and deep bodies, other tenants' ids,
 * bad listing filters, bad priorities. Nothing may get a 5xx.
 */
import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKey } from '../../src/api/auth.js';
import { postJson, startService, type Service } from '../integration/harness.js';

const KEYS = { alice: 'hostile-alice-key-01', bob: 'hostile-bob-key-0002', root: 'hostile-root-key-003' };
let svc: Service;
let aliceJob = '';
beforeAll(async () => {
  svc = await startService({
    workers: 1,
    env: {
      TTS_WAIT_MS: '100',
      API_KEYS: `alice:${hashKey(KEYS.alice)}:chars_per_day=100000,bob:${hashKey(KEYS.bob)}:active_jobs=5`,
      ADMIN_KEYS: `root:${hashKey(KEYS.root)}`,
      QUOTA_ACTIVE_JOBS: '40',
      AUTH_FAILURES_PER_MINUTE: '20',
    },
  });
  const r = await postJson(
    `${svc.base}/api/jobs`,
    { text: 'Alice owns this.' },
    { Authorization: `Bearer ${KEYS.alice}` },
  );
  aliceJob = r.json.id;
});
afterAll(async () => {
  await svc?.stop();
});

function rng(seed: number) {
  return () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
}

interface Req {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

function generate(n: number): Req[] {
  const r = rng(7);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)] as T;
  const auth = () =>
    pick([
      `Bearer ${KEYS.alice}`,
      `Bearer ${KEYS.bob}`,
      `Bearer ${KEYS.root}`,
      `Bearer ${KEYS.alice}`,
      'Bearer ',
      'Bearer wrong-key',
      `Basic ${Buffer.from(`x:${KEYS.bob}`).toString('base64')}`,
      'Basic !!!not-base64',
      `Basic ${Buffer.from('no-colon').toString('base64')}`,
      `Bearer ${'k'.repeat(4000)}`,
      'Digest username="a"',
      `bearer ${KEYS.root}`,
    ]);
  const deep = (d: number) => `${'['.repeat(d)}${']'.repeat(d)}`;
  const out: Req[] = [];
  for (let i = 0; i < n; i++) {
    const headers: Record<string, string> = { Authorization: auth(), 'Content-Type': 'application/json' };
    switch (i % 8) {
      case 0:
        headers['Idempotency-Key'] = pick(['k1', 'k2', `k-${i}`, 'x'.repeat(300), 'ü-key', ' ', 'a,b']);
        out.push({
          method: 'POST',
          path: pick(['/api/jobs', '/api/tts']),
          headers,
          body: `{"text":"hello tenant","extra":${deep(Math.floor(r() * 9000))}}`,
        });
        break;
      case 1:
        out.push({
          method: 'POST',
          path: '/api/jobs',
          headers,
          body: JSON.stringify({
            text: pick(['ok', 'x'.repeat(50), '']),
            priority: pick(['interactive', 'bulk', 'normal', 'urgent', 1, null, [], {}]),
          }),
        });
        break;
      case 2:
        out.push({
          method: 'GET',
          path: `/api/jobs?${pick(['owner=alice', 'owner=bob', 'owner=../x', 'owner=a&owner=b', `owner=${'o'.repeat(200)}`, 'owner=', 'status=x&owner=root', 'cursor=%%%', 'limit=1e9'])}`,
          headers,
        });
        break;
      case 3:
        out.push({
          method: pick(['GET', 'DELETE']),
          path: `/api/jobs/${aliceJob}${pick(['', '/audio', '/events'])}`,
          headers,
        });
        break;
      case 4:
        out.push({ method: 'GET', path: `/api/usage${pick(['', '?x=1', '?tenant=alice', '/../jobs'])}`, headers });
        break;
      case 5:
        out.push({
          method: 'POST',
          path: '/v1/audio/speech',
          headers,
          body: pick([
            '{"model":"tts-1","input":"hi","voice":"alloy"}',
            '{"model":"tts-1","input":',
            `{"model":"tts-1","input":"hi","voice":"alloy","x":${deep(5000)}}`,
            '{"model":[],"input":{},"voice":1}',
          ]),
        });
        break;
      case 6:
        headers['Idempotency-Key'] = `same-${Math.floor(r() * 5)}`;
        out.push({
          method: 'POST',
          path: '/api/jobs',
          headers,
          body: JSON.stringify({ text: pick(['one body', 'another body', 'third body']), b: { a: [1, { c: 2 }] } }),
        });
        break;
      default:
        out.push({
          method: 'POST',
          path: '/api/jobs',
          headers: { ...headers, 'Content-Length': pick(['99999999', '-1', 'abc', '1e3']) },
          body: '{"text":"x"}',
        });
    }
  }
  return out;
}

function send(base: URL, agent: Agent, req: Req): Promise<number> {
  return new Promise((resolve) => {
    const rq = request(
      { host: base.hostname, port: base.port, method: req.method, path: req.path, headers: req.headers, agent },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(-1));
      },
    );
    rq.on('error', () => resolve(-1)); // refused or closed by the server: not a 5xx
    if (req.body !== undefined) rq.end(req.body);
    else rq.end();
  });
}

describe('hostile requests with tenants', () => {
  it('2,000 hostile requests with keys, quotas and tenants: zero 5xx', async () => {
    const base = new URL(svc.base);
    const agent = new Agent({ keepAlive: true, maxSockets: 12 });
    const reqs = generate(2000);
    const statuses = new Map<number, number>();
    const bobOnAlice: number[] = [];
    const bobAuth = [`Bearer ${KEYS.bob}`, `Basic ${Buffer.from(`x:${KEYS.bob}`).toString('base64')}`];
    let next = 0;
    const loop = async () => {
      while (next < reqs.length) {
        const req = reqs[next++];
        if (!req) break;
        const code = await send(base, agent, req);
        statuses.set(code, (statuses.get(code) ?? 0) + 1);
        if (req.path.includes(aliceJob) && bobAuth.includes(req.headers.Authorization ?? '')) bobOnAlice.push(code);
      }
    };
    await Promise.all(Array.from({ length: 12 }, loop));
    agent.destroy();
    const all = JSON.stringify([...statuses.entries()].sort((a, b) => a[0] - b[0]));
    expect(
      [...statuses.keys()].filter((c) => c >= 500),
      all,
    ).toEqual([]);
    console.log(`hostile-tenants statuses: ${all}`);
    // Bob never saw, fetched, streamed or canceled Alice's job: 404 every time (a valid key is never throttled).
    expect(bobOnAlice.length).toBeGreaterThan(20);
    expect(bobOnAlice.filter((c) => c !== 404)).toEqual([]);
    const mine = await fetch(`${svc.base}/api/jobs/${aliceJob}`, {
      headers: { Authorization: `Bearer ${KEYS.alice}` },
    });
    expect(mine.status).toBe(200);
    expect((await fetch(`${svc.base}/healthz`)).status).toBe(200);
  });
});
