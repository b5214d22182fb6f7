import { afterEach, describe, expect, it } from 'vitest';
import { freePort, waitForJob, type Service } from './harness.js';
import { engines, job, PRIMARY, setFault, startHa, submit, until } from './ha-helpers.js';

let svc: Service | undefined;
afterEach(async () => {
  await svc?.stop();
  svc = undefined;
});

/** A text that keeps the backup's one worker busy for several seconds. */
const LONG = Array.from(
  { length: 80 },
  (_, i) => `Paragraph ${i} of a long reading goes on, so the voice must not change half way.`,
).join(' ');

// A short window and few probes: while the backup's one worker is busy, each monitor tick waits out the backup
// probe's timeout, so ten probes would take longer than the long job. Chunks of the long text may take over a
// second on a loaded machine (HA_ENV's 1 s chunk timeout is for detecting hangs).
const ENV = { RECOVERY_WINDOW_MS: '1000', RECOVERY_PROBES: '3', CHUNK_TIMEOUT_MS: '15000' };

/** Fail over, then start a long auto job on the backup and heal the primary while it runs. */
async function longJobOnBackupThenHeal(s: Service): Promise<string> {
  await setFault(s, PRIMARY, { mode: 'throw' });
  await until('failover', async () => (await engines(s)).route.current === 'backup');
  // The backup is made slow (half a second a chunk) so the long job outlasts the primary's recovery whatever the
  // machine's speed; without it a quiet machine finishes the job before the primary is ready.
  await setFault(s, 'espeak', { mode: 'slow' });
  const long = await submit(s, { text: LONG });
  expect((await job(s, long)).engine.route).toBe('backup');
  await until('the long job to run on the backup', async () => (await job(s, long)).status === 'running');
  await setFault(s, PRIMARY, null);
  return long;
}

describe('recovery waits for an idle backup', () => {
  it('keeps auto traffic on the backup while an auto job runs there, and returns once it has finished', async () => {
    const metricsPort = await freePort();
    svc = await startHa({ ...ENV }, { METRICS_PORT: String(metricsPort) });
    const s = svc;
    const long = await longJobOnBackupThenHeal(s);

    // The primary becomes ready (3 good probes, window passed) while the long job still runs: it waits.
    const waiting = await until(
      'the primary to be ready and waiting',
      async () => {
        const e = await engines(s);
        return e.route.recovery.waiting_for_idle_backup && e;
      },
      60_000,
    );
    expect(waiting.route.current).toBe('backup');
    expect(waiting.engines.primary.consecutive_successes).toBeGreaterThanOrEqual(3);
    expect(waiting.engines.backup.auto_jobs_in_progress).toBe(1);
    expect((await job(s, long)).status, 'the long job must still run while the primary waits').toBe('running');
    const m = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(m).toMatch(/tts_recovery_waiting_for_idle\{role="monitor"\} 1/);
    expect(m).toMatch(/tts_auto_jobs_in_progress\{role="backup"\} 1/);
    expect((s.monitor?.lines ?? []).some((l) => l.includes('"alert":"route_switch_pending"'))).toBe(true);

    // New auto work meanwhile still goes to the backup: a client reading on hears one voice.
    const next = await submit(s, { text: 'The next part of the same reading.' });
    expect((await job(s, next)).engine.route).toBe('backup');

    // The long job finishes on the backup; only then does traffic return.
    await setFault(s, 'espeak', null);
    const done = await waitForJob(s.base, long, 120_000);
    expect(done.status).toBe('succeeded');
    expect(done.engine.used).toBe('espeak');
    await waitForJob(s.base, next, 30_000);
    const back = await until('return to the primary', async () => {
      const e = await engines(s);
      return e.route.current === 'primary' && e;
    });
    const sw = back.route.history[0];
    expect(sw).toMatchObject({ from: 'backup', to: 'primary', recovery: 'idle' });
    expect(sw.reason).toMatch(/backup went idle after \d+ ms/);
    expect(Date.parse(sw.at)).toBeGreaterThanOrEqual(Date.parse(done.timings.finished_at));
    expect(back.route.recovery.waiting_for_idle_backup).toBe(false);
    const line = (s.monitor?.lines ?? []).find(
      (l) => l.includes('"alert":"route_switch"') && l.includes('"to":"primary"'),
    );
    expect(line).toMatch(/"recovery":"idle"/);
    const after = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(after).toMatch(/tts_recovery_returns_total\{trigger="idle",role="monitor"\} 1/);
    expect(after).toMatch(/tts_recovery_waiting_for_idle\{role="monitor"\} 0/);
    expect((await waitForJob(s.base, await submit(s, { text: 'Back on the primary.' }))).engine.used).toBe(PRIMARY);
  }, 150_000);

  it('returns after RECOVERY_IDLE_MAX_WAIT_MS even though the backup is still busy; the running job keeps its engine', async () => {
    svc = await startHa({ ...ENV, RECOVERY_IDLE_MAX_WAIT_MS: '1500' });
    const s = svc;
    const long = await longJobOnBackupThenHeal(s);
    const waiting = await until(
      'the primary to be ready and waiting',
      async () => {
        const e = await engines(s);
        return e.route.recovery.waiting_for_idle_backup && e;
      },
      60_000,
    );
    const since = Date.parse(waiting.route.recovery.waiting_since);
    const back = await until('return to the primary at the bound', async () => {
      const e = await engines(s);
      return e.route.current === 'primary' && e;
    });
    const sw = back.route.history[0];
    expect(sw).toMatchObject({ from: 'backup', to: 'primary', recovery: 'bound' });
    expect(sw.reason).toMatch(/still busy with 1 auto job after waiting \d+ ms \(the bound\)/);
    expect(Date.parse(sw.at) - since).toBeGreaterThanOrEqual(1500);
    // The switch happened while the long job was still running, and that job stays on the backup.
    expect((await job(s, long)).status).toBe('running');
    await setFault(s, 'espeak', null);
    const fresh = await submit(s, { text: 'A new reading starts on the primary.' });
    expect((await job(s, fresh)).engine.route).toBe('primary');
    const done = await waitForJob(s.base, long, 120_000);
    expect(done.status).toBe('succeeded');
    expect(done.engine.used).toBe('espeak');
    expect((s.monitor?.lines ?? []).some((l) => /"alert":"route_switch".*"recovery":"bound"/.test(l))).toBe(true);
  }, 150_000);
});
