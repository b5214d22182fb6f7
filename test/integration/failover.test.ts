import { afterEach, describe, expect, it } from 'vitest';
import { decode, freePort, postJson, waitForJob, type Service } from './harness.js';
import { engines, job, PRIMARY, setFault, startHa, submit, until } from './ha-helpers.js';

let svc: Service | undefined;
afterEach(async () => {
  await svc?.stop();
  svc = undefined;
});

const sentence = (i: number) => `Job number ${i} is read aloud while the primary engine misbehaves.`;

describe('failover', () => {
  it('moves auto traffic to the backup when the primary worker is killed, losing no auto job', async () => {
    svc = await startHa();
    const s = svc;
    expect((await engines(s)).route.current).toBe('primary');
    const primary = s.workers.find((w) => w.child.spawnargs.includes(PRIMARY))!;

    // A stream of auto jobs, with one long job running on the primary when it dies.
    const ids: string[] = [await submit(s, { text: Array.from({ length: 30 }, (_, i) => sentence(i)).join(' ') })];
    await until('the long job to run on the primary', async () => (await job(s, ids[0]!)).status === 'running');
    for (let i = 0; i < 5; i++) ids.push(await submit(s, { text: sentence(i) }));

    primary.child.kill('SIGKILL');
    const killedAt = Date.now();
    // New auto work goes to the backup within 3 probe intervals (plus the liveness window).
    await until(
      'auto traffic on the backup',
      async () => {
        const id = await submit(s, { text: 'Where do I go now?' });
        ids.push(id);
        return (await job(s, id)).engine.route === 'backup';
      },
      10_000,
      50,
    );
    expect(Date.now() - killedAt).toBeLessThan(3 * 300 + 3 * 100 + 500);
    for (let i = 0; i < 5; i++) ids.push(await submit(s, { text: sentence(100 + i) }));

    // The shared route flips after 3 failed probes, with the reason recorded.
    const state = await until('the route to flip', async () => {
      const e = await engines(s);
      return e.route.current === 'backup' && e;
    });
    expect(state.route.history[0]).toMatchObject({ from: 'primary', to: 'backup' });
    expect(state.route.history[0].reason).toMatch(/failed 3 consecutive checks/);
    expect(state.engines.primary.state).toBe('down');
    expect(s.monitor!.lines.some((l) => l.includes('"alert":"route_switch"'))).toBe(true);

    // Every accepted auto job completes — including the one the dead worker was running.
    for (const id of ids) {
      const j = await waitForJob(s.base, id, 30_000);
      expect(j.status, id).toBe('succeeded');
    }
    const longJob = await job(s, ids[0]!);
    expect(longJob.engine.used).toBe('espeak');
    expect(longJob.fallback?.from).toBe(PRIMARY);
  });

  for (const mode of ['throw', 'hang'] as const) {
    it(`fails over when the primary engine ${mode === 'throw' ? 'throws' : 'hangs'}, and no auto job fails`, async () => {
      const metricsPort = await freePort();
      svc = await startHa({}, { METRICS_PORT: String(metricsPort) });
      const s = svc;
      await setFault(s, PRIMARY, { mode });
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) ids.push(await submit(s, { text: sentence(i) }));
      const e = await until(
        'failover',
        async () => {
          const x = await engines(s);
          return x.route.current === 'backup' && x;
        },
        20_000,
      );
      expect(e.engines.primary.probes[0].ok).toBe(false);
      if (mode === 'hang')
        expect(e.engines.primary.probes.some((p: any) => /timed out|took longer/.test(p.error))).toBe(true);
      for (const id of ids) {
        const j = await waitForJob(s.base, id, 30_000);
        expect(j.status).toBe('succeeded');
        expect(j.engine.used, JSON.stringify(j)).toBe('espeak');
      }
      // Jobs that failed on the primary say so.
      expect((await job(s, ids[0]!)).fallback).toMatchObject({ from: PRIMARY });
      // Pinned jobs never change engine: with the primary down they are refused with Retry-After.
      const pinned = await postJson(`${s.base}/api/jobs`, { text: 'pinned', engine: 'primary' });
      expect(pinned.status, JSON.stringify(await engines(s))).toBe(503);
      expect(pinned.headers.get('retry-after')).toBe('30');
      expect(pinned.json).toMatchObject({ code: 'engine_unavailable', engine: 'primary', state: 'down' });
      // The monitor's own metrics show the switch, the route and the engine down. Failing jobs can
      // trip the failover before a health probe has failed (espeak-ng fails them fast), so wait for
      // the first failed probe to be counted.
      const failedProbe = /tts_probe_duration_seconds_count\{[^}]*engine="espeak@primary",ok="false"[^}]*\} [1-9]/;
      const m = await until(
        'a failed probe in the monitor metrics',
        async () => {
          const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
          return failedProbe.test(text) && text;
        },
        15_000,
      );
      expect(m).toMatch(/tts_route_switches_total\{from="primary",to="backup",reason="failures",role="monitor"\} 1/);
      expect(m).toMatch(/tts_route\{route="backup",role="monitor"\} 1/);
      expect(m).toMatch(/tts_engine_up\{engine="espeak@primary",role="primary"\} 0/);
      expect(m).toMatch(/tts_probe_duration_seconds_count\{[^}]*engine="espeak@primary",ok="false"[^}]*\} [1-9]/);
    });
  }
});

