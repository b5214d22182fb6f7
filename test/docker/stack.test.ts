/**
 * The Docker image and the Compose stack, run for real: build the image, bring
 * docker-compose.yml up (plus the test-only override), and check as a user
 * would through the published ports. Runs with `npm run test:docker`; skipped
 * with a message only where no Docker engine can be found or started.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWav } from '../../src/audio/wav.js';
import { allVoiceFiles } from '../../src/engines/kokoro/voices.js';
import { makeStandInModelsDir } from '../fixtures/make-stand-in-model.js';
import { ensureBaseImages } from './base-images.js';
import { type Engine, startEngine } from './engine.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..', '..');
const PROJECT = `tandemtest${process.pid}`;
const API = 'http://127.0.0.1:8080';
const PROMETHEUS = 'http://127.0.0.1:9090';
const IMAGE = 'tandem-tts:local';
const log = (s: string) => console.log(`[docker test] ${s}`);

let engine: Engine | undefined;
let services: string[] = [];
const timings: Record<string, number> = {};

async function timed<T>(what: string, fn: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  try {
    return await fn();
  } finally {
    timings[what] = Date.now() - t0;
    log(`${what}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
}

function docker(...args: string[]) {
  if (!engine) throw new Error('no engine');
  return run(engine.docker, args, { env: engine.env, maxBuffer: 64 * 1024 * 1024 });
}

function compose(...args: string[]) {
  if (!engine) throw new Error('no engine');
  const [cmd = 'docker-compose', ...pre] = engine.compose;
  const files = ['-p', PROJECT, '-f', 'docker-compose.yml', '-f', 'test/docker/compose.override.yml'];
  return run(cmd, [...pre, ...files, ...args], { cwd: ROOT, env: engine.env, maxBuffer: 64 * 1024 * 1024 });
}

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 60_000, every = 500) {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}; last error: ${String(last)}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

/** fetch with a timeout: a request to a published port must not hang the test. */
const get = (url: string, init: RequestInit = {}) => fetch(url, { signal: AbortSignal.timeout(30_000), ...init });

