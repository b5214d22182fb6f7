/**
 * Protocol edges answered in JSON like every other error: no Host header, CONNECT, and a
 * Transfer-Encoding other than plain chunked (whose body Node's parser would pass on undecoded).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeApp, serveFakeApp } from './support/fake-app.js';
import { bodyOf, rawHttp, statusOf } from './support/raw-http.js';

let app: FakeApp;
beforeAll(async () => {
  app = await serveFakeApp({});
});
afterAll(async () => {
  await app.close();
});

describe('protocol edges', () => {
  it('an HTTP/1.1 request without Host: a JSON 400 missing_host', async () => {
    const r = await rawHttp(app.base, 'GET /api/voices HTTP/1.1\r\n\r\n');
    expect(statusOf(r.text)).toBe(400);
    expect(r.text).toMatch(/content-type: application\/json/i);
    expect(bodyOf(r.text)).toMatchObject({ code: 'missing_host' });
    // HTTP/1.0 has no Host requirement.
    expect(statusOf((await rawHttp(app.base, 'GET /healthz HTTP/1.0\r\n\r\n')).text)).toBe(200);
  });

  it('CONNECT: a JSON 405, not a closed connection', async () => {
    const r = await rawHttp(app.base, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
    expect(statusOf(r.text)).toBe(405);
    expect(bodyOf(r.text)).toMatchObject({ code: 'method_not_allowed' });
  });

  it('Transfer-Encoding other than chunked alone: a JSON 400, the body unread', async () => {
    const chunked = (te: string) =>
      `POST /api/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: ${te}\r\n\r\n4\r\n{"te\r\n`;
    for (const te of ['gzip, chunked', 'deflate,chunked', 'identity, chunked']) {
      const r = await rawHttp(app.base, chunked(te), { trickle: true });
      expect(statusOf(r.text), te).toBe(400);
      expect(bodyOf(r.text)).toMatchObject({ code: 'unsupported_transfer_encoding', allowed: ['chunked'] });
      expect(r.closed).toBe(true);
    }
    // Node's parser refuses a Transfer-Encoding whose last coding is not chunked: JSON 400 too.
    const last = await rawHttp(app.base, chunked('chunked, gzip'));
    expect(statusOf(last.text)).toBe(400);
    expect(bodyOf(last.text)).toMatchObject({ code: 'bad_request' });
  });

  it('plain chunked is read as before', async () => {
    const body = '{"text": ""}';
    const r = await rawHttp(
      app.base,
      `POST /api/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`,
      { ms: 1000 },
    );
    expect(bodyOf(r.text)).toMatchObject({ code: 'invalid_request', field: 'text' });
  });
});
