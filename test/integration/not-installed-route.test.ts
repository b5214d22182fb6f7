/**
 * Before the monitor has moved the shared route (its first probes take seconds after a fresh start),
 * GET /api/engines already says auto work goes to the backup when the primary is not installed: it
 * does (policy.ts decideRoute). No monitor runs here, so the stored route stays on the primary.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from './ha-helpers.js';
import { decode, postJson, spawnProc, startService, waitForJob, type Proc, type Service } from './harness.js';

let svc: Service;
let kokoro: Proc;
let models: string;
beforeAll(async () => {
  models = mkdtempSync(join(tmpdir(), 'no-models-'));
  const env = { PRIMARY_ENGINE: 'kokoro', BACKUP_ENGINE: 'espeak', MODELS_DIR: models, WORKER_HEARTBEAT_MS: '200' };
  svc = await startService({ engines: ['espeak'], env });
  kokoro = spawnProc('worker.js', ['--engine', 'primary'], svc.env);
  await kokoro.waitFor(/not installed/);
});
afterAll(async () => {
  kokoro?.child.kill('SIGTERM');
  await kokoro?.exited;
  await svc?.stop();
  rmSync(models, { recursive: true, force: true });
});

describe('route shown while the primary is not installed and the monitor has not moved it', () => {
  it('is the backup, saying why, and auto work is served there', async () => {
    const e = await until('not_installed state', async () => {
      const j = (await decode(await fetch(`${svc.base}/api/engines`))).json;
      return j.engines.primary.state === 'not_installed' && j;
    });
    expect(e.route).toMatchObject({ current: 'backup', reason_code: 'not_installed', since: null });
    expect(e.route.reason).toMatch(/primary engine \(kokoro\) is not installed/);
    const r = await postJson(`${svc.base}/api/tts`, { text: 'Served by the backup.' });
    expect(r.status).toBe(200);
    expect(r.headers.get('x-engine')).toBe('espeak');
  });

  it('a Kokoro voice read by the backup is not silent: the job says so', async () => {
    const sub = await postJson(`${svc.base}/api/jobs`, { text: 'Bella, please.', voice: 'af_bella' });
    expect(sub.status).toBe(202);
    const job = await waitForJob(svc.base, sub.json.id);
    expect(job).toMatchObject({ status: 'succeeded', voice: 'female' });
    expect(job.warnings).toEqual([
      'voice "af_bella" is not a voice of espeak, which serves this job: read with its female voices',
    ]);
  });
});
