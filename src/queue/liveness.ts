import type { Redis } from 'ioredis';
import { workersKey } from './names.js';

/**
 * Worker liveness shared through Redis, so any process on any host can tell
 * whether an engine has a live worker. Each worker refreshes its score in a
 * sorted set; a member whose score is older than the window counts as gone.
 */
export class Liveness {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    /** A worker is live if it beat within this many ms. */
    readonly windowMs: number,
  ) {}

  async beat(engine: string, workerId: string, now = Date.now()): Promise<void> {
    const key = workersKey(this.prefix, engine);
    await this.redis
      .multi()
      .zadd(key, now, workerId)
      .zremrangebyscore(key, '-inf', now - this.windowMs)
      .pexpire(key, this.windowMs * 4)
      .exec();
  }

  async leave(engine: string, workerId: string): Promise<void> {
    await this.redis.zrem(workersKey(this.prefix, engine), workerId);
  }

  /** Live worker count per engine. */
  async count(engines: string[], now = Date.now()): Promise<Record<string, number>> {
    const pipe = this.redis.pipeline();
    for (const e of engines) pipe.zcount(workersKey(this.prefix, e), now - this.windowMs, '+inf');
    const res = (await pipe.exec()) ?? [];
    return Object.fromEntries(engines.map((e, i) => [e, Number(res[i]?.[1] ?? 0)]));
  }
}
