import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startService, waitForJob, type Service } from '../integration/harness.js';
import { submit } from '../integration/ha-helpers.js';

let svc: Service;
let redis: ChildProcess;
let dir: string;
let port: number;

async function startRedis(): Promise<void> {
  redis = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--save',
      '',
    ],
    { stdio: 'ignore' },
  );
  const probe = new Redis(`redis://127.0.0.1:${port}`, {
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
  });
  probe.on('error', () => undefined);
  for (let i = 0; i < 100; i++) {
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error('redis-server did not start');
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'chaos-redis-'));
  port = await freePort();
  await startRedis();
  svc = await startService({ workers: 1, env: { REDIS_URL: `redis://127.0.0.1:${port}` } });
});
afterAll(async () => {
  await svc?.stop();
  redis?.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

describe('Redis restarts while jobs are queued and running', () => {
  it('loses no accepted job', async () => {
    const text = (i: number) =>
      Array.from({ length: 8 }, (_, k) => `Document ${i}, line ${k + 1}, survives a Redis restart.`).join(' ');
    const ids: string[] = [];
    for (let i = 0; i < 25; i++) ids.push(await submit(svc, { text: text(i) }));

    // Restart Redis (it writes its AOF on the way down) with work queued and running.
    redis.kill('SIGTERM');
    await new Promise((r) => redis.once('exit', r));
    await new Promise((r) => setTimeout(r, 500));
    await startRedis();

    // Accepted before the restart, and accepted after it: all complete.
    for (let i = 25; i < 30; i++) ids.push(await submit(svc, { text: text(i) }));
    for (const id of ids) expect((await waitForJob(svc.base, id, 120_000)).status, id).toBe('succeeded');
  });
});
