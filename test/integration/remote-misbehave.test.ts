/**
 * A remote speech server that misbehaves: an HTML 502 page, a truncated WAV,
 * an empty or text answer, a 429 with Retry-After, or no answer at all. A
 * tiny real HTTP server in this process plays the remote; the service runs
 * as real processes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, waitForJob, type Service } from './harness.js';
import { engines, job, submit, until } from './ha-helpers.js';
import { type Misbehaviour, misbehavingServer } from './remote-helpers.js';

let remote: Awaited<ReturnType<typeof misbehavingServer>>;
let dir: string;
let file: string;

beforeAll(async () => {
  remote = await misbehavingServer();
  dir = mkdtempSync(join(tmpdir(), 'tandem-engines-'));
  file = join(dir, 'engines.json');
  writeFileSync(
    file,
    JSON.stringify({
      engines: { flaky: { kind: 'http', protocol: 'openai', url: `${remote.base}/v1`, timeout_ms: 1500 } },
    }),
  );
});
afterAll(async () => {
  await remote?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const env = () => ({ ENGINES_FILE: file, PRIMARY_ENGINE: 'flaky', BACKUP_ENGINE: 'espeak' });

const CASES: [Misbehaviour, RegExp][] = [
  [
    'html502',
    /remote engine flaky \(http:\/\/127\.0\.0\.1:\d+\/v1\) answered HTTP 502: 502 Bad Gateway 502 Bad Gateway nginx/,
  ],
  ['truncated', /answered a truncated WAV file: its header declares 24000 bytes of audio, 11978 arrived/],
  ['empty', /answered with an empty body/],
  ['text', /answered text\/plain instead of audio: "queued, come back later"/],
  ['hang', /remote engine flaky .* did not answer within 1500 ms/],
];

describe('a misbehaving remote: jobs', () => {
  let svc: Service;
  beforeAll(async () => {
    svc = await startService({
      engines: ['flaky', 'espeak'],
      env: { ...env(), JOB_ATTEMPTS: '2', JOB_BACKOFF_MS: '50' },
    });
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('reads good audio from it', async () => {
    remote.mode = 'ok';
    const j = await waitForJob(svc.base, await submit(svc, { text: 'A tone, really.' }));
    expect(j.status).toBe('succeeded');
    expect(j.engine.used).toBe('flaky');
    // The remote's half second of 24 kHz tone, at the engine's 24 kHz.
    expect(j.audio.sample_rate).toBe(24000);
    expect(j.audio.duration_ms).toBeGreaterThanOrEqual(490);
  });

  for (const [mode, error] of CASES) {
    it(`${mode}: a pinned job fails with a clear error, an auto job is read by the backup`, async () => {
      remote.mode = mode;
      const pinned = await waitForJob(
        svc.base,
        await submit(svc, { text: 'Pinned to the remote.', engine: 'primary' }),
      );
      expect(pinned.status).toBe('failed');
      expect(pinned.error.message).toMatch(error);
      expect(pinned.attempts).toBe(2);
      const auto = await waitForJob(svc.base, await submit(svc, { text: 'Read by anyone who can.' }));
      expect(auto.status).toBe('succeeded');
      expect(auto.engine.used).toBe('espeak');
      expect(auto.fallback.reason).toMatch(error);
    });
  }

  it('429 with Retry-After: auto work goes to the backup until the pause is over, and nothing fails', async () => {
    remote.mode = 'overloaded';
    const moved = await waitForJob(svc.base, await submit(svc, { text: 'Busy, are you?' }));
    expect(moved.status).toBe('succeeded');
    expect(moved.engine.used).toBe('espeak');
    expect(moved.fallback.reason).toMatch(/remote engine flaky .* is overloaded \(HTTP 429, retry after 2 s\)/);
    // While the pause lasts, new auto work is routed to the backup at submit: the remote is not asked.
    // (The API reuses its load snapshot for 250 ms, and up to 500 ms while it reads the next one;
    // past that it sees the pause.)
    await new Promise((r) => setTimeout(r, 600));
    const before = remote.requests;
    const routed = await job(svc, await submit(svc, { text: 'And now?' }));
    expect(routed.engine.route).toBe('backup');
    expect((await waitForJob(svc.base, routed.id)).status).toBe('succeeded');
    expect(remote.requests).toBe(before);
    // Once Retry-After has passed, the remote gets work again.
    remote.mode = 'ok';
    await new Promise((r) => setTimeout(r, 2300));
    const back = await waitForJob(svc.base, await submit(svc, { text: 'Ready again?' }));
    expect(back.engine.used).toBe('flaky');
  });
});

describe('a misbehaving remote: health checks', () => {
  let svc: Service;
  beforeAll(async () => {
    svc = await startService({
      engines: ['flaky', 'espeak'],
      monitor: true,
      env: {
        ...env(),
        PROBE_INTERVAL_MS: '400',
        PROBE_TIMEOUT_MS: '5000',
        WORKER_HEARTBEAT_MS: '250',
        FAILOVER_THRESHOLD: '3',
      },
    });
  });
  afterAll(async () => {
    await svc?.stop();
  });

  const primary = async () => (await engines(svc)).engines.primary;
  const lastError = async () => (await primary()).probes.find((p: { ok: boolean }) => !p.ok)?.error ?? '';

  it('429 with Retry-After is overload, not a failed check', async () => {
    remote.mode = 'ok';
    await until('a good probe', async () => (await primary()).consecutive_successes > 0);
    remote.mode = 'overloaded';
    const from = remote.requests;
    await until('six probes refused by the busy remote', async () => remote.requests - from >= 6, 30_000);
    const e = await engines(svc);
    expect(e.engines.primary.consecutive_failures).toBe(0);
    expect(e.route.current).toBe('primary');
    expect(e.route.history).toEqual([]);
  });

  it('an HTML 502 page, a truncated WAV and silence are failed checks, with the reason', async () => {
    remote.mode = 'html502';
    const flipped = await until('the route to flip', async () => {
      const e = await engines(svc);
      return e.route.current === 'backup' && e;
    });
    expect(flipped.route.history[0].reason).toMatch(/primary engine failed \d+ consecutive checks/);
    expect(await lastError()).toMatch(CASES[0]?.[1] ?? /never/);
    for (const [mode, error] of CASES.slice(1)) {
      remote.mode = mode;
      await until(`a probe failed by ${mode}`, async () => error.test(await lastError()), 30_000);
      expect((await primary()).state).toBe('down');
    }
  });
});
