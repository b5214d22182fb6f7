import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, postJson, spawnProc, startService, waitForJob, type Service } from './harness.js';

let svc: Service;
let logDir: string;
beforeAll(async () => {
  logDir = mkdtempSync(join(tmpdir(), 'tandem-logs-'));
  svc = await startService({ env: { LOG_DIR: logDir } });
});
afterAll(async () => {
  await svc?.stop();
  rmSync(logDir, { recursive: true, force: true });
});

const lines = (prefix: string) =>
  readdirSync(logDir)
    .filter((f) => f.startsWith(prefix))
    .flatMap((f) => readFileSync(join(logDir, f), 'utf8').split('\n').filter(Boolean))
    .map((l) => JSON.parse(l));

describe('logs', () => {
  it('health checks and static files log at debug; info is for requests an operator may act on', async () => {
    const paths = ['/readyz', '/healthz', '/assets/app.js', '/assets/style.css'];
    for (const p of paths)
      expect((await fetch(`${svc.base}${p}`, { headers: { 'X-Request-Id': 'quiet' } })).ok).toBe(true);
    await fetch(`${svc.base}/api/voices`, { headers: { 'X-Request-Id': 'loud' } });
    // A request that failed may need acting on: it stays at info.
    await fetch(`${svc.base}/assets/nope.js`, { headers: { 'X-Request-Id': 'missing' } });
    await svc.api.waitFor(/"requestId":"missing"/);
    const api = svc.api.lines.map((l) => JSON.parse(l));
    expect(api.filter((l) => l.requestId === 'quiet')).toEqual([]);
    expect(api.filter((l) => l.requestId === 'loud').map((l) => [l.level, l.path])).toEqual([[30, '/api/voices']]);
    expect(api.find((l) => l.requestId === 'missing')?.status).toBe(404);
  });

  it("a request's id follows its job into the worker's log lines", async () => {
    const sub = await postJson(`${svc.base}/api/jobs`, { text: 'Trace me.' }, { 'X-Request-Id': 'trace-abc-123' });
    expect(sub.headers.get('x-request-id')).toBe('trace-abc-123');
    await waitForJob(svc.base, sub.json.id);
    const worker = svc.workers[0]!.lines.map((l) => JSON.parse(l));
    const mine = worker.filter((l) => l.requestId === 'trace-abc-123');
    expect(mine.map((l) => l.msg)).toEqual(expect.arrayContaining(['synthesis started', 'synthesis finished']));
    expect(mine.every((l) => l.jobId === sub.json.id)).toBe(true);
  });

  it('go to rotated files in LOG_DIR that survive a restart', async () => {
    await new Promise((r) => setTimeout(r, 300)); // the file transport writes from its own thread
    const first = lines('api').filter((l) => l.msg === 'request');
    expect(first.length).toBeGreaterThan(0);
    expect(lines('worker-espeak').some((l) => l.msg === 'synthesis finished')).toBe(true);

    // Restart the API: the earlier lines are still there and new ones are added.
    svc.api.child.kill('SIGTERM');
    await svc.api.exited;
    const port = await freePort();
    const api = spawnProc('api.js', [], { ...svc.env, LOG_DIR: logDir, PORT: String(port) });
    try {
      await api.waitFor(/API listening/);
      await fetch(`http://127.0.0.1:${port}/api/voices`, { headers: { 'X-Request-Id': 'after-restart' } });
      await new Promise((r) => setTimeout(r, 300));
      const all = lines('api');
      expect(all.filter((l) => l.msg === 'request').length).toBeGreaterThan(first.length);
      expect(all.some((l) => l.requestId === 'after-restart')).toBe(true);
    } finally {
      api.child.kill('SIGTERM');
      await api.exited;
    }
  });
});
