/** A receiver's status line is its answer: a 2xx is a delivery however slowly its body follows. */
import { createServer, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postWebhook } from '../../src/webhooks/post.js';

let port: number;
const open = new Set<ServerResponse>();
const server = createServer((req, res) => {
  req.resume();
  open.add(res);
  res.on('close', () => open.delete(res));
  if (req.url === '/silent') return; // never answers
  // The status line at once, then the body a byte a second.
  res.writeHead(req.url === '/slow-500' ? 500 : 200, { 'Content-Type': 'text/plain' });
  res.flushHeaders();
  const drip = setInterval(() => res.write('.'), 1000);
  res.on('close', () => clearInterval(drip));
});

beforeAll(async () => {
  server.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  for (const res of open) res.destroy();
  await new Promise((r) => server.close(r));
});

const target = (path: string) => ({
  url: new URL(`http://127.0.0.1:${port}${path}`),
  address: '127.0.0.1',
  family: 4 as const,
});

describe('postWebhook', () => {
  it('resolves with a 200 whose body trickles, well within the timeout, and hangs up on the body', async () => {
    const t0 = Date.now();
    expect(await postWebhook(target('/slow-200'), '{}', {}, 1500)).toBe(200);
    expect(Date.now() - t0).toBeLessThan(1000);
    // The connection does not stay open for the rest of the body.
    await new Promise((r) => setTimeout(r, 1500));
    expect(open.size).toBe(0);
  });

  it('still reports the status of a slow non-2xx answer, and a timeout when no status line comes', async () => {
    expect(await postWebhook(target('/slow-500'), '{}', {}, 1500)).toBe(500);
    await expect(postWebhook(target('/silent'), '{}', {}, 300)).rejects.toThrow(/no answer within 300 ms/);
  });
});
