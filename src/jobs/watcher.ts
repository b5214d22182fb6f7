import type { Redis } from 'ioredis';
import { jobChangesChannel } from '../queue/names.js';

/**
 * Longest a waiter goes without looking at the record itself. Notifications are pub/sub, so one can
 * be lost (a reconnect, a failover): this slow re-check bounds the cost of a lost one.
 */
export const SAFETY_RECHECK_MS = 1000;

type Wake = () => void;

/**
 * Wakes whoever waits on a job when its record changes. One subscriber connection per process takes
 * every change notification (`<id> <status>`) and wakes the waiters of that id; nobody polls.
 */
export class JobWatcher {
  private readonly waiters = new Map<string, Set<Wake>>();
  private sub?: Redis;
  private ready?: Promise<void>;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  /** Subscribe (once); later calls wait for the same subscription. */
  start(): Promise<void> {
    this.ready ??= (async () => {
      const sub = this.redis.duplicate();
      this.sub = sub;
      sub.on('error', () => undefined); // reconnects on its own; the safety re-check covers the gap
      sub.on('message', (_channel: string, message: string) => {
        const space = message.indexOf(' ');
        const set = this.waiters.get(space < 0 ? message : message.slice(0, space));
        if (set) for (const wake of [...set]) wake();
      });
      await sub.subscribe(jobChangesChannel(this.prefix));
    })();
    return this.ready;
  }

  /**
   * Resolves at the next change of job `id`, after `ms`, or when `signal` aborts, whichever comes
   * first. Arm it before reading the record, so a change between the read and the wait is not missed.
   */
  next(id: string, ms: number, signal?: AbortSignal): { wait: Promise<void>; cancel(): void } {
    let done: Wake = () => undefined;
    const wait = new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', finish);
        const set = this.waiters.get(id);
        set?.delete(finish);
        if (set?.size === 0) this.waiters.delete(id);
        resolve();
      };
      done = finish;
      timer = setTimeout(finish, Math.max(0, ms));
      signal?.addEventListener('abort', finish, { once: true });
      let set = this.waiters.get(id);
      if (!set) {
        set = new Set();
        this.waiters.set(id, set);
      }
      set.add(finish);
    });
    return { wait, cancel: () => done() };
  }

  /**
   * Read with `read` until `done` holds or `ms` pass, re-reading on every change of the job (and at
   * least every SAFETY_RECHECK_MS). Resolves to the last value read.
   */
  async until<T>(
    id: string,
    read: () => Promise<T>,
    done: (value: T) => boolean,
    ms: number,
    signal?: AbortSignal,
  ): Promise<T> {
    await this.start();
    const deadline = Date.now() + ms;
    for (;;) {
      const left = deadline - Date.now();
      const next = this.next(id, Math.min(SAFETY_RECHECK_MS, Math.max(0, left)), signal);
      const value = await read().catch((err) => {
        next.cancel();
        throw err;
      });
      if (done(value) || left <= 0 || signal?.aborted) {
        next.cancel();
        return value;
      }
      await next.wait;
    }
  }

  /** Waiters currently registered (for tests and metrics). */
  get waiting(): number {
    let n = 0;
    for (const set of this.waiters.values()) n += set.size;
    return n;
  }

  async close(): Promise<void> {
    for (const set of this.waiters.values()) for (const wake of [...set]) wake();
    await this.sub?.quit().catch(() => undefined);
  }
}
