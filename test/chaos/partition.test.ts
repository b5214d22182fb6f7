/**
 * A partition between hosts, for real: Redis, the API and two worker hosts
 * each in a network namespace of their own, joined by a bridge. One worker
 * host loses its link to Redis in the middle of a job. The other takes the job
 * over once the lock expires and completes it exactly once; when the link
 * returns, the cut-off worker's late result is rejected: it overwrites no
 * audio and sends no second webhook.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Proc, spawnProc, waitForJob } from '../integration/harness.js';
import { until } from '../integration/ha-helpers.js';
import { type Receiver, startReceiver } from '../integration/webhook-receiver.js';
import { makeNet, type Net, netnsUnavailable } from './netns.js';

const why = netnsUnavailable();
if (why) console.warn(`partition test skipped: ${why}`);

const SECRET = `whsec_${Buffer.from('tandem-tts-partition-test-secret!').toString('base64')}`;
let net: Net | undefined;
let redis: ChildProcess | undefined;
let api: Proc | undefined;
const workers = new Map<string, Proc>();
let rx: Receiver | undefined;
let out: string;

beforeAll(async () => {
  if (why) return;
  net = makeNet(['r', 'a', 'w1', 'w2']);
  const n = net;
  out = mkdtempSync(join(tmpdir(), 'tt-partition-'));
  redis = spawn(
    n.exec('r')[0] ?? 'ip',
    [
      ...n.exec('r').slice(1),
      'redis-server',
      '--port',
      '6379',
      '--bind',
      n.ip('r'),
      '--save',
      '',
      '--appendonly',
      'no',
      '--protected-mode',
      'no',
    ],
    { stdio: 'ignore' },
  );
  rx = await startReceiver(n.gateway);
  const env = {
    REDIS_URL: `redis://${n.ip('r')}:6379`,
    QUEUE_PREFIX: `t-${randomBytes(4).toString('hex')}`,
    OUTPUT_DIR: out, // shared storage: the hosts share this directory, as with NFS
    PRIMARY_ENGINE: 'espeak',
    BACKUP_ENGINE: 'espeak',
    METRICS_PORT: '0',
    CACHE_MAX_BYTES: '0',
    WORKER_HEARTBEAT_MS: '500',
    JOB_LOCK_MS: '2000',
    JOB_STALLED_INTERVAL_MS: '1000',
    WEBHOOK_SECRET: SECRET,
    WEBHOOK_ALLOW_HOSTS: n.gateway,
    WEBHOOK_BACKOFF_MS: '200',
    HOST: n.ip('a'),
    PORT: '8080',
    ALLOW_OPEN_BIND: 'true',
  };
  for (const h of ['w1', 'w2']) {
    const w = spawnProc('worker.js', ['--engine', 'espeak'], env, n.exec(h));
    workers.set(h, w);
  }
  api = spawnProc('api.js', [], env, n.exec('a'));
  await Promise.all([...workers.values()].map((w) => w.waitFor(/worker ready/, 60_000)));
  await api.waitFor(/API listening/, 60_000);
}, 120_000);

afterAll(async () => {
  const procs = [api, ...workers.values()].filter((p): p is Proc => !!p && p.child.exitCode === null);
  for (const p of procs) p.child.kill('SIGKILL');
  await Promise.all(procs.map((p) => p.exited));
  redis?.kill('SIGKILL');
  await rx?.close();
  net?.remove();
  if (out) rmSync(out, { recursive: true, force: true });
});

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe.skipIf(!!why)('a worker host cut off from Redis in the middle of a job', () => {
  it('is taken over after the lock expires, completes once, and the late result is rejected', async () => {
    const n = net as Net;
    const base = `http://${n.ip('a')}:8080`;
    const text = Array.from(
      { length: 40 },
      (_, i) => `Sentence ${i + 1} of a document long enough to be cut in the middle.`,
    ).join(' ');
    const sub = await fetch(`${base}/api/jobs`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ text, webhook_url: rx?.url('/hook') }),
    });
    expect(sub.status).toBe(202);
    const { id } = (await sub.json()) as { id: string };

    // Whichever host started the job is cut off, once it is in the middle.
    const [cutHost, cutWorker] = await until('a worker to start the job', async () =>
      [...workers.entries()].find(([, w]) => w.lines.some((l) => l.includes(id) && l.includes('synthesis started'))),
    );
    await until('the job to be in the middle', async () => {
      const j = (await (await fetch(`${base}/api/jobs/${id}`)).json()) as { progress: { chunks_done: number } };
      return j.progress.chunks_done >= 1;
    });
    const cutAt = Date.now();
    n.link(cutHost, false);

    // The other host takes it over after the lock expires, and completes it.
    const done = await waitForJob(base, id, 120_000);
    const tookOverMs = Date.now() - cutAt;
    expect(done.status).toBe('succeeded');
    const other = [...workers.entries()].find(([h]) => h !== cutHost)?.[1] as Proc;
    expect(other.lines.some((l) => l.includes(id) && l.includes('synthesis finished'))).toBe(true);
    const file = join(out, `${id}.${done.format as string}`);
    const good = { sha: sha256(file), mtimeMs: statSync(file).mtimeMs };
    expect(good.sha).toBe(done.audio.sha256);
    await rx?.waitFor('/hook', 1, 30_000);

    // The link returns: the cut-off worker carries on, finds its lock gone and throws its result away.
    n.link(cutHost, true);
    const restoredAt = Date.now();
    await cutWorker.waitFor(/late result rejected/, 120_000);
    const rejectedAfterMs = Date.now() - restoredAt;
    // Time for a wrongly sent second event to arrive, had there been one.
    await new Promise((r) => setTimeout(r, 3_000));

    const hooks = rx?.to('/hook') ?? [];
    const finished = [...workers.values()].flatMap((w) =>
      w.lines.filter((l) => l.includes(id) && l.includes('synthesis finished')),
    );
    console.log(
      `partition: ${JSON.stringify({ cutHost, tookOverMs, rejectedAfterMs, attempts: done.attempts, webhooks: hooks.length, finished: finished.length })}`,
    );
    expect(cutWorker.lines.some((l) => l.includes(id) && l.includes('synthesis finished'))).toBe(false);
    expect(finished).toHaveLength(1);
    expect(sha256(file)).toBe(good.sha);
    expect(statSync(file).mtimeMs).toBe(good.mtimeMs);
    expect(hooks).toHaveLength(1);
    expect(JSON.parse(hooks[0]?.body ?? '{}').type).toMatch(/succeeded/);
    const final = (await (await fetch(`${base}/api/jobs/${id}`)).json()) as {
      status: string;
      audio: { sha256: string };
    };
    expect(final.status).toBe('succeeded');
    expect(final.audio.sha256).toBe(good.sha);
  });
});
