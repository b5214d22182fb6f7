/**
 * `npm run test:voice:faults` (not yet in CI: in two of four runs the Kokoro workers of this file
 * vanished — no process left, no exit logged to the test — and the tests waited out their timeouts;
 * alone and in the other runs all four passed). Failures with the real Kokoro: a worker SIGKILLed mid-job (default lock settings), a hung
 * inference, a backlog that spills `auto` work to espeak-ng, a HUP reload of the weights, and the
 * return to the primary after the observation period and a quiet moment.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultKey } from '../../src/queue/names.js';
import { postJson, type Proc, spawnProc, startService, waitForJob, type Service } from '../integration/harness.js';
import { VOICE_MODELS_DIR } from './cache.js';

let svc: Service;
let models: string;
const kokoroWorkers: Proc[] = [];

/** A models folder of its own (links to the cached files), so a reload test can swap the weights. */
function modelsCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-voice-models-'));
  const src = join(VOICE_MODELS_DIR, 'kokoro');
  mkdirSync(join(dir, 'kokoro', 'voices'), { recursive: true });
  for (const f of readdirSync(join(src, 'voices')))
    symlinkSync(join(src, 'voices', f), join(dir, 'kokoro', 'voices', f));
  copyFileSync(join(src, 'config.json'), join(dir, 'kokoro', 'config.json'));
  symlinkSync(join(src, 'model.onnx'), join(dir, 'kokoro', 'model.onnx'));
  return dir;
}

async function kokoroWorker(): Promise<Proc> {
  const w = spawnProc('worker.js', ['--engine', 'kokoro'], svc.env);
  svc.workers.push(w);
  kokoroWorkers.push(w);
  // A worker that dies while loading fails the test at once, with its last lines.
  const died = w.exited.then((code) => {
    throw new Error(
      `kokoro worker exited (${code ?? w.child.signalCode}) before it was ready:\n${w.lines.slice(-20).join('\n')}`,
    );
  });
  await Promise.race([w.waitFor(/worker ready/, 240_000), died]);
  died.catch(() => undefined);
  return w;
}

const LONG =
  'The museum is open from Monday to Saturday, and on Sundays it opens at noon. Turn left at the second light, then go straight until you see the river. ' +
  'The children played in the garden all afternoon while their parents talked about the weather, the harvest and the long winter ahead.';

beforeAll(async () => {
  models = modelsCopy();
  svc = await startService({
    monitor: true,
    env: {
      MODELS_DIR: models,
      PRIMARY_ENGINE: 'kokoro',
      BACKUP_ENGINE: 'espeak',
      FAULT_INJECTION: 'true',
      PROBE_INTERVAL_MS: '1000',
      PROBE_TIMEOUT_MS: '20000',
      FAILOVER_THRESHOLD: '2',
      RECOVERY_PROBES: '2',
      RECOVERY_WINDOW_MS: '4000',
      CHUNK_TIMEOUT_MS: '5000',
      OVERLOAD_WAIT_MS: '4000',
    },
  });
  await kokoroWorker();
}, 300_000);

afterAll(async () => {
  // A worker that ended without the test ending it says why (its last log lines).
  for (const w of kokoroWorkers)
    if (w.child.signalCode !== 'SIGKILL' && (w.child.exitCode !== null || w.child.signalCode !== null))
      process.stdout.write(
        `kokoro worker ended (${w.child.exitCode ?? w.child.signalCode}):\n${w.lines.slice(-20).join('\n')}\n`,
      );
  await svc?.stop();
  if (models) rmSync(models, { recursive: true, force: true });
});

const view = async (id: string) => (await (await fetch(`${svc.base}/api/jobs/${id}`)).json()) as any;

