import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';

/**
 * Where a waiting job stands: BullMQ hands out its wait list first (jobs
 * without a priority, i.e. health probes), then its prioritized set in score
 * order (priority, then arrival). The estimate assumes the jobs ahead and the
 * running ones take the engine's recent mean time, spread over the live slots.
 */
export async function queuePosition(
  redis: Redis,
  prefix: string,
  job: Job,
  pace: { slots: number; meanMs: number },
  now = Date.now(),
): Promise<{ position: number; estimated_start: string } | null> {
  const base = `${prefix}:${job.queueName}`;
  const id = job.id;
  if (!id) return null;
  const [waitLen, rank, listPos, active] = await Promise.all([
    redis.llen(`${base}:wait`),
    redis.zrank(`${base}:prioritized`, id),
    redis.lpos(`${base}:wait`, id),
    redis.llen(`${base}:active`),
  ]);
  let position: number;
  if (rank !== null) position = waitLen + rank;
  else if (listPos !== null)
    position = waitLen - 1 - listPos; // workers take from the list's right end
  else return null; // taken (or delayed) meanwhile
  const waitMs = ((position + active) / pace.slots) * pace.meanMs;
  return { position, estimated_start: new Date(now + Math.round(waitMs)).toISOString() };
}
