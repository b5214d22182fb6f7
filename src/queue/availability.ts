import type { Redis } from 'ioredis';

/**
 * Whether a Redis connection can be used now, and when it last could not.
 * The API bounds its answers with it; the monitor uses it to tell a Redis
 * outage from an engine failure. Driven by the connection's own events, plus
 * an optional bounded PING for a peer that vanished without closing the socket.
 */
export class RedisAvailability {
  /** Start of the current outage, or null while Redis is up. */
  private downSince: number | null;
  /** When the last outage ended (0: none seen). */
  private lastUpAt = 0;
  private everUp: boolean;
  private readonly waiters = new Set<() => void>();
  private pinging?: Promise<boolean>;

  constructor(
    private readonly redis: Redis,
    private readonly now: () => number = Date.now,
  ) {
    this.downSince = redis.status === 'ready' ? null : now();
    this.everUp = redis.status === 'ready';
    redis.on('ready', () => this.markUp());
    for (const ev of ['close', 'reconnecting', 'end'] as const) redis.on(ev, () => this.markDown());
  }

  get up(): boolean {
    return this.downSince === null;
  }

  /** How long the current outage has lasted (0 while up). */
  downForMs(): number {
    return this.downSince === null ? 0 : this.now() - this.downSince;
  }

  /**
   * Whether an outage touched the time since `since`: Redis is down now, came
   * back after `since`, or came back less than `graceMs` ago (state written
   * on a timer, such as worker heartbeats, has not caught up yet).
   */
  disturbedSince(since: number, graceMs = 0): boolean {
    if (this.downSince !== null) return true;
    return this.lastUpAt > since || (this.lastUpAt > 0 && this.now() - this.lastUpAt < graceMs);
  }

  /** Resolves true once Redis is up, false if it is still down after `ms`. */
  whenUp(ms: number): Promise<boolean> {
    if (this.up) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(done);
        resolve(this.up);
      }, ms);
      this.waiters.add(done);
    });
  }

  /**
   * A PING answered within `ms`; shared by concurrent callers. For a
   * connection that looks ready but may not answer (peer gone, link cut).
   */
  ping(ms: number): Promise<boolean> {
    this.pinging ??= new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      this.redis.ping().then(
        () => {
          clearTimeout(timer);
          resolve(true);
        },
        () => {
          clearTimeout(timer);
          resolve(false);
        },
      );
    }).finally(() => {
      this.pinging = undefined;
    });
    return this.pinging;
  }

  /**
   * PING every `everyMs` (at most `timeoutMs` each) and count a PING that is not answered as an
   * outage until one is: a frozen or cut-off Redis keeps the connection open and sends no event.
   * Returns a function that stops it.
   */
  watch(everyMs: number, timeoutMs: number): () => void {
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const loop = async () => {
      if (stopped) return;
      const since = this.now();
      const ok = await this.ping(timeoutMs);
      if (stopped) return;
      if (!ok) this.downSince ??= since;
      else if (this.redis.status === 'ready') this.markUp();
      timer = setTimeout(() => void loop(), everyMs);
      timer.unref();
    };
    void loop();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }

  private markDown(): void {
    this.downSince ??= this.now();
  }

  private markUp(): void {
    // The first connect is not the end of an outage.
    if (this.downSince !== null && this.everUp) this.lastUpAt = this.now();
    this.everUp = true;
    this.downSince = null;
    for (const w of [...this.waiters]) w();
  }
}
