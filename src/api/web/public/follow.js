// Following a job to its end: the server-sent event stream first, polling when it cannot be had.
import { UiError, request, requestJson } from './api.js';
import { sleep } from './dom.js';

const POLL_MS = 300;
const FINAL = ['succeeded', 'failed', 'canceled'];

/**
 * Follow the job until it is final: the server-sent event stream first (read with fetch, so the
 * API key goes along), polling if the stream cannot be had or breaks off. `view.get()` is the job
 * as last drawn, `view.set(job)` draws a newer one; resolves to the final job.
 */
export async function follow(id, view) {
  try {
    const job = await followEvents(id, view);
    if (job) return job;
  } catch (err) {
    if (err instanceof UiError && err.code !== 'rate_limited' && err.code !== 'network') throw err;
  }
  return poll(id, view);
}

/** Read GET /api/jobs/:id/events; resolves to the final job, or null if the stream ended early. */
async function followEvents(id, view) {
  const res = await request(`/api/jobs/${id}/events`);
  if (!res.body) return null;
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return null;
    buf += value;
    for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (!event || !data) continue;
      const d = JSON.parse(data);
      if (event === 'end') {
        view.set(d);
        await reader.cancel().catch(() => undefined);
        return d;
      }
      // A final status is drawn with the whole job, which the `end` event brings.
      if (event === 'status' && FINAL.includes(d.status)) continue;
      const prev = view.get() ?? {};
      view.set(
        event === 'progress'
          ? {
              ...prev,
              status: prev.status === 'queued' || !prev.status ? 'running' : prev.status,
              progress: { chunks_done: d.chunks_done, chunks_total: d.chunks_total },
            }
          : { ...prev, status: d.status },
      );
    }
  }
}

/** Poll the job until it is final; a 429 waits as long as the server asks. */
async function poll(id, view) {
  for (;;) {
    try {
      const job = await requestJson(`/api/jobs/${id}`);
      view.set(job);
      if (FINAL.includes(job.status)) return job;
      await sleep(POLL_MS);
    } catch (err) {
      if (err instanceof UiError && err.code === 'rate_limited') await sleep(Math.max(1, err.retryAfter) * 1000);
      else throw err;
    }
  }
}
