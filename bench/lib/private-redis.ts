/**
 * A Redis server of the bench's own (redis-server on a free loopback port, no persistence), so
 * server-wide counters such as INFO commandstats count this service and nobody else's tests.
 */
import { spawn, spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from '../../test/integration/harness.js';

export interface PrivateRedis {
  url: string;
  version: string;
  stop(): Promise<void>;
}

/** Start one, or return undefined when no redis-server is installed. */
export async function startPrivateRedis(): Promise<PrivateRedis | undefined> {
  if (spawnSync('redis-server', ['--version']).status !== 0) return undefined;
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  const url = `redis://127.0.0.1:${port}`;
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined);
  let version = '';
  for (let i = 0; i < 100 && !version; i++) {
    try {
      await probe.connect();
      version = /redis_version:(\S+)/.exec(await probe.info('server'))?.[1] ?? '?';
    } catch {
      probe.disconnect();
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  probe.disconnect();
  if (!version) {
    child.kill('SIGKILL');
    throw new Error(`redis-server on port ${port} did not answer`);
  }
  return {
    url,
    version,
    async stop() {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
