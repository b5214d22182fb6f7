/**
 * `npm start` killed however it is killed: SIGKILL of its whole process group (npm and the
 * supervisor), or of the supervisor alone. Every child goes with it — the API, the monitor, a worker
 * still waiting for its model to be installed (it has no shutdown of its own yet), and the local
 * redis-server (under its keeper) — instead of running on, reparented to init.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allGone, kill, type NpmStart, npmStartSetup, parentOf } from '../integration/npm-start.js';

let setup: NpmStart;
beforeAll(async () => {
  // Kokoro as the primary with no model installed: its worker waits for `npm run models -- install`.
  setup = await npmStartSetup({
    PRIMARY_ENGINE: 'kokoro',
    BACKUP_ENGINE: 'espeak',
    MODELS_DIR: mkdtempSync(join(tmpdir(), 'tandem-no-models-')),
  });
});
afterAll(() => setup?.cleanup());

/** The recorded pids and the redis-server's keeper. */
function everyProcess(): Record<string, number> {
  const pids = setup.pids();
  const keeper = parentOf(pids.redis ?? 0);
  return { ...pids, ...(keeper ? { 'redis-keeper': keeper } : {}) };
}

describe('npm start killed outright', () => {
  it('SIGKILL of its process group: every child, the waiting worker and redis-server included, exits', async () => {
    const run = await setup.start();
    await run.waitFor(/engine kokoro is not installed/);
    const pids = everyProcess();
    expect(Object.keys(pids)).toEqual(
      expect.arrayContaining([
        'supervisor',
        'redis',
        'redis-keeper',
        'api',
        'monitor',
        'worker:kokoro',
        'worker:espeak',
      ]),
    );
    const t0 = Date.now();
    kill(-(run.child.pid ?? 0), 'SIGKILL');
    expect(await allGone(pids, 15_000)).toEqual([]);
    const goneMs = Date.now() - t0;
    console.log(`npm start process group SIGKILLed: every child gone in ${goneMs} ms`);
  }, 180_000);

  it('SIGKILL of the supervisor alone: the same', async () => {
    const run = await setup.start();
    await run.waitFor(/engine kokoro is not installed/);
    const pids = everyProcess();
    const t0 = Date.now();
    kill(pids.supervisor ?? 0, 'SIGKILL');
    expect(await allGone(pids, 15_000)).toEqual([]);
    console.log(`npm start supervisor SIGKILLed: every child gone in ${Date.now() - t0} ms`);
    kill(-(run.child.pid ?? 0), 'SIGKILL');
  }, 180_000);
});