async function until<T>(what: string, ms: number, f: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the real Kokoro through failures', () => {
  it('a Kokoro worker SIGKILLed mid-job: the job runs again within seconds, and its view says so', async () => {
    const standby = await kokoroWorker();
    const sub = await postJson(`${svc.base}/api/jobs`, { text: LONG, engine: 'primary' });
    expect(sub.status).toBe(202);
    const id = sub.json.id as string;
    await until('running', 60_000, async () => ((await view(id)).status === 'running' ? true : undefined));
    const runner = await until('the worker running it', 30_000, async () =>
      kokoroWorkers.find((w) => w.lines.some((l) => l.includes(id) && l.includes('synthesis started'))),
    );
    runner.child.kill('SIGKILL');
    const killedAt = Date.now();
    const other = runner === standby ? kokoroWorkers[0] : standby;
    await until('started again', 30_000, async () =>
      other?.lines.some((l) => l.includes(id) && l.includes('synthesis started')) ? true : undefined,
    );
    const rerunMs = Date.now() - killedAt;
    const done = await waitForJob(svc.base, id, 180_000);
    process.stdout.write(`kill: the job started again ${rerunMs} ms after the SIGKILL\n`);
    expect(done.status).toBe('succeeded');
    expect(done.engine.used).toBe('kokoro');
    expect(done.attempts).toBe(2);
    expect(done.restarts).toBe(1);
    // Default JOB_LOCK_MS (6 s) and JOB_STALLED_INTERVAL_MS (2 s): the lock lapses, the next check takes it back.
    expect(rerunMs).toBeLessThan(12_000);
  });

  it('a hung inference is abandoned after CHUNK_TIMEOUT_MS, and the job finishes on a retry', async () => {
    await svc.redis.set(faultKey(svc.prefix, 'kokoro'), JSON.stringify({ mode: 'hang' }), 'PX', 4000);
    const sub = await postJson(`${svc.base}/api/jobs`, {
      text: 'Is it going to rain this weekend?',
      engine: 'primary',
    });
    const done = await waitForJob(svc.base, sub.json.id, 120_000);
    expect(done.status).toBe('succeeded');
    expect(done.engine.used).toBe('kokoro');
    expect(done.attempts).toBeGreaterThanOrEqual(2);
  });

  it('a backlog on Kokoro spills new auto work to espeak-ng, and traffic returns once it is quiet', async () => {
    const texts = Array.from({ length: 8 }, (_, i) => `${LONG} Number ${i}.`);
    const backlog = await Promise.all(
      texts.map((text) => postJson(`${svc.base}/api/jobs`, { text, engine: 'primary' })),
    );
    // Routing is decided at submission: an auto job's view names its engine at once. Those still sent
    // to Kokoro (before the monitor has seen the backlog) are canceled.
    const routedTo = async (text: string, engine: string) =>
      until(`auto work routed to ${engine}`, 90_000, async () => {
        const sub = await postJson(`${svc.base}/api/jobs`, { text, engine: 'auto' });
        if ((await view(sub.json.id)).engine.name === engine) return sub.json.id as string;
        await fetch(`${svc.base}/api/jobs/${sub.json.id}`, { method: 'DELETE' });
        await new Promise((r) => setTimeout(r, 500));
        return undefined;
      });
    const spilledId = await routedTo('What a wonderful surprise this is!', 'espeak');
    const spilled = await waitForJob(svc.base, spilledId, 60_000);
    expect(spilled).toMatchObject({ status: 'succeeded', engine: { route: 'backup', used: 'espeak' } });
    for (const b of backlog) await fetch(`${svc.base}/api/jobs/${b.json.id}`, { method: 'DELETE' });
    // The backlog gone, the primary's wait is short again: auto work goes back to Kokoro.
    const backId = await routedTo('Mix two cups of flour with one egg.', 'kokoro');
    const back = await waitForJob(svc.base, backId, 120_000);
    expect(back).toMatchObject({ status: 'succeeded', engine: { route: 'primary', used: 'kokoro' } });
  });

  it('SIGHUP reloads new weights while the worker keeps serving', async () => {
    const w = kokoroWorkers.find((p) => p.child.exitCode === null && p.child.signalCode === null) as Proc;
    // "New weights": the file is replaced (a copy, not the link the worker opened).
    const target = join(models, 'kokoro', 'model.onnx');
    rmSync(target);
    copyFileSync(join(VOICE_MODELS_DIR, 'kokoro', 'model.onnx'), target);
    const before = w.lines.length;
    w.child.kill('SIGHUP');
    const sub = await postJson(`${svc.base}/api/jobs`, {
      text: 'Our flight was delayed by 45 minutes.',
      engine: 'primary',
    });
    await until('reloaded', 120_000, async () =>
      w.lines.slice(before).some((l) => l.includes('engine reloaded')) ? true : undefined,
    );
    const done = await waitForJob(svc.base, sub.json.id, 120_000);
    expect(done.status).toBe('succeeded');
    expect(done.engine.used).toBe('kokoro');
  });
});
