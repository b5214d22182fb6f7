import type { Redis } from 'ioredis';

/**
 * Keep (or take back) a job's lock, atomically: the holder's token renews it; a lock that merely
 * lapsed (Redis was away, the worker was cut off) is taken back as long as the job is still in the
 * active list, because no other worker can have it yet: the stalled check must first move it out.
 * Anything else (another token holds it, or the job was moved on) means another attempt owns it.
 */
const RENEW_OR_RECLAIM = `
local lock = redis.call('GET', KEYS[1])
if lock == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
elseif lock then
  return 0
elseif not redis.call('LPOS', KEYS[2], ARGV[3]) then
  return 0
else
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
redis.call('SREM', KEYS[3], ARGV[3])
return 1`;

/** Whether the attempt holding `token` still owns the job; if so its lock now lasts `lockMs` more. */
export async function holdJobLock(
  redis: Redis,
  job: { prefix: string; queueName: string; id: string },
  token: string,
  lockMs: number,
): Promise<boolean> {
  const base = `${job.prefix}:${job.queueName}`;
  const keys = [`${base}:${job.id}:lock`, `${base}:active`, `${base}:stalled`];
  return (await redis.eval(RENEW_OR_RECLAIM, keys.length, ...keys, token, String(lockMs), job.id)) === 1;
}
