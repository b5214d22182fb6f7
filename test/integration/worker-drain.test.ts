import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, postJson, startService, waitForJob, type Service } from './harness.js';

let svc: Service;
beforeAll(async () => {
  svc = await startService({ workers: 1 });
});
afterAll(async () => {
  await svc?.stop();
});

const status = async (id: string) => (await decode(await fetch(`${svc.base}/api/jobs/${id}`))).json;

describe('SIGTERM drains a worker', () => {
  it('finishes the running job, takes no new one, and exits cleanly', async () => {
    const long = Array.from(
      { length: 40 },
      (_, i) => `Sentence ${i + 1} keeps this worker busy for a little while.`,
    ).join(' ');
    const a = (await postJson(`${svc.base}/api/jobs`, { text: long })).json.id as string;
    for (let i = 0; i < 400 && (await status(a)).status !== 'running'; i++) await new Promise((r) => setTimeout(r, 20));
    const b = (await postJson(`${svc.base}/api/jobs`, { text: 'Queued behind the long one.' })).json.id as string;

    const worker = svc.workers[0]!;
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);

    // The running job was finished by the draining worker…
    expect((await status(a)).status).toBe('succeeded');
    expect(worker.lines.some((l) => l.includes(a) && l.includes('synthesis finished'))).toBe(true);
    // …and the waiting one was left for someone else.
    expect((await status(b)).status).toBe('queued');

    await svc.startWorker();
    expect((await waitForJob(svc.base, b)).status).toBe('succeeded');
  });
});
