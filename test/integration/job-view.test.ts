/** A job view never contradicts itself: ordered timings, progress that never goes backwards across a retry. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, startService, waitForJob, type Service } from './harness.js';

let svc: Service;
beforeAll(async () => {
  svc = await startService({
    env: { FAULT_INJECTION: 'true', JOB_BACKOFF_MS: '200', CACHE_MAX_BYTES: String(20 * 1024 * 1024) },
  });
});
afterAll(async () => {
  await svc?.stop();
});

interface View {
  status: string;
  attempts: number;
  progress: { chunks_done: number; chunks_total: number | null };
  timings: { queued_at: string; started_at: string | null; finished_at: string | null };
  audio?: { duration_ms: number } | null;
}

const view = async (id: string) => (await (await fetch(`${svc.base}/api/jobs/${id}`)).json()) as View;
const ms = (t: string | null) => (t ? Date.parse(t) : Number.NaN);

describe('job view', () => {
  it('a cache hit: started_at is not before queued_at, finished_at not before started_at', async () => {
    const text = `Ordered timings ${Date.now()}.`;
    const first = await postJson(`${svc.base}/api/jobs`, { text });
    expect((await waitForJob(svc.base, first.json.id)).status).toBe('succeeded');
    for (let i = 0; i < 5; i++) {
      const hit = await postJson(`${svc.base}/api/jobs`, { text });
      expect(['queued', 'running', 'succeeded']).toContain(hit.json.status);
      const v = (await waitForJob(svc.base, hit.json.id)) as View & { cached: boolean };
      expect(v.cached).toBe(true);
      expect(ms(v.timings.started_at)).toBeGreaterThanOrEqual(ms(v.timings.queued_at));
      expect(ms(v.timings.finished_at)).toBeGreaterThanOrEqual(ms(v.timings.started_at));
    }
  });

  it('progress seen by a client never goes backwards when an attempt fails midway and the job is retried', async () => {
    const text = Array.from({ length: 200 }, (_, i) => `Sentence ${i + 1} of a text that is retried.`).join(' ');
    const sub = await postJson(`${svc.base}/api/jobs`, { text, engine: 'primary' });
    const id = sub.json.id as string;
    const seen: View[] = [];
    const fault = `${svc.prefix}:faults:espeak`;
    let broken = false;
    for (;;) {
      const v = await view(id);
      seen.push(v);
      if (!broken && v.progress.chunks_done >= 3) {
        // Every chunk from now on fails: this attempt ends part-way through.
        await svc.redis.set(fault, JSON.stringify({ mode: 'throw' }));
        broken = true;
      }
      if (broken && v.attempts >= 2) await svc.redis.del(fault); // the retry runs clean
      if (['succeeded', 'failed'].includes(v.status)) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const last = seen.at(-1);
    expect(last?.status).toBe('succeeded');
    expect(last?.attempts).toBeGreaterThanOrEqual(2);
    const done = seen.map((v) => v.progress.chunks_done);
    const backwards = done.findIndex((d, i) => i > 0 && d < (done[i - 1] ?? 0));
    expect(backwards, `chunks_done went ${done[backwards - 1]} → ${done[backwards]}`).toBe(-1);
    // The retry was observed while it ran, not only at the end.
    expect(seen.some((v) => v.attempts >= 2 && v.status === 'running')).toBe(true);
  });
});
