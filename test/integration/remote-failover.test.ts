/**
 * Failover and recovery with a remote primary: a second instance of this
 * service is the speech server behind an `http` engine; it is SIGKILLed and
 * brought back on the same port while the local backup (espeak) takes over.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnProc, startService, waitForJob, type Service } from './harness.js';
import { engines, job, submit, until } from './ha-helpers.js';
import { enginesYaml } from './remote-helpers.js';

const PROBE_MS = 500;
let remote: Service | undefined;
let local: Service | undefined;
let dir: string | undefined;

afterAll(async () => {
  await local?.stop();
  await remote?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const sentence = (i: number) => `Sentence number ${i} is read by whichever engine is healthy.`;

describe('a remote primary', () => {
  it('fails over to the local backup within 3 probe intervals when the remote is SIGKILLed, then recovers by the usual rules', async () => {
    remote = await startService();
    dir = mkdtempSync(join(tmpdir(), 'tandem-engines-'));
    const file = join(dir, 'engines.yaml');
    writeFileSync(file, enginesYaml(remote.base, { timeoutMs: 15000 }));
    local = await startService({
      engines: ['remote-openai', 'espeak'],
      monitor: true,
      env: {
        PROBE_INTERVAL_MS: String(PROBE_MS),
        // Generous against a loaded machine: a dead remote refuses connections at once, so these never slow failover.
        PROBE_TIMEOUT_MS: '5000',
        WORKER_HEARTBEAT_MS: '250',
        ENGINES_FILE: file,
        PRIMARY_ENGINE: 'remote-openai',
        BACKUP_ENGINE: 'espeak',
        FAILOVER_THRESHOLD: '3',
        RECOVERY_PROBES: '10',
        RECOVERY_WINDOW_MS: '5000',
      },
    });
    const s = local;
    const r = remote;
    await until(
      'the remote primary to pass probes',
      async () => {
        const e = await engines(s);
        return e.route.current === 'primary' && e.engines.primary.consecutive_successes >= 2;
      },
      30_000,
    );
    // On a loaded machine a worker may miss a heartbeat and one job go to the backup: wait for one on the remote.
    await until(
      'a job read by the remote',
      async () => {
        const j = await waitForJob(s.base, await submit(s, { text: 'Hello from the remote engine.' }));
        expect(j.status).toBe('succeeded');
        return j.engine.used === 'remote-openai';
      },
      60_000,
    );

    // Auto work in flight, then the whole remote instance dies at once.
    const ids: string[] = [await submit(s, { text: Array.from({ length: 6 }, (_, i) => sentence(i)).join(' ') })];
    for (let i = 0; i < 3; i++) ids.push(await submit(s, { text: sentence(100 + i) }));
    for (const p of [r.api, ...r.workers]) p.child.kill('SIGKILL');
    const killedAt = Date.now();

    const flipped = await until(
      'the route to flip to the backup',
      async () => {
        ids.push(await submit(s, { text: sentence(ids.length) }));
        const e = await engines(s);
        return e.route.current === 'backup' && e;
      },
      15_000,
      50,
    );
    const failoverMs = Date.now() - killedAt;
    console.log(`remote SIGKILL → route on the backup after ${failoverMs} ms (probe interval ${PROBE_MS} ms)`);
    expect(failoverMs).toBeLessThan(3 * PROBE_MS + 500);
    expect(flipped.route.history[0]).toMatchObject({ from: 'primary', to: 'backup' });
    const errors = flipped.engines.primary.probes
      .filter((p: { ok: boolean }) => !p.ok)
      .map((p: { error: string }) => p.error);
    expect(errors.join('\n')).toMatch(/cannot reach remote engine remote-openai .*ECONNREFUSED/);
    const next = await job(s, await submit(s, { text: 'Where am I read?' }));
    expect(next.engine.route).toBe('backup');

    // Not one auto job failed, including those the remote was reading when it died.
    for (const id of ids) {
      const j = await waitForJob(s.base, id, 60_000).catch(async (err) => {
        console.log(JSON.stringify({ job: await job(s, id), e: await engines(s) }));
        throw err;
      });
      expect(j.status, `${id}: ${JSON.stringify(j.error)}`).toBe('succeeded');
    }

    // The remote comes back on the same port; traffic returns only after 10 good probes and the window.
    const api = spawnProc('api.js', [], r.env);
    const worker = spawnProc('worker.js', ['--engine', 'espeak'], r.env);
    r.workers.push(api, worker); // stopped with the rest of the remote
    await Promise.all([api.waitFor(/API listening/), worker.waitFor(/worker ready/)]);
    const upAt = Date.now();
    console.log(`remote back after ${upAt - killedAt} ms`);
    const back = await until(
      'the route to return to the primary',
      async () => {
        const e = await engines(s);
        return e.route.current === 'primary' && e;
      },
      30_000,
    );
    console.log(`route back on the primary ${Date.now() - upAt} ms after the remote returned`);
    expect(back.route.history[0].reason).toMatch(/primary passed 1\d consecutive probes and the recovery window/);
    expect(Date.now() - upAt).toBeGreaterThanOrEqual(9 * PROBE_MS);
    const again = await waitForJob(s.base, await submit(s, { text: 'Back on the remote engine.' }));
    expect(again.engine.used).toBe('remote-openai');
  }, 180_000);
});
