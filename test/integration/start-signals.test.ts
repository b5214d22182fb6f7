/**
 * `npm start` as a person at a terminal uses it: Ctrl-C (SIGINT to the whole foreground process
 * group), `kill` of the npm process, and a supervisor that died without cleaning up. Runs the real
 * npm, the real supervisor, a local redis-server, the API, the monitor and an espeak worker.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWav } from '../../src/audio/wav.js';
import { postJson } from './harness.js';
import { alive, allGone, kill, type NpmStart, npmStartSetup, parentOf } from './npm-start.js';

let setup: NpmStart;
let base: string;
let env: Record<string, string>;
const npmStart = () => setup.start();
const pidsOfRun = () => setup.pids();

beforeAll(async () => {
  setup = await npmStartSetup();
  base = setup.base;
  env = setup.env;
});

afterAll(() => setup?.cleanup());

const LONG = Array.from({ length: 60 }, (_, i) => `This is sentence number ${i + 1} of a long text to read.`).join(' ');

describe('npm start at a terminal', () => {
  let jobId: string;

  it('Ctrl-C lets the running job finish, then every process exits; audio goes under DATA_DIR', async () => {
    const run = await npmStart();
    // dist/ is current (built by the test setup, as by `npm ci`): no build on start, and it says what starts.
    expect(run.lines.filter((l) => /compiling TypeScript/.test(l))).toEqual([]);
    expect(run.lines.some((l) => l.startsWith('Starting Tandem TTS'))).toBe(true);
    const pids = pidsOfRun();
    expect(Object.keys(pids)).toEqual(
      expect.arrayContaining(['supervisor', 'redis', 'api', 'monitor', 'worker:espeak']),
    );
    const sub = await postJson(`${base}/api/jobs`, { text: LONG });
    expect(sub.status).toBe(202);
    jobId = sub.json.id;
    // Wait until it is part-way through, as the job of the report was.
    for (;;) {
      const v = (await (await fetch(`${base}/api/jobs/${jobId}`)).json()) as { progress: { chunks_done: number } };
      if (v.progress.chunks_done >= 1) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    // What a terminal does on Ctrl-C: SIGINT to every process of the foreground group.
    kill(-(run.child.pid ?? 0), 'SIGINT');
    expect(await run.exited).toBe(0);
    expect(await allGone(pids, 5000)).toEqual([]);
    expect(run.lines.filter((l) => /second signal|abandon/.test(l))).toEqual([]);
    expect(run.lines.some((l) => l.includes(jobId) && l.includes('synthesis finished'))).toBe(true);
    // Redis stopped last, after the worker.
    const order = run.lines.filter((l) => /worker stopped|Redis is now ready to exit/.test(l));
    expect(order.at(-1)).toMatch(/Redis is now ready to exit/);
    // OUTPUT_DIR unset: the audio is under DATA_DIR/audio, not in the checkout.
    const file = join(env.DATA_DIR ?? '', 'audio', `${jobId}.wav`);
    expect(existsSync(file)).toBe(true);
    expect(parseWav(readFileSync(file)).durationMs).toBeGreaterThan(10_000);
  }, 180_000);

  it('starts again on the same DATA_DIR with the finished job, and `kill` of npm stops everything', async () => {
    const run = await npmStart();
    const pids = pidsOfRun();
    expect(run.lines.filter((l) => /earlier run/.test(l))).toEqual([]);
    const view = (await (await fetch(`${base}/api/jobs/${jobId}`)).json()) as { status: string; attempts: number };
    expect(view).toMatchObject({ status: 'succeeded', attempts: 1 });
    kill(run.child.pid ?? 0, 'SIGTERM'); // the npm process only
    await run.exited;
    expect(await allGone(pids, 15_000)).toEqual([]);
  }, 180_000);

  it('a supervisor killed outright: its children and its redis-server exit by themselves', async () => {
    const first = await npmStart();
    const pids = pidsOfRun();
    kill(pids.supervisor ?? 0, 'SIGKILL');
    expect(await allGone(pids, 40_000)).toEqual([]);
    kill(-(first.child.pid ?? 0), 'SIGKILL'); // npm, which lost its child
    // Nothing left to recover from: the next start says nothing of an earlier run.
    const second = await npmStart();
    expect(second.lines.filter((l) => /earlier run/.test(l))).toEqual([]);
    const now = pidsOfRun();
    kill(-(second.child.pid ?? 0), 'SIGINT');
    expect(await second.exited).toBe(0);
    expect(await allGone(now, 5000)).toEqual([]);
  }, 240_000);

  it('a redis-server left behind (its keeper killed with the supervisor): the next start stops it and says so', async () => {
    const first = await npmStart();
    const pids = pidsOfRun();
    const { supervisor, redis, ...children } = pids;
    const keeper = parentOf(redis ?? 0) ?? 0;
    expect(keeper).toBeGreaterThan(1);
    // Frozen first, so it can neither stop Redis when the supervisor goes nor be seen to exit.
    kill(keeper, 'SIGSTOP');
    kill(supervisor ?? 0, 'SIGKILL');
    kill(keeper, 'SIGKILL');
    expect(await allGone(children, 40_000)).toEqual([]);
    expect(alive(redis ?? 0)).toBe(true); // left behind: the case to recover from
    kill(-(first.child.pid ?? 0), 'SIGKILL');

    const second = await npmStart();
    expect(second.lines.some((l) => /local redis-server of an earlier run is still running/.test(l))).toBe(true);
    expect(alive(redis ?? 0)).toBe(false);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const now = pidsOfRun();
    kill(-(second.child.pid ?? 0), 'SIGINT');
    expect(await second.exited).toBe(0);
    expect(await allGone(now, 5000)).toEqual([]);
  }, 240_000);

  it('a Redis left by an earlier run that kept no record (older versions) is found by its data directory', async () => {
    const first = await npmStart();
    const { supervisor, redis, ...children } = pidsOfRun();
    const keeper = parentOf(redis ?? 0) ?? 0;
    kill(keeper, 'SIGSTOP'); // its keeper, frozen then killed with the supervisor: Redis is left behind
    kill(supervisor ?? 0, 'SIGKILL');
    kill(keeper, 'SIGKILL');
    expect(await allGone(children, 40_000)).toEqual([]);
    kill(-(first.child.pid ?? 0), 'SIGKILL');
    rmSync(join(env.DATA_DIR ?? '', 'run.json'));
    expect(alive(redis ?? 0)).toBe(true);

    const second = await npmStart();
    expect(second.lines.some((l) => /redis-server of an earlier run of this DATA_DIR was still running/.test(l))).toBe(
      true,
    );
    expect(alive(redis ?? 0)).toBe(false);
    const now = pidsOfRun();
    kill(-(second.child.pid ?? 0), 'SIGINT');
    expect(await second.exited).toBe(0);
    expect(await allGone(now, 5000)).toEqual([]);
  }, 240_000);
});
