import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, freePort, postJson, type Proc, spawnProc, startService, waitForJob, type Service } from './harness.js';

/**
 * An API whose OUTPUT_DIR is not the workers' (storage not shared, as with a
 * Compose file that gives the API no audio volume): finished jobs' audio must
 * be reported as that, not as an expired job.
 */
describe('audio the API cannot find', () => {
  let svc: Service;
  let lonely: Proc;
  let lonelyBase: string;
  let lonelyDir: string;

  beforeAll(async () => {
    svc = await startService();
    lonelyDir = mkdtempSync(join(tmpdir(), 'tandem-unshared-'));
    const port = await freePort();
    lonely = spawnProc('api.js', [], { ...svc.env, PORT: String(port), OUTPUT_DIR: lonelyDir });
    await lonely.waitFor(/API listening/);
    lonelyBase = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    lonely?.child.kill('SIGTERM');
    await lonely?.exited;
    await svc?.stop();
    rmSync(lonelyDir, { recursive: true, force: true });
  });

  it('answers audio_missing naming unshared storage (not 410 job_expired), and logs it once', async () => {
    const sub = await postJson(`${lonelyBase}/api/jobs`, { text: 'Written where the API cannot see it.' });
    expect(sub.status).toBe(202);
    const job = await waitForJob(lonelyBase, sub.json.id);
    expect(job.status).toBe('succeeded');
    // The API that shares the workers' storage serves it…
    const ok = await fetch(`${svc.base}/api/jobs/${job.id}/audio`);
    expect(ok.status).toBe(200);
    expect((await ok.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    // …the one that does not says why it cannot, every time.
    for (let i = 0; i < 3; i++) {
      const r = await decode(await fetch(`${lonelyBase}/api/jobs/${job.id}/audio`));
      expect(r.status).toBe(500);
      expect(r.json.code).toBe('audio_missing');
      expect(r.json.error).toMatch(/do not share audio storage/);
      expect(r.json.error).toMatch(/OUTPUT_DIR/);
      expect(r.json.id).toBe(job.id);
    }
    // The synchronous endpoint reports the same.
    const tts = await postJson(`${lonelyBase}/api/tts`, { text: 'And this one too.' });
    expect(tts.status).toBe(500);
    expect(tts.json.code).toBe('audio_missing');
    // The job itself is not expired: its record answers normally.
    expect((await decode(await fetch(`${lonelyBase}/api/jobs/${job.id}`))).status).toBe(200);
    // One log line for the operator, with the directory, however many requests failed.
    await new Promise((r) => setTimeout(r, 200));
    // (Each request's own line carries the code too: those are not the operator's line.)
    const logged = lonely.lines.filter((l) => l.includes('"code":"audio_missing"') && !l.includes('"msg":"request"'));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain(lonelyDir);
    expect(lonely.lines.some((l) => l.includes('unhandled error'))).toBe(false);
  });
});
