import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { WEBHOOK_JOB, WEBHOOK_QUEUE, webhookJobId } from '../queue/names.js';
import type { WebhookEvent } from './event.js';
import type { WebhookLog } from './store.js';

/** A delivery job of the webhooks queue. */
export interface WebhookJobData {
  url: string;
  event: WebhookEvent;
}

/** The backoff type delivery jobs name; the delivery Worker implements it (exponential with jitter). */
export const WEBHOOK_BACKOFF = 'webhook-jitter';

/**
 * Queues a job's terminal event on the webhooks queue. The queue job id is
 * derived from the job id and status, so a retried or crashed synthesis
 * attempt that queues the same event again adds nothing.
 */
export class WebhookOutbox {
  readonly queue: Queue<WebhookJobData>;

  constructor(
    redis: Redis,
    prefix: string,
    private readonly log: WebhookLog,
    private readonly opts: { attempts: number; ttlSeconds: number },
  ) {
    this.queue = new Queue<WebhookJobData>(WEBHOOK_QUEUE, { connection: redis, prefix });
  }

  async send(url: string, event: WebhookEvent): Promise<void> {
    await this.log.opened(event.data.id, url);
    const retain = { age: this.opts.ttlSeconds };
    await this.queue.add(
      WEBHOOK_JOB,
      { url, event },
      {
        jobId: webhookJobId(event.data.id, event.data.status),
        attempts: this.opts.attempts,
        backoff: { type: WEBHOOK_BACKOFF },
        removeOnComplete: retain,
        // The failed set is the dead letter: kept as long as the job itself.
        removeOnFail: retain,
      },
    );
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
