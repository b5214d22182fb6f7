/**
 * Edges of HTTP: a declared body over the limit refused before it is read,
 * failed authentication throttled per address, and the errors Node's server
 * answers by itself (400, 417, 431) in JSON.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKey } from '../../src/api/auth.js';
import { decode, startService, type Service } from './harness.js';

const KEY = 'edge-client-key-0001';
let svc: Service;
beforeAll(async () => {
  svc = await startService({
    env: { API_KEYS: `edge:${hashKey(KEY)}`, AUTH_FAILURES_PER_MINUTE: '5', BODY_LIMIT_BYTES: '10000' },
  });
});
afterAll(async () => {
  await svc?.stop();
});

/** Send raw bytes; resolve with what came back before the server closed (or `ms` passed). */
function raw(data: string, ms = 5000): Promise<{ text: string; ms: number }> {
  const port = Number(new URL(svc.base).port);
  return new Promise((resolve) => {
    const t0 = Date.now();
    let text = '';
    const s = connect(port, '127.0.0.1', () => s.write(data));
    const done = () => resolve({ text, ms: Date.now() - t0 });
    s.on('data', (d) => (text += d.toString()));
    s.on('close', done);
    s.on('error', done);
    setTimeout(() => {
      s.destroy();
    }, ms);
  });
}
const statusOf = (text: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
const bodyOf = (text: string) => JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;

describe('HTTP edges', () => {
  it('a declared Content-Length over the limit is refused with 413 before the body is sent', async () => {
    // Headers only: the body never comes. The answer must not wait for it.
    const r = await raw(
      `POST /api/jobs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEY}\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n{"te`,
    );
    expect(statusOf(r.text)).toBe(413);
    expect(bodyOf(r.text)).toMatchObject({ code: 'body_too_large', max_bytes: 10000, declared_bytes: 100000000 });
    expect(r.ms).toBeLessThan(2000);
    // Before authentication too: a stranger's huge body is not read either.
    const anon = await raw(`POST /api/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: 50000\r\n\r\n`);
    expect(statusOf(anon.text)).toBe(413);
  });

  it('an unsupported Expect gets a JSON 417; oversized headers a JSON 431; garbage a JSON 400', async () => {
    const e = await raw(`GET /api/voices HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\n\r\n`);
    expect(statusOf(e.text)).toBe(417);
    expect(e.text).toMatch(/content-type: application\/json/i);
    expect(bodyOf(e.text)).toMatchObject({ code: 'expectation_failed' });
    const h = await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(40_000)}\r\n\r\n`);
    expect(statusOf(h.text)).toBe(431);
    expect(bodyOf(h.text)).toMatchObject({ code: 'headers_too_large' });
    const g = await raw('NOT HTTP AT ALL\r\n\r\n');
    expect(statusOf(g.text)).toBe(400);
    expect(bodyOf(g.text)).toMatchObject({ code: 'bad_request' });
  });

  it('repeated failed authentication from one address is throttled with 429 and Retry-After', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const r = await fetch(`${svc.base}/api/voices`, { headers: { Authorization: `Bearer wrong-${i}` } });
      statuses.push(r.status);
      if (r.status === 429) {
        expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(((await r.json()) as { code: string }).code).toBe('auth_throttled');
      } else await r.arrayBuffer();
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
    // A valid key from the same address is still served: throttling only bites failed attempts.
    const ok = await decode(await fetch(`${svc.base}/api/voices`, { headers: { Authorization: `Bearer ${KEY}` } }));
    expect(ok.status).toBe(200);
  });
});
