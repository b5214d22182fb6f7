/**
 * The API is SIGKILLed while hundreds of idempotent submissions are in
 * flight; after a restart every key is retried with the same body. A retry
 * must get the job its key created (or create it): never a 404, never a 409,
 * never a second job.
 */
import { Agent, request } from 'node:http';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKey } from '../../src/api/auth.js';
import { decode, REDIS_URL, spawnProc, startService, type Proc, type Service } from '../integration/harness.js';

const N = 360;
const KILL_AFTER = 20;
const KEY = 'crash-tenant-key-0001';
let svc: Service;
let api2: Proc | undefined;
beforeAll(async () => {
  svc = await startService({ workers: 1, env: { API_KEYS: `crash:${hashKey(KEY)}`, AUTH_FAILURES_PER_MINUTE: '0' } });
});
afterAll(async () => {
  api2?.child.kill('SIGTERM');
  await api2?.exited;
  await svc?.stop();
});

const body = (i: number) => JSON.stringify({ text: `Crash test item number ${i}.`, priority: 'bulk' });

function post(base: URL, agent: Agent, i: number): Promise<{ status: number; id?: string }> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: base.hostname,
        port: base.port,
        method: 'POST',
        path: '/api/jobs',
        agent,
        headers: {
          'Content-Type': 'application/json',
          Authorization: `Bearer ${KEY}`,
          'Idempotency-Key': `crash-key-${i}`,
        },
      },
      (res) => {
        let raw = '';
        res.on('data', (d) => (raw += d));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, id: (JSON.parse(raw) as { id?: string }).id });
          } catch {
            resolve({ status: res.statusCode ?? 0 });
          }
        });
        res.on('error', () => resolve({ status: -1 }));
      },
    );
    req.on('error', () => resolve({ status: -1 })); // the API died under it
    req.end(body(i));
  });
}

describe('idempotency across an API crash', () => {
  it(`SIGKILL with ${N} idempotent submissions in flight: 0 burned keys, 0 duplicate jobs`, async () => {
    const base = new URL(svc.base);
    const agent = new Agent({ keepAlive: true, maxSockets: N });
    const first: { status: number; id?: string }[] = new Array(N);
    let answered = 0;
    let killedAt = -1;
    const all = Array.from({ length: N }, (_, i) =>
      post(base, agent, i).then((r) => {
        first[i] = r;
        answered++;
        // Kill early: the rest are at every stage of validating, claiming and creating.
        if (answered === KILL_AFTER && killedAt < 0) {
          killedAt = answered;
          svc.api.child.kill('SIGKILL');
        }
      }),
    );
    await Promise.all(all);
    agent.destroy();
    await svc.api.exited;
    const okBefore = first.filter((r) => r.status === 202).length;
    const cut = first.filter((r) => r.status === -1).length;
    expect(cut, 'the kill must land while requests are in flight').toBeGreaterThan(N / 3);

    // What the crash left: claims whose job was not yet marked created, and of those, jobs not yet created at all.
    const q = new Queue('tts-espeak', { connection: { url: REDIS_URL }, prefix: svc.prefix });
    let pending = 0;
    let missing = 0;
    for (const k of await svc.redis.keys(`${svc.prefix}:idempotency:*`)) {
      const rec = JSON.parse((await svc.redis.get(k)) ?? '{}') as { jobId: string; created?: boolean };
      if (rec.created) continue;
      pending++;
      if (!(await q.getJob(rec.jobId))) missing++;
    }

    api2 = spawnProc('api.js', [], svc.env);
    await api2.waitFor(/API listening/);

    // Retry every key, same body.
    const agent2 = new Agent({ keepAlive: true, maxSockets: 32 });
    const retry = await Promise.all(Array.from({ length: N }, (_, i) => post(base, agent2, i)));
    agent2.destroy();
    const statuses = new Map<number, number>();
    for (const r of retry) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    const burned = retry.filter((r) => r.status !== 202).length;
    expect(burned, `${JSON.stringify([...statuses])}\n${api2.lines.slice(-8).join('\n')}`).toBe(0);
    // A key that answered before the crash answers with the same job after it.
    const changed = first.filter((r, i) => r.status === 202 && r.id !== retry[i]?.id).length;
    expect(changed).toBe(0);
    // Every retried job exists.
    for (const r of retry.slice(0, 40)) {
      const got = await decode(
        await fetch(`${svc.base}/api/jobs/${r.id}`, { headers: { Authorization: `Bearer ${KEY}` } }),
      );
      expect(got.status).toBe(200);
    }

    // Exactly one job per key in the queue, whatever state it is in.
    const jobs = await q.getJobs(['waiting', 'prioritized', 'active', 'completed', 'failed', 'delayed']);
    await q.close();
    const texts = jobs.map((j) => (j.data as { request: { text: string } }).request.text);
    const perText = new Map<string, number>();
    for (const t of texts) perText.set(t, (perText.get(t) ?? 0) + 1);
    const duplicates = [...perText.values()].filter((n) => n > 1).length;
    expect(duplicates).toBe(0);
    expect(perText.size).toBe(N);
    expect(new Set(retry.map((r) => r.id)).size).toBe(N);
    console.log(
      `crash test: ${N} keys, ${okBefore} answered before the SIGKILL, ${cut} cut off; after restart: ${pending} claims not yet marked created, ${missing} of them without a job; ${N - burned} of ${N} retries 202, 0 burned, ${duplicates} duplicates, ${perText.size} jobs`,
    );
  });
});
