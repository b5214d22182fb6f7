import type { Redis } from 'ioredis';
import { webhookAttemptsKey, webhookKey } from '../queue/names.js';

/** pending: not sent yet or retrying; delivered: a 2xx; failed: stopped early (410, refused URL); dead: every attempt failed. */
export type DeliveryState = 'pending' | 'delivered' | 'failed' | 'dead';

/** One delivery attempt as `GET /api/jobs/:id` shows it. */
export interface DeliveryAttempt {
  at: string;
  status_code?: number;
  error?: string;
  ms: number;
}

export interface WebhookView {
  url: string;
  state: DeliveryState;
  deliveries: DeliveryAttempt[];
}

/** Every attempt must not grow a list without bound. */
const MAX_ATTEMPTS_KEPT = 100;

/** A job's webhook delivery record in Redis: its state and every attempt, expiring with the job. */
export class WebhookLog {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlSeconds: number,
  ) {}

  /** Mark an event as queued; never overwrites a state a delivery already reached. */
  async opened(jobId: string, url: string): Promise<void> {
    const key = webhookKey(this.prefix, jobId);
    await this.redis.multi().hset(key, 'url', url).hsetnx(key, 'state', 'pending').expire(key, this.ttlSeconds).exec();
  }

  async attempt(jobId: string, a: DeliveryAttempt): Promise<void> {
    const key = webhookAttemptsKey(this.prefix, jobId);
    await this.redis
      .multi()
      .rpush(key, JSON.stringify(a))
      .ltrim(key, -MAX_ATTEMPTS_KEPT, -1)
      .expire(key, this.ttlSeconds)
      .exec();
  }

  async setState(jobId: string, state: DeliveryState): Promise<void> {
    const key = webhookKey(this.prefix, jobId);
    await this.redis.multi().hset(key, 'state', state).expire(key, this.ttlSeconds).exec();
  }

  async view(jobId: string, url: string): Promise<WebhookView> {
    const [state, raw] = await Promise.all([
      this.redis.hget(webhookKey(this.prefix, jobId), 'state'),
      this.redis.lrange(webhookAttemptsKey(this.prefix, jobId), 0, -1),
    ]);
    return {
      url,
      state: (state as DeliveryState | null) ?? 'pending',
      deliveries: raw.map((r) => JSON.parse(r) as DeliveryAttempt),
    };
  }

  async remove(jobId: string): Promise<void> {
    await this.redis.del(webhookKey(this.prefix, jobId), webhookAttemptsKey(this.prefix, jobId));
  }
}
