/**
 * A full disk under OUTPUT_DIR, on a small tmpfs this test mounts itself
 * (needs root; skipped with a message otherwise): `storage_full` jobs,
 * /readyz not ready, /api/tts 507, jobs held until space is back, and the
 * result cache's hard links counted right when making room.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { createRoster } from '../../src/engines/roster.js';
import { Cleanup } from '../../src/lifecycle/cleanup.js';
import { DiskStorage } from '../../src/storage/disk.js';
import { decode, postJson, startService, waitForJob, type Service } from './harness.js';

const MiB = 1024 * 1024;
const MIN_FREE = 1 * MiB;
const dir = mkdtempSync(join(tmpdir(), 'tandem-full-'));
let mounted = false;
let why = '';
try {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=12m', 'tmpfs', dir], { stdio: 'pipe' });
  mounted = true;
} catch (err) {
  why = (err as { stderr?: Buffer }).stderr?.toString().trim() || (err as Error).message;
  console.warn(`storage-full tests skipped: cannot mount a tmpfs (${why}); they need root or CAP_SYS_ADMIN`);
}

const free = () => {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
};
const fillDir = join(dir, 'fill'); // not a storage key: the expiry never touches it
let fillers = 0;
/** Leave about `bytes` free. */
function leaveFree(bytes: number): void {
  mkdirSync(fillDir, { recursive: true });
  const need = free() - bytes;
  if (need > 0) writeFileSync(join(fillDir, `f${fillers++}`), Buffer.alloc(need));
}
const unfill = () => rmSync(fillDir, { recursive: true, force: true });
// About 60 s of speech: ~2.6 MB of 22 kHz WAV.
const LONG = 'The quick brown fox jumps over the lazy dog near the river bank. '.repeat(14);

