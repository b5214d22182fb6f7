/**
 * The record `npm start` keeps of the processes it runs (DATA_DIR/run.json), so that a start after
 * an unclean end (the supervisor killed with SIGKILL, the machine's OOM killer) can tell what an
 * earlier run left behind, say so, and recover instead of failing on a busy port.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

export interface RunRecord {
  supervisor: number;
  redis?: { pid: number; port: number };
  /** Role name → pid of the API, monitor and worker processes. */
  children: Record<string, number>;
}

/** Whether `pid` is alive and (where /proc shows it) runs a command matching `command`: pids get reused. */
export function isAlive(pid: number, command: RegExp): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  const cmdline = `/proc/${pid}/cmdline`;
  if (!existsSync(cmdline)) return true; // no /proc (macOS): trust the pid
  try {
    return command.test(readFileSync(cmdline, 'utf8').replaceAll('\0', ' '));
  } catch {
    return false; // exited meanwhile
  }
}

export function readRunRecord(path: string): RunRecord | undefined {
  try {
    const r = JSON.parse(readFileSync(path, 'utf8')) as Partial<RunRecord>;
    if (typeof r.supervisor !== 'number') return undefined;
    return { supervisor: r.supervisor, redis: r.redis, children: r.children ?? {} };
  } catch {
    return undefined;
  }
}

export function writeRunRecord(path: string, record: RunRecord): void {
  writeFileSync(path, `${JSON.stringify(record)}\n`);
}

export function removeRunRecord(path: string): void {
  rmSync(path, { force: true });
}

const SUPERVISOR = /start\.js|run\.mjs/;
const SERVICE = /dist\/cli\/|dist\\cli\\/;
const REDIS = /redis-server/;

async function waitGone(pids: number[], command: RegExp, ms: number): Promise<number[]> {
  const end = Date.now() + ms;
  let left = pids.filter((p) => isAlive(p, command));
  while (left.length && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 200));
    left = left.filter((p) => isAlive(p, command));
  }
  return left;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/**
 * Deal with what an earlier run left: refuse if its supervisor still runs; let its service processes
 * finish their jobs (they stop by themselves once their supervisor is gone), then stop its redis-server.
 * `say` gets one plain sentence per step.
 */
export async function recoverEarlierRun(
  path: string,
  say: (line: string) => void,
  opts: { drainMs: number },
): Promise<{ refused?: string }> {
  const earlier = readRunRecord(path);
  if (!earlier) return {};
  if (earlier.supervisor !== process.pid && isAlive(earlier.supervisor, SUPERVISOR)) {
    return {
      refused: `Tandem TTS is already running from this DATA_DIR (supervisor pid ${earlier.supervisor}); stop it first (Ctrl-C in its terminal, or kill ${earlier.supervisor})`,
    };
  }
  const children = Object.values(earlier.children).filter((p) => isAlive(p, SERVICE));
  if (children.length) {
    say(
      `an earlier run ended without stopping its processes (pids ${children.join(', ')}); waiting up to ${Math.round(opts.drainMs / 1000)} s for them to finish their jobs`,
    );
    for (const p of await waitGone(children, SERVICE, opts.drainMs)) signal(p, 'SIGKILL');
  }
  if (earlier.redis && isAlive(earlier.redis.pid, REDIS)) {
    say(
      `the local redis-server of an earlier run is still running (pid ${earlier.redis.pid}, port ${earlier.redis.port}); stopping it (its data is kept) and starting afresh`,
    );
    signal(earlier.redis.pid, 'SIGTERM'); // redis writes its AOF and exits on SIGTERM
    for (const p of await waitGone([earlier.redis.pid], REDIS, 15_000)) signal(p, 'SIGKILL');
  }
  removeRunRecord(path);
  return {};
}
