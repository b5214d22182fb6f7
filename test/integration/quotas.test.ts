/**
 * Quotas per key, counted in Redis across API processes: characters per UTC
 * day and jobs queued or running at once, with per-key overrides; 429 with
 * Retry-After and a body naming the quota; GET /api/usage.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKey } from '../../src/api/auth.js';
import { decode, freePort, postJson, spawnProc, startService, waitForJob, type Proc, type Service } from './harness.js';

const ALICE = 'quota-alice-key-0001';
const BOB = 'quota-bob-key-0002';
const CAROL = 'quota-carol-key-0003';
const DAVE = 'quota-dave-key-0004';
const as = (key: string) => ({ Authorization: `Bearer ${key}` });
let svc: Service;
let api2: Proc;
let base2: string;
beforeAll(async () => {
  svc = await startService({
    env: {
      API_KEYS: [
        `alice:${hashKey(ALICE)}:chars_per_day=50`,
        `bob:${hashKey(BOB)}:active_jobs=2`,
        `carol:${hashKey(CAROL)}:active_jobs=1`,
        `dave:${hashKey(DAVE)}:chars_per_day=0:active_jobs=0`,
      ].join(','),
      QUOTA_CHARS_PER_DAY: '100000',
      QUOTA_ACTIVE_JOBS: '20',
    },
  });
  // A second API process: the counts must be shared.
  const port = await freePort();
  api2 = spawnProc('api.js', [], { ...svc.env, PORT: String(port) });
  await api2.waitFor(/API listening/);
  base2 = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  api2?.child.kill('SIGTERM');
  await api2?.exited;
  await svc?.stop();
});

describe('quotas', () => {
  it('characters per day: counted across API processes, 429 naming the quota, limit and reset', async () => {
    const text = 'Thirty characters of text ok.'; // 29
    const a = await postJson(`${svc.base}/api/jobs`, { text }, as(ALICE));
    expect(a.status).toBe(202);
    const b = await postJson(`${base2}/api/jobs`, { text }, as(ALICE));
    expect(b.status).toBe(429);
    const tomorrow = new Date();
    tomorrow.setUTCHours(24, 0, 0, 0);
    expect(b.json).toMatchObject({
      code: 'quota_exceeded',
      quota: 'chars_per_day',
      limit: 50,
      used: 29,
      requested: 29,
      resets_at: tomorrow.toISOString(),
    });
    const retry = Number(b.headers.get('retry-after'));
    expect(Math.abs(retry - (tomorrow.getTime() - Date.now()) / 1000)).toBeLessThan(5);
    // /api/tts is counted too.
    expect((await postJson(`${base2}/api/tts`, { text }, as(ALICE))).status).toBe(429);
    // What fits still goes.
    expect((await postJson(`${base2}/api/jobs`, { text: 'Short one.' }, as(ALICE))).status).toBe(202);

    const usage = await decode(await fetch(`${base2}/api/usage`, { headers: as(ALICE) }));
    expect(usage.status).toBe(200);
    expect(usage.json).toMatchObject({
      tenant: 'alice',
      chars_per_day: { limit: 50, used: 39, remaining: 11, resets_at: tomorrow.toISOString() },
      active_jobs: { limit: 20 },
    });
    await waitForJob(svc.base, a.json.id, 30_000, as(ALICE));
  });

  it('jobs at once: the per-key override applies, and frees when jobs finish', async () => {
    const long = 'Bob has a fairly long sentence for the queue to chew on. '.repeat(6);
    const subs: Awaited<ReturnType<typeof postJson>>[] = [];
    for (let i = 0; i < 3; i++)
      subs.push(await postJson(`${i % 2 ? base2 : svc.base}/api/jobs`, { text: long }, as(BOB)));
    const [s1, s2, s3] = subs;
    expect(s1?.status).toBe(202);
    expect(s2?.status).toBe(202);
    expect(s3?.status).toBe(429);
    expect(s3?.json).toMatchObject({ code: 'quota_exceeded', quota: 'active_jobs', limit: 2, used: 2 });
    expect(Number(s3?.headers.get('retry-after'))).toBeGreaterThan(0);
    const usage = await decode(await fetch(`${svc.base}/api/usage`, { headers: as(BOB) }));
    expect(usage.json.active_jobs).toEqual({ limit: 2, used: 2 });
    await waitForJob(svc.base, s1?.json.id, 60_000, as(BOB));
    await waitForJob(svc.base, s2?.json.id, 60_000, as(BOB));
    // Finished jobs stop counting at once.
    const again = await postJson(`${base2}/api/jobs`, { text: 'Now there is room.' }, as(BOB));
    expect(again.status).toBe(202);
  });

  it('one request at a time is never refused by the jobs-at-once quota: a job stops counting when it ends', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await postJson(`${i % 2 ? base2 : svc.base}/api/tts`, { text: `Request number ${i}.` }, as(CAROL));
      expect(r.status, `request ${i}: ${JSON.stringify(r.json)}`).toBe(200);
      const usage = await decode(await fetch(`${svc.base}/api/usage`, { headers: as(CAROL) }));
      expect(usage.json.active_jobs).toEqual({ limit: 1, used: 0 });
    }
  });

  it('characters are counted for a tenant without any limit', async () => {
    const text = 'Counted though unlimited.'; // 25
    expect((await postJson(`${svc.base}/api/tts`, { text }, as(DAVE))).status).toBe(200);
    expect((await postJson(`${base2}/api/jobs`, { text }, as(DAVE))).status).toBe(202);
    const usage = await decode(await fetch(`${base2}/api/usage`, { headers: as(DAVE) }));
    expect(usage.json).toMatchObject({
      tenant: 'dave',
      chars_per_day: { limit: null, used: 50, remaining: null },
      active_jobs: { limit: null, used: null },
    });
  });
});
