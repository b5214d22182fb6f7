/**
 * `npm run bench -- priority [--quick] [--backlog N]`: p50 latency of a 50-character POST /api/tts
 * (interactive) with N bulk jobs waiting (default 1,000), divided by the same with an empty queue.
 * Target ≤ 1.5: interactive work is taken before bulk, so it waits at most for the job running now.
 */
import { table, type Section } from '../lib/report.js';
import { log, runAndReport, type ModeOpts } from '../lib/run.js';
import { engineQueue, http, withService } from '../lib/service.js';
import { fmt, summarize } from '../lib/stats.js';
import { textOf } from '../texts.js';

async function ttsLatencies(base: string, reps: number, tag: string): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < reps; i++) {
    // Different texts, so nothing is shared between requests; 50 characters each.
    const text = `${tag} ${i}. ${textOf('en', 50)}`.slice(0, 50);
    const r = await http('POST', `${base}/api/tts`, { text, engine: 'backup' });
    if (r.status !== 200) throw new Error(`POST /api/tts answered ${r.status}: ${r.body.slice(0, 300)}`);
    out.push(r.ms);
  }
  return out;
}

export async function measure(opts: ModeOpts): Promise<Section> {
  const reps = opts.quick ? 8 : 30;
  const i = opts.args.indexOf('--backlog');
  const backlog = i >= 0 ? Number(opts.args[i + 1]) : opts.quick ? 200 : 1000;
  // Promotion would turn old bulk work into normal work during the run; this measures priority alone.
  return withService({ workers: 1, env: { BULK_PROMOTE_AFTER_MS: '86400000' } }, async (svc) => {
    await ttsLatencies(svc.base, 3, 'warm-up');
    const idle = await ttsLatencies(svc.base, reps, 'idle');
    log(`priority: ${reps} requests on an empty queue done; queueing ${backlog} bulk jobs`);
    for (let k = 0; k < backlog; k += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, backlog - k) }, (_, j) =>
          http('POST', `${svc.base}/api/jobs`, {
            text: `Bulk ${k + j}. ${textOf('en', 50)}`.slice(0, 50),
            engine: 'backup',
            priority: 'bulk',
          }),
        ),
      );
    }
    const q = engineQueue(svc);
    const before = await q.getJobCounts('prioritized', 'waiting', 'active');
    const busy = await ttsLatencies(svc.base, reps, 'busy');
    const after = await q.getJobCounts('prioritized', 'waiting', 'active');
    await q.close();
    const waitingBefore = (before.prioritized ?? 0) + (before.waiting ?? 0);
    const waitingAfter = (after.prioritized ?? 0) + (after.waiting ?? 0);
    const s0 = summarize(idle);
    const s1 = summarize(busy);
    const ratio = s1.p50 / s0.p50;
    log(`priority: p50 ${fmt(s0.p50)} ms idle, ${fmt(s1.p50)} ms with ${waitingBefore}→${waitingAfter} bulk waiting`);
    return {
      mode: 'priority',
      title: 'Interactive latency with a bulk backlog',
      data: { reps, backlog, waitingBefore, waitingAfter, idleMs: s0, busyMs: s1, ratio },
      markdown: table(
        ['queue', 'requests', 'p50 ms', 'p95 ms', 'max ms'],
        [
          ['empty', s0.n, fmt(s0.p50), fmt(s0.p95), fmt(s0.max)],
          [`${waitingBefore}→${waitingAfter} bulk waiting`, s1.n, fmt(s1.p50), fmt(s1.p95), fmt(s1.max)],
        ],
      ),
      targets: [
        {
          name: 'p50 of a 50-char /api/tts, bulk backlog ÷ empty queue',
          goal: '≤ 1.5',
          measured: fmt(ratio, 2),
          met: ratio <= 1.5,
        },
      ],
      notes: [
        'One espeak worker. /api/tts is interactive, the backlog is POST /api/jobs with "priority": "bulk"; each request waits at most for the bulk job running when it arrives.',
        'BULK_PROMOTE_AFTER_MS is set to a day for this run, so the backlog stays bulk.',
      ],
    };
  });
}

export async function run(args: string[]): Promise<void> {
  await runAndReport('priority', [{ mode: 'priority', measure }], args);
}
