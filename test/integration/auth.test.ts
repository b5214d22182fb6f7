import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKey } from '../../src/api/auth.js';
import { decode, freePort, postJson, spawnProc, startService, waitForJob, type Service } from './harness.js';

const CLIENT = 'client-key-for-tests';
const ADMIN = 'admin-key-for-tests';
const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });
const basic = (key: string) => ({ Authorization: `Basic ${Buffer.from(`someone:${key}`).toString('base64')}` });
const get = async (url: string, headers: Record<string, string> = {}) => decode(await fetch(url, { headers }));

describe('API keys', () => {
  let svc: Service;
  beforeAll(async () => {
    svc = await startService({ env: { API_KEYS: `alice:${hashKey(CLIENT)}`, ADMIN_KEYS: `ops:${hashKey(ADMIN)}` } });
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('say at start that access control is on', () => {
    expect(svc.api.lines.join('\n')).toMatch(/access control on: 1 client key\(s\), 1 admin key\(s\)/);
  });

  it('leave /healthz, /readyz and the page open', async () => {
    expect((await get(`${svc.base}/healthz`)).status).toBe(200);
    const ready = await get(`${svc.base}/readyz`);
    expect(ready.status).toBe(200);
    expect(ready.json.status).toBe('ready');
    const page = await get(`${svc.base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect((await get(`${svc.base}/assets/app.js`)).headers.get('content-type')).toMatch(/javascript/);
  });

  it('answer /api/* without a key, or with a wrong one, with 401 JSON', async () => {
    const cases: [Record<string, string>, string, RegExp][] = [
      [{}, 'missing', /^This needs an API key/],
      [bearer('not-a-key'), 'not_accepted', /^The key sent was not accepted/],
      [{ Authorization: 'Token abc' }, 'malformed', /^The Authorization header was not understood/],
      [basic('not-a-key'), 'not_accepted', /^The key sent was not accepted/],
    ];
    for (const [headers, reason, message] of cases) {
      const r = await get(`${svc.base}/api/voices`, headers);
      expect(r.status).toBe(401);
      expect(r.json).toMatchObject({ code: 'unauthorized', reason, error: expect.stringMatching(message) });
      expect(r.json.error).toMatch(/API key/);
      expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
    // The body of a stranger's request is not even read.
    const post = await postJson(`${svc.base}/api/jobs`, '{not json');
    expect(post.status).toBe(401);
    expect(post.json.code).toBe('unauthorized');
  });

  it('accept a client key, an admin key, and Basic auth carrying a key', async () => {
    for (const headers of [bearer(CLIENT), bearer(ADMIN), basic(CLIENT)]) {
      const r = await get(`${svc.base}/api/voices`, headers);
      expect(r.status).toBe(200);
      expect(r.json.generic).toEqual(['female', 'male']);
    }
    const config = await get(`${svc.base}/api/config`, bearer(CLIENT));
    expect(config.json).toMatchObject({
      formats: ['wav', 'mp3', 'opus', 'flac', 'pcm'],
      engines: ['auto', 'primary', 'backup'],
      max_chars: { jobs: 100000, tts: 500 },
    });
  });

  it('run a whole job with a client key', async () => {
    const sub = await postJson(`${svc.base}/api/jobs`, { text: '你好。Hello.' }, bearer(CLIENT));
    expect(sub.status).toBe(202);
    expect((await get(`${svc.base}/api/jobs/${sub.json.id}`)).status).toBe(401);
    const job = await waitForJob(svc.base, sub.json.id, 60_000, bearer(CLIENT));
    expect(job.status).toBe('succeeded');
    expect((await get(`${svc.base}${job.links.audio}`)).status).toBe(401);
    const audio = await get(`${svc.base}${job.links.audio}`, bearer(CLIENT));
    expect(audio.status).toBe(200);
    expect(audio.buf.subarray(0, 4).toString()).toBe('RIFF');
  });

  it('keep Bull Board for admin keys: 401 without a key, 403 with a client key', async () => {
    const none = await get(`${svc.base}/admin/queues`);
    expect(none.status).toBe(401);
    expect(none.json.code).toBe('unauthorized');
    expect(none.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    expect((await get(`${svc.base}/admin/queues`, bearer('nope'))).status).toBe(401);
    const client = await get(`${svc.base}/admin/queues`, bearer(CLIENT));
    expect(client.status).toBe(403);
    expect(client.json).toMatchObject({ code: 'forbidden', error: expect.stringMatching(/admin key/) });
    expect((await get(`${svc.base}/admin/queues/api/queues`, basic(CLIENT))).status).toBe(403);

    for (const headers of [bearer(ADMIN), basic(ADMIN)]) {
      const page = await get(`${svc.base}/admin/queues`, headers);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      // Bull Board gets its own policy, one its inline styles satisfy.
      const csp = page.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("style-src 'self' 'unsafe-inline'");
      // Nothing from another origin: no Google Fonts link in the page, none allowed by the policy.
      expect(csp).not.toMatch(/https?:/);
      const html = page.buf.toString('utf8');
      expect(html).toContain('static/css/main');
      expect(html).not.toMatch(/<link[^>]*href="(https?:)?\/\//);
    }
    const queues = await get(`${svc.base}/admin/queues/api/queues`, basic(ADMIN));
    expect(queues.status).toBe(200);
    expect(queues.json.queues.map((q: { name: string }) => q.name)).toContain('tts-espeak');
  });

  it('keep the router controls for admin keys', async () => {
    // An invalid mode: it reaches the handler only past the admin check, and changes nothing.
    expect((await postJson(`${svc.base}/api/router/mode`, { mode: 'sideways' })).status).toBe(401);
    const client = await postJson(`${svc.base}/api/router/mode`, { mode: 'sideways' }, bearer(CLIENT));
    expect(client.status).toBe(403);
    expect(client.json.code).toBe('forbidden');
    const admin = await postJson(`${svc.base}/api/router/mode`, { mode: 'sideways' }, bearer(ADMIN));
    expect(admin.status).toBe(400);
    expect(admin.json.field).toBe('mode');
    expect((await postJson(`${svc.base}/api/router/confirm`, {}, bearer(CLIENT))).status).toBe(403);
    expect((await postJson(`${svc.base}/api/router/confirm`, {}, bearer(ADMIN))).status).toBe(200);
    // Reading the engines' state is a client API.
    expect((await get(`${svc.base}/api/engines`, bearer(CLIENT))).status).toBe(200);
  });
});

describe('without keys', () => {
  let svc: Service;
  beforeAll(async () => {
    svc = await startService({ workers: 0, env: { RATE_LIMIT_PER_MINUTE: '3' } });
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('say the service is open and bound to loopback only', () => {
    expect(svc.api.lines.join('\n')).toMatch(
      /no API keys configured: the service is open, so it listens on 127\.0\.0\.1 \(this machine\) only/,
    );
  });

  it('leave /api/*, /metrics and Bull Board open', async () => {
    expect((await get(`${svc.base}/admin/queues`)).status).toBe(200);
    expect((await get(`${svc.base}/metrics`)).status).toBe(200);
    // The rate limit still counts by address; this is request 1 of 3.
    expect((await get(`${svc.base}/api/voices`)).status).toBe(200);
  });
});

describe('metrics keys', () => {
  let svc: Service;
  const SCRAPER = 'metrics-scraper-key';
  beforeAll(async () => {
    svc = await startService({
      workers: 0,
      env: {
        API_KEYS: `alice:${hashKey(CLIENT)}`,
        ADMIN_KEYS: `ops:${hashKey(ADMIN)}`,
        METRICS_KEYS: `prom:${hashKey(SCRAPER)}`,
      },
    });
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('give /metrics its own token: the metrics key or an admin key, not a client key', async () => {
    const none = await get(`${svc.base}/metrics`);
    expect(none.status).toBe(401);
    expect(none.json.code).toBe('unauthorized');
    expect((await get(`${svc.base}/metrics`, bearer(CLIENT))).status).toBe(403);
    for (const key of [SCRAPER, ADMIN]) {
      const r = await get(`${svc.base}/metrics`, bearer(key));
      expect(r.status).toBe(200);
      expect(r.buf.toString()).toMatch(/^# HELP/m);
    }
    // A metrics key is not a client key.
    expect((await get(`${svc.base}/api/voices`, bearer(SCRAPER))).status).toBe(401);
  });
});

describe('rate limit', () => {
  let svc: Service;
  const other = 'second-client-key';
  beforeAll(async () => {
    svc = await startService({
      workers: 0,
      env: {
        API_KEYS: `alice:${hashKey(CLIENT)},bob:${hashKey(other)}`,
        ADMIN_KEYS: `ops:${hashKey(ADMIN)}`,
        RATE_LIMIT_PER_MINUTE: '3',
      },
    });
  });
  afterAll(async () => {
    await svc?.stop();
  });

  it('answers 429 with Retry-After once a key used its requests, per key, across API processes', async () => {
    for (let i = 0; i < 3; i++) expect((await get(`${svc.base}/api/voices`, bearer(CLIENT))).status).toBe(200);
    const limited = await get(`${svc.base}/api/voices`, bearer(CLIENT));
    expect(limited.status).toBe(429);
    expect(limited.json).toMatchObject({ code: 'rate_limited', limit_per_minute: 3 });
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);

    // Another key has its own allowance; open routes are not counted.
    expect((await get(`${svc.base}/api/voices`, bearer(other))).status).toBe(200);
    expect((await get(`${svc.base}/healthz`)).status).toBe(200);

    // A second API process on the same Redis sees the same count.
    const port = await freePort();
    const api2 = spawnProc('api.js', [], { ...svc.env, PORT: String(port) });
    try {
      await api2.waitFor(/API listening/);
      const r = await get(`http://127.0.0.1:${port}/api/voices`, bearer(CLIENT));
      expect(r.status).toBe(429);
      expect(r.headers.get('retry-after')).toBeTruthy();
      expect((await get(`http://127.0.0.1:${port}/api/voices`, bearer(other))).status).toBe(200);
    } finally {
      api2.child.kill('SIGTERM');
      await api2.exited;
    }
  });

  it('does not count admin routes', async () => {
    for (let i = 0; i < 5; i++) expect((await get(`${svc.base}/admin/queues`, basic(ADMIN))).status).toBe(200);
  });
});
