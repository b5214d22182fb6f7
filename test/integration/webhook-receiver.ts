/** A real HTTP receiver on loopback for webhook tests: scripted answers, every request recorded. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

export interface Receiver {
  url(path: string): string;
  received: Received[];
  /** Requests to one path. */
  to(path: string): Received[];
  /** Resolve once `n` requests reached `path`. */
  waitFor(path: string, n?: number, ms?: number): Promise<Received[]>;
  close(): Promise<void>;
}

/**
 * Paths: `/ok` → 200; `/flaky/<n>/<name>` → 500 the first n times, then 200;
 * `/gone/<name>` → 410; `/down/<name>` → 503 always.
 */
export async function startReceiver(host = '127.0.0.1'): Promise<Receiver> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      const seen = received.filter((r) => r.path === path).length;
      const flaky = /^\/flaky\/(\d+)\//.exec(path);
      let status = 200;
      if (flaky) status = seen <= Number(flaky[1]) ? 500 : 200;
      else if (path.startsWith('/gone/')) status = 410;
      else if (path.startsWith('/down/')) status = 503;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(String(status));
    });
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  const port = (server.address() as AddressInfo).port;
  const to = (path: string) => received.filter((r) => r.path === path);
  return {
    url: (path) => `http://${host}:${port}${path}`,
    received,
    to,
    async waitFor(path, n = 1, ms = 30_000) {
      const end = Date.now() + ms;
      while (to(path).length < n) {
        if (Date.now() > end) throw new Error(`receiver got ${to(path).length} of ${n} requests to ${path}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return to(path);
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}
