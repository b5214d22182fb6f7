/**
 * Before `npm start` runs its local redis-server: is the port already taken, and by whom? A Redis
 * whose data directory is this run's is one an earlier run left behind (even a run from before
 * DATA_DIR/run.json existed): it is stopped, keeping its data, so this run can own it. Anything
 * else on the port is someone else's, and the start says so instead of failing obscurely.
 */
import { Redis } from 'ioredis';

export type PortCheck = { free: true } | { free: false; ours: true } | { free: false; ours: false; what: string };

async function connect(url: string): Promise<Redis | undefined> {
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return r;
  } catch {
    r.disconnect();
    return undefined;
  }
}

/** Who answers on `port`; a Redis of `dir` is stopped (SHUTDOWN writes its AOF first) before this returns. */
export async function claimRedisPort(port: number, dir: string): Promise<PortCheck> {
  const url = `redis://127.0.0.1:${port}`;
  const r = await connect(url);
  if (!r) return { free: true };
  try {
    const reply = (await r.call('CONFIG', 'GET', 'dir').catch(() => null)) as string[] | null;
    if (reply?.[1] !== dir) {
      return {
        free: false,
        ours: false,
        what: reply ? `a Redis with its data in ${reply[1]}` : 'a program that is not Redis',
      };
    }
    await r.call('SHUTDOWN').catch(() => undefined); // the connection closes as it stops
  } finally {
    r.disconnect();
  }
  for (let i = 0; i < 100; i++) {
    const again = await connect(url);
    if (!again) return { free: false, ours: true };
    again.disconnect();
    await new Promise((res) => setTimeout(res, 100));
  }
  return { free: false, ours: false, what: 'a Redis of this DATA_DIR that did not stop when asked' };
}
