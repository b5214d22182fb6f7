import type { Queue, QueueEvents } from 'bullmq';
import type { JobData, JobOutcome, Route } from '../domain/job.js';
import { PROBE_JOB } from '../queue/names.js';

/** What one probe showed: `error` unset when it completed; `state` is the job's state after a failed wait. */
export interface ProbeResult {
  ms: number;
  error?: string;
  state?: string;
}

/**
 * Send one small synthesis through an engine's queue and wait for it. A completed probe is removed
 * at once, a failed one is kept until it has been read (then removed here): so when the wait's first
 * look finds no job at all (BullMQ's "Missing key … isFinished", a fast worker having finished and
 * removed it before the wait looked), the probe completed. Counted as a failure, that race made a
 * healthy engine fail about one check in twenty.
 */
export async function sendProbe(
  queue: Queue<JobData, JobOutcome>,
  events: QueueEvents,
  opts: { engine: string; route: Route; timeoutMs: number },
): Promise<ProbeResult> {
  const job = await queue.add(
    PROBE_JOB,
    {
      request: { text: 'test', voice: 'female', speed: 1, format: 'wav', engine: 'auto' },
      route: opts.route,
      engine: opts.engine,
    },
    { lifo: true, attempts: 1, removeOnComplete: true, removeOnFail: false },
  );
  const start = performance.now();
  let error: string | undefined;
  try {
    await job.waitUntilFinished(events, opts.timeoutMs);
  } catch (err) {
    const message = (err as Error).message;
    if (!/^Missing key for job .* isFinished$/.test(message)) error = message;
  }
  const ms = Math.round(performance.now() - start);
  if (error === undefined) return { ms };
  const state = await job.getState();
  // Read: nothing more to learn from it. A waiting one is taken back too (it would run for nobody).
  if (state !== 'active') await job.remove().catch(() => undefined);
  return { ms, error, state };
}
