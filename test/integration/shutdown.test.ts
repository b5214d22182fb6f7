import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWav } from '../../src/audio/wav.js';
import { postJson, startService, type Service } from './harness.js';

let svc: Service;
beforeAll(async () => {
  svc = await startService({ workers: 1, monitor: true, env: { SHUTDOWN_TIMEOUT_MS: '20000' } });
});
afterAll(async () => {
  await svc?.stop();
});

describe('graceful shutdown', () => {
  it('the API finishes a response in flight, refuses new connections, and exits', async () => {
    const text = 'A response that is still being prepared when the API is told to stop. '.repeat(6);
    const inflight = postJson(`${svc.base}/api/tts`, { text });
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    svc.api.child.kill('SIGTERM');
    const res = await inflight;
    expect(res.status).toBe(200);
    expect(parseWav(res.buf).durationMs).toBeGreaterThan(5000);
    expect(await svc.api.exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(20_000);
    await expect(fetch(`${svc.base}/healthz`)).rejects.toThrow();
  });

  it('the monitor stops probing and exits promptly', async () => {
    const t0 = Date.now();
    svc.monitor!.child.kill('SIGTERM');
    expect(await svc.monitor!.exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
});
