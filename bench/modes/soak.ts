/**
 * `npm run bench -- soak [--quick] [--jobs N]`: 10,000 short jobs through the API and two worker
 * processes, with the resident memory (VmRSS) of the API and of each worker sampled every second.
 * Growth = median of the last 10 % of the samples after warm-up against the median of the first
 * 10 % after warm-up; warm-up is the first 10 % of the jobs.
 */
import { table, type Section } from '../lib/report.js';
import { log, runAndReport, type ModeOpts } from '../lib/run.js';
import { engineQueue, finishedCount, rssKiB, sleep, submitJob, withService } from '../lib/service.js';
import { fmt, median } from '../lib/stats.js';
import { shortText } from '../texts.js';

const WORKERS = 2;
/** Jobs submitted but not finished, at most: a steady flow rather than one flood. */
const WINDOW = 64;

interface Sample {
  t: number;
  finished: number;
  rss: Record<string, number | undefined>;
}

export async function measure(opts: ModeOpts): Promise<Section> {
  const i = opts.args.indexOf('--jobs');
  const jobs = i >= 0 && Number(opts.args[i + 1]) > 0 ? Number(opts.args[i + 1]) : opts.quick ? 2000 : 10_000;
  return withService({ workers: WORKERS }, async (svc) => {
    const q = engineQueue(svc);
    const procs: Record<string, number | undefined> = { api: svc.api.child.pid };
    for (const [k, w] of svc.workers.entries()) procs[`worker ${k + 1}`] = w.child.pid;
    const samples: Sample[] = [];
    let finished = 0;
    let failed = 0;
    let submitted = 0;
    let done = false;
    const t0 = performance.now();
    const sampleOnce = () =>
      samples.push({
        t: (performance.now() - t0) / 1000,
        finished,
        rss: Object.fromEntries(Object.entries(procs).map(([k, pid]) => [k, rssKiB(pid)])),
      });
    sampleOnce();
    const sampler = setInterval(sampleOnce, 1000);
    const counter = (async () => {
      while (!done) {
        const c = await finishedCount(q);
        finished = c.completed + c.failed;
        failed = c.failed;
        await sleep(50);
      }
    })();
    let lastLog = 0;
    try {
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (submitted < jobs) {
            if (submitted - finished >= WINDOW) {
              await sleep(5);
              continue;
            }
            const k = submitted++;
            await submitJob(svc.base, { text: shortText(k), engine: 'backup' });
            if (performance.now() - lastLog > 10_000) {
              lastLog = performance.now();
              log(`soak: ${finished}/${jobs} finished after ${((performance.now() - t0) / 1000).toFixed(0)} s`);
            }
          }
        }),
      );
      const end = performance.now() + 300_000;
      while (finished < jobs) {
        if (performance.now() > end) throw new Error(`soak: only ${finished} of ${jobs} jobs finished`);
        await sleep(50);
      }
      sampleOnce();
    } finally {
      clearInterval(sampler);
      done = true;
      await counter;
      await q.close();
    }
    const seconds = (performance.now() - t0) / 1000;
    const after = samples.filter((s) => s.finished >= 0.1 * jobs);
    const n = Math.max(1, Math.ceil(after.length * 0.1));
    const first = after.slice(0, n);
    const last = after.slice(-n);
    const mib = (kib: number) => kib / 1024;
    const perProc = Object.keys(procs).map((name) => {
      const rssOf = (s: Sample) => s.rss[name] ?? Number.NaN;
      const start = median(first.map(rssOf));
      const endMed = median(last.map(rssOf));
      return {
        process: name,
        initialMiB: mib(samples[0] ? rssOf(samples[0]) : Number.NaN),
        afterWarmUpMiB: mib(start),
        endMiB: mib(endMed),
        peakMiB: mib(Math.max(...samples.map(rssOf).filter(Number.isFinite))),
        growth: endMed / start - 1,
      };
    });
    // A small time series for the report: about 20 points over the run.
    const step = Math.max(1, Math.floor(samples.length / 20));
    const series = samples.filter((_, k) => k % step === 0 || k === samples.length - 1);
    const worst = perProc.reduce((a, b) => (b.growth > a.growth ? b : a));
    return {
      mode: 'soak',
      title: `Soak: ${jobs.toLocaleString('en-US')} jobs, resident memory over time`,
      data: {
        jobs,
        workers: WORKERS,
        window: WINDOW,
        seconds,
        jobsPerSecond: jobs / seconds,
        failed,
        samplesTaken: samples.length,
        samplesAfterWarmUp: after.length,
        perProcess: perProc,
        seriesKiB: series,
      },
      markdown: [
        `${jobs} jobs in ${fmt(seconds, 0)} s (${fmt(jobs / seconds, 1)} jobs/s, ${failed} failed), ${samples.length} samples, ${after.length} after warm-up (medians over ${n} samples at each end).`,
        '',
        table(
          ['process', 'RSS at start MiB', 'after warm-up MiB', 'end MiB', 'peak MiB', 'growth after warm-up'],
          perProc.map((p) => [
            p.process,
            fmt(p.initialMiB),
            fmt(p.afterWarmUpMiB),
            fmt(p.endMiB),
            fmt(p.peakMiB),
            `${fmt(p.growth * 100, 1)} %`,
          ]),
        ),
        '',
        table(
          ['t s', 'jobs finished', ...Object.keys(procs).map((k) => `${k} MiB`)],
          series.map((s) => [fmt(s.t, 0), s.finished, ...Object.keys(procs).map((k) => fmt(mib(s.rss[k]!)))]),
        ),
      ].join('\n'),
      targets: [
        {
          name: `memory flat through the ${jobs.toLocaleString('en-US')}-job soak`,
          goal: '≤ 10 % growth after warm-up (every process)',
          measured: perProc.map((p) => `${p.process} ${fmt(p.growth * 100, 1)} %`).join(', '),
          met: worst.growth <= 0.1,
        },
      ],
      notes: [
        `API + ${WORKERS} espeak worker processes; 10-character texts (zh/en alternating) pinned to backup, at most ${WINDOW} jobs outstanding. VmRSS from /proc/<pid>/status every second. Warm-up = until 10 % of the jobs finished.`,
        ...(jobs < 10_000 ? [`Shortened run (${jobs} jobs); the issue's soak is 10,000 jobs.`] : []),
      ],
    };
  });
}

export async function run(args: string[]): Promise<void> {
  await runAndReport('soak', [{ mode: 'soak', measure }], args);
}
