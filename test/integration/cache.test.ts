import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, postJson, startService, waitForJob, type Service } from './harness.js';

let svc: Service;
beforeAll(async () => {
  // Two engine threads, so identical jobs really run at the same time.
  svc = await startService({ env: { CACHE_MAX_BYTES: '50000000', WORKER_CONCURRENCY: '2' } });
});
afterAll(async () => {
  await svc?.stop();
});

const unique = (text: string) => `${text} Case ${randomBytes(3).toString('hex').replace(/\d/g, '')}.`;
/** Worker log lines (parsed) with this message. */
const logged = (msg: string) =>
  svc.workers
    .flatMap((w) => w.lines)
    .filter((l) => l.includes(`"msg":"${msg}"`))
    .map((l) => JSON.parse(l.slice(l.indexOf('{'))));

describe('result cache', () => {
  it('a repeated request is a hit: completed at once, no synthesis, same bytes', async () => {
    const text = unique('The cache keeps what was said before.');
    const first = await postJson(`${svc.base}/api/jobs`, { text, format: 'mp3' });
    const one = await waitForJob(svc.base, first.json.id);
    expect(one).toMatchObject({ status: 'succeeded', cached: false });

    const t0 = Date.now();
    const again = await postJson(`${svc.base}/api/jobs`, { text: `  ${text}  `, format: 'mp3' });
    const two = await waitForJob(svc.base, again.json.id, 5000);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(two).toMatchObject({ status: 'succeeded', cached: true, engine: { used: 'espeak' } });
    expect(two.progress.chunks_done).toBe(two.progress.chunks_total);
    expect(two.id).not.toBe(one.id);
    expect(logged('synthesis started').filter((l) => l.jobId === two.id)).toEqual([]);

    const a = await decode(await fetch(`${svc.base}${one.links.audio}`));
    const b = await decode(await fetch(`${svc.base}${two.links.audio}`));
    expect(b.buf.equals(a.buf)).toBe(true);
    expect(b.headers.get('content-type')).toBe('audio/mpeg');

    // Another format or speed is another entry.
    const other = await postJson(`${svc.base}/api/jobs`, { text, format: 'wav' });
    expect((await waitForJob(svc.base, other.json.id)).cached).toBe(false);

    const metrics = await (await fetch(`${svc.base}/metrics`)).text();
    expect(metrics).toMatch(/tts_cache_lookups_total\{result="hit"[^}]*\} [1-9]/);
  });

  it('the synchronous endpoint answers a hit too', async () => {
    const text = unique('Synchronous and cached.');
    const a = await postJson(`${svc.base}/api/tts`, { text });
    expect(a.status).toBe(200);
    const t0 = Date.now();
    const b = await postJson(`${svc.base}/api/tts`, { text });
    expect(b.status).toBe(200);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(b.buf.equals(a.buf)).toBe(true);
  });

  it('identical requests in flight at the same time share one synthesis', async () => {
    const text = unique(
      'Four clients ask for the very same sentence at the very same moment, and it is long enough to take a while. '.repeat(
        6,
      ),
    );
    const subs = await Promise.all(
      Array.from({ length: 4 }, () => postJson(`${svc.base}/api/jobs`, { text, format: 'wav' })),
    );
    const ids = subs.map((s) => s.json.id as string);
    const jobs = await Promise.all(ids.map((id) => waitForJob(svc.base, id)));
    expect(jobs.every((j) => j.status === 'succeeded')).toBe(true);
    const started = logged('synthesis started').filter((l) => ids.includes(l.jobId));
    expect(started).toHaveLength(1);
    expect(jobs.filter((j) => j.cached)).toHaveLength(3);
    expect(jobs.every((j) => j.progress.chunks_done === j.progress.chunks_total)).toBe(true);
    const sizes = new Set(jobs.map((j) => j.audio.bytes));
    expect(sizes.size).toBe(1);
  });

  it('repeated sentences inside one document are synthesized once', async () => {
    // Short enough to be whole in the first chunk too (the chunk plan makes the first chunk short).
    const refrain = unique('The refrain.');
    const text = [refrain, 'A verse in between.', refrain, 'Another verse here.', refrain].join('\n\n');
    const sub = await postJson(`${svc.base}/api/jobs`, { text });
    const job = await waitForJob(svc.base, sub.json.id);
    expect(job.status).toBe('succeeded');
    expect(job.progress.chunks_total).toBe(5);
    const fin = logged('synthesis finished').find((l) => l.jobId === job.id);
    expect(fin).toMatchObject({ chunks: 5, synthesized: 3 });
  });
});
