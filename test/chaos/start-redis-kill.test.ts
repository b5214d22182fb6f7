/**
 * `npm start`'s own redis-server killed with SIGKILL, three times: the supervisor restarts it on the
 * same port and directory (the AOF brings the jobs back), blames no port, and keeps the API, the
 * monitor and the worker running (they reconnect by themselves). Measures how long submissions are
 * refused after each kill.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, waitForJob } from '../integration/harness.js';
import { allGone, alive, kill, type NpmStart, npmStartSetup } from '../integration/npm-start.js';

let setup: NpmStart;
beforeAll(async () => {
  setup = await npmStartSetup();
});
afterAll(() => setup?.cleanup());

const LONG = Array.from({ length: 30 }, (_, i) => `Sentence ${i + 1} is read while Redis dies.`).join(' ');

async function redisPid(previous: number): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const pid = setup.pids().redis;
    if (pid && pid !== previous && alive(pid)) return pid;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no new redis-server recorded');
}

describe('npm start with its redis-server killed', () => {
  it('restarts Redis with its data, keeps every other process up, and accepts submissions again within seconds', async () => {
    const run = await setup.start();
    const base = setup.base;
    const before = await postJson(`${base}/api/jobs`, { text: 'Accepted before Redis died.' });
    expect(before.status).toBe(202);
    expect((await waitForJob(base, before.json.id, 30_000)).status).toBe('succeeded');
    const { supervisor, redis, ...children } = setup.pids();
    // Let the AOF's once-a-second fsync write the finished job (appendfsync everysec).
    await new Promise((r) => setTimeout(r, 1500));

    const refusedMs: number[] = [];
    const running: string[] = [];
    let current = redis ?? 0;
    for (let round = 0; round < 3; round++) {
      const during = await postJson(`${base}/api/jobs`, { text: LONG });
      expect(during.status).toBe(202);
      running.push(during.json.id);
      await new Promise((r) => setTimeout(r, 300));
      const t0 = Date.now();
      kill(current, 'SIGKILL');
      for (;;) {
        const r = await postJson(`${base}/api/jobs`, { text: `After kill ${round + 1}.` }).catch(() => undefined);
        if (r?.status === 202) break;
        if (Date.now() - t0 > 30_000) throw new Error(`no submission accepted 30 s after kill ${round + 1}`);
        await new Promise((res) => setTimeout(res, 50));
      }
      refusedMs.push(Date.now() - t0);
      current = await redisPid(current);
      // A Redis that served a few seconds is not crash-looping: its next restart is not backed off.
      await new Promise((r) => setTimeout(r, 6000));
    }

    // The same processes throughout: nothing but Redis was restarted, and the supervisor did not stop.
    expect(run.child.exitCode).toBeNull();
    for (const [name, pid] of Object.entries({ supervisor, ...children })) expect(alive(pid ?? 0), name).toBe(true);
    expect(run.lines.filter((l) => /child exited; restarting/.test(l))).toEqual([]);
    // No port conflict that is not there.
    expect(run.lines.filter((l) => /in use|LOCAL_REDIS_PORT/.test(l))).toEqual([]);
    expect(run.lines.filter((l) => /local redis-server restarted/.test(l))).toHaveLength(3);
    // The job from before the first kill is still there (AOF), and the jobs running at each kill finish.
    const kept = (await (await fetch(`${base}/api/jobs/${before.json.id}`)).json()) as { status: string };
    expect(kept.status).toBe('succeeded');
    for (const id of running) expect((await waitForJob(base, id, 60_000)).status).toBe('succeeded');
    console.log(`npm start, redis-server SIGKILLed: submissions refused for ${JSON.stringify(refusedMs)} ms`);

    const pids = setup.pids();
    kill(-(run.child.pid ?? 0), 'SIGINT');
    expect(await run.exited).toBe(0);
    expect(await allGone(pids, 10_000)).toEqual([]);
  }, 240_000);
});
