/**
 * Which process sends which Redis commands: MONITOR on the bench's own server while `fn` runs, each
 * command attributed to the process owning the client socket (found with `ss -tnp`, Linux). Commands a
 * script runs (source `lua`) follow their EVAL/EVALSHA in the feed and are given to its client.
 * MONITOR slows the server down a little; use it for a breakdown, not for timing.
 */
import { spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';

export interface Traced {
  /** Process label (from `who`), or the client address when no process was found. */
  by: string;
  command: string;
  /** Run inside a script. */
  lua: boolean;
  /** The first key (for EVAL/EVALSHA, the script's first key), to tell BullMQ's keys from the store's. */
  key: string;
}

/** Client address (`127.0.0.1:port`) → pid, for sockets connected to `redisPort`. */
function socketsToPids(redisPort: number): Map<string, number> {
  const out = new Map<string, number>();
  const r = spawnSync('ss', ['-Htnp', 'dport', '=', `:${redisPort}`], { encoding: 'utf8' });
  for (const line of r.stdout?.split('\n') ?? []) {
    const cols = line.trim().split(/\s+/);
    const pid = /pid=(\d+)/.exec(line)?.[1];
    if (cols.length >= 5 && pid) out.set(cols[3]!, Number(pid));
  }
  return out;
}

export async function traceCommands(
  url: string,
  who: Map<number, string>,
  fn: () => Promise<void>,
  settleMs = 100,
): Promise<Traced[]> {
  const port = Number(new URL(url).port || 6379);
  const client = new Redis(url);
  const monitor = await client.monitor();
  const raw: { source: string; command: string; key: string }[] = [];
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    const command = String(args[0] ?? '').toLowerCase();
    const script = command === 'eval' || command === 'evalsha';
    raw.push({ source, command, key: String((script ? args[3] : args[1]) ?? '') });
  });
  // The monitor connection's own setup is not part of the trace.
  await new Promise((r) => setTimeout(r, 50));
  raw.length = 0;
  await fn();
  await new Promise((r) => setTimeout(r, settleMs));
  const pids = socketsToPids(port);
  monitor.disconnect();
  client.disconnect();
  let last = '?';
  return raw.map(({ source, command, key }) => {
    const lua = source === 'lua';
    if (!lua) {
      const pid = pids.get(source);
      last = pid === undefined ? source : (who.get(pid) ?? `pid ${pid}`);
    }
    return { by: last, command, lua, key };
  });
}

/** Counts per process and command: rows [command, count per label…], most frequent first. */
export function traceTable(trace: Traced[], labels: string[]): (string | number)[][] {
  const key = (t: Traced) => `${t.command}${t.lua ? ' (in script)' : ''}`;
  const counts = new Map<string, Map<string, number>>();
  for (const t of trace) {
    const row = counts.get(key(t)) ?? new Map<string, number>();
    row.set(t.by, (row.get(t.by) ?? 0) + 1);
    counts.set(key(t), row);
  }
  const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  const rows = [...counts].sort((a, b) => sum(b[1]) - sum(a[1]));
  return [
    ['**total**', ...labels.map((l) => trace.filter((t) => t.by === l).length)],
    ...rows.map(([k, m]) => [k, ...labels.map((l) => m.get(l) ?? 0)]),
  ];
}
