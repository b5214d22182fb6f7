import { connect } from 'node:net';

/**
 * Send raw bytes to `base`, then (with `trickle`) one more byte every 100 ms, as a slow sender
 * would; resolve with what came back and when the server closed (or `ms` passed: `closed` false).
 */
export function rawHttp(
  base: string,
  data: string,
  opts: { trickle?: boolean; ms?: number } = {},
): Promise<{ text: string; ms: number; closed: boolean }> {
  const port = Number(new URL(base).port);
  return new Promise((resolve) => {
    const t0 = Date.now();
    let text = '';
    const s = connect(port, '127.0.0.1', () => s.write(data));
    const drip = opts.trickle ? setInterval(() => s.writable && s.write('a'), 100) : undefined;
    const timer = setTimeout(() => finish(false), opts.ms ?? 3000);
    function finish(closed: boolean) {
      clearInterval(drip);
      clearTimeout(timer);
      s.destroy();
      resolve({ text, ms: Date.now() - t0, closed });
    }
    s.on('data', (d) => (text += d.toString()));
    s.on('end', () => finish(true));
    s.on('close', () => finish(true));
    s.on('error', () => finish(true));
  });
}

export const statusOf = (text: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
export const bodyOf = (text: string) => JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;
