/**
 * `npm run bench -- submit [--quick] [--clients N] [--seconds S] [--rounds R]`: sustained
 * submissions per second at POST /api/jobs from N concurrent keep-alive clients, side by side with
 * bare BullMQ `queue.add` from N concurrent callers on the same Redis (the floor the API is judged
 * against), alternating R times. The engine's queue is paused (the worker stays live, so pinned
 * requests are accepted, but takes nothing): submissions pile up in Redis and are removed with the
 * service's keys afterwards. CPU seconds of the API, of this process (the load generator) and of
 * Redis are read from /proc for each window, so a saturated client shows up as such.
 */
import { readFileSync } from 'node:fs';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { table, type Section } from '../lib/report.js';
import { log, runAndReport, type ModeOpts } from '../lib/run.js';
import { engineQueue, http, type Service, withService } from '../lib/service.js';
import { fmt, summarize } from '../lib/stats.js';
import { shortText } from '../texts.js';

const argNum = (args: string[], name: string, def: number) => {
  const i = args.indexOf(name);
  const v = i >= 0 ? Number(args[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : def;
};

/** Target: accepted submissions per second ≥ this share of bare queue.add (issue 19). */
const TARGET_RATIO = 0.25;
/** Linux reports process times in clock ticks of 1/100 s (USER_HZ) on every platform we run on. */
const TICKS_PER_S = 100;

/** User + system CPU seconds a process has used so far; NaN when /proc cannot tell. */
function cpuSeconds(pid: number | undefined): number {
  if (!pid) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces: fields are counted after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
  } catch {
    return NaN;
  }
}

async function redisPid(redis: Redis): Promise<number | undefined> {
  const info = await redis.info('server').catch(() => '');
  const pid = Number(/process_id:(\d+)/.exec(info)?.[1]);
  return pid > 0 ? pid : undefined;
}

interface Window {
  name: string;
  ok: number;
  perSecond: number;
  statuses: Record<string, number>;
  errors: number;
  latencyMs: ReturnType<typeof summarize>;
  /** CPU seconds per second of wall time over the measured window (1 = one core busy). */
  cpu: { api: number; client: number; redis: number };
}

/**
 * Run `op` from `clients` concurrent loops for warm-up + `seconds`; count operations started and
 * finished inside the measured window, and the CPU each process used in it.
 */
async function window(
  name: string,
  o: { clients: number; seconds: number; warmS: number; pids: { api?: number; redis?: number } },
  op: (i: number) => Promise<string>,
): Promise<Window> {
  const start = performance.now();
  const measureFrom = start + o.warmS * 1000;
  const end = measureFrom + o.seconds * 1000;
  const lat: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  let i = 0;
  let cpu0: { api: number; client: number; redis: number } | undefined;
  const sample = () => {
    const u = process.cpuUsage();
    return { api: cpuSeconds(o.pids.api), client: (u.user + u.system) / 1e6, redis: cpuSeconds(o.pids.redis) };
  };
  const startCpu = setTimeout(() => (cpu0 = sample()), o.warmS * 1000);
  const loop = async () => {
    for (;;) {
      const t = performance.now();
      if (t >= end) return;
      try {
        const status = await op(i++);
        const done = performance.now();
        if (t >= measureFrom && done <= end) {
          statuses[status] = (statuses[status] ?? 0) + 1;
          if (status === 'ok') lat.push(done - t);
        }
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: o.clients }, loop));
  clearTimeout(startCpu);
  const cpu1 = sample();
  const wall = (performance.now() - measureFrom) / 1000;
  const per = (k: 'api' | 'client' | 'redis') => (cpu0 ? (cpu1[k] - cpu0[k]) / wall : NaN);
  const ok = statuses.ok ?? 0;
  return {
    name,
    ok,
    perSecond: ok / o.seconds,
    statuses,
    errors,
    latencyMs: summarize(lat),
    cpu: { api: per('api'), client: per('client'), redis: per('redis') },
  };
}

export async function measure(opts: ModeOpts): Promise<Section> {
  const clients = argNum(opts.args, '--clients', 32);
  const seconds = argNum(opts.args, '--seconds', opts.quick ? 3 : 10);
  const rounds = argNum(opts.args, '--rounds', opts.quick ? 1 : 2);
  const warmS = opts.quick ? 1 : 2;
  return withService({ workers: 1 }, async (svc: Service) => {
    const q = engineQueue(svc);
    await q.pause();
    // Bare BullMQ on its own connection and queue under the service's prefix (removed with it).
    const bareConn = svc.redis.duplicate();
    const bare = new Queue('bench-bare-add', { connection: bareConn, prefix: svc.prefix });
    try {
      const pids = { api: svc.api.child.pid, redis: await redisPid(svc.redis) };
      const o = { clients, seconds, warmS, pids };
      const api = (i: number) =>
        http('POST', `${svc.base}/api/jobs`, { text: shortText(i), engine: 'backup' }).then((r) =>
          r.status === 202 ? 'ok' : String(r.status),
        );
      const add = (i: number) =>
        bare.add('synthesize', { request: { text: shortText(i), engine: 'backup' } }).then(() => 'ok');
      const windows: Window[] = [];
      for (let r = 0; r < rounds; r++) {
        log(`submit round ${r + 1}/${rounds}: ${clients} clients, ${warmS} s warm-up + ${seconds} s measured, API`);
        windows.push(await window('POST /api/jobs', o, api));
        log(`submit round ${r + 1}/${rounds}: bare queue.add`);
        windows.push(await window('bare queue.add', o, add));
      }
      const apiW = windows.filter((w) => w.name === 'POST /api/jobs');
      const bareW = windows.filter((w) => w.name !== 'POST /api/jobs');
      const mean = (ws: Window[]) => ws.reduce((a, w) => a + w.perSecond, 0) / ws.length;
      const perSecond = mean(apiW);
      const barePerSecond = mean(bareW);
      const ratio = perSecond / barePerSecond;
      const queued = await q.getWaitingCount();
      const data = { clients, seconds, warmUpSeconds: warmS, rounds, windows, perSecond, barePerSecond, ratio, queued };
      const markdown = table(
        [
          'what',
          'clients',
          'window',
          'done',
          'per s',
          'p50 ms',
          'p99 ms',
          'CPU API',
          'CPU client',
          'CPU Redis',
          'other / errors',
        ],
        windows.map((w) => [
          w.name,
          clients,
          `${seconds} s`,
          w.ok,
          fmt(w.perSecond, 0),
          fmt(w.latencyMs.p50, 2),
          fmt(w.latencyMs.p99, 2),
          fmt(w.cpu.api, 2),
          fmt(w.cpu.client, 2),
          fmt(w.cpu.redis, 2),
          `${JSON.stringify(Object.fromEntries(Object.entries(w.statuses).filter(([k]) => k !== 'ok')))} / ${w.errors}`,
        ]),
      );
      return {
        mode: 'submit',
        title: 'Sustained submissions at POST /api/jobs vs bare queue.add',
        data,
        markdown,
        targets: [
          {
            name: 'accepted submissions per second vs bare queue.add (same Redis, same clients)',
            goal: `≥ ${TARGET_RATIO} ×`,
            measured: `${fmt(ratio, 3)} × (${fmt(perSecond, 0)} / s vs ${fmt(barePerSecond, 0)} / s, ${clients} clients, mean of ${rounds} alternating rounds)`,
            met: ratio >= TARGET_RATIO,
          },
        ],
        notes: [
          `${clients} concurrent clients on keep-alive connections, each sending its next request when the last is answered; 10-character texts pinned to the backup engine. Counted: requests started and answered inside the ${seconds} s window after ${warmS} s of warm-up. The bare side is as many concurrent \`queue.add\` calls with default options on one connection of this process.`,
          `CPU columns: CPU seconds per wall second in the window (1.00 = one core busy), from /proc; the load generator is this process and runs on the same cores as the API and Redis (Redis CPU includes anyone else's use of it).`,
          `The queue was paused so no synthesis competed for the CPU; ${queued} jobs were waiting at the end and were deleted with the service's keys.`,
        ],
      };
    } finally {
      await bare.close();
      bareConn.disconnect();
      await q.close();
    }
  });
}

export async function run(args: string[]): Promise<void> {
  await runAndReport('submit', [{ mode: 'submit', measure }], args);
}
