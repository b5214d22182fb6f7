import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { BULLMQ_PRIORITY } from '../domain/job.js';

/** BullMQ scores a prioritized job `priority × 2^32 + arrival counter`. */
const BAND = 0x100000000;
/** Jobs looked at per queue per pass; bulk jobs are in arrival order, so the oldest come first. */
const BATCH = 200;

/**
 * The anti-starvation rule: a bulk job that has waited `afterMs` is raised to
 * normal priority (behind the normal jobs already waiting, which arrived
 * earlier or at once). Safe to run in every API process at once: a raised
 * job is no longer in the bulk band.
 */
export async function promoteBulk(
  redis: Redis,
  prefix: string,
  queues: readonly Queue[],
  afterMs: number,
  now = Date.now(),
): Promise<number> {
  const bulk = BULLMQ_PRIORITY.bulk;
  let promoted = 0;
  for (const q of queues) {
    const ids = await redis.zrangebyscore(
      `${prefix}:${q.name}:prioritized`,
      bulk * BAND,
      `(${(bulk + 1) * BAND}`,
      'LIMIT',
      0,
      BATCH,
    );
    for (const id of ids) {
      const ts = Number(await redis.hget(`${prefix}:${q.name}:${id}`, 'timestamp'));
      if (!Number.isFinite(ts) || now - ts < afterMs) break;
      const job = await q.getJob(id);
      // Taken by a worker meanwhile: changePriority refuses, which is fine.
      await job?.changePriority({ priority: BULLMQ_PRIORITY.normal }).catch(() => undefined);
      promoted++;
    }
  }
  return promoted;
}
