import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, postJson, REDIS_URL, startService, waitForJob, type Service } from './harness.js';

const longText = (n: number, what = 'a long document') =>
  Array.from({ length: n }, (_, i) => `This is sentence ${i + 1} of ${what}, spoken one chunk at a time.`).join(' ');

async function getJob(svc: Service, id: string) {
  return decode(await fetch(`${svc.base}/api/jobs/${id}`));
}

async function jobWhen(svc: Service, id: string, pred: (j: any) => boolean, ms = 30_000): Promise<any> {
  const end = Date.now() + ms;
  for (;;) {
    const { json } = await getJob(svc, id);
    if (pred(json)) return json;
    if (Date.now() > end) throw new Error(`job ${id} never matched: ${JSON.stringify(json)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Read a server-sent-events stream to its end: [{event, data}]. */
async function readEvents(url: string): Promise<{ event: string; data: any }[]> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const text = await res.text(); // resolves when the server closes the stream
  return text
    .split('\n\n')
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      return event && data ? { event, data: JSON.parse(data) } : undefined;
    })
    .filter((e): e is { event: string; data: any } => !!e);
}

describe('job lifecycle', () => {
  let svc: Service;
  let queue: Queue;
  beforeAll(async () => {
    svc = await startService();
    queue = new Queue('tts-espeak', { connection: { url: REDIS_URL }, prefix: svc.prefix });
  });
  afterAll(async () => {
    await queue?.close();
    await svc?.stop();
  });

  it('an Idempotency-Key returns the original job for the same body and 409 for another', async () => {
    const key = `k-${Date.now()}`;
    const a = await postJson(`${svc.base}/api/jobs`, { text: 'Said once.', speed: 1 }, { 'Idempotency-Key': key });
    expect(a.status).toBe(202);
    const b = await postJson(`${svc.base}/api/jobs`, { speed: 1, text: 'Said once.' }, { 'Idempotency-Key': key });
    expect(b.status).toBe(202);
    expect(b.json.id).toBe(a.json.id);
    expect(b.headers.get('idempotent-replayed')).toBe('true');
    const c = await postJson(`${svc.base}/api/jobs`, { text: 'Said twice.' }, { 'Idempotency-Key': key });
    expect(c.status).toBe(409);
    expect(c.json).toMatchObject({ code: 'idempotency_key_reused', id: a.json.id, differs: ['body'] });
    // The same body on another endpoint: the refusal names the endpoint.
    const other = await postJson(`${svc.base}/api/tts`, { text: 'Said once.', speed: 1 }, { 'Idempotency-Key': key });
    expect(other.status).toBe(409);
    expect(other.json).toMatchObject({ differs: ['endpoint'], used_on: '/api/jobs' });
    expect(other.json.error).toMatch(/used on \/api\/jobs \(this request is to \/api\/tts\) with the same body/);
    // Another key is another job; a malformed key is a 400 and queues nothing.
    const d = await postJson(
      `${svc.base}/api/jobs`,
      { text: 'Said once.', speed: 1 },
      { 'Idempotency-Key': `${key}-2` },
    );
    expect(d.json.id).not.toBe(a.json.id);
    // Count jobs in every state: a job moving from waiting to active meanwhile changes nothing here.
    const total = async () => Object.values(await queue.getJobCounts()).reduce((a, b) => a + b, 0);
    const before = await total();
    const e = await postJson(`${svc.base}/api/jobs`, { text: 'x' }, { 'Idempotency-Key': 'x'.repeat(300) });
    expect(e).toMatchObject({ status: 400, json: { field: 'Idempotency-Key' } });
    expect(await total()).toBe(before);
    // The synchronous endpoint honours keys too.
    const t1 = await postJson(`${svc.base}/api/tts`, { text: 'Sync.' }, { 'Idempotency-Key': `${key}-tts` });
    const t2 = await postJson(`${svc.base}/api/tts`, { text: 'Sync.' }, { 'Idempotency-Key': `${key}-tts` });
    expect(t1.status).toBe(200);
    expect(t2.headers.get('x-job-id')).toBe(t1.headers.get('x-job-id'));
    // A replay says so, as on /api/jobs; the first answer does not.
    expect(t1.headers.get('idempotent-replayed')).toBeNull();
    expect(t2.status).toBe(200);
    expect(t2.headers.get('idempotent-replayed')).toBe('true');
    expect(t2.buf.equals(t1.buf)).toBe(true);
    // So does a streamed replay.
    const s1 = await postJson(
      `${svc.base}/api/tts`,
      { text: 'Streamed.', stream: true },
      { 'Idempotency-Key': `${key}-s` },
    );
    const s2 = await postJson(
      `${svc.base}/api/tts`,
      { text: 'Streamed.', stream: true },
      { 'Idempotency-Key': `${key}-s` },
    );
    expect(s1.headers.get('idempotent-replayed')).toBeNull();
    expect(s2.headers.get('idempotent-replayed')).toBe('true');
    await waitForJob(svc.base, a.json.id);
  });

  it('a running multi-chunk job canceled midway ends canceled with no audio; a waiting one is removed', async () => {
    const running = await postJson(`${svc.base}/api/jobs`, { text: longText(400) });
    const waiting = await postJson(`${svc.base}/api/jobs`, { text: 'I will never be spoken.' });
    const mid = await jobWhen(svc, running.json.id, (j) => j.status === 'running' && j.progress.chunks_done >= 2);
    expect(mid.progress.chunks_total).toBeGreaterThan(10);

    const w = await decode(await fetch(`${svc.base}/api/jobs/${waiting.json.id}`, { method: 'DELETE' }));
    expect(w.status).toBe(200);
    expect(w.json).toMatchObject({ id: waiting.json.id, status: 'canceled' });
    expect(await queue.getJob(waiting.json.id)).toBeUndefined();

    const del = await decode(await fetch(`${svc.base}/api/jobs/${running.json.id}`, { method: 'DELETE' }));
    expect([200, 202]).toContain(del.status);
    const job = await jobWhen(svc, running.json.id, (j) => j.status === 'canceled');
    expect(job.progress.chunks_done).toBeLessThan(job.progress.chunks_total);
    expect(job.audio).toBeNull();
    expect(job.timings.finished_at).toBeTruthy();
    const audio = await decode(await fetch(`${svc.base}/api/jobs/${running.json.id}/audio`));
    expect(audio.status).toBe(409);
    const out = svc.env.OUTPUT_DIR!;
    expect(readdirSync(out).filter((f) => f.startsWith(running.json.id))).toEqual([]);
    expect(readdirSync(join(out, '.tmp')).filter((f) => f.startsWith(running.json.id))).toEqual([]);
    expect((await getJob(svc, waiting.json.id)).json.status).toBe('canceled');

    // Canceling again is harmless; canceling a finished job is a 409.
    expect((await fetch(`${svc.base}/api/jobs/${running.json.id}`, { method: 'DELETE' })).status).toBe(200);
    const done = await postJson(`${svc.base}/api/jobs`, { text: 'Finished before you asked.' });
    await waitForJob(svc.base, done.json.id);
    const late = await decode(await fetch(`${svc.base}/api/jobs/${done.json.id}`, { method: 'DELETE' }));
    expect(late).toMatchObject({ status: 409, json: { code: 'job_finished', status: 'succeeded' } });
    const none = await decode(
      await fetch(`${svc.base}/api/jobs/00000000-0000-4000-8000-000000000000`, { method: 'DELETE' }),
    );
    expect(none.status).toBe(404);
  });

  it('streams monotonic progress over server-sent events, ending in the final status', async () => {
    const sub = await postJson(`${svc.base}/api/jobs`, { text: longText(60, 'a streamed job') });
    const events = await readEvents(`${svc.base}/api/jobs/${sub.json.id}/events`);
    const progress = events.filter((e) => e.event === 'progress').map((e) => e.data.chunks_done);
    expect(progress.length).toBeGreaterThan(1);
    for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThan(progress[i - 1]);
    const statuses = events.filter((e) => e.event === 'status').map((e) => e.data.status);
    expect(statuses.at(-1)).toBe('succeeded');
    const last = events.at(-1)!;
    expect(last.event).toBe('end');
    expect(last.data).toMatchObject({ id: sub.json.id, status: 'succeeded' });
    expect(progress.at(-1)).toBe(last.data.progress.chunks_total);
    // A finished job's stream is just its final state; unknown jobs get a JSON 404.
    const again = await readEvents(`${svc.base}/api/jobs/${sub.json.id}/events`);
    expect(again.map((e) => e.event)).toEqual(['progress', 'status', 'end']);
    const missing = await decode(await fetch(`${svc.base}/api/jobs/00000000-0000-4000-8000-000000000000/events`));
    expect(missing).toMatchObject({ status: 404, json: { code: 'not_found' } });
  });

  it('lists jobs newest first, by status, a page at a time', async () => {
    const ids: string[] = [];
    for (const t of ['List one.', 'List two.', 'List three.']) {
      ids.push((await postJson(`${svc.base}/api/jobs`, { text: t })).json.id);
      await new Promise((r) => setTimeout(r, 5));
    }
    for (const id of ids) await waitForJob(svc.base, id);
    const p1 = await decode(await fetch(`${svc.base}/api/jobs?limit=2`));
    expect(p1.status).toBe(200);
    expect(p1.json.jobs.map((j: any) => j.id)).toEqual([ids[2], ids[1]]);
    expect(p1.json.next_cursor).toEqual(expect.any(String));
    const p2 = await decode(await fetch(`${svc.base}/api/jobs?limit=2&cursor=${p1.json.next_cursor}`));
    expect(p2.json.jobs[0].id).toBe(ids[0]);
    const canceled = await decode(await fetch(`${svc.base}/api/jobs?status=canceled&limit=100`));
    expect(canceled.json.jobs.length).toBeGreaterThanOrEqual(2);
    for (const j of canceled.json.jobs) expect(j.status).toBe('canceled');
    const times = canceled.json.jobs.map((j: any) => Date.parse(j.timings.queued_at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    for (const [q, field] of [
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=abc', 'limit'],
      ['status=done', 'status'],
      ['cursor=nonsense', 'cursor'],
    ]) {
      const bad = await decode(await fetch(`${svc.base}/api/jobs?${q}`));
      expect(bad, q).toMatchObject({ status: 400, json: { code: 'invalid_request', field } });
    }
  });
});

describe('job expiry', () => {
  let svc: Service;
  beforeAll(async () => {
    svc = await startService({ monitor: true, env: { JOB_TTL_SECONDS: '2', CLEANUP_INTERVAL_MS: '300' } });
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('an expired job answers 410 and its audio file is gone', async () => {
    const sub = await postJson(`${svc.base}/api/jobs`, { text: 'Here today, gone tomorrow.' });
    const job = await waitForJob(svc.base, sub.json.id);
    expect(job.status).toBe('succeeded');
    const file = join(svc.env.OUTPUT_DIR!, `${job.id}.wav`);
    expect(existsSync(file)).toBe(true);
    const end = Date.now() + 15_000;
    while (existsSync(file) && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
    expect(existsSync(file)).toBe(false);
    const gone = await getJob(svc, job.id);
    expect(gone).toMatchObject({ status: 410, json: { code: 'job_expired' } });
    const audio = await decode(await fetch(`${svc.base}/api/jobs/${job.id}/audio`));
    expect(audio).toMatchObject({ status: 410, json: { code: 'job_expired' } });
    const events = await decode(await fetch(`${svc.base}/api/jobs/${job.id}/events`));
    expect(events.status).toBe(410);
  });
});
