/**
 * `npm start` as a person at a terminal uses it: Ctrl-C (SIGINT to the whole foreground process
 * group), `kill` of the npm process, and a supervisor that died without cleaning up. Runs the real
 * npm, the real supervisor, a local redis-server, the API, the monitor and an espeak worker.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWav } from '../../src/audio/wav.js';
import { freePort, postJson } from './harness.js';

interface Run {
  child: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
  waitFor(pattern: RegExp, ms?: number): Promise<string>;
}

let dir: string;
let base: string;
let env: Record<string, string>;
const started: Run[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tandem-npm-start-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  env = {
    DATA_DIR: join(dir, 'data'),
    PORT: String(port),
    LOCAL_REDIS_PORT: String(await freePort()),
    PRIMARY_ENGINE: 'espeak',
    BACKUP_ENGINE: 'espeak',
    METRICS_PORT: '0',
    CACHE_MAX_BYTES: '0',
    LOG_LEVEL: 'info',
  };
});

afterAll(async () => {
  for (const r of started) if (r.child.exitCode === null && r.child.pid) kill(-r.child.pid, 'SIGKILL');
  for (const pid of Object.values(recorded)) kill(pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // gone already
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** `npm start` as its own process group, as a shell runs a foreground command; without REDIS_URL or OUTPUT_DIR. */
async function npmStart(): Promise<Run> {
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
  const run: Run = {
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
  started.push(run);
  await run.waitFor(/Tandem TTS is ready/, 90_000);
  return run;
}

/** Every pid the supervisor recorded (itself, Redis, API, monitor, workers), remembered for cleanup. */
const recorded: Record<string, number> = {};
function pidsOfRun(): Record<string, number> {
  const r = JSON.parse(readFileSync(join(env.DATA_DIR ?? '', 'run.json'), 'utf8')) as {
    supervisor: number;
    redis?: { pid: number };
    children: Record<string, number>;
  };
  const pids = { supervisor: r.supervisor, ...(r.redis ? { redis: r.redis.pid } : {}), ...r.children };
  Object.assign(recorded, pids);
  return pids;
}

async function allGone(pids: Record<string, number>, ms: number): Promise<string[]> {
  const end = Date.now() + ms;
  for (;;) {
    const left = Object.entries(pids)
      .filter(([, p]) => alive(p))
      .map(([n, p]) => `${n} (${p})`);
    if (!left.length || Date.now() > end) return left;
    await new Promise((r) => setTimeout(r, 200));
  }
}

const LONG = Array.from({ length: 60 }, (_, i) => `This is sentence number ${i + 1} of a long text to read.`).join(' ');

describe('npm start at a terminal', () => {
  let jobId: string;

  it('Ctrl-C lets the running job finish, then every process exits; audio goes under DATA_DIR', async () => {
    const run = await npmStart();
    // dist/ is current (built by the test setup, as by `npm ci`): no build on start, and it says what starts.
    expect(run.lines.filter((l) => /compiling TypeScript/.test(l))).toEqual([]);
    expect(run.lines.some((l) => l.startsWith('Starting Tandem TTS'))).toBe(true);
    const pids = pidsOfRun();
    expect(Object.keys(pids)).toEqual(
      expect.arrayContaining(['supervisor', 'redis', 'api', 'monitor', 'worker:espeak']),
    );
    const sub = await postJson(`${base}/api/jobs`, { text: LONG });
    expect(sub.status).toBe(202);
    jobId = sub.json.id;
    // Wait until it is part-way through, as the job of the report was.
    for (;;) {
      const v = (await (await fetch(`${base}/api/jobs/${jobId}`)).json()) as { progress: { chunks_done: number } };
      if (v.progress.chunks_done >= 1) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    // What a terminal does on Ctrl-C: SIGINT to every process of the foreground group.
    kill(-(run.child.pid ?? 0), 'SIGINT');
    expect(await run.exited).toBe(0);
    expect(await allGone(pids, 5000)).toEqual([]);
    expect(run.lines.filter((l) => /second signal|abandon/.test(l))).toEqual([]);
    expect(run.lines.some((l) => l.includes(jobId) && l.includes('synthesis finished'))).toBe(true);
    // Redis stopped last, after the worker.
    const order = run.lines.filter((l) => /worker stopped|Redis is now ready to exit/.test(l));
    expect(order.at(-1)).toMatch(/Redis is now ready to exit/);
    // OUTPUT_DIR unset: the audio is under DATA_DIR/audio, not in the checkout.
    const file = join(env.DATA_DIR ?? '', 'audio', `${jobId}.wav`);
    expect(existsSync(file)).toBe(true);
    expect(parseWav(readFileSync(file)).durationMs).toBeGreaterThan(10_000);
  }, 180_000);

  it('starts again on the same DATA_DIR with the finished job, and `kill` of npm stops everything', async () => {
    const run = await npmStart();
    const pids = pidsOfRun();
    expect(run.lines.filter((l) => /earlier run/.test(l))).toEqual([]);
    const view = (await (await fetch(`${base}/api/jobs/${jobId}`)).json()) as { status: string; attempts: number };
    expect(view).toMatchObject({ status: 'succeeded', attempts: 1 });
    kill(run.child.pid ?? 0, 'SIGTERM'); // the npm process only
    await run.exited;
    expect(await allGone(pids, 15_000)).toEqual([]);
  }, 180_000);

  it('a supervisor killed outright: its children exit by themselves; the next start stops the stale Redis and says so', async () => {
    const first = await npmStart();
    const pids = pidsOfRun();
    const { supervisor, redis, ...children } = pids;
    kill(supervisor ?? 0, 'SIGKILL');
    expect(await allGone(children, 40_000)).toEqual([]);
    expect(alive(redis ?? 0)).toBe(true); // left behind: the case to recover from
    kill(-(first.child.pid ?? 0), 'SIGKILL'); // npm, which lost its child

    const second = await npmStart();
    expect(second.lines.some((l) => /local redis-server of an earlier run is still running/.test(l))).toBe(true);
    expect(alive(redis ?? 0)).toBe(false);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const now = pidsOfRun();
    kill(-(second.child.pid ?? 0), 'SIGINT');
    expect(await second.exited).toBe(0);
    expect(await allGone(now, 5000)).toEqual([]);
  }, 240_000);

  it('a Redis left by an earlier run that kept no record (older versions) is found by its data directory', async () => {
    const first = await npmStart();
    const { supervisor, redis, ...children } = pidsOfRun();
    kill(supervisor ?? 0, 'SIGKILL');
    expect(await allGone(children, 40_000)).toEqual([]);
    kill(-(first.child.pid ?? 0), 'SIGKILL');
    rmSync(join(env.DATA_DIR ?? '', 'run.json'));
    expect(alive(redis ?? 0)).toBe(true);

    const second = await npmStart();
    expect(second.lines.some((l) => /redis-server of an earlier run of this DATA_DIR was still running/.test(l))).toBe(
      true,
    );
    expect(alive(redis ?? 0)).toBe(false);
    const now = pidsOfRun();
    kill(-(second.child.pid ?? 0), 'SIGINT');
    expect(await second.exited).toBe(0);
    expect(await allGone(now, 5000)).toEqual([]);
  }, 240_000);
});
