/**
 * CACHE_SCOPE=global with per-tenant lexicons: two tenants each own a lexicon named `brand` (both
 * `brand@1`) with different entries. The result cache is shared, so only the key's content can
 * keep their audio apart: B's request must not be a cache hit on A's audio.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKey } from '../../src/api/auth.js';
import { postJson, startService, type Service, waitForJob } from './harness.js';

const A = 'tenant-a-key';
const B = 'tenant-b-key';
const auth = (key: string) => ({ Authorization: `Bearer ${key}` });
let svc: Service;
beforeAll(async () => {
  svc = await startService({
    env: {
      API_KEYS: `a:${hashKey(A)},b:${hashKey(B)}`,
      CACHE_MAX_BYTES: '100000000',
      CACHE_SCOPE: 'global',
    },
  });
});
afterAll(async () => {
  await svc?.stop();
});

async function putLexicon(key: string, ipa: string) {
  const r = await fetch(`${svc.base}/api/lexicons/brand`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json', ...auth(key) },
    body: JSON.stringify({ entries: [{ text: 'Zorbly', lang: 'en', ipa }] }),
  });
  expect(r.status).toBe(200);
  return (await r.json()) as { version: number };
}

async function speak(key: string) {
  const r = await postJson(`${svc.base}/api/jobs`, { text: 'Zorbly is our brand.', lexicons: ['brand'] }, auth(key));
  expect(r.status).toBe(202);
  return waitForJob(svc.base, r.json.id, 30_000, auth(key));
}

describe("CACHE_SCOPE=global with two tenants' lexicons of the same name and version", () => {
  it("gives B its own audio, not a cache hit on A's", async () => {
    expect((await putLexicon(A, 'ˈzɔːbli')).version).toBe(1);
    expect((await putLexicon(B, 'ˈkwæntəm')).version).toBe(1);
    const a = await speak(A);
    expect(a).toMatchObject({ status: 'succeeded', cached: false });
    const b = await speak(B);
    expect(b).toMatchObject({ status: 'succeeded', cached: false });
    expect(b.audio.bytes).not.toBe(a.audio.bytes);
    // The cache still works: A again is a hit.
    expect(await speak(A)).toMatchObject({ status: 'succeeded', cached: true });
  });
});
