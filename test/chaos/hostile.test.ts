import { request, Agent } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, startService, type Service } from '../integration/harness.js';

let svc: Service;
beforeAll(async () => {
  svc = await startService({ workers: 1, env: { TTS_WAIT_MS: '100' } });
});
afterAll(async () => {
  await svc?.stop();
});

/** Small deterministic PRNG so a failure can be replayed. */
function rng(seed: number) {
  return () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
}

interface Req {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

const ODD = [
  '\ud800',
  '\udfff',
  '\u202e',
  '\u200b\u200d',
  'e\u0301'.repeat(500),
  '😀'.repeat(300),
  '\u0000',
  '\ufeff',
  '𠀀𪚥',
  '\u2028\u2029',
  'ﷺ',
  '\uffff',
];
const TRAVERSAL = [
  '../../etc/passwd',
  '..%2F..%2Fetc%2Fpasswd',
  '%2e%2e%2f%2e%2e%2f',
  '....//....//',
  '%00',
  '..\\..\\windows',
  '%252e%252e',
  'a'.repeat(5000),
  '%ff%fe',
  '<script>',
];

function generate(n: number): Req[] {
  const r = rng(42);
  const pick = <T>(a: T[]): T => a[Math.floor(r() * a.length)]!;
  const json = { 'Content-Type': 'application/json' };
  const out: Req[] = [];
  for (let i = 0; i < n; i++) {
    const path = pick(['/api/jobs', '/api/tts']);
    switch (i % 10) {
      case 0: {
        const good = JSON.stringify({ text: 'hello world', speed: 1 });
        out.push({
          method: 'POST',
          path,
          headers: json,
          body: good.slice(0, Math.floor(r() * good.length)) + pick(['', '}', ']', '\\', '"', '\u0000', '{{']),
        });
        break;
      }
      case 1:
        out.push({
          method: 'POST',
          path,
          headers: json,
          body: JSON.stringify({
            text: pick([1, [], {}, true, null, -0, 1e308, ['a']]),
            voice: pick([1, {}, 'x', null]),
            speed: pick(['1', [], {}, NaN, -1, 1e9]),
          }),
        });
        break;
      case 2:
        out.push({
          method: 'POST',
          path,
          headers: json,
          body: JSON.stringify({ text: 'ok', engine: pick([1, 'gpt', {}, '']), format: pick(['mp4', 2, null]) }),
        });
        break;
      case 3: {
        const depth = 1000 + Math.floor(r() * 20000);
        out.push({ method: 'POST', path, headers: json, body: `{"text":${'['.repeat(depth)}${']'.repeat(depth)}}` });
        break;
      }
      case 4:
        out.push({
          method: 'POST',
          path: '/api/jobs',
          headers: json,
          body: JSON.stringify({ text: `${pick(ODD)}${pick(ODD)} odd ${pick(ODD)}` }),
        });
        break;
      case 5:
        out.push({ method: 'GET', path: `/api/jobs/${pick(TRAVERSAL)}${pick(['', '/audio', '/events'])}` });
        break;
      case 6:
        out.push({
          method: 'POST',
          path,
          headers: {
            'Content-Type': pick([
              'text/plain',
              'application/xml',
              'multipart/form-data',
              'application/json; charset=latin1',
              '',
            ]),
          },
          body: 'text=hello',
        });
        break;
      case 7:
        out.push({
          method: pick(['PUT', 'PATCH', 'DELETE', 'OPTIONS', 'GET']),
          path: pick(['/api/tts', '/api/jobs/x', '/api/voices', '/../../etc/passwd', '/api/%', '/%c0%ae%c0%ae/']),
        });
        break;
      case 8:
        out.push({
          method: 'POST',
          path,
          headers: { ...json, 'Content-Encoding': pick(['gzip', 'br', 'deflate', 'x-unknown']) },
          body: Buffer.from('not compressed at all'),
        });
        break;
      default:
        out.push({
          method: 'POST',
          path,
          headers: json,
          body: JSON.stringify({
            text: 'x'.repeat(Math.floor(r() * 3) * 400),
            voice: pick(['female', 'male', 'robot', 'zh-female']),
          }),
        });
    }
  }
  // A few huge bodies.
  for (let i = 0; i < 5; i++)
    out.push({
      method: 'POST',
      path: '/api/jobs',
      headers: json,
      body: JSON.stringify({ text: 'a'.repeat(3_000_000) }),
    });
  return out;
}

function send(base: URL, agent: Agent, req: Req): Promise<number> {
  return new Promise((resolve) => {
    const r = request(
      { host: base.hostname, port: base.port, method: req.method, path: req.path, headers: req.headers, agent },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    r.on('error', () => resolve(-1)); // the server may close a connection it refuses: not a 5xx
    if (req.body !== undefined) r.end(req.body);
    else r.end();
  });
}

describe('hostile requests', () => {
  it('5,000 generated hostile requests: zero 5xx, and valid requests keep being served in between', async () => {
    const base = new URL(svc.base);
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    // Slow clients trickle their headers while everything else goes on.
    const slow = Array.from({ length: 5 }, () => {
      const s = connect(Number(base.port), base.hostname);
      s.on('error', () => undefined);
      const t = setInterval(() => s.write('X-Slow: 1\r\n'), 200);
      s.write('POST /api/jobs HTTP/1.1\r\nHost: x\r\n');
      return { s, t };
    });

    const reqs = generate(5000);
    const statuses = new Map<number, number>();
    const valid: number[] = [];
    let next = 0;
    const workerLoop = async () => {
      while (next < reqs.length) {
        const i = next++;
        const code = await send(base, agent, reqs[i]!);
        statuses.set(code, (statuses.get(code) ?? 0) + 1);
        if (i % 500 === 0) {
          const ok = await postJson(`${svc.base}/api/jobs`, { text: `Valid request number ${i}.` });
          valid.push(ok.status);
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, workerLoop));
    for (const { s, t } of slow) {
      clearInterval(t);
      s.destroy();
    }
    agent.destroy();

    const fiveXX = [...statuses.entries()].filter(([c]) => c >= 500);
    expect(fiveXX, JSON.stringify([...statuses.entries()])).toEqual([]);
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(reqs.length);
    // Most were answered with a clear 4xx (a few odd-Unicode texts are valid and get 202).
    const fourXX = [...statuses.entries()].filter(([c]) => c >= 400 && c < 500).reduce((a, [, n]) => a + n, 0);
    expect(fourXX, JSON.stringify([...statuses.entries()])).toBeGreaterThan(reqs.length * 0.8);
    expect(valid.length).toBeGreaterThanOrEqual(10);
    expect(valid.every((s) => s === 202)).toBe(true);
    // Still up and serving afterwards.
    expect((await fetch(`${svc.base}/healthz`)).status).toBe(200);
    const after = await postJson(`${svc.base}/api/jobs`, { text: 'Still serving.' });
    expect(after.status).toBe(202);
  });
});
