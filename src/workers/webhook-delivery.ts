import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Metrics } from '../observability/metrics.js';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { createRedis } from '../queue/connection.js';
import { WEBHOOK_QUEUE } from '../queue/names.js';
import { eventId } from '../webhooks/event.js';
import { WEBHOOK_BACKOFF, type WebhookJobData } from '../webhooks/outbox.js';
import { postWebhook } from '../webhooks/post.js';
import { signedHeaders } from '../webhooks/signature.js';
import { checkWebhookUrl, WebhookUrlError, type Lookup } from '../webhooks/ssrf.js';
import type { WebhookLog } from '../webhooks/store.js';

/** Longest wait between two attempts of one delivery. */
export const MAX_WEBHOOK_BACKOFF_MS = 60 * 60 * 1000;
/** Deliveries one process sends at once: light I/O, independent of the engine pool. */
const DELIVERY_CONCURRENCY = 10;

/** Exponential backoff with jitter: attempt n waits 50–100% of base × 2^(n-1), at most an hour. */
export function webhookBackoff(attemptsMade: number, baseMs: number, random: () => number = Math.random): number {
  const full = Math.min(baseMs * 2 ** Math.max(0, attemptsMade - 1), MAX_WEBHOOK_BACKOFF_MS);
  return Math.round(full / 2 + (random() * full) / 2);
}

export interface DeliveryDeps {
  secret: string | undefined;
  allowHosts: readonly string[];
  timeoutMs: number;
  log: WebhookLog;
  logger: Logger;
  lookup?: Lookup;
}

/**
 * One delivery attempt: re-check the URL (DNS may have changed since
 * submit), sign, POST to the checked address, record the attempt.
 * 2xx → delivered; 410 → stop retrying; anything else → retry with backoff
 * until the last attempt, after which the job stays in the queue's failed
 * set (the dead letter) and the record says `dead`.
 */
export async function deliverWebhook(job: Job<WebhookJobData>, deps: DeliveryDeps): Promise<{ status: number }> {
  const { url, event } = job.data;
  const jobId = event.data.id;
  const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
  const at = new Date().toISOString();
  const start = performance.now();
  const ms = () => Math.round(performance.now() - start);
  const stop = async (error: string, state: 'failed' | 'dead') => {
    await deps.log.attempt(jobId, { at, error, ms: ms() });
    await deps.log.setState(jobId, state);
    return new UnrecoverableError(error);
  };
  if (!deps.secret) throw await stop('WEBHOOK_SECRET is not set on this worker', 'failed');
  let target: Awaited<ReturnType<typeof checkWebhookUrl>>;
  try {
    target = await checkWebhookUrl(url, { allowHosts: deps.allowHosts, lookup: deps.lookup });
  } catch (err) {
    if (err instanceof WebhookUrlError) throw await stop(`refused: ${err.reason}`, 'failed');
    throw err;
  }
  const body = JSON.stringify(event);
  let status: number;
  try {
    status = await postWebhook(
      target,
      body,
      signedHeaders(deps.secret, eventId(jobId, event.data.status), body),
      deps.timeoutMs,
    );
  } catch (err) {
    const error = (err as Error).message || String(err);
    await deps.log.attempt(jobId, { at, error, ms: ms() });
    if (last) await deps.log.setState(jobId, 'dead');
    throw new Error(`webhook delivery failed: ${error}`);
  }
  await deps.log.attempt(jobId, { at, status_code: status, ms: ms() });
  if (status >= 200 && status < 300) {
    await deps.log.setState(jobId, 'delivered');
    return { status };
  }
  if (status === 410) {
    await deps.log.setState(jobId, 'failed');
    throw new UnrecoverableError('receiver answered 410 Gone: not retrying');
  }
  if (last) await deps.log.setState(jobId, 'dead');
  throw new Error(`receiver answered ${status}`);
}

/** The webhooks queue's Worker, run inside every synthesis worker process. */
export function startWebhookDelivery(
  config: Config,
  log: WebhookLog,
  logger: Logger,
  metrics?: Metrics,
): { close(): Promise<void> } {
  const deps: DeliveryDeps = {
    secret: config.webhookSecret,
    allowHosts: config.webhookAllowHosts,
    timeoutMs: config.webhookTimeoutMs,
    log,
    logger,
  };
  const connection = createRedis(config);
  const worker = new Worker<WebhookJobData>(WEBHOOK_QUEUE, (job) => deliverWebhook(job, deps), {
    connection,
    prefix: config.queuePrefix,
    concurrency: DELIVERY_CONCURRENCY,
    settings: {
      backoffStrategy: (attemptsMade, type) =>
        type === WEBHOOK_BACKOFF ? webhookBackoff(attemptsMade, config.webhookBackoffMs) : 0,
    },
  });
  worker.on('completed', () => metrics?.webhookDeliveries.inc({ outcome: 'delivered' }));
  worker.on('failed', (job, err) => {
    const dead = !!job && (err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1));
    metrics?.webhookDeliveries.inc({ outcome: dead ? 'dead' : 'retry' });
    logger[dead ? 'warn' : 'info'](
      { webhookJob: job?.id, attempt: job?.attemptsMade, err: err.message },
      dead ? 'webhook not delivered: giving up' : 'webhook attempt failed; will retry',
    );
  });
  worker.on('error', (err) => logger.warn({ err: err.message }, 'webhook worker error'));
  return {
    async close() {
      await worker.close();
      await connection.quit().catch(() => undefined);
    },
  };
}
