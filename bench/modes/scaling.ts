/**
 * `npm run bench -- scaling [--quick]`: the same batch of jobs through one worker process and
 * then two; jobs per second from the first submission to the last completion.
 */
import { table, type Section } from '../lib/report.js';
import { log, runAndReport, type ModeOpts } from '../lib/run.js';
import { engineQueue, finishedCount, sleep, submitJob, withService } from '../lib/service.js';
import { fmt } from '../lib/stats.js';
import { textOf } from '../texts.js';

/** The batch: 50-character texts, Chinese and English alternating. */
const batchText = (i: number) => textOf(i % 2 === 0 ? 'zh' : 'en', 50);

interface Run {
  workers: number;
  jobs: number;
  seconds: number;
  jobsPerSecond: number;
  failed: number;
}

async function runBatch(workers: number, jobs: number): Promise<Run> {
  return withService({ workers }, async (svc) => {
    const q = engineQueue(svc);
    try {
      const submitAll = async (n: number, offset: number) => {
        let next = 0;
        await Promise.all(
          Array.from({ length: 16 }, async () => {
            while (next < n) {
              const i = next++;
              await submitJob(svc.base, { text: batchText(offset + i), engine: 'backup' });
            }
          }),
        );
      };
      const waitFinished = async (target: number, timeoutMs: number) => {
        const end = performance.now() + timeoutMs;
        for (;;) {
          const c = await finishedCount(q);
          if (c.completed + c.failed >= target) return c;
          if (performance.now() > end)
            throw new Error(`only ${c.completed + c.failed} of ${target} jobs finished in time`);
          await sleep(20);
        }
      };
      const warm = 4 * workers;
      await submitAll(warm, 0);
      await waitFinished(warm, 60_000);
      log(`scaling: ${workers} worker(s), ${jobs} jobs`);
      const t0 = performance.now();
      await submitAll(jobs, warm);
      const c = await waitFinished(warm + jobs, 600_000);
      const seconds = (performance.now() - t0) / 1000;
      return { workers, jobs, seconds, jobsPerSecond: jobs / seconds, failed: c.failed };
    } finally {
      await q.close();
    }
  });
}

export async function measure(opts: ModeOpts): Promise<Section> {
  const jobs = opts.quick ? 60 : 300;
  const runs = [await runBatch(1, jobs), await runBatch(2, jobs)];
  const speedup = runs[1]!.jobsPerSecond / runs[0]!.jobsPerSecond;
  return {
    mode: 'scaling',
    title: 'Scaling: one worker process against two',
    data: { runs, speedup },
    markdown: [
      table(
        ['worker processes', 'jobs', 'seconds', 'jobs / s', 'failed'],
        runs.map((r) => [r.workers, r.jobs, fmt(r.seconds, 2), fmt(r.jobsPerSecond, 1), r.failed]),
      ),
      '',
      `Two workers against one: ×${fmt(speedup, 2)} the throughput.`,
    ].join('\n'),
    targets: [
      {
        name: 'throughput, 2 workers vs 1',
        goal: 'no target',
        measured: `${fmt(runs[0]!.jobsPerSecond, 1)} → ${fmt(runs[1]!.jobsPerSecond, 1)} jobs/s (×${fmt(speedup, 2)})`,
        met: null,
        info: true,
      },
    ],
    notes: [
      `Each run starts a fresh service (API + N espeak worker processes, WORKER_CONCURRENCY 1), warms up with ${4} jobs per worker, then submits ${jobs} 50-character jobs (zh/en alternating, pinned to backup) from 16 clients and waits for the last to finish.`,
      'On 2 cores the API, Redis and this load generator share the CPU with the workers, so two workers cannot reach ×2.',
    ],
  };
}

export async function run(args: string[]): Promise<void> {
  await runAndReport('scaling', [{ mode: 'scaling', measure }], args);
}
