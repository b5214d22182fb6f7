import { Redis, type RedisOptions } from 'ioredis';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * A Redis connection for BullMQ. Workers and blocking clients need
 * `maxRetriesPerRequest: null` so commands wait out a Redis restart
 * instead of failing.
 */
export function createRedis(url: string | undefined, opts: RedisOptions = {}): Redis {
  return new Redis(url ?? DEFAULT_REDIS_URL, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    ...opts,
  });
}