async function json(path: string, init?: RequestInit): Promise<{ status: number; body: any }> {
  const res = await get(`${API}${path}`, init);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const post = (path: string, body: unknown) =>
  json(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function submit(body: Record<string, unknown>): Promise<string> {
  const r = await post('/api/jobs', body);
  if (r.status !== 202) throw new Error(`submit: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.id as string;
}

async function finished(id: string, ms = 120_000): Promise<any> {
  return until(
    `job ${id} to finish`,
    async () => {
      const r = await json(`/api/jobs/${id}`);
      return ['succeeded', 'failed', 'canceled'].includes(r.body?.status) && r.body;
    },
    ms,
    300,
  );
}

/** Root-mean-square of 16-bit samples, 0..1: speech is well above silence. */
function rms(samples: Int16Array): number {
  let sum = 0;
  for (const s of samples) sum += (s / 32768) ** 2;
  return Math.sqrt(sum / Math.max(1, samples.length));
}

async function audioOf(id: string): Promise<Buffer> {
  const res = await get(`${API}/api/jobs/${id}/audio`);
  expect(res.status, `audio of ${id}`).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

/** Lines of the service's logs (every replica) that mention the job and say it finished. */
async function finishLines(service: string, id: string): Promise<string[]> {
  const { stdout } = await compose('logs', '--no-color', service);
  return stdout.split('\n').filter((l) => l.includes(id) && l.includes('synthesis finished'));
}

const unique = (what: string) => `${what} Number ${Math.floor(Math.random() * 1e9)}.`;

const started = await startEngine();
const skip = started.unavailable;
if (skip) console.warn(`[docker test] SKIPPED: ${skip}`);

describe.skipIf(!!skip)('the Docker image and the Compose stack', () => {
  beforeAll(async () => {
    engine = started;
    const e = started;
    const { grafana } = await timed('base images', () => ensureBaseImages(e, log));
    const { stdout } = await compose('config', '--services');
    services = stdout.split('\n').filter((s) => s && (grafana || s !== 'grafana'));
    if (!grafana) log('no Grafana image and none can be made from Debian packages: the stack runs without grafana');
    // The image exactly as a user builds it; only the network is the host's (npm registry).
    await timed('docker build', () =>
      run(started.docker, ['build', '--network', 'host', '-t', IMAGE, '.'], {
        cwd: ROOT,
        env: { ...e.env, DOCKER_BUILDKIT: '0' },
        maxBuffer: 256 * 1024 * 1024,
      }),
    );
    // The stack publishes fixed ports on the loopback; something else answering there would be tested instead.
    for (const url of [API, PROMETHEUS]) {
      const busy = await fetch(url, { signal: AbortSignal.timeout(2000) }).then(
        () => true,
        () => false,
      );
      if (busy) throw new Error(`${url} already answers: stop whatever listens there before the docker test`);
    }
    // Kokoro's files as `models install` would leave them, with the stand-in model for weights.
    await compose('up', '--no-start', ...services);
    const models = mkdtempSync(join(tmpdir(), 'tandem-docker-models-'));
    try {
      makeStandInModelsDir(join(models, 'links'), { voices: allVoiceFiles() });
      cpSync(join(models, 'links', 'kokoro'), join(models, 'kokoro'), { recursive: true, dereference: true });
      await run('chmod', ['-R', 'a+rX', models]);
      await docker(
        'run',
        '--rm',
        '--user',
        'node',
        '-v',
        `${PROJECT}_models:/data/models`,
        '-v',
        `${models}:/src:ro`,
        IMAGE,
        'cp',
        '-r',
        '/src/kokoro',
        '/data/models/kokoro',
      );
    } finally {
      rmSync(models, { recursive: true, force: true });
    }
    await timed('compose up', async () => {
      await compose('up', '-d', ...services);
      log(`started ${services.join(', ')}`);
      await until('the API to be ready', async () => (await json('/readyz')).status === 200, 120_000);
      await until(
        'both engines up',
        async () => {
          const e = (await json('/api/engines')).body;
          return e.engines.primary.state === 'up' && e.engines.backup.state === 'up';
        },
        120_000,
      );
    });
  }, 900_000);

  afterAll(async () => {
    if (!engine) return;
    await compose('down', '-v', '--remove-orphans', '-t', '5').catch((err) => log(`down failed: ${err}`));
    await engine.stop();
    log(`timings (ms): ${JSON.stringify(timings)}`);
  }, 120_000);

  const ids: { id: string; bytes: number }[] = [];

  it('serves the page and /api/tts with real audio through the published port', async () => {
    const page = await get(`${API}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);
    // Pinned to the backup: espeak-ng speaks for real (the primary runs a stand-in model in this test).
    const res = await get(`${API}/api/tts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: unique('Hello from the container.'), engine: 'backup', format: 'wav' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/audio\/wav/);
    const wav = parseWav(Buffer.from(await res.arrayBuffer()));
    expect(wav.durationMs).toBeGreaterThan(1000);
    expect(rms(wav.samples)).toBeGreaterThan(0.01);
  });

  it('completes an async job whose audio downloads; Bull Board and /metrics answer', async () => {
    const id = await submit({ text: unique('An asynchronous job in Docker.'), format: 'wav' });
    const job = await finished(id);
    expect(job.status).toBe('succeeded');
    const audio = await audioOf(id);
    expect(parseWav(audio).durationMs).toBeGreaterThan(500);
    ids.push({ id, bytes: audio.length });
    const board = await get(`${API}/admin/queues`);
    expect(board.status).toBe(200);
    expect(await board.text()).toMatch(/<html/i);
    const metrics = await get(`${API}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/tts_http_requests_total/);
  });

  it('files on the volumes are owned and writable by the image node user', async () => {
    const first = ids[0];
    if (!first) throw new Error('no job from the previous test');
    const check = (service: string, path: string) =>
      compose('exec', '-T', service, 'sh', '-c', `stat -c '%U' ${path} && test -w ${path} && echo writable`);
    for (const [service, path] of [
      ['worker-backup', `/data/audio/${first.id}.wav`],
      ['api', `/data/audio/${first.id}.wav`],
      ['worker-primary', '/data/models/kokoro/model.onnx'],
      ['worker-primary', '/data/audio'],
    ] as const) {
      const { stdout } = await check(service, path);
      expect(stdout.trim().split('\n'), `${service}:${path}`).toEqual(['node', 'writable']);
    }
    const { stdout } = await compose('exec', '-T', 'api', 'id', '-un');
    expect(stdout.trim()).toBe('node');
  });

  it('spreads jobs over the replicas of --scale worker-backup=3', async () => {
    await timed('scale to 3', async () => {
      await compose('up', '-d', '--no-deps', '--scale', 'worker-backup=3', 'worker-backup');
      await until(
        'three live backup workers',
        async () => (await json('/api/engines')).body.engines.backup.live_workers === 3,
        120_000,
      );
    });
    const long = Array.from({ length: 8 }, (_, i) => `Sentence ${i} keeps a worker busy for a moment.`).join(' ');
    const jobs = await Promise.all(Array.from({ length: 9 }, () => submit({ text: unique(long), engine: 'backup' })));
    for (const id of jobs) expect((await finished(id)).status).toBe('succeeded');
    const replicas = new Set<string>();
    for (const id of jobs) {
      const lines = await finishLines('worker-backup', id);
      expect(lines, id).toHaveLength(1);
      replicas.add((lines[0] ?? '').split('|')[0]?.trim() ?? '');
    }
    expect(replicas.size, [...replicas].join(', ')).toBeGreaterThanOrEqual(2);
  });

  it('a worker SIGKILLed mid-job: the job still completes, exactly once', async () => {
    const text = unique(
      Array.from({ length: 150 }, (_, i) => `Line ${i} of a long reading that is cut short by a kill.`).join(' '),
    );
    const id = await submit({ text, engine: 'auto' });
    await until('the job to run', async () => (await json(`/api/jobs/${id}`)).body.status === 'running', 60_000, 200);
    const on = (await json(`/api/jobs/${id}`)).body.engine.route as string;
    const service = on === 'primary' ? 'worker-primary' : 'worker-backup';
    // Kill the container that runs it: with several replicas, the one whose log has the job.
    const { stdout } = await compose('logs', '--no-color', service);
    const line = stdout.split('\n').find((l) => l.includes(id) && l.includes('synthesis started'));
    // The worker id starts with the container's hostname, which is its container id.
    const container = /"workerId":"([0-9a-f]{12}):/.exec(line ?? '')?.[1];
    expect(container, `no worker log for ${id}`).toBeTruthy();
    if (service === 'worker-primary') await compose('kill', '-s', 'SIGKILL', 'worker-primary');
    else await docker('kill', '-s', 'SIGKILL', container ?? '');
    log(`killed ${service} container ${container} running job ${id}`);
    const job = await finished(id, 180_000);
    expect(job.status).toBe('succeeded');
    const lines = [...(await finishLines('worker-primary', id)), ...(await finishLines('worker-backup', id))];
    expect(lines, lines.join('\n')).toHaveLength(1);
    await audioOf(id);
    // Back to full strength (a killed container is not restarted by its policy).
    await compose('up', '-d', '--no-deps', '--scale', 'worker-backup=3', 'worker-backup', 'worker-primary');
  });

  it('restart redis: accepted jobs survive (AOF on its volume)', async () => {
    // More work than the workers take at once, so most of it is still waiting when Redis restarts.
    // Opus (slower to encode than espeak-ng is to speak) and many jobs: the WebAssembly espeak-ng
    // finishes plain WAV jobs of this size before the restart could catch any waiting.
    const text = (i: number) =>
      unique(Array.from({ length: 16 }, (_, k) => `Accepted before the restart, job ${i}, line ${k}.`).join(' '));
    const accepted = await Promise.all(
      Array.from({ length: 40 }, (_, i) => submit({ text: text(i), engine: 'backup', format: 'opus' })),
    );
    await new Promise((r) => setTimeout(r, 1500)); // appendfsync everysec
    const counts = (await json('/api/engines')).body.engines.backup.queue;
    expect(counts.waiting, JSON.stringify(counts)).toBeGreaterThan(0);
    await timed('restart redis', () => compose('restart', 'redis'));
    for (const id of accepted) expect((await finished(id, 180_000)).status, id).toBe('succeeded');
  });

  it('kill -s HUP worker-primary reloads the model without dropping a job', async () => {
    await until('primary up', async () => (await json('/api/engines')).body.engines.primary.state === 'up', 120_000);
    const text = (i: number) =>
      unique(Array.from({ length: 20 }, (_, k) => `Primary sentence ${k} of job ${i}.`).join(' '));
    const jobs = await Promise.all(Array.from({ length: 6 }, (_, i) => submit({ text: text(i), engine: 'primary' })));
    await until('a primary job to run', async () => (await json(`/api/jobs/${jobs[0]}`)).body.status !== 'queued');
    await compose('kill', '-s', 'HUP', 'worker-primary');
    for (const id of jobs) {
      const j = await finished(id);
      expect(j.status, JSON.stringify(j)).toBe('succeeded');
      expect(j.engine.used).toBe('kokoro');
    }
    const reloads = await until('the reload to be done', async () => {
      const r = Object.values(
        (await json('/api/engines')).body.engines.primary.reloads as Record<string, { state: string }>,
      );
      return r.length > 0 && r.every((x) => x.state !== 'reloading') && r;
    });
    expect(reloads.map((r) => r.state)).toEqual(['done']);
    expect((await compose('logs', '--no-color', 'worker-primary')).stdout).toMatch(/SIGHUP/);
  });

  it('Prometheus reports every scrape target up (API, each worker replica, monitor)', async () => {
    const targets = await until(
      'every target up',
      async () => {
        const r = await get(`${PROMETHEUS}/api/v1/targets`);
        const t = (await r.json()) as { data: { activeTargets: { labels: { job: string }; health: string }[] } };
        const active = t.data.activeTargets;
        const jobs = (name: string) => active.filter((a) => a.labels.job === name);
        const ok =
          jobs('api').length === 1 &&
          jobs('monitor').length === 1 &&
          jobs('worker-primary').length === 1 &&
          jobs('worker-backup').length === 3 &&
          active.every((a) => a.health === 'up');
        return ok && active;
      },
      120_000,
      2000,
    );
    expect(targets.length).toBeGreaterThanOrEqual(6);
  });

  it('down then up: jobs and audio are still there', async () => {
    const before = ids[0];
    if (!before) throw new Error('no job from the earlier test');
    await timed('down and up', async () => {
      await compose('down', '-t', '10');
      await compose('up', '-d', ...services);
      await until('the API to be ready again', async () => (await json('/readyz')).status === 200, 120_000);
    });
    const job = (await json(`/api/jobs/${before.id}`)).body;
    expect(job.status).toBe('succeeded');
    expect((await audioOf(before.id)).length).toBe(before.bytes);
  });
});
