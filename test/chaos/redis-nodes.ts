/**
 * Real Redis servers for the Redis high-availability tests: data nodes and
 * sentinels (`redis-server --sentinel`, the same binary Debian's
 * redis-sentinel package runs), each on a random loopback port with its own
 * directory, all stopped and removed by `stopAll`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../integration/harness.js';

export interface RedisNode {
  port: number;
  dir: string;
  child: ChildProcess;
  exited: Promise<unknown>;
  /** Start the same node again (same port, same directory), as a supervisor would; `extra` args are added. */
  restart(extra?: string[]): Promise<RedisNode>;
}

const nodes = new Set<RedisNode>();
const dirs: string[] = [];

/** A client that gives up at once, for probing nodes that may be down. */
export function probeClient(port: number): Redis {
  const r = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
  });
  r.on('error', () => undefined);
  return r;
}

async function waitPing(port: number, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    const r = probeClient(port);
    try {
      await r.connect();
      if ((await r.ping()) === 'PONG') return;
    } catch {
      if (Date.now() > end) throw new Error(`redis on port ${port} did not start`);
      await new Promise((res) => setTimeout(res, 100));
    } finally {
      r.disconnect();
    }
  }
}

function launch(port: number, dir: string, args: string[]): RedisNode {
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  const node: RedisNode = {
    port,
    dir,
    child,
    exited: new Promise((r) => child.once('exit', r)),
    restart: async (extra = []) => {
      const again = launch(port, dir, [...args, ...extra]);
      await waitPing(port);
      return again;
    },
  };
  nodes.add(node);
  void node.exited.then(() => nodes.delete(node));
  return node;
}

/** A data node; `replicaOf` makes it a replica of that port. */
export async function startDataNode(opts: { replicaOf?: number; extra?: string[] } = {}): Promise<RedisNode> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'tt-redis-'));
  dirs.push(dir);
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    'no',
    ...(opts.replicaOf ? ['--replicaof', '127.0.0.1', String(opts.replicaOf)] : []),
    ...(opts.extra ?? []),
  ];
  const node = launch(port, dir, args);
  await waitPing(port);
  return node;
}

/** A sentinel watching `master` under `name`, quorum 2, declaring it down after `downAfterMs`. */
export async function startSentinel(master: number, name: string, downAfterMs = 1000): Promise<RedisNode> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'tt-sentinel-'));
  dirs.push(dir);
  const conf = join(dir, 'sentinel.conf');
  writeFileSync(
    conf,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor ${name} 127.0.0.1 ${master} 2`,
      `sentinel down-after-milliseconds ${name} ${downAfterMs}`,
      `sentinel failover-timeout ${name} 10000`,
      `sentinel parallel-syncs ${name} 1`,
      '',
    ].join('\n'),
  );
  const node = launch(port, dir, [conf, '--sentinel']);
  await waitPing(port);
  return node;
}

/** The master address the sentinel on `port` reports for `name`. */
export async function sentinelMaster(port: number, name: string): Promise<number | undefined> {
  const r = probeClient(port);
  try {
    await r.connect();
    const addr = (await r.call('SENTINEL', 'get-master-addr-by-name', name)) as [string, string] | null;
    return addr ? Number(addr[1]) : undefined;
  } catch {
    return undefined;
  } finally {
    r.disconnect();
  }
}

/** How many replicas of `name` the sentinel on `port` sees as up. */
export async function sentinelReplicasUp(port: number, name: string): Promise<number> {
  const r = probeClient(port);
  try {
    await r.connect();
    const replicas = (await r.call('SENTINEL', 'replicas', name)) as string[][];
    return replicas.filter((fields) => {
      const i = fields.indexOf('flags');
      const flags = i >= 0 ? (fields[i + 1] ?? '') : '';
      return !/s_down|o_down|disconnected/.test(flags);
    }).length;
  } catch {
    return 0;
  } finally {
    r.disconnect();
  }
}

/** The replicas connected to the master on `port` (INFO replication). */
export async function connectedReplicas(port: number): Promise<number> {
  const r = probeClient(port);
  try {
    await r.connect();
    const info = await r.info('replication');
    return Number(/connected_slaves:(\d+)/.exec(info)?.[1] ?? 0);
  } catch {
    return 0;
  } finally {
    r.disconnect();
  }
}

export async function stopAll(): Promise<void> {
  const all = [...nodes];
  for (const n of all) n.child.kill('SIGKILL');
  await Promise.all(all.map((n) => n.exited));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}