describe('recovery', () => {
  it('returns only after 10 good probes AND an operator confirmation inside the window', async () => {
    svc = await startHa({ RECOVERY_WINDOW_MS: '600000' });
    const s = svc;
    await setFault(s, PRIMARY, { mode: 'throw' });
    await until('failover', async () => (await engines(s)).route.current === 'backup');
    await setFault(s, PRIMARY, null);
    // Healthy again and past 10 probes, but inside the window: stays on the backup.
    await until('10 good probes', async () => (await engines(s)).engines.primary.consecutive_successes >= 12);
    expect((await engines(s)).route.current).toBe('backup');
    const c = await postJson(`${s.base}/api/router/confirm`, {});
    expect(c.status).toBe(200);
    const back = await until(
      'return to primary',
      async () => {
        const e = await engines(s);
        return e.route.current === 'primary' && e;
      },
      5000,
    );
    expect(back.route.history[0].reason).toMatch(/operator confirmed/);
    const id = await submit(s, { text: 'Back on the primary.' });
    expect((await waitForJob(s.base, id)).engine.used).toBe(PRIMARY);
  });

  it('returns on its own once the window has passed, and an intermittent engine switches at most once per window', async () => {
    svc = await startHa({ RECOVERY_WINDOW_MS: '6000' });
    const s = svc;
    // Fail about half the checks: the first failover comes quickly…
    await setFault(s, PRIMARY, { mode: 'throw', rate: 0.5 });
    await until('failover', async () => (await engines(s)).route.current === 'backup', 30_000);
    const failedOverAt = Date.now();
    // …and for the rest of the window there is no second switch, however the probes go.
    await new Promise((r) => setTimeout(r, 4000));
    const e = await engines(s);
    expect(e.route.history.filter((h: any) => h.to === 'backup')).toHaveLength(1);
    expect(e.route.current).toBe('backup');
    // Healed: back after 10 good probes and the window.
    await setFault(s, PRIMARY, null);
    const back = await until(
      'return to primary',
      async () => {
        const x = await engines(s);
        return x.route.current === 'primary' && x;
      },
      20_000,
    );
    expect(Date.now() - failedOverAt).toBeGreaterThanOrEqual(6000);
    expect(back.route.history[0].reason).toMatch(/recovery window/);
  });
});

describe('overload', () => {
  it('sends new auto work to the backup while the primary backlog is over the threshold, and back when it drains', async () => {
    svc = await startHa({ OVERLOAD_WAIT_MS: '1500' });
    const s = svc;
    // Teach the load estimate what a job costs, then build a backlog pinned to the primary.
    const long = Array.from({ length: 20 }, (_, i) => sentence(i)).join(' ');
    await waitForJob(s.base, await submit(s, { text: long, engine: 'primary' }));
    const backlog: string[] = [];
    for (let i = 0; i < 30; i++) backlog.push(await submit(s, { text: long, engine: 'primary' }));
    // The API reuses a load snapshot for 250 ms, and up to 500 ms while it reads the next one.
    await new Promise((r) => setTimeout(r, 600));
    const busy = await job(s, await submit(s, { text: 'Am I waiting?' }));
    expect(busy.engine.route, JSON.stringify(await engines(s))).toBe('backup');
    // The primary stays healthy: this is load, not failure.
    expect((await engines(s)).route.current).toBe('primary');
    for (const id of backlog) expect((await waitForJob(s.base, id, 60_000)).engine.used).toBe(PRIMARY);
    const calm = await job(s, await submit(s, { text: 'And now?' }));
    expect(calm.engine.route).toBe('primary');
  });
});

describe('operator controls', () => {
  it('forces a mode and shows it in /api/engines', async () => {
    svc = await startHa();
    const s = svc;
    const bad = await postJson(`${s.base}/api/router/mode`, { mode: 'sideways' });
    expect(bad.status).toBe(400);
    expect(bad.json.allowed).toEqual(['auto', 'primary', 'backup']);
    const r = await postJson(`${s.base}/api/router/mode`, { mode: 'backup' });
    expect(r.json).toMatchObject({ mode: 'backup', route: 'backup' });
    await until(
      'API sees the forced route',
      async () => (await job(s, await submit(s, { text: 'hi' }))).engine.route === 'backup',
      3000,
    );
    const e = await engines(s);
    expect(e.route).toMatchObject({ mode: 'backup', current: 'backup' });
    expect(e.engines.backup).toMatchObject({ name: 'espeak', state: 'up', live_workers: 1 });
    expect(e.engines.primary.probes.length).toBeGreaterThan(0);
    await postJson(`${s.base}/api/router/mode`, { mode: 'auto' });
    expect((await engines(s)).route.mode).toBe('auto');
    const decoded = await decode(await fetch(`${s.base}/api/engines`));
    expect(decoded.status).toBe(200);
  });
});
