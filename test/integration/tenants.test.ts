/**
 * Ownership with two client keys and an admin key: another tenant's job does
 * not exist (404 exactly as an unknown id on every route), listings are per
 * tenant, admins see all and filter by owner, idempotency keys and the result
 * cache are per tenant.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKey } from '../../src/api/auth.js';
import { decode, postJson, startService, waitForJob, type Service } from './harness.js';
import { startReceiver, type Receiver } from './webhook-receiver.js';

const ALICE = 'alice-secret-key-0001';
const BOB = 'bob-secret-key-0002';
const ROOT = 'root-secret-key-0003';
const SECRET = `whsec_${Buffer.from('tandem-tts-webhook-test-secret-32b!').toString('base64')}`;
const as = (key: string) => ({ Authorization: `Bearer ${key}` });
const get = async (url: string, key: string) => decode(await fetch(url, { headers: as(key) }));

let svc: Service;
let rx: Receiver;
beforeAll(async () => {
  rx = await startReceiver();
  svc = await startService({
    env: {
      API_KEYS: `alice:${hashKey(ALICE)},bob:${hashKey(BOB)}`,
      ADMIN_KEYS: `root:${hashKey(ROOT)}`,
      CACHE_MAX_BYTES: '100000000',
      CACHE_SCOPE: 'tenant',
      WEBHOOK_SECRET: SECRET,
      WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
    },
  });
});
afterAll(async () => {
  await svc?.stop();
  await rx?.close();
});

const submit = (key: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  postJson(`${svc.base}/api/jobs`, body, { ...as(key), ...headers });

describe('tenants', () => {
  it('a job records its owner; to another client key it does not exist on any route', async () => {
    const sub = await submit(ALICE, { text: 'Alice has a secret.', webhook_url: rx.url('/alice') });
    expect(sub.status).toBe(202);
    const id = sub.json.id as string;
    const job = await waitForJob(svc.base, id, 30_000, as(ALICE));
    expect(job.status).toBe('succeeded');
    expect(job.owner).toBe('alice');
    expect(job.webhook).toBeTruthy(); // the webhook log, shown to its owner

    const unknown = '00000000-0000-4000-8000-000000000000';
    const routes = (x: string) => [
      ['GET', `/api/jobs/${x}`],
      ['GET', `/api/jobs/${x}/audio`],
      ['GET', `/api/jobs/${x}/events`],
      ['GET', `/api/jobs/${x}/captions`],
      ['DELETE', `/api/jobs/${x}`],
    ];
    for (const [i, [method, path]] of routes(id).entries()) {
      const theirs = await decode(await fetch(`${svc.base}${path}`, { method, headers: as(BOB) }));
      const [m2, p2] = routes(unknown)[i] as [string, string];
      const none = await decode(await fetch(`${svc.base}${p2}`, { method: m2, headers: as(BOB) }));
      expect(theirs.status, `${method} ${path}`).toBe(404);
      expect(none.status).toBe(404);
      // Exactly as for an unknown id: same code, same message shape (only the id differs).
      expect(theirs.json.code).toBe(none.json.code);
      expect(theirs.json.error.replace(id, 'X')).toBe(none.json.error.replace(unknown, 'X'));
      expect(Object.keys(theirs.json).sort()).toEqual(Object.keys(none.json).sort());
    }
    // Bob's cancel did nothing: the job is still there and succeeded for Alice, audio and all.
    expect((await get(`${svc.base}/api/jobs/${id}`, ALICE)).json.status).toBe('succeeded');
    expect((await get(`${svc.base}/api/jobs/${id}/audio`, ALICE)).status).toBe(200);
    // The admin sees it.
    const admin = await get(`${svc.base}/api/jobs/${id}`, ROOT);
    expect(admin.status).toBe(200);
    expect(admin.json.owner).toBe('alice');
    expect((await get(`${svc.base}/api/jobs/${id}/audio`, ROOT)).status).toBe(200);
  });

  it('a queued job of another tenant cannot be canceled by them; its owner can', async () => {
    // Many jobs so this one waits.
    const subs = await Promise.all(
      Array.from({ length: 4 }, (_, i) => submit(ALICE, { text: `Queued work item ${i}. `.repeat(20) })),
    );
    const last = subs.at(-1)?.json.id as string;
    const bob = await decode(await fetch(`${svc.base}/api/jobs/${last}`, { method: 'DELETE', headers: as(BOB) }));
    expect(bob.status).toBe(404);
    const mine = await decode(await fetch(`${svc.base}/api/jobs/${last}`, { method: 'DELETE', headers: as(ALICE) }));
    expect([200, 202, 409]).toContain(mine.status); // 409 only if it finished meanwhile
    for (const s of subs) await waitForJob(svc.base, s.json.id, 60_000, as(ALICE));
  });

  it('listing shows only the caller’s jobs; an admin sees all and filters by owner', async () => {
    const b = await submit(BOB, { text: 'Bob speaks.' });
    await waitForJob(svc.base, b.json.id, 30_000, as(BOB));
    const aliceList = (await get(`${svc.base}/api/jobs?limit=100`, ALICE)).json.jobs as { owner: string }[];
    const bobList = (await get(`${svc.base}/api/jobs?limit=100`, BOB)).json.jobs as { id: string; owner: string }[];
    expect(aliceList.length).toBeGreaterThan(0);
    expect(aliceList.every((j) => j.owner === 'alice')).toBe(true);
    expect(bobList.map((j) => j.id)).toEqual([b.json.id]);
    const all = (await get(`${svc.base}/api/jobs?limit=100`, ROOT)).json.jobs as { owner: string }[];
    expect(new Set(all.map((j) => j.owner))).toEqual(new Set(['alice', 'bob']));
    const onlyBob = (await get(`${svc.base}/api/jobs?owner=bob`, ROOT)).json.jobs as { id: string }[];
    expect(onlyBob.map((j) => j.id)).toEqual([b.json.id]);
    // A client may not list another tenant's jobs.
    const nosy = await get(`${svc.base}/api/jobs?owner=alice`, BOB);
    expect(nosy.status).toBe(403);
    expect(nosy.json.code).toBe('forbidden');
  });

  it('idempotency keys are per tenant: the same key from another tenant is another request', async () => {
    const key = { 'Idempotency-Key': 'order-42' };
    const a = await submit(ALICE, { text: 'Alice orders.' }, key);
    expect(a.status).toBe(202);
    // Bob, same key, different body: not a conflict, and nothing of Alice's shows.
    const b = await submit(BOB, { text: 'Bob orders something else.' }, key);
    expect(b.status).toBe(202);
    expect(b.json.id).not.toBe(a.json.id);
    expect(JSON.stringify(b.json)).not.toContain(a.json.id);
    // Bob, same key, Alice's body: his own new job, not Alice's.
    const b2 = await submit(BOB, { text: 'Alice orders.' }, { 'Idempotency-Key': 'order-43' });
    expect(b2.json.id).not.toBe(a.json.id);
    // Alice's repeat is a replay; her other body a 409 naming her own job.
    const again = await submit(ALICE, { text: 'Alice orders.' }, key);
    expect(again.json.id).toBe(a.json.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const clash = await submit(ALICE, { text: 'Changed.' }, key);
    expect(clash.status).toBe(409);
    expect(clash.json.id).toBe(a.json.id);
  });

  it('a body nested too deep with an Idempotency-Key is a 400 naming the limit', async () => {
    const depth = 8000;
    const body = `{"text":"hi","x":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    const r = await postJson(`${svc.base}/api/jobs`, body, { ...as(ALICE), 'Idempotency-Key': 'deep-1' });
    expect(r.status).toBe(400);
    expect(r.json.code).toBe('body_too_deep');
    expect(r.json.max_depth).toBe(64);
  });

  it('the result cache is per tenant: a result is served from it only to the tenant that made it', async () => {
    const text = 'A sentence only Alice has asked for, cached for her.';
    const first = await submit(ALICE, { text });
    expect((await waitForJob(svc.base, first.json.id, 30_000, as(ALICE))).cached).toBe(false);
    const bob = await submit(BOB, { text });
    expect((await waitForJob(svc.base, bob.json.id, 30_000, as(BOB))).cached).toBe(false);
    const again = await submit(ALICE, { text });
    expect((await waitForJob(svc.base, again.json.id, 30_000, as(ALICE))).cached).toBe(true);
  });

  it('with no keys presented the API still refuses (401), not an anonymous tenant', async () => {
    const r = await postJson(`${svc.base}/api/jobs`, { text: 'hi' });
    expect(r.status).toBe(401);
  });
});
