import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { SharedSynthesis, type SharedJob } from '../../src/cache/job-cache.js';
import type { CacheEntry, CacheLock } from '../../src/cache/result-cache.js';
import type { CanceledResult, JobResult } from '../../src/domain/job.js';
import type { Storage, StoredObject } from '../../src/storage/storage.js';

const KEY = 'c0ffee';

/** The result cache's index and locks in memory; releasing a lock notifies the holder's job, as its record's next write does. */
class FakeCache {
  enabled = true;
  readonly entries = new Map<string, CacheEntry>();
  readonly locks = new Map<string, string>();
  readonly stored: { key: string; fromKey: string; entry: CacheEntry }[] = [];
  lookups = 0;
  peeks = 0;
  copyFails = false;
  storeFails = false;
  constructor(private readonly watcher: FakeWatcher) {}

  async lookup(key: string) {
    this.lookups++;
    return this.entries.get(key) ?? null;
  }
  async peek(key: string) {
    this.peeks++;
    return this.entries.get(key) ?? null;
  }
  async copyOut(_key: string, entry: CacheEntry, _to: Storage, _toKey: string): Promise<StoredObject> {
    if (this.copyFails) throw new Error('ENOENT: evicted');
    return { size: entry.bytes, mtimeMs: 0 };
  }
  async store(key: string, _from: Storage, fromKey: string, entry: CacheEntry) {
    if (this.storeFails) throw new Error('disk full');
    this.stored.push({ key, fromKey, entry });
    this.entries.set(key, entry);
  }
  async lock(key: string, _ms: number, holder = ''): Promise<CacheLock | null> {
    if (this.locks.has(key)) return null;
    this.locks.set(key, holder);
    return {
      release: async () => {
        this.locks.delete(key);
        this.watcher.wake(holder);
      },
    };
  }
  async holder(key: string) {
    return this.locks.get(key) ?? null;
  }
}

/** Waiters on job ids, woken only when a test (or the fake cache) says the job changed. */
class FakeWatcher {
  readonly waiters = new Map<string, Set<() => void>>();
  async start() {}
  next(id: string, _ms: number) {
    let done: () => void = () => undefined;
    const wait = new Promise<void>((resolve) => {
      const set = this.waiters.get(id) ?? new Set();
      this.waiters.set(id, set);
      done = () => {
        set.delete(done);
        resolve();
      };
      set.add(done);
    });
    return { wait, cancel: () => done() };
  }
  wake(id: string) {
    for (const w of [...(this.waiters.get(id) ?? [])]) w();
  }
  get waiting() {
    let n = 0;
    for (const s of this.waiters.values()) n += s.size;
    return n;
  }
}

const storage = {} as Storage;

const result = (id: string): JobResult => ({
  audio: { key: `${id}.mp3`, contentType: 'audio/mpeg', bytes: 321, durationMs: 700, sampleRate: 24000, sha256: 'ff' },
  engine: 'kokoro',
  worker: 'w-a',
  chunks: 2,
  startedAt: 1,
  finishedAt: 2,
  synthesisMs: 1,
  timings: { sampleRate: 24000, samples: 16800, segments: [] },
});

