import type { JobTimings } from '../domain/timing.js';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Format } from '../domain/job.js';
import { cacheBytesKey, cacheIndexKey, cacheLockKey, cacheLruKey } from '../queue/names.js';
import type { Storage, StoredObject } from '../storage/storage.js';
import { copyObject } from './copy.js';

/** What the cache knows about one stored result. */
export interface CacheEntry {
  format: Format;
  contentType: string;
  bytes: number;
  durationMs: number;
  sampleRate: number;
  chunks: number;
  engine: string;
  createdAt: number;
  sha256?: string;
  /** The audio's timings, so a cached result has captions too. */
  timings?: JobTimings;
}

export interface ResultCacheOptions {
  /** Byte budget of the cached files; 0 turns the cache off. */
  maxBytes: number;
  /** Entries older than this are misses and are removed. */
  ttlSeconds: number;
  /** Told about every lookup (for tts_cache_lookups_total). */
  onLookup?(result: 'hit' | 'miss'): void;
}

/** A lock on one content key; renewed on a timer until released. */
export interface CacheLock {
  release(): Promise<void>;
}

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`;
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0`;

/**
 * Content-addressed store of finished audio. Files live in their own Storage
 * (never in Redis); Redis holds the index, a recency set for LRU eviction
 * under a byte budget, the byte total and per-key synthesis locks, so every
 * API and worker process on every host shares one cache.
 */
