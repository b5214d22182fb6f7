/**
 * The real service for benchmarks: the integration harness's compiled API and worker processes
 * on the real Redis (REDIS_URL, random key prefix, removed afterwards), plus a light keep-alive
 * HTTP client, fast job polling, queue counts and resident-memory sampling.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { resolve } from 'node:path';
import { Queue } from 'bullmq';
import { synthesisQueueName } from '../../src/queue/names.js';
import { startService, type Service } from '../../test/integration/harness.js';

export { REDIS_URL } from '../../test/integration/harness.js';
export type { Service };

let built = false;

/** Compile src/ into dist/ (the harness spawns dist/cli/*.js); once per bench process. */
export function ensureDist(): void {
  if (built) return;
  const tsc = resolve('node_modules/.bin/tsc');
  const t0 = performance.now();
  const r = spawnSync(tsc, ['-p', 'tsconfig.build.json'], { encoding: 'utf8' });
  if (r.status !== 0) {
    // Other people edit src/ while we run: a type error elsewhere still emits JavaScript.
    if (!existsSync(resolve('dist/cli/api.js')))
      throw new Error(`tsc -p tsconfig.build.json failed:\n${r.stdout}${r.stderr}`);
    process.stderr.write(
      `warning: tsc -p tsconfig.build.json reported errors; benchmarking the emitted dist/ anyway:\n${(r.stdout + r.stderr).slice(0, 2000)}\n`,
    );
  }
  process.stderr.write(`built dist/ in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  built = true;
}

/** Start the service with `workers` worker processes of `engine` (default espeak). */
export async function startBenchService(
  opts: { workers?: number; engine?: string; env?: Record<string, string>; monitor?: boolean } = {},
): Promise<Service> {
  ensureDist();
  const engine = opts.engine ?? 'espeak';
  return startService({
    engines: Array.from({ length: opts.workers ?? 1 }, () => engine),
    monitor: opts.monitor,
    // The synchronous path reads whole 1,000-character texts too. Logs stay at the default level
    // (info): that is how the service runs, and the harness waits for info lines.
    env: { TTS_MAX_CHARS: '2000', ...opts.env },
  });
}

const agent = new Agent({ keepAlive: true, maxSockets: 512 });

export interface HttpResult {
  status: number;
  body: string;
  ms: number;
  headers: Record<string, string | string[] | undefined>;
}

/** One HTTP request on a keep-alive connection; `ms` is from send to the last byte. */
export function http(method: string, url: string, body?: unknown): Promise<HttpResult> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const t0 = performance.now();
  return new Promise((resolveP, reject) => {
    const req = request(
      url,
      {
        method,
        agent,
        headers: payload ? { 'Content-Type': 'application/json', 'Content-Length': payload.length } : {},
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (b: Buffer) => parts.push(b));
        res.on('end', () =>
          resolveP({
            status: res.statusCode ?? 0,
            body: Buffer.concat(parts).toString(),
            ms: performance.now() - t0,
            headers: res.headers,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

export interface JobBody {
  text: string;
  engine: 'backup' | 'primary' | 'auto';
  voice?: string;
  speed?: number;
}

/** POST /api/jobs; throws unless 202. */
export async function submitJob(base: string, body: JobBody): Promise<{ id: string; status: string; ms: number }> {
  const r = await http('POST', `${base}/api/jobs`, body);
  if (r.status !== 202) throw new Error(`POST /api/jobs answered ${r.status}: ${r.body.slice(0, 300)}`);
  const j = JSON.parse(r.body) as { id: string; status: string };
  return { id: j.id, status: j.status, ms: r.ms };
}

/** The job's public view (GET /api/jobs/:id). */
export interface JobJson {
  id: string;
  status: string;
  cached?: boolean;
  timings: { queued_at: string; started_at: string | null; finished_at: string | null; synthesis_ms: number | null };
  audio: { duration_ms: number; bytes: number } | null;
  error: { message: string } | null;
  [k: string]: unknown;
}

const FINAL = new Set(['succeeded', 'failed', 'canceled']);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Poll GET /api/jobs/:id every `pollMs` until the job is final. Resolves with the view and the
 * moment (performance.now()) its final status was seen; the resolution is about one poll interval
 * plus one GET.
 */
export async function waitJob(
  base: string,
  id: string,
  opts: { pollMs?: number; timeoutMs?: number } = {},
): Promise<{ job: JobJson; seenAt: number }> {
  const end = performance.now() + (opts.timeoutMs ?? 120_000);
  for (;;) {
    const r = await http('GET', `${base}/api/jobs/${id}`);
    const seenAt = performance.now();
    if (r.status !== 200) throw new Error(`GET /api/jobs/${id} answered ${r.status}: ${r.body.slice(0, 300)}`);
    const job = JSON.parse(r.body) as JobJson;
    if (FINAL.has(job.status)) {
      if (job.status !== 'succeeded') throw new Error(`job ${id} ended ${job.status}: ${job.error?.message ?? ''}`);
      return { job, seenAt };
    }
    if (seenAt > end) throw new Error(`job ${id} still ${job.status} after ${opts.timeoutMs ?? 120_000} ms`);
    await sleep(opts.pollMs ?? 3);
  }
}

/** Milliseconds between two ISO timestamps of a job (millisecond resolution). */
export const isoDiff = (from: string | null, to: string | null): number =>
  from && to ? Date.parse(to) - Date.parse(from) : NaN;

/** A BullMQ handle on an engine's queue of a running service (counts, pause/resume); close it after use. */
export function engineQueue(svc: Service, engine = 'espeak'): Queue {
  return new Queue(synthesisQueueName(engine), { connection: svc.redis, prefix: svc.prefix });
}

/** Finished (completed + failed) jobs in a queue. */
export async function finishedCount(q: Queue): Promise<{ completed: number; failed: number }> {
  const c = await q.getJobCounts('completed', 'failed');
  return { completed: c.completed ?? 0, failed: c.failed ?? 0 };
}

/** Resident set size of a process in KiB (VmRSS), or NaN once it is gone. */
export function rssKiB(pid: number | undefined): number {
  if (!pid) return NaN;
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:'));
    if (line) return Number(line.replace(/\D+/g, ' ').trim().split(' ')[0]);
  } catch {
    // no /proc (or the process is gone): ask ps
  }
  const r = spawnSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' });
  const kib = Number(r.stdout.trim());
  return r.status === 0 && kib > 0 ? kib : NaN;
}

/** Run `fn` with a started service and always stop it (which removes its Redis keys and files). */
export async function withService<T>(
  opts: Parameters<typeof startBenchService>[0],
  fn: (svc: Service) => Promise<T>,
): Promise<T> {
  const svc = await startBenchService(opts);
  try {
    return await fn(svc);
  } finally {
    await svc.stop();
  }
}

export { sleep };
