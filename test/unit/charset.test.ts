/** A body in any charset but UTF-8 is refused 400 unsupported_encoding, as docs/api.md says, not decoded. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeApp, serveFakeApp } from './support/fake-app.js';

let app: FakeApp;
beforeAll(async () => {
  app = await serveFakeApp({});
});
afterAll(async () => {
  await app.close();
});

const post = async (path: string, type: string, body: Buffer | string) => {
  const r = await fetch(`${app.base}${path}`, { method: 'POST', headers: { 'Content-Type': type }, body });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
};

describe('request charsets', () => {
  it('refuses utf-7, utf-16le, latin1 and others with 400 unsupported_encoding', async () => {
    const cases: [string, Buffer | string][] = [
      ['application/json; charset=utf-7', '{"text":"1+1"}'],
      ['application/json; charset=utf-16le', Buffer.from('{"text":"hi"}', 'utf16le')],
      ['application/json; charset="UTF-16"', Buffer.from('{"text":"hi"}', 'utf16le')],
      ['application/json;charset=iso-8859-1', '{"text":"hi"}'],
      ['application/json; charset=', '{"text":"hi"}'],
    ];
    for (const [type, body] of cases) {
      const r = await post('/api/jobs', type, body);
      expect(r.status, type).toBe(400);
      expect(r.json, type).toMatchObject({ code: 'unsupported_encoding', allowed: ['utf-8'] });
    }
    // The OpenAI routes too, in OpenAI's error shape.
    const o = await post('/v1/audio/speech', 'application/json; charset=utf-7', '{"input":"1+1"}');
    expect(o.status).toBe(400);
    expect(o.json).toMatchObject({ error: { code: 'unsupported_encoding' } });
  });

  it('takes utf-8, quoted or not, in any case, and no charset at all', async () => {
    for (const type of ['application/json; charset=utf-8', 'application/json; charset="UTF-8"', 'application/json']) {
      // An empty text gets past the charset check to the request's own validation.
      const r = await post('/api/jobs', type, '{"text":""}');
      expect(r.json, type).toMatchObject({ code: 'invalid_request', field: 'text' });
    }
  });
});