function deferred<T>() {
  let resolve: (v: T) => void = () => undefined;
  let reject: (e: unknown) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const setup = () => {
  const watcher = new FakeWatcher();
  const cache = new FakeCache(watcher);
  const shared = new SharedSynthesis(cache, storage, 30_000, pino({ level: 'silent' }), watcher);
  const job = (jobId: string, make: () => Promise<JobResult | CanceledResult>, over: Partial<SharedJob> = {}) => ({
    jobId,
    key: KEY,
    audioKey: `${jobId}.mp3`,
    workerId: `w-${jobId}`,
    make: vi.fn(make),
    ...over,
  });
  return { watcher, cache, shared, job };
};

describe('SharedSynthesis', () => {
  it('synthesizes without locking when the cache is off', async () => {
    const { cache, shared, job } = setup();
    cache.enabled = false;
    const a = job('a', async () => result('a'));
    expect(await shared.run(a)).toEqual(result('a'));
    expect(cache.lookups).toBe(0);
    expect(cache.stored).toEqual([]);
  });

  it('synthesizes a miss once under the lock, stores it and releases the lock', async () => {
    const { cache, shared, job } = setup();
    const a = job('a', async () => result('a'));
    expect(await shared.run(a)).toEqual(result('a'));
    expect(a.make).toHaveBeenCalledOnce();
    expect(cache.stored).toHaveLength(1);
    expect(cache.stored[0]).toMatchObject({
      key: KEY,
      fromKey: 'a.mp3',
      entry: { format: 'mp3', bytes: 321, chunks: 2, engine: 'kokoro', sha256: 'ff' },
    });
    expect(cache.stored[0]?.entry.timings).toBeDefined();
    expect(cache.locks.size).toBe(0);
  });

  it("serves a hit as a copy under the job's own key, without synthesis", async () => {
    const { cache, shared, job } = setup();
    await shared.run(job('a', async () => result('a')));
    const b = job('b', async () => result('b'));
    const out = await shared.run(b);
    expect(b.make).not.toHaveBeenCalled();
    expect(out).toMatchObject({
      audio: { key: 'b.mp3', bytes: 321, sha256: 'ff' },
      engine: 'kokoro',
      worker: 'w-b',
      cached: true,
      chunks: 2,
    });
    expect(cache.lookups).toBe(2);
  });

  it('keeps a result it could not store, and releases the lock when synthesis fails', async () => {
    const { cache, shared, job } = setup();
    cache.storeFails = true;
    expect(await shared.run(job('a', async () => result('a')))).toEqual(result('a'));
    expect(cache.locks.size).toBe(0);
    await expect(shared.run(job('b', () => Promise.reject(new Error('engine died'))))).rejects.toThrow('engine died');
    expect(cache.locks.size).toBe(0);
  });

  it('never caches a canceled job', async () => {
    const { cache, shared, job } = setup();
    const out = await shared.run(job('a', async () => ({ canceled: { at: 1, chunksDone: 1 } })));
    expect(out).toMatchObject({ canceled: { chunksDone: 1 } });
    expect(cache.stored).toEqual([]);
  });

  it('synthesizes when the cached file vanished between lookup and copy', async () => {
    const { cache, shared, job } = setup();
    await shared.run(job('a', async () => result('a')));
    cache.copyFails = true;
    const b = job('b', async () => result('b'));
    expect(await shared.run(b)).toEqual(result('b'));
    expect(b.make).toHaveBeenCalledOnce();
  });

  it('makes an identical job in flight wait for the holder and copy its result', async () => {
    const { cache, watcher, shared, job } = setup();
    const held = deferred<JobResult>();
    const a = job('a', () => held.promise);
    const b = job('b', async () => result('b'));
    const first = shared.run(a);
    await vi.waitFor(() => expect(cache.locks.get(KEY)).toBe('a'), { interval: 1 });
    const second = shared.run(b);
    // b waits on its own record and on the holder's.
    await vi.waitFor(() => expect(watcher.waiting).toBe(2), { interval: 1 });
    held.resolve(result('a'));
    await first;
    const out = await second;
    expect(b.make).not.toHaveBeenCalled();
    expect(out).toMatchObject({ audio: { key: 'b.mp3' }, worker: 'w-b', cached: true });
    // Counted as one lookup; the re-checks while waiting are not.
    expect(cache.lookups).toBe(2);
    expect(cache.peeks).toBeGreaterThan(0);
    expect(watcher.waiting).toBe(0);
  });

  it('takes over when the holder fails, and synthesizes once', async () => {
    const { cache, watcher, shared, job } = setup();
    const held = deferred<JobResult>();
    const first = shared.run(job('a', () => held.promise)).catch((e: unknown) => e);
    await vi.waitFor(() => expect(cache.locks.get(KEY)).toBe('a'), { interval: 1 });
    const b = job('b', async () => result('b'));
    const second = shared.run(b);
    await vi.waitFor(() => expect(watcher.waiting).toBe(2), { interval: 1 });
    held.reject(new Error('holder crashed'));
    expect(await first).toMatchObject({ message: 'holder crashed' });
    expect(await second).toEqual(result('b'));
    expect(b.make).toHaveBeenCalledOnce();
    expect(cache.stored.map((s) => s.fromKey)).toEqual(['b.mp3']);
    expect(cache.locks.size).toBe(0);
  });

  it('stops waiting as canceled when its own job is canceled meanwhile', async () => {
    const { cache, watcher, shared, job } = setup();
    const held = deferred<JobResult>();
    const first = shared.run(job('a', () => held.promise));
    await vi.waitFor(() => expect(cache.locks.get(KEY)).toBe('a'), { interval: 1 });
    let canceled = false;
    const b = job('b', async () => result('b'), { isCanceled: async () => canceled });
    const second = shared.run(b);
    await vi.waitFor(() => expect(watcher.waiting).toBe(2), { interval: 1 });
    canceled = true;
    watcher.wake('b'); // the cancel is a change of b's record
    expect(await second).toMatchObject({ canceled: { chunksDone: 0 } });
    expect(b.make).not.toHaveBeenCalled();
    expect(watcher.waiting).toBe(0);
    held.resolve(result('a'));
    await first;
  });
});
