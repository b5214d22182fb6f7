import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { holdJobLock } from '../../src/queue/job-lock.js';
import { REDIS_URL } from './harness.js';

const redis = new Redis(REDIS_URL);
const prefix = `t-${randomBytes(5).toString('hex')}`;
const job = { prefix, queueName: 'tts-espeak', id: 'job-1' };
const lock = `${prefix}:tts-espeak:job-1:lock`;
const active = `${prefix}:tts-espeak:active`;
const stalled = `${prefix}:tts-espeak:stalled`;

afterAll(async () => {
  await redis.del(lock, active, stalled);
  redis.disconnect();
});

describe('holdJobLock (real Redis)', () => {
  it('renews the holder’s lock and clears the stalled mark', async () => {
    await redis.set(lock, 'tok-a', 'PX', 100);
    await redis.sadd(stalled, 'job-1');
    expect(await holdJobLock(redis, job, 'tok-a', 5000)).toBe(true);
    expect(await redis.pttl(lock)).toBeGreaterThan(1000);
    expect(await redis.sismember(stalled, 'job-1')).toBe(0);
  });

  it('refuses when another attempt holds the lock', async () => {
    await redis.set(lock, 'tok-b', 'PX', 5000);
    expect(await holdJobLock(redis, job, 'tok-a', 5000)).toBe(false);
    expect(await redis.get(lock)).toBe('tok-b');
  });

  it('takes back a lapsed lock while the job is still active, not after it was moved on', async () => {
    await redis.del(lock);
    await redis.rpush(active, 'other', 'job-1');
    expect(await holdJobLock(redis, job, 'tok-a', 5000)).toBe(true);
    expect(await redis.get(lock)).toBe('tok-a');
    await redis.del(lock);
    await redis.lrem(active, 0, 'job-1'); // the stalled check moved it back to waiting
    expect(await holdJobLock(redis, job, 'tok-a', 5000)).toBe(false);
    expect(await redis.exists(lock)).toBe(0);
  });
});
