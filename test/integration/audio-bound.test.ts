/**
 * The bound on the audio a job may make (JOB_MAX_AUDIO_SECONDS) and the daily audio quota
 * (QUOTA_AUDIO_SECONDS_PER_DAY): SSML breaks over the bound are refused at submission, a text
 * whose audio grows past it fails while being written (its partial file removed), and a tenant
 * whose synthesized seconds are used up is refused 429 naming the quota.
 */
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKey } from '../../src/api/auth.js';
import { decode, postJson, startService, type Service, waitForJob } from './harness.js';

const BOUND = 20;
const A = 'bound-tenant-a';
const B = 'bound-tenant-b';
const auth = (key: string) => ({ Authorization: `Bearer ${key}` });
let svc: Service;
beforeAll(async () => {
  svc = await startService({
    env: {
      API_KEYS: `a:${hashKey(A)},b:${hashKey(B)}:audio_seconds_per_day=5`,
      JOB_MAX_AUDIO_SECONDS: String(BOUND),
      JOB_ATTEMPTS: '3',
    },
  });
});
afterAll(async () => {
  await svc?.stop();
});

const breaks = (n: number, s: number) => `<speak>${`a<break time="${s}s"/>`.repeat(n)}</speak>`;
// About 60 s of speech.
const LONG = 'The quick brown fox jumps over the lazy dog near the river bank. '.repeat(14);
const SHORT = 'This short sentence takes about three seconds to say.';

describe('JOB_MAX_AUDIO_SECONDS', () => {
  it('refuses at submission a request whose SSML breaks alone pass it', async () => {
    for (const path of ['/api/jobs', '/api/tts']) {
      const r = await postJson(`${svc.base}${path}`, { text: breaks(4, 10) }, auth(A));
      expect(r.status, path).toBe(413);
      expect(r.json).toMatchObject({ code: 'audio_too_long', max_audio_seconds: BOUND, known_seconds: 40 });
    }
    // Under the bound it is accepted.
    const ok = await postJson(`${svc.base}/api/jobs`, { text: breaks(2, 2) }, auth(A));
    expect(ok.status).toBe(202);
    expect((await waitForJob(svc.base, ok.json.id, 30_000, auth(A))).status).toBe('succeeded');
  });

  it('fails a job whose audio grows past it while written, at once and for good, leaving no file', async () => {
    const r = await postJson(`${svc.base}/api/jobs`, { text: LONG }, auth(A));
    expect(r.status).toBe(202);
    const job = await waitForJob(svc.base, r.json.id, 60_000, auth(A));
    expect(job.status).toBe('failed');
    expect(job.error.code).toBe('audio_too_long');
    expect(job.attempts).toBe(1);
    const out = svc.env.OUTPUT_DIR ?? '';
    expect(readdirSync(out).filter((f) => f.startsWith(r.json.id))).toEqual([]);
    expect(readdirSync(`${out}/.tmp`).filter((f) => f.startsWith(r.json.id))).toEqual([]);
  });
});

describe("QUOTA_AUDIO_SECONDS_PER_DAY (a key entry's :audio_seconds_per_day=5)", () => {
  it('counts the seconds each job made and refuses the tenant once they are used up', async () => {
    const usage = async () => (await decode(await fetch(`${svc.base}/api/usage`, { headers: auth(B) }))).json;
    expect((await usage()).audio_seconds_per_day).toMatchObject({ limit: 5, used: 0, remaining: 5 });
    let refused: Awaited<ReturnType<typeof postJson>> | undefined;
    for (let i = 0; i < 4 && !refused; i++) {
      const r = await postJson(`${svc.base}/api/jobs`, { text: `${SHORT} Number ${i + 1}.` }, auth(B));
      if (r.status === 429) refused = r;
      else {
        expect(r.status).toBe(202);
        expect((await waitForJob(svc.base, r.json.id, 30_000, auth(B))).status).toBe('succeeded');
        // Counted as the job finishes, just after its success is recorded.
        await new Promise((res) => setTimeout(res, 300));
      }
    }
    expect(refused?.json).toMatchObject({ code: 'quota_exceeded', quota: 'audio_seconds_per_day', limit: 5 });
    expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThan(0);
    const u = await usage();
    expect(u.audio_seconds_per_day.used).toBeGreaterThanOrEqual(5);
    expect(u.audio_seconds_per_day.remaining).toBe(0);
    // Another tenant, with no audio quota, is not affected.
    expect((await postJson(`${svc.base}/api/jobs`, { text: SHORT }, auth(A))).status).toBe(202);
  });
});
