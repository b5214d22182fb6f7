/**
 * A request refused at the door (401, 429 from auth; 503 from the Redis gate) before its body
 * was read closes the connection, as a declared body over the limit does: a slow sender must not
 * hold the socket while it trickles a body nobody will read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKey } from '../../src/api/auth.js';
import { type FakeApp, serveFakeApp } from './support/fake-app.js';
import { bodyOf, rawHttp, statusOf } from './support/raw-http.js';

const KEY = 'door-key';
let app: FakeApp;
beforeAll(async () => {
  app = await serveFakeApp({ API_KEYS: `door:${hashKey(KEY)}`, RATE_LIMIT_PER_MINUTE: '1' });
});
afterAll(async () => {
  await app.close();
});

const post = (auth: string) =>
  `POST /api/jobs HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{"te`;

describe('a refusal before the body', () => {
  it('401: answers at once and closes the connection while the sender still trickles', async () => {
    const r = await rawHttp(app.base, post(''), { trickle: true });
    expect(statusOf(r.text)).toBe(401);
    expect(r.text).toMatch(/connection: close/i);
    expect(r.closed).toBe(true);
    expect(r.ms).toBeLessThan(1500);
  });

  it('429: the same for a key over its rate limit', async () => {
    await fetch(`${app.base}/api/nothing`, { headers: { Authorization: `Bearer ${KEY}` } });
    const r = await rawHttp(app.base, post(`Authorization: Bearer ${KEY}\r\n`), { trickle: true });
    expect(statusOf(r.text)).toBe(429);
    expect(bodyOf(r.text)).toMatchObject({ code: 'rate_limited' });
    expect(r.closed).toBe(true);
    expect(r.ms).toBeLessThan(1500);
  });

  it('keeps a connection whose request had no body open for the next request', async () => {
    const r = await rawHttp(app.base, 'GET /api/nothing HTTP/1.1\r\nHost: x\r\n\r\n', { ms: 800 });
    expect(statusOf(r.text)).toBe(401);
    expect(r.closed).toBe(false);
  });
});
