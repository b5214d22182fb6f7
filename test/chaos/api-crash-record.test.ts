/**
 * The API dies between writing a job's record and queuing its work (fault injection SIGKILLs it at
 * exactly that point). The job was never answered, but its record exists: the leading monitor's
 * reconciler must queue its work within the stated bound (JOB_RECONCILE_AFTER_MS plus one check),
 * so the job ends succeeded — never left neither queued nor failed.
 */
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, REDIS_URL, spawnProc, startService, type Proc, type Service } from '../integration/harness.js';

const RECONCILE_AFTER_MS = 1000;
let svc: Service;
let api2: Proc | undefined;
beforeAll(async () => {
  svc = await startService({
    workers: 1,
    monitor: true,
    env: { FAULT_INJECTION: 'true', JOB_RECONCILE_AFTER_MS: String(RECONCILE_AFTER_MS) },
  });
});
afterAll(async () => {
  api2?.child.kill('SIGTERM');
  await api2?.exited;
  await svc?.stop();
});

describe('an API crash between the record and the queue', () => {
  it('leaves a queued record that the reconciler queues, and the job succeeds', async () => {
    await svc.redis.set(`${svc.prefix}:faults:api`, 'crash-after-record');
    const cut = await fetch(`${svc.base}/api/jobs`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ text: 'Written but never queued.', engine: 'backup' }),
    }).then(
      (r) => r.status,
      () => -1, // the API died under the request
    );
    expect(cut).toBe(-1);
    await svc.api.exited;
    await svc.redis.del(`${svc.prefix}:faults:api`);
    const crashedAt = Date.now();

    // The record is there, queued, and no queue holds its work.
    const ids = await svc.redis.zrange(`${svc.prefix}:jobs:index`, '0', '-1');
    expect(ids).toHaveLength(1);
    const id = ids[0] ?? '';
    expect(await svc.redis.hget(`${svc.prefix}:job:${id}`, 'status')).toBe('queued');
    const q = new Queue('tts-espeak', { connection: { url: REDIS_URL }, prefix: svc.prefix });
    expect(await q.getJob(id)).toBeUndefined();

    api2 = spawnProc('api.js', [], svc.env);
    await api2.waitFor(/API listening/);
    let view: { status?: string } = {};
    while (Date.now() - crashedAt < 20_000) {
      view = (await decode(await fetch(`${svc.base}/api/jobs/${id}`))).json as { status?: string };
      if (view.status === 'succeeded' || view.status === 'failed') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const settledMs = Date.now() - crashedAt;
    expect(view.status, svc.monitor?.lines.slice(-10).join('\n')).toBe('succeeded');
    expect(await q.getJob(id)).toBeDefined();
    await q.close();
    // The bound: the record's age limit, plus one reconciler run (half of it), plus the synthesis itself.
    expect(settledMs).toBeLessThan(RECONCILE_AFTER_MS + RECONCILE_AFTER_MS / 2 + 8_000);
    console.log(`api crash between record and queue: job ${id} settled (succeeded) ${settledMs} ms after the crash`);
  });
});