let svc: Service;
describe.skipIf(!mounted)('storage that fills up', () => {
  beforeAll(async () => {
    svc = await startService({
      env: {
        OUTPUT_DIR: dir,
        MIN_FREE_BYTES: String(MIN_FREE),
        STORAGE_RETRY_MS: '300',
        JOB_ATTEMPTS: '2',
        JOB_BACKOFF_MS: '200',
        TTS_MAX_CHARS: '2000',
        CACHE_MAX_BYTES: String(50 * MiB),
      },
    });
  });
  afterAll(async () => {
    await svc?.stop();
    try {
      execFileSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    } catch {
      /* left for the OS to clean */
    }
  });

  it('is ready while there is room', async () => {
    const r = await decode(await fetch(`${svc.base}/readyz`));
    expect(r.status).toBe(200);
    expect(r.json.storage.state).toBe('ok');
  });

  it('a job whose audio does not fit is held (no attempt spent), says so, and runs once space is freed; /api/tts answers 507 JSON', async () => {
    leaveFree(MIN_FREE + 300 * 1024); // passes the floor, but the audio does not fit
    const sub = await postJson(`${svc.base}/api/jobs`, { text: LONG });
    expect(sub.status).toBe(202);
    const view = async () => (await decode(await fetch(`${svc.base}/api/jobs/${sub.json.id}`))).json;
    const end = Date.now() + 30_000;
    let v = await view();
    while (!v.error && v.status !== 'failed' && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 200));
      v = await view();
    }
    expect(v.status).toBe('queued');
    expect(v.error.code).toBe('storage_full');
    expect(v.error.message).toMatch(/OUTPUT_DIR ran out of space.*held and tried again .* until space is freed/);
    // Well past JOB_ATTEMPTS × JOB_BACKOFF_MS (it used to fail for good within 3 s): still held.
    await new Promise((r) => setTimeout(r, 3000));
    v = await view();
    expect(v.status).toBe('queued');
    expect(v.attempts).toBe(1);
    const tts = await postJson(`${svc.base}/api/tts`, { text: LONG });
    expect(tts.status).toBe(507);
    expect(tts.headers.get('content-type')).toMatch(/json/);
    expect(tts.json.code).toBe('storage_full');
    unfill();
    const done = await waitForJob(svc.base, sub.json.id, 60_000);
    expect(done.status).toBe('succeeded');
    expect(done.error).toBeNull();
  });

  it('below MIN_FREE_BYTES: not ready, /api/tts 507 at once, jobs held (no attempt spent) until space is back', async () => {
    leaveFree(MIN_FREE / 2);
    const ready = await decode(await fetch(`${svc.base}/readyz`));
    expect(ready.status).toBe(503);
    expect(ready.json.storage).toMatchObject({ state: 'full', min_free_bytes: MIN_FREE });
    const t0 = Date.now();
    const tts = await postJson(`${svc.base}/api/tts`, { text: 'Short.' });
    expect(tts.status).toBe(507);
    expect(tts.json).toMatchObject({ code: 'storage_full', min_free_bytes: MIN_FREE });
    expect(Date.now() - t0).toBeLessThan(2000);

    const sub = await postJson(`${svc.base}/api/jobs`, { text: 'Kept until there is room.' });
    expect(sub.status).toBe(202);
    await new Promise((r) => setTimeout(r, 2000));
    const held = await decode(await fetch(`${svc.base}/api/jobs/${sub.json.id}`));
    expect(
      held.json.status,
      svc.workers[0]?.lines
        .filter((l) => /storage|error|fail/i.test(l))
        .slice(-6)
        .join('\n'),
    ).toBe('queued');
    expect(held.json.attempts).toBe(0);

    unfill();
    const done = await waitForJob(svc.base, sub.json.id, 30_000);
    expect(done.status).toBe('succeeded');
    expect(done.attempts).toBe(1);
    expect((await fetch(`${svc.base}/readyz`)).status).toBe(200);
  });

  it('the cache keeps results still linked to job audio; expiring the job frees the space', async () => {
    const text = 'A cached result whose file is also the job audio. '.repeat(8);
    const sub = await postJson(`${svc.base}/api/jobs`, { text });
    const job = await waitForJob(svc.base, sub.json.id, 60_000);
    expect(job.status).toBe('succeeded');
    const size = job.audio.bytes as number;
    expect(size).toBeGreaterThan(400 * 1024);
    const indexKey = `${svc.prefix}:cache:index`;
    expect(await svc.redis.hlen(indexKey)).toBeGreaterThan(0);

    // Short by less than the cached file: evicting it would be enough, if it freed anything.
    leaveFree(MIN_FREE - size / 2);
    const r1 = await decode(await fetch(`${svc.base}/readyz`));
    expect(r1.status).toBe(503);
    // The entry is a hard link of the job's audio: removing it frees nothing, so it stays.
    const cacheFiles = await svc.redis.hkeys(indexKey);
    expect(cacheFiles.length).toBeGreaterThan(0);

    // Expire every finished job (as the monitor's cleanup does after JOB_TTL_SECONDS).
    const config = loadConfig({ ...svc.env });
    const cleanup = new Cleanup(
      config,
      createRoster(config),
      svc.redis,
      new DiskStorage(dir),
      pino({ level: 'silent' }),
    );
    const { jobs } = await cleanup.run(Date.now() + 2 * config.jobTtlSeconds * 1000);
    await cleanup.close();
    expect(jobs).toBeGreaterThan(0);

    // Now the cache alone holds the bytes: making room evicts it and the service is ready again.
    const end = Date.now() + 10_000;
    let r2 = await decode(await fetch(`${svc.base}/readyz`));
    while (r2.status !== 200 && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 300));
      r2 = await decode(await fetch(`${svc.base}/readyz`));
    }
    expect(r2.status, JSON.stringify(r2.json.storage)).toBe(200);
    expect(r2.json.storage.free_bytes).toBeGreaterThanOrEqual(MIN_FREE);
    unfill();
  });
});
