import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { JobWatcher } from '../../src/jobs/watcher.js';
import { jobChangesChannel } from '../../src/queue/names.js';

/** The subscriber connection: a test publishes change notifications on it by hand. */
class FakeSub extends EventEmitter {
  readonly channels: string[] = [];
  quitted = false;
  async subscribe(channel: string) {
    this.channels.push(channel);
  }
  async quit() {
    this.quitted = true;
  }
  publish(message: string) {
    this.emit('message', jobChangesChannel('p'), message);
  }
}

const setup = () => {
  const sub = new FakeSub();
  let duplicates = 0;
  const redis = {
    duplicate: () => {
      duplicates++;
      return sub;
    },
  } as unknown as Redis;
  return { sub, watcher: new JobWatcher(redis, 'p'), duplicates: () => duplicates };
};

const settled = async (p: Promise<unknown>) => {
  let done = false;
  void p.then(() => {
    done = true;
  });
  await new Promise((r) => setImmediate(r));
  return done;
};

describe('JobWatcher', () => {
  it('subscribes once to the changes channel, however often it is started', async () => {
    const { sub, watcher, duplicates } = setup();
    await Promise.all([watcher.start(), watcher.start()]);
    await watcher.start();
    expect(duplicates()).toBe(1);
    expect(sub.channels).toEqual([jobChangesChannel('p')]);
  });

  it('wakes the waiters of the changed job only (an id that another starts with stays asleep)', async () => {
    const { sub, watcher } = setup();
    await watcher.start();
    const j1 = watcher.next('j1', 10_000);
    const j10 = watcher.next('j10', 10_000);
    sub.publish('j10 running');
    expect(await settled(j10.wait)).toBe(true);
    expect(await settled(j1.wait)).toBe(false);
    sub.publish('j1');
    expect(await settled(j1.wait)).toBe(true);
    expect(watcher.waiting).toBe(0);
  });

  it('gives up waiting after its time, on cancel, or when the signal aborts, leaving no waiter', async () => {
    const { watcher } = setup();
    await watcher.start();
    const timed = watcher.next('a', 5);
    const canceled = watcher.next('a', 10_000);
    const abort = new AbortController();
    const aborted = watcher.next('a', 10_000, abort.signal);
    expect(watcher.waiting).toBe(3);
    canceled.cancel();
    abort.abort();
    await Promise.all([timed.wait, canceled.wait, aborted.wait]);
    expect(watcher.waiting).toBe(0);
  });

  it('re-reads on every change until the record is what the caller waits for', async () => {
    const { sub, watcher } = setup();
    const statuses = ['queued', 'running', 'running', 'succeeded'];
    let reads = 0;
    const read = async () => statuses[Math.min(reads++, statuses.length - 1)];
    const until = watcher.until('j', read, (s) => s === 'succeeded', 10_000);
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setImmediate(r));
      sub.publish('j running');
    }
    expect(await until).toBe('succeeded');
    expect(reads).toBe(4);
    expect(watcher.waiting).toBe(0);
  });

  it('returns the last value read when the time runs out, and passes a read error on', async () => {
    const { watcher } = setup();
    const started = Date.now();
    expect(
      await watcher.until(
        'j',
        async () => 'queued',
        (s) => s === 'succeeded',
        20,
      ),
    ).toBe('queued');
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
    await expect(
      watcher.until(
        'j',
        () => Promise.reject(new Error('redis down')),
        () => true,
        1000,
      ),
    ).rejects.toThrow('redis down');
    expect(watcher.waiting).toBe(0);
  });

  it('wakes every waiter and closes its connection on close', async () => {
    const { sub, watcher } = setup();
    await watcher.start();
    const a = watcher.next('a', 10_000);
    const b = watcher.next('b', 10_000);
    await watcher.close();
    await Promise.all([a.wait, b.wait]);
    expect(sub.quitted).toBe(true);
  });
});