export class ResultCache {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    readonly files: Storage,
    private readonly opts: ResultCacheOptions,
  ) {}

  get enabled(): boolean {
    return this.opts.maxBytes > 0;
  }

  private fileKey(key: string, format: Format): string {
    return `${key}.${format}`;
  }

  /** The entry for `key` if it is stored, fresh and its file is there; a hit counts as a use. */
  async lookup(key: string, now = Date.now()): Promise<CacheEntry | null> {
    const entry = await this.peek(key, now);
    this.opts.onLookup?.(entry ? 'hit' : 'miss');
    return entry;
  }

  /** Like lookup, without counting it (a waiting job polls). */
  async peek(key: string, now = Date.now()): Promise<CacheEntry | null> {
    if (!this.enabled) return null;
    const raw = await this.redis.hget(cacheIndexKey(this.prefix), key);
    if (!raw) return null;
    const entry = JSON.parse(raw) as CacheEntry;
    if (
      now - entry.createdAt > this.opts.ttlSeconds * 1000 ||
      !(await this.files.stat(this.fileKey(key, entry.format)))
    ) {
      await this.remove(key, entry.format);
      return null;
    }
    // Not awaited: the touch goes out with whatever is sent next (a hit's record write), and its
    // answer changes nothing here; waiting for it would cost a cache hit a round trip.
    void this.redis.zadd(cacheLruKey(this.prefix), 'XX', now, key).catch(() => undefined);
    return entry;
  }

  /** Copy a cached file out to `to` under `toKey` (the job's own audio, which outlives eviction). */
  copyOut(key: string, entry: CacheEntry, to: Storage, toKey: string): Promise<StoredObject> {
    return copyObject(this.files, this.fileKey(key, entry.format), to, toKey);
  }

  /** Store a finished job's audio under `key`, then evict down to the budget. */
  async store(key: string, from: Storage, fromKey: string, entry: CacheEntry, now = Date.now()): Promise<void> {
    if (!this.enabled || entry.bytes > this.opts.maxBytes) return;
    const stored = await copyObject(from, fromKey, this.files, this.fileKey(key, entry.format));
    const fresh = await this.redis.hset(
      cacheIndexKey(this.prefix),
      key,
      JSON.stringify({ ...entry, bytes: stored.size, createdAt: now }),
    );
    if (fresh) await this.redis.incrby(cacheBytesKey(this.prefix), stored.size);
    await this.redis.zadd(cacheLruKey(this.prefix), now, key);
    await this.evict(now);
  }

  /** Remove expired entries, then the least recently used ones until the files fit the budget. */
  async evict(now = Date.now()): Promise<number> {
    let removed = 0;
    const lru = cacheLruKey(this.prefix);
    for (const key of await this.redis.zrangebyscore(
      lru,
      '-inf',
      String(now - this.opts.ttlSeconds * 1000),
      'LIMIT',
      0,
      100,
    )) {
      if (await this.removeKey(key)) removed++;
    }
    for (let guard = 0; guard < 1000; guard++) {
      const total = Number((await this.redis.get(cacheBytesKey(this.prefix))) ?? 0);
      if (total <= this.opts.maxBytes) break;
      const [oldest] = await this.redis.zrange(lru, '0', '0');
      if (!oldest) break;
      if (await this.removeKey(oldest)) removed++;
    }
    return removed;
  }

  /**
   * Free disk space: remove least recently used entries until `enough()` says
   * so. An entry whose file is also a job's audio (a hard link, links > 1)
   * frees nothing when removed, so it is kept; it becomes removable once the
   * job's audio is deleted or expires. Returns the bytes actually freed.
   */
  async evictForSpace(enough: () => Promise<boolean>, maxEntries = 1000): Promise<number> {
    if (await enough()) return 0;
    const index = await this.redis.hgetall(cacheIndexKey(this.prefix));
    const lru = await this.redis.zrange(cacheLruKey(this.prefix), '0', String(maxEntries - 1));
    let freed = 0;
    for (const key of lru) {
      const raw = index[key];
      if (!raw) continue;
      const { format } = JSON.parse(raw) as CacheEntry;
      const stat = await this.files.stat(this.fileKey(key, format));
      if (stat && (stat.links ?? 1) > 1) continue;
      if (await this.remove(key, format)) freed += stat?.size ?? 0;
      if (stat && (await enough())) break;
    }
    return freed;
  }

  private async removeKey(key: string): Promise<boolean> {
    const raw = await this.redis.hget(cacheIndexKey(this.prefix), key);
    if (!raw) {
      await this.redis.zrem(cacheLruKey(this.prefix), key);
      return false;
    }
    return this.remove(key, (JSON.parse(raw) as CacheEntry).format);
  }

  /** Only the process whose HDEL removed the entry gives its bytes back, so concurrent evictions count once. */
  private async remove(key: string, format: Format): Promise<boolean> {
    const raw = await this.redis.hget(cacheIndexKey(this.prefix), key);
    const gone = await this.redis.hdel(cacheIndexKey(this.prefix), key);
    await this.redis.zrem(cacheLruKey(this.prefix), key);
    if (!gone) return false;
    if (raw) await this.redis.decrby(cacheBytesKey(this.prefix), (JSON.parse(raw) as CacheEntry).bytes);
    await this.files.delete(this.fileKey(key, format));
    return true;
  }

  /** Try to become the one synthesizer of `key` (job `holder`) for `ms` (renewed every ms/3 until released); null when another holds it. */
  async lock(key: string, ms: number, holder = ''): Promise<CacheLock | null> {
    // The holder's job id leads the token, so those waiting can follow that job's record.
    const token = `${holder}/${randomBytes(12).toString('hex')}`;
    const k = cacheLockKey(this.prefix, key);
    const ok = await this.redis.set(k, token, 'PX', ms, 'NX');
    if (!ok) return null;
    const timer = setInterval(
      () => void this.redis.eval(RENEW, 1, k, token, ms).catch(() => undefined),
      Math.max(50, Math.floor(ms / 3)),
    );
    timer.unref();
    return {
      release: async () => {
        clearInterval(timer);
        await this.redis.eval(RELEASE, 1, k, token).catch(() => undefined);
      },
    };
  }

  async locked(key: string): Promise<boolean> {
    return (await this.redis.exists(cacheLockKey(this.prefix, key))) === 1;
  }

  /** The job id holding `key`'s lock ('' when the holder gave none), or null when nobody holds it. */
  async holder(key: string): Promise<string | null> {
    const token = await this.redis.get(cacheLockKey(this.prefix, key));
    return token === null ? null : token.slice(0, Math.max(0, token.indexOf('/')));
  }
}
