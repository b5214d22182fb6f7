/**
 * Runs the real service for integration tests: compiled API and worker
 * processes on the real Redis, isolated by a random key prefix and a
 * temporary output directory, all removed afterwards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Redis } from 'ioredis';
import { loadConfig } from '../../src/config/load.js';
import { createRedis } from '../../src/queue/connection.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DIST = resolve('dist/cli');

export interface Proc {
  child: ChildProcess;
  lines: string[];
  /** Resolves when a log line matches. */
  waitFor(pattern: RegExp, ms?: number): Promise<string>;
  exited: Promise<number | null>;
}

/**
 * Run a compiled entry point; an env value of `undefined` removes that variable. `wrap` runs it
 * under another command (e.g. `ip netns exec <ns>` for a host of its own).
 */
export function spawnProc(
  script: string,
  args: string[],
  env: Record<string, string | undefined>,
  wrap: string[] = [],
): Proc {
  const merged: Record<string, string | undefined> = { ...process.env, LOG_LEVEL: 'info', ...env };
  for (const k of Object.keys(merged)) if (merged[k] === undefined) delete merged[k];
  const [cmd, ...pre] = [...wrap, process.execPath];
  const child = spawn(cmd ?? process.execPath, [...pre, join(DIST, script), ...args], {
    env: merged as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const listeners = new Set<(l: string) => void>();
  const onData = (buf: Buffer) => {
    for (const l of buf.toString().split('\n')) {
      if (!l) continue;
      lines.push(l);
      for (const f of listeners) f(l);
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return {
    child,
    lines,
    exited,
    waitFor(pattern, ms = 30_000) {
      const hit = lines.find((l) => pattern.test(l));
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => {
          listeners.delete(f);
          reject(
            new Error(`timed out waiting for ${pattern} in ${script}; last lines:\n${lines.slice(-15).join('\n')}`),
          );
        }, ms);
        const f = (l: string) => {
          if (pattern.test(l)) {
            clearTimeout(t);
            listeners.delete(f);
            resolve(l);
          }
        };
        listeners.add(f);
      });
    },
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Service {
  base: string;
  env: Record<string, string>;
  prefix: string;
  redis: Redis;
  api: Proc;
  workers: Proc[];
  monitor?: Proc;
  startWorker(extra?: Record<string, string>, engine?: string): Promise<Proc>;
  stop(): Promise<void>;
}

/**
 * Start an API and worker processes: `workers` espeak workers, or one worker
 * per name in `engines`; with `monitor`, the health monitor too.
 */
export async function startService(
  opts: {
    workers?: number;
    engines?: string[];
    monitor?: boolean;
    /** `undefined` removes a variable (e.g. REDIS_URL when the service runs on sentinels). */
    env?: Record<string, string | undefined>;
    monitorEnv?: Record<string, string>;
  } = {},
): Promise<Service> {
  const prefix = `t-${randomBytes(5).toString('hex')}`;
  const out = mkdtempSync(join(tmpdir(), 'tandem-test-'));
  const port = await freePort();
  const all: Record<string, string | undefined> = {
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    OUTPUT_DIR: out,
    PORT: String(port),
    HOST: '127.0.0.1',
    WORKER_HEARTBEAT_MS: '500',
    PRIMARY_ENGINE: 'espeak',
    BACKUP_ENGINE: 'espeak',
    METRICS_PORT: '0',
    // Off unless a test turns it on: a cached result would let engine and failover tests pass without synthesis.
    CACHE_MAX_BYTES: '0',
    ...opts.env,
  };
  const env = Object.fromEntries(
    Object.entries(all).filter((e): e is [string, string] => e[1] !== undefined),
  ) as Record<string, string>;
  const removed = Object.fromEntries(Object.keys(all).flatMap((k) => (all[k] === undefined ? [[k, undefined]] : [])));
  // The test's own client reaches Redis the way the service does (a URL or the sentinels).
  const redis = createRedis(loadConfig(env));
  redis.on('error', () => undefined); // a test that stops Redis on purpose
  const workers: Proc[] = [];
  const startWorker = async (extra: Record<string, string> = {}, engine = 'espeak') => {
    const w = spawnProc('worker.js', ['--engine', engine], { ...env, ...removed, ...extra });
    workers.push(w);
    await w.waitFor(/worker ready/);
    return w;
  };
  const engines = opts.engines ?? Array.from({ length: opts.workers ?? 1 }, () => 'espeak');
  await Promise.all(engines.map((e) => startWorker({}, e)));
  const monitor = opts.monitor ? spawnProc('monitor.js', [], { ...env, ...removed, ...opts.monitorEnv }) : undefined;
  if (monitor) await monitor.waitFor(/monitor running/);
  const api = spawnProc('api.js', [], { ...env, ...removed });
  await api.waitFor(/API listening/);
  const base = `http://127.0.0.1:${port}`;
  return {
    base,
    env,
    prefix,
    redis,
    api,
    workers,
    monitor,
    startWorker,
    async stop() {
      const all = [api, ...workers, ...(monitor ? [monitor] : [])].filter(
        (p) => p.child.exitCode === null && p.child.signalCode === null,
      );
      for (const p of all) p.child.kill('SIGTERM');
      await Promise.race([Promise.all(all.map((p) => p.exited)), new Promise((r) => setTimeout(r, 15_000))]);
      for (const p of all) if (p.child.exitCode === null) p.child.kill('SIGKILL');
      await deleteKeys(redis, `${prefix}:*`);
      redis.disconnect();
      rmSync(out, { recursive: true, force: true });
    },
  };
}

async function deleteKeys(redis: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
}

/** POST JSON and return status, headers and parsed body (or raw bytes for audio). */
export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return decode(res);
}

export async function decode(res: Response) {
  const type = res.headers.get('content-type') ?? '';
  const buf = Buffer.from(await res.arrayBuffer());
  const json = type.includes('json') ? JSON.parse(buf.toString()) : undefined;
  return { status: res.status, headers: res.headers, json, buf };
}

/** Poll a job until it is final (`headers`, e.g. an Authorization, go with every poll). */
export async function waitForJob(
  base: string,
  id: string,
  ms = 60_000,
  headers: Record<string, string> = {},
): Promise<any> {
  const end = Date.now() + ms;
  for (;;) {
    const r = await fetch(`${base}/api/jobs/${id}`, { headers });
    const j = (await r.json()) as { status: string };
    if (['succeeded', 'failed', 'canceled'].includes(j.status)) return j;
    if (Date.now() > end) throw new Error(`job ${id} still ${j.status} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
