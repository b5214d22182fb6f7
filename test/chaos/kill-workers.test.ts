import { QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_URL, startService, waitForJob, type Service } from '../integration/harness.js';
import { submit, job } from '../integration/ha-helpers.js';

let svc: Service;
let events: QueueEvents;
beforeAll(async () => {
  svc = await startService({
    workers: 2,
    env: { JOB_LOCK_MS: '1500', JOB_STALLED_INTERVAL_MS: '500', JOB_MAX_STALLED: '20' },
  });
  events = new QueueEvents('tts-espeak', { connection: { url: REDIS_URL }, prefix: svc.prefix });
  await events.waitUntilReady();
});
afterAll(async () => {
  await events?.close();
  await svc?.stop();
});

describe('SIGKILL a worker mid-job, 20 times over a stream of jobs', () => {
  it('every accepted job completes exactly once', async () => {
    const completions = new Map<string, number>();
    events.on('completed', ({ jobId }) => completions.set(jobId, (completions.get(jobId) ?? 0) + 1));
    const text = (i: number) =>
      Array.from({ length: 6 }, (_, k) => `Job ${i}, sentence ${k + 1}, keeps a worker busy for a moment.`).join(' ');

    const ids: string[] = [];
    let kills = 0;
    let n = 0;
    while (kills < 20) {
      for (let i = 0; i < 3; i++) ids.push(await submit(svc, { text: text(n++), engine: 'backup' }));
      // Kill a worker that is running something, then replace it.
      const running = await Promise.all(ids.slice(-6).map((id) => job(svc, id)));
      if (!running.some((j) => j.status === 'running')) {
        await new Promise((r) => setTimeout(r, 30));
        continue;
      }
      const live = svc.workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null);
      const victim = live[kills % live.length]!;
      victim.child.kill('SIGKILL');
      await victim.exited;
      kills++;
      await svc.startWorker();
    }
    for (const id of ids) {
      const j = await waitForJob(svc.base, id, 120_000);
      expect(j.status, id).toBe('succeeded');
    }
    await new Promise((r) => setTimeout(r, 1000));
    const twice = ids.filter((id) => completions.get(id) !== 1);
    expect(twice).toEqual([]);
    expect(kills).toBe(20);
  });
});
