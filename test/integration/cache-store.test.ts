import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResultCache, type CacheEntry } from '../../src/cache/result-cache.js';
import { cacheBytesKey } from '../../src/queue/names.js';
import { DiskStorage } from '../../src/storage/disk.js';
import { REDIS_URL } from './harness.js';

const prefix = `t-${randomBytes(5).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'cache-store-'));
let redis: Redis;
const jobs = new DiskStorage(join(dir, 'audio'));
const files = new DiskStorage(join(dir, 'audio', 'cache'));

const entry = (bytes: number): CacheEntry => ({
  format: 'wav',
  contentType: 'audio/wav',
  bytes,
  durationMs: 100,
  sampleRate: 22050,
  chunks: 1,
  engine: 'espeak',
  createdAt: 0,
});

/** Put a job's audio file of `bytes` into storage and cache it under `key`. */
async function put(cache: ResultCache, key: string, bytes: number, now: number) {
  const tmp = jobs.tempPath(`${key}.x`);
  writeFileSync(tmp, Buffer.alloc(bytes, 1));
  await jobs.putFile(`${key}-job.wav`, tmp);
  await cache.store(key, jobs, `${key}-job.wav`, entry(bytes), now);
}

beforeAll(() => {
  redis = new Redis(REDIS_URL);
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  rmSync(dir, { recursive: true, force: true });
});

describe('result cache store (real Redis, disk files)', () => {
  it('stores, finds and copies out an entry; the job copy outlives eviction', async () => {
    const cache = new ResultCache(redis, `${prefix}a`, files, { maxBytes: 10_000, ttlSeconds: 3600 });
    await put(cache, 'k1', 1000, Date.now());
    const hit = await cache.lookup('k1');
    expect(hit).toMatchObject({ bytes: 1000, format: 'wav' });
    const copied = await cache.copyOut('k1', hit!, jobs, 'copy-of-k1.wav');
    expect(copied.size).toBe(1000);
    expect(await cache.lookup('nope')).toBeNull();
    await redis.del(`${prefix}a:cache:index`);
    expect(await jobs.stat('copy-of-k1.wav')).not.toBeNull();
  });

  it('evicts least recently used entries beyond the byte budget', async () => {
    const p = `${prefix}b`;
    const cache = new ResultCache(redis, p, files, { maxBytes: 2500, ttlSeconds: 3600 });
    const t = Date.now();
    await put(cache, 'old', 1000, t);
    await put(cache, 'mid', 1000, t + 1);
    await cache.peek('old', t + 2); // used again: now "mid" is the least recently used
    await put(cache, 'new', 1000, t + 3);
    expect(await cache.peek('mid', t + 4)).toBeNull();
    expect(await cache.peek('old', t + 4)).not.toBeNull();
    expect(await cache.peek('new', t + 4)).not.toBeNull();
    expect(Number(await redis.get(cacheBytesKey(p)))).toBe(2000);
    expect(await files.stat('mid.wav')).toBeNull();
  });

  it('honours expiry', async () => {
    const cache = new ResultCache(redis, `${prefix}c`, files, { maxBytes: 10_000, ttlSeconds: 60 });
    const t = Date.now();
    await put(cache, 'e1', 100, t - 61_000);
    expect(await cache.peek('e1', t)).toBeNull();
    expect(await files.stat('e1.wav')).toBeNull();
    await put(cache, 'e2', 100, t - 61_000);
    expect(await cache.evict(t)).toBe(1);
  });

  it('lets one holder lock a content key at a time', async () => {
    const cache = new ResultCache(redis, `${prefix}d`, files, { maxBytes: 10_000, ttlSeconds: 60 });
    const a = await cache.lock('same', 5000);
    expect(a).not.toBeNull();
    expect(await cache.lock('same', 5000)).toBeNull();
    expect(await cache.locked('same')).toBe(true);
    await a!.release();
    expect(await cache.locked('same')).toBe(false);
    const b = await cache.lock('same', 5000);
    await b!.release();
  });

  it('does nothing when the budget is 0 (cache off)', async () => {
    const cache = new ResultCache(redis, `${prefix}e`, files, { maxBytes: 0, ttlSeconds: 60 });
    await put(cache, 'off', 10, Date.now());
    expect(await cache.lookup('off')).toBeNull();
  });
});
