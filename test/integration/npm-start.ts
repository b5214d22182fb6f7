/**
 * `npm start` as a shell runs it, for the tests of the supervisor: the real npm in a process group
 * of its own, its own DATA_DIR, ports and local redis-server, and the pids it records in run.json.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './harness.js';

export interface Run {
  child: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
  waitFor(pattern: RegExp, ms?: number): Promise<string>;
}

export interface NpmStart {
  dir: string;
  base: string;
  env: Record<string, string>;
  /** Start it and wait until it says it is ready. */
  start(): Promise<Run>;
  /** Every pid the supervisor recorded: itself, its redis-server, the API, monitor and workers. */
  pids(): Record<string, number>;
  /** SIGKILL whatever is left, remove the directory. */
  cleanup(): void;
}

export function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // gone already
  }
}

export const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The parent of `pid` (from /proc), e.g. the keeper of a redis-server. */
export function parentOf(pid: number): number | undefined {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return undefined;
  const fields = readFileSync(stat, 'utf8').split(') ')[1]?.split(' ');
  return fields ? Number(fields[1]) : undefined;
}

/** The named pids still alive after up to `ms`. */
export async function allGone(pids: Record<string, number>, ms: number): Promise<string[]> {
  const end = Date.now() + ms;
  for (;;) {
    const left = Object.entries(pids)
      .filter(([, p]) => alive(p))
      .map(([n, p]) => `${n} (${p})`);
    if (!left.length || Date.now() > end) return left;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** An `npm start` setup; `extra` settings go to every run. */
export async function npmStartSetup(extra: Record<string, string> = {}): Promise<NpmStart> {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-npm-start-'));
  const port = await freePort();
  const env: Record<string, string> = {
    DATA_DIR: join(dir, 'data'),
    PORT: String(port),
    LOCAL_REDIS_PORT: String(await freePort()),
    PRIMARY_ENGINE: 'espeak',
    BACKUP_ENGINE: 'espeak',
    METRICS_PORT: '0',
    CACHE_MAX_BYTES: '0',
    LOG_LEVEL: 'info',
    ...extra,
  };
  const runs: Run[] = [];
  const recorded: Record<string, number> = {};
  return {
    dir,
    base: `http://127.0.0.1:${port}`,
    env,
    start: async () => {
      const run = launch(env);
      runs.push(run);
      await run.waitFor(/Tandem TTS is ready/, 90_000);
      return run;
    },
    pids: () => {
      const r = JSON.parse(readFileSync(join(env.DATA_DIR ?? '', 'run.json'), 'utf8')) as {
        supervisor: number;
        redis?: { pid: number };
        children: Record<string, number>;
      };
      const pids = { supervisor: r.supervisor, ...(r.redis ? { redis: r.redis.pid } : {}), ...r.children };
      Object.assign(recorded, pids);
      return pids;
    },
    cleanup: () => {
      for (const r of runs) if (r.child.exitCode === null && r.child.pid) kill(-r.child.pid, 'SIGKILL');
      for (const pid of Object.values(recorded)) kill(pid, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `npm start` as its own process group, as a shell runs a foreground command; without REDIS_URL or OUTPUT_DIR. */
function launch(env: Record<string, string>): Run {
  const merged: Record<string, string | undefined> = { ...process.env, ...env };
  delete merged.REDIS_URL;
  delete merged.OUTPUT_DIR;
  delete merged.QUEUE_PREFIX;
  const child = spawn('npm', ['start'], { env: merged, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const listeners = new Set<(l: string) => void>();
  const onData = (buf: Buffer) => {
    for (const l of buf.toString().split('\n')) {
      if (!l) continue;
      lines.push(l);
      for (const f of listeners) f(l);
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return {
    child,
    lines,
    exited,
    waitFor(pattern, ms = 60_000) {
      const hit = lines.find((l) => pattern.test(l));
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => {
          listeners.delete(f);
          reject(new Error(`timed out waiting for ${pattern}; last lines:\n${lines.slice(-15).join('\n')}`));
        }, ms);
        const f = (l: string) => {
          if (!pattern.test(l)) return;
          clearTimeout(t);
          listeners.delete(f);
          resolve(l);
        };
        listeners.add(f);
      });
    },
  };
}
