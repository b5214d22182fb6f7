import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, postJson, startService, type Service } from './harness.js';
import { setFault, until } from './ha-helpers.js';

let svc: Service;
beforeAll(async () => {
  svc = await startService({ workers: 2, env: { FAULT_INJECTION: 'true' } });
});
afterAll(async () => {
  await svc?.stop();
});

const reloads = async () =>
  (await decode(await fetch(`${svc.base}/api/engines`))).json.engines.backup.reloads as Record<string, any>;
const times = (lines: string[], msg: string) =>
  lines
    .map((l) => JSON.parse(l))
    .filter((l) => l.msg === msg)
    .map((l) => Date.parse(l.time));

describe('hot model reload', () => {
  it('reloads every worker in turn while requests keep being served', async () => {
    let stop = false;
    const results: number[] = [];
    const minLive: number[] = [];
    const traffic = (async () => {
      while (!stop) {
        const [r, ready] = await Promise.all([
          postJson(`${svc.base}/api/tts`, { text: 'Served during the reload.' }),
          decode(await fetch(`${svc.base}/readyz`)),
        ]);
        results.push(r.status);
        minLive.push(ready.json.engines.espeak.live_workers);
      }
    })();

    const r = await postJson(`${svc.base}/api/engines/backup/reload`, {});
    expect(r.status).toBe(202);
    expect(r.json).toMatchObject({ engine: 'espeak', workers_notified: 2 });
    const done = await until(
      'both workers reloaded',
      async () => {
        const s = await reloads();
        return Object.values(s).filter((x) => x.state === 'done').length === 2 && s;
      },
      30_000,
    );
    stop = true;
    await traffic;

    expect(Object.keys(done)).toHaveLength(2);
    expect(results.length).toBeGreaterThan(3);
    expect(results.every((s) => s === 200)).toBe(true);
    expect(Math.min(...minLive)).toBeGreaterThanOrEqual(1);
    // One at a time: the second reload starts after the first has finished.
    const [a, b] = svc.workers.map((w) => ({
      start: times(w.lines, 'reloading engine')[0],
      end: times(w.lines, 'engine reloaded')[0],
    }));
    if (!a || !b) throw new Error('expected two workers');
    const [first, second] = a.start! < b.start! ? [a, b] : [b, a];
    expect(second.start).toBeGreaterThanOrEqual(first.end!);
  });

  it('a model that fails to load leaves the old one serving and reports the error', async () => {
    await setFault(svc, 'espeak', { mode: 'load' });
    try {
      await postJson(`${svc.base}/api/engines/espeak/reload`, {});
      const s = await until(
        'both reloads to fail',
        async () => {
          const x = await reloads();
          return Object.values(x).filter((v) => v.state === 'failed').length === 2 && x;
        },
        30_000,
      );
      expect(Object.values(s)[0].error).toMatch(/failed to load/);
    } finally {
      await setFault(svc, 'espeak', null);
    }
    const r = await postJson(`${svc.base}/api/tts`, { text: 'The old model still speaks.' });
    expect(r.status).toBe(200);
  });

  it('SIGHUP reloads one worker', async () => {
    const w = svc.workers[0]!;
    const before = times(w.lines, 'engine reloaded').length;
    w.child.kill('SIGHUP');
    await until('SIGHUP reload', async () => times(w.lines, 'engine reloaded').length > before, 20_000);
    expect(w.child.exitCode).toBeNull();
  });

  it('an unknown engine name → 404 naming the allowed ones', async () => {
    const r = await postJson(`${svc.base}/api/engines/nope/reload`, {});
    expect(r.status).toBe(404);
    expect(r.json.allowed).toEqual(expect.arrayContaining(['primary', 'backup', 'espeak']));
  });
});
