/**
 * Priorities: interactive work is taken before normal, normal before bulk;
 * a bulk job that waited BULK_PROMOTE_AFTER_MS is raised to normal (no
 * starvation); a queued job shows its position and estimated start.
 */
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, postJson, REDIS_URL, startService, waitForJob, type Service } from './harness.js';

let svc: Service;
let queue: Queue;
beforeAll(async () => {
  svc = await startService({ workers: 1, env: { BULK_PROMOTE_AFTER_MS: '2000' } });
  queue = new Queue('tts-espeak', { connection: { url: REDIS_URL }, prefix: svc.prefix });
});
afterAll(async () => {
  await queue?.close();
  await svc?.stop();
});
const submit = (text: string, priority?: string) =>
  postJson(`${svc.base}/api/jobs`, { text, ...(priority ? { priority } : {}) });
const view = async (id: string) => (await decode(await fetch(`${svc.base}/api/jobs/${id}`))).json;
const startOf = (j: { timings: { started_at: string } }) => Date.parse(j.timings.started_at);

describe('priorities', () => {
  it('interactive before normal before bulk; queued jobs show position and estimated start', async () => {
    // Workers take nothing while the queue is paused, so everything below waits and the order is the queue's choice.
    await queue.pause();
    const bulk = [];
    for (let i = 0; i < 4; i++) bulk.push((await submit(`Bulk item ${i}.`, 'bulk')).json.id as string);
    const normal = (await submit('A normal job.')).json.id as string;
    const interactive = (await submit('An interactive job.', 'interactive')).json.id as string;

    const vi = await view(interactive);
    const vn = await view(normal);
    const vb = await view(bulk[0] as string);
    expect(vi).toMatchObject({ status: 'queued', priority: 'interactive', queue: { position: 0 } });
    expect(vn).toMatchObject({ priority: 'normal', queue: { position: 1 } });
    expect(vb).toMatchObject({ priority: 'bulk', queue: { position: 2 } });
    const now = Date.now();
    expect(Date.parse(vi.queue.estimated_start)).toBeGreaterThanOrEqual(now - 1000);
    expect(Date.parse(vb.queue.estimated_start)).toBeGreaterThan(Date.parse(vi.queue.estimated_start));
    await queue.resume();

    const done = await Promise.all([interactive, normal, ...bulk].map((id) => waitForJob(svc.base, id, 90_000)));
    expect(done.every((j) => j.status === 'succeeded')).toBe(true);
    const [di, dn, ...db] = done;
    expect(startOf(di)).toBeLessThan(startOf(dn));
    for (const b of db) expect(startOf(dn)).toBeLessThan(startOf(b));
    expect(di.queue).toBeNull();
  });

  it('a bulk job that waited BULK_PROMOTE_AFTER_MS goes before normal work submitted after that', async () => {
    await queue.pause();
    const old = (await submit('Old bulk work.', 'bulk')).json.id as string;
    await new Promise((r) => setTimeout(r, 3000)); // past BULK_PROMOTE_AFTER_MS
    const fresh = (await submit('Fresh normal work.')).json.id as string;
    const freshBulk = (await submit('Fresh bulk work.', 'bulk')).json.id as string;
    expect((await view(old)).status).toBe('queued');
    await queue.resume();
    const [o, f, fb] = await Promise.all([old, fresh, freshBulk].map((id) => waitForJob(svc.base, id, 90_000)));
    expect(startOf(o)).toBeLessThan(startOf(f));
    expect(startOf(f)).toBeLessThan(startOf(fb));
    expect(o.priority).toBe('bulk');
  });

  it('"priority" is validated', async () => {
    const r = await submit('x', 'urgent');
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ field: 'priority', allowed: ['interactive', 'normal', 'bulk'] });
  });
});
