import { QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWav, rms } from '../../src/audio/wav.js';
import { decode, postJson, REDIS_URL, startService, waitForJob, type Service } from './harness.js';

let svc: Service;
let events: QueueEvents;
beforeAll(async () => {
  // Short locks so a dead worker's job is noticed within seconds.
  svc = await startService({ workers: 1, env: { JOB_LOCK_MS: '2000', JOB_STALLED_INTERVAL_MS: '1000' } });
  events = new QueueEvents('tts-espeak', { connection: { url: REDIS_URL }, prefix: svc.prefix });
  await events.waitUntilReady();
});
afterAll(async () => {
  await events?.close();
  await svc?.stop();
});

describe('a worker killed with SIGKILL mid-job', () => {
  it('loses no job: another worker completes it, and it completes once', async () => {
    const completions: string[] = [];
    events.on('completed', ({ jobId }) => completions.push(jobId));

    const text = Array.from(
      { length: 60 },
      (_, i) => `This is sentence number ${i + 1} of a long document, read aloud by the backup engine.`,
    ).join(' ');
    const sub = await postJson(`${svc.base}/api/jobs`, { text, engine: 'backup' });
    expect(sub.status).toBe(202);
    const id = sub.json.id as string;

    // Wait until the first worker is part-way through the job, then kill it without warning.
    const first = svc.workers[0]!;
    let seen: any;
    for (let i = 0; i < 400; i++) {
      seen = (await decode(await fetch(`${svc.base}/api/jobs/${id}`))).json;
      if (seen.status === 'running' && seen.progress.chunks_done >= 1) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(seen.status).toBe('running');
    expect(seen.progress.chunks_done).toBeLessThan(seen.progress.chunks_total);
    first.child.kill('SIGKILL');
    await first.exited;

    const second = await svc.startWorker();
    const job = await waitForJob(svc.base, id, 60_000);
    expect(job.status).toBe('succeeded');
    expect(job.progress.chunks_done).toBe(job.progress.chunks_total);

    // The whole document is in the file, made by the second worker.
    const audio = await decode(await fetch(`${svc.base}${job.links.audio}`));
    const wav = parseWav(audio.buf);
    expect(wav.durationMs).toBeGreaterThan(60 * 2500);
    expect(rms(wav.samples)).toBeGreaterThan(0.01);
    expect(second.lines.some((l) => l.includes(id) && l.includes('synthesis finished'))).toBe(true);

    // Delivered once: one completion event, however many attempts it took.
    await new Promise((r) => setTimeout(r, 1500));
    expect(completions.filter((j) => j === id)).toEqual([id]);
  });
});
