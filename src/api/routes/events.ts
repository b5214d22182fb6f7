import { Router } from 'express';
import { unanswered } from '../answered.js';
import { callerOf } from '../caller.js';
import { FINAL_STATUSES, type JobService, type JobView } from '../job-service.js';
import { findJob, publicView } from './jobs.js';
import { SAFETY_RECHECK_MS } from '../../jobs/watcher.js';

/** A comment line this often keeps proxies from closing a quiet stream. */
const HEARTBEAT_MS = 15_000;

/**
 * GET /api/jobs/:id/events: server-sent events of one job. `status` on each
 * status change, `progress` as chunks finish (never going backwards, even
 * when an attempt is retried or the job moves engine), and `end` with the
 * whole job once it is final; then the stream closes.
 */
export function eventsRouter({ jobs }: { jobs: JobService }): Router {
  const r = Router();
  r.get('/api/jobs/:id/events', async (req, res) => {
    // Unknown (404) and expired (410) jobs are answered before the stream starts.
    const caller = callerOf(req);
    // Woken by the job's record changes (see jobs/watcher.ts), or by the client going away; armed
    // before the first read so no change is missed.
    const gone = new AbortController();
    let next = jobs.watcher.next(req.params.id, SAFETY_RECHECK_MS, gone.signal);
    let { view } = await findJob(jobs, req.params.id, caller).catch((err) => {
      next.cancel();
      throw err;
    });
    // Answered meanwhile (the Redis gate's 503): nothing to stream to, and its 'close' has passed.
    if (!unanswered(res)) return next.cancel();
    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    let closed = false;
    res.on('close', () => {
      closed = true;
      gone.abort();
    });
    const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    res.write('retry: 2000\n\n');
    let status: JobView['status'] | undefined;
    let done = -1;
    let quietSince = Date.now();
    for (;;) {
      const final = FINAL_STATUSES.includes(view.status);
      const { chunks_done, chunks_total } = view.progress;
      // Running before its progress; the last progress before the final status.
      if (view.status !== status && !final) {
        status = view.status;
        send('status', { id: view.id, status });
        quietSince = Date.now();
      }
      if (chunks_done > done) {
        done = chunks_done;
        // The attempt goes alongside: a retry shows as a new attempt, not as progress lost.
        send('progress', { id: view.id, chunks_done, chunks_total, attempt: view.attempts });
        quietSince = Date.now();
      }
      if (final) {
        send('status', { id: view.id, status: view.status });
        send('end', publicView(view));
        next.cancel();
        break;
      }
      await next.wait;
      if (closed) return;
      if (Date.now() - quietSince > HEARTBEAT_MS) {
        res.write(': keep-alive\n\n');
        quietSince = Date.now();
      }
      next = jobs.watcher.next(view.id, SAFETY_RECHECK_MS, gone.signal);
      try {
        ({ view } = await jobs.get(view.id, caller, { position: false }));
      } catch {
        break; // Redis trouble: the client's EventSource reconnects
      }
    }
    res.end();
  });
  return r;
}
