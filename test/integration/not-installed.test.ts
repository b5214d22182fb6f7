import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, postJson, spawnProc, startService, waitForJob, type Proc, type Service } from './harness.js';
import { until } from './ha-helpers.js';

let svc: Service;
let kokoro: Proc;
let models: string;
beforeAll(async () => {
  models = mkdtempSync(join(tmpdir(), 'no-models-'));
  const env = {
    PRIMARY_ENGINE: 'kokoro',
    BACKUP_ENGINE: 'espeak',
    MODELS_DIR: models,
    PROBE_INTERVAL_MS: '300',
    WORKER_HEARTBEAT_MS: '200',
  };
  svc = await startService({ engines: ['espeak'], monitor: true, env });
  kokoro = spawnProc('worker.js', ['--engine', 'primary'], svc.env);
});
afterAll(async () => {
  kokoro?.child.kill('SIGTERM');
  await kokoro?.exited;
  await svc?.stop();
  rmSync(models, { recursive: true, force: true });
});

describe('primary engine without its model', () => {
  it('the worker stays up and says how to install the model', async () => {
    const line = await kokoro.waitFor(/not installed/);
    expect(line).toContain('npm run models -- install kokoro');
    expect(kokoro.child.exitCode).toBeNull();
  });

  it('GET /api/engines and /readyz report "not installed" with the install command', async () => {
    const e = await until('not_installed state', async () => {
      const j = (await decode(await fetch(`${svc.base}/api/engines`))).json;
      return j.engines.primary.state === 'not_installed' && j;
    });
    expect(e.engines.primary).toMatchObject({
      name: 'kokoro',
      install: 'npm run models -- install kokoro',
      live_workers: 0,
    });
    const ready = (await decode(await fetch(`${svc.base}/readyz`))).json;
    expect(ready.engines.kokoro).toMatchObject({ state: 'not_installed', install: 'npm run models -- install kokoro' });
    expect(ready.status).toBe('ready'); // the backup serves
    await until(
      'route on the backup',
      async () => (await decode(await fetch(`${svc.base}/api/engines`))).json.route.current === 'backup',
    );
  });

  it('auto requests are served by the backup', async () => {
    const r = await postJson(`${svc.base}/api/tts`, { text: '你好，这是一个语音示例。Hello, this is a sample.' });
    expect(r.status).toBe(200);
    expect(r.headers.get('x-engine')).toBe('espeak');
    const sub = await postJson(`${svc.base}/api/jobs`, { text: 'Served anyway.' });
    expect((await waitForJob(svc.base, sub.json.id)).engine.used).toBe('espeak');
  });

  it('requests pinned to the primary get 503 saying so', async () => {
    const r = await postJson(`${svc.base}/api/tts`, { text: 'hello', engine: 'primary' });
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBeTruthy();
    expect(r.json).toMatchObject({
      code: 'engine_unavailable',
      state: 'not_installed',
      install: 'npm run models -- install kokoro',
    });
    expect(r.json.error).toMatch(/not installed/);
  });
});
