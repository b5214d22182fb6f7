import { execFileSync } from 'node:child_process';
import { Redis } from 'ioredis';

/**
 * Vitest runs this once per project that lists it (integration, integration-timing, chaos, e2e),
 * all in its one main process: remember the build there so `npm test` compiles once, not four times.
 */
const BUILT = Symbol.for('tandem.test.distBuilt');
const shared = globalThis as { [BUILT]?: true };

/** Build dist/ once (integration tests run the compiled processes) and check Redis is there. */
export default async function setup(): Promise<void> {
  if (!shared[BUILT]) {
    execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
      stdio: 'inherit',
    });
    shared[BUILT] = true;
  }
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    await r.connect();
    await r.ping();
  } catch (err) {
    throw new Error(`Integration tests need a Redis server at ${url} (set REDIS_URL): ${(err as Error).message}`);
  } finally {
    r.disconnect();
  }
}
