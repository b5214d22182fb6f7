import type { Redis } from 'ioredis';
import { quotaAudioKey } from '../queue/names.js';

/** The UTC day (`YYYY-MM-DD`) the daily quotas count in. */
export const utcDay = (now: number): string => new Date(now).toISOString().slice(0, 10);

/**
 * Add the audio a job made to its tenant's count for today, which the API's audio-seconds quota
 * (QUOTA_AUDIO_SECONDS_PER_DAY) reads. Counted when the audio exists: how long it is is known then.
 */
export async function countAudio(redis: Redis, prefix: string, tenant: string, ms: number, now = Date.now()) {
  const key = quotaAudioKey(prefix, tenant, utcDay(now));
  await redis
    .multi()
    .incrby(key, Math.max(0, Math.round(ms)))
    .expire(key, 2 * 86_400)
    .exec();
}
