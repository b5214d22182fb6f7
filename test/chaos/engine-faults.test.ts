import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, waitForJob, type Service } from '../integration/harness.js';
import { engines, job, PRIMARY, setFault, startHa, submit, until } from '../integration/ha-helpers.js';

let svc: Service;
beforeAll(async () => {
  svc = await startHa({ RECOVERY_WINDOW_MS: '600000' });
});
afterAll(async () => {
  await svc?.stop();
});

describe('engine hang and engine crash under load', () => {
  for (const mode of ['crash', 'hang'] as const) {
    it(`no accepted auto job fails when the primary engine ${mode === 'crash' ? 'crashes' : 'hangs'} on and off`, async () => {
      // Start each round with auto traffic on the primary.
      await postJson(`${svc.base}/api/router/mode`, { mode: 'primary' });
      await postJson(`${svc.base}/api/router/mode`, { mode: 'auto' });
      await until('route on the primary', async () => (await engines(svc)).route.current === 'primary');
      await setFault(svc, PRIMARY, { mode, rate: 0.4 });
      const ids: string[] = [];
      for (let i = 0; i < 25; i++)
        ids.push(await submit(svc, { text: `Request ${i} arrives while the primary engine ${mode}es now and then.` }));
      for (const id of ids) {
        const j = await waitForJob(svc.base, id, 120_000);
        expect(j.status, id).toBe('succeeded');
        expect(['espeak', PRIMARY]).toContain(j.engine.used);
      }
      // The faults were real: some jobs fell back from the primary.
      const fellBack = await Promise.all(ids.map(async (id) => (await job(svc, id)).fallback));
      expect(fellBack.some((f) => f && f.from === PRIMARY)).toBe(true);
      await setFault(svc, PRIMARY, null);
    });
  }
});
