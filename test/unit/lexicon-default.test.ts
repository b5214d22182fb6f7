import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LexiconStore } from '../../src/lexicons/store.js';

/** The few Redis calls LexiconStore makes, on maps; `gets` counts GETs (reads of a default). */
function fakeRedis() {
  const strings = new Map<string, string>();
  const hashes = new Map<string, Map<string, string>>();
  const hash = (k: string) => hashes.get(k) ?? hashes.set(k, new Map()).get(k)!;
  const calls = { gets: 0 };
  const redis = {
    get: async (k: string) => {
      calls.gets++;
      return strings.get(k) ?? null;
    },
    set: async (k: string, v: string) => void strings.set(k, v),
    del: async (k: string) => Number(strings.delete(k)),
    hexists: async (k: string, f: string) => Number(hash(k).has(f)),
    hlen: async (k: string) => hash(k).size,
    hincrby: async (k: string, f: string, n: number) => {
      const v = Number(hash(k).get(f) ?? 0) + n;
      hash(k).set(f, String(v));
      return v;
    },
    hset: async (k: string, f: string, v: string) => void hash(k).set(f, v),
    hget: async (k: string, f: string) => hash(k).get(f) ?? null,
    hdel: async (k: string, f: string) => Number(hash(k).delete(f)),
  };
  return { redis: redis as unknown as Redis, calls, strings };
}

const entries = [{ text: '行', lang: 'zh' as const, pinyin: 'xing2' }];

afterEach(() => vi.useRealTimers());

describe('default lexicon lookup', () => {
  it('is read from Redis once per second per namespace, not on every request', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { redis, calls } = fakeRedis();
    const store = new LexiconStore(redis, 'p');
    for (let i = 0; i < 5; i++) expect(await store.resolve('a', undefined)).toBeUndefined();
    expect(calls.gets).toBe(1);
    await store.resolve('b', undefined);
    expect(calls.gets).toBe(2);
    vi.setSystemTime(Date.now() + 1001);
    await store.resolve('a', undefined);
    expect(calls.gets).toBe(3);
  });

  it("this process's own changes to the default apply at once", async () => {
    const { redis } = fakeRedis();
    const store = new LexiconStore(redis, 'p');
    expect(await store.resolve('a', undefined)).toBeUndefined();
    await store.put('a', 'names', entries, true);
    expect((await store.resolve('a', undefined))?.used).toEqual(['names@1']);
    await store.delete('a', 'names');
    expect(await store.resolve('a', undefined)).toBeUndefined();
  });

  it("another process's change is seen once the remembered value is a second old", async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { redis } = fakeRedis();
    const here = new LexiconStore(redis, 'p');
    const there = new LexiconStore(redis, 'p');
    expect(await here.resolve('a', undefined)).toBeUndefined();
    await there.put('a', 'names', entries, true);
    expect(await here.resolve('a', undefined)).toBeUndefined();
    vi.setSystemTime(Date.now() + 1001);
    expect((await here.resolve('a', undefined))?.used).toEqual(['names@1']);
  });
});
