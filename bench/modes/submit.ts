/**
 * `npm run bench -- submit [--quick] [--clients N] [--seconds S]`: sustained submissions per second
 * at POST /api/jobs, with latency percentiles, from N concurrent keep-alive clients. The engine's
 * queue is paused (the worker stays live, so pinned requests are accepted, but takes nothing):
 * submissions pile up in Redis and are removed with the service's keys afterwards.
 */
import { table, type Section } from '../lib/report.js';
import { log, runAndReport, type ModeOpts } from '../lib/run.js';
import { engineQueue, http, withService } from '../lib/service.js';
import { fmt, summarize } from '../lib/stats.js';
import { shortText } from '../texts.js';

const argNum = (args: string[], name: string, def: number) => {
  const i = args.indexOf(name);
  const v = i >= 0 ? Number(args[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : def;
};

export async function measure(opts: ModeOpts): Promise<Section> {
  const clients = argNum(opts.args, '--clients', 32);
  const seconds = argNum(opts.args, '--seconds', opts.quick ? 3 : 10);
  const warmS = opts.quick ? 1 : 2;
  return withService({ workers: 1 }, async (svc) => {
    const q = engineQueue(svc);
    await q.pause();
    try {
      const start = performance.now();
      const measureFrom = start + warmS * 1000;
      const end = measureFrom + seconds * 1000;
      const lat: number[] = [];
      const statuses: Record<string, number> = {};
      let errors = 0;
      let i = 0;
      log(`submit: ${clients} clients, ${warmS} s warm-up + ${seconds} s measured`);
      const client = async () => {
        for (;;) {
          const t = performance.now();
          if (t >= end) return;
          const text = shortText(i++);
          try {
            const r = await http('POST', `${svc.base}/api/jobs`, { text, engine: 'backup' });
            const done = performance.now();
            if (t >= measureFrom && done <= end) {
              statuses[r.status] = (statuses[r.status] ?? 0) + 1;
              if (r.status === 202) lat.push(r.ms);
            }
          } catch {
            errors++;
          }
        }
      };
      await Promise.all(Array.from({ length: clients }, client));
      const accepted = statuses['202'] ?? 0;
      const perSecond = accepted / seconds;
      const s = summarize(lat);
      const queued = await q.getWaitingCount();
      const data = {
        clients,
        seconds,
        warmUpSeconds: warmS,
        accepted,
        perSecond,
        statuses,
        errors,
        latencyMs: s,
        queuedAtEnd: queued,
      };
      const markdown = table(
        [
          'clients',
          'window',
          'accepted (202)',
          'accepted / s',
          'p50 ms',
          'p95 ms',
          'p99 ms',
          'max ms',
          'other statuses',
          'errors',
        ],
        [
          [
            clients,
            `${seconds} s`,
            accepted,
            fmt(perSecond, 0),
            fmt(s.p50, 2),
            fmt(s.p95, 2),
            fmt(s.p99, 2),
            fmt(s.max, 1),
            JSON.stringify(Object.fromEntries(Object.entries(statuses).filter(([k]) => k !== '202'))),
            errors,
          ],
        ],
      );
      return {
        mode: 'submit',
        title: 'Sustained submissions at POST /api/jobs',
        data,
        markdown,
        targets: [
          {
            name: 'accepted submissions per second',
            goal: '≥ 1,000 / s',
            measured: `${fmt(perSecond, 0)} / s (p50 ${fmt(s.p50, 2)} ms, p99 ${fmt(s.p99, 2)} ms, ${clients} clients)`,
            met: perSecond >= 1000,
          },
        ],
        notes: [
          `${clients} concurrent clients on keep-alive connections, each sending its next request when the last is answered; 10-character texts pinned to the backup engine. Counted: requests started and answered inside the ${seconds} s window after ${warmS} s of warm-up.`,
          `The queue was paused so no synthesis competed for the CPU; ${queued} jobs were waiting at the end and were deleted with the service's keys. The load generator runs on the same cores as the API and Redis.`,
        ],
      };
    } finally {
      await q.close();
    }
  });
}

export async function run(args: string[]): Promise<void> {
  await runAndReport('submit', [{ mode: 'submit', measure }], args);
}
