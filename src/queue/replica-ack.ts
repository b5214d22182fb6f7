import type { Redis } from 'ioredis';

/** What a confirmation found: how many replicas acknowledged, and how long it took. */
export interface AckResult {
  ok: boolean;
  replicas: number;
  ms: number;
}

/**
 * Replicated acceptance: confirms that a job written on the shared connection
 * has reached `replicas` replicas, with Redis WAIT.
 *
 * WAIT blocks the connection it runs on and counts only that connection's
 * writes, so it cannot run on the connection every request shares. Each
 * confirmation borrows a connection of its own, checks that the job is in
 * that master's dataset, writes a marker and WAITs for it: the replication
 * stream is ordered, so replicas that have the marker have the job too, even
 * if a failover moved the master between the job's write and the check.
 */
export class ReplicaAck {
  private readonly idle: Redis[] = [];
  private readonly all: Redis[] = [];
  private readonly queue: ((r: Redis) => void)[] = [];

  constructor(
    private readonly base: Redis,
    private readonly opts: { replicas: number; timeoutMs: number; markerKey: string; maxConnections?: number },
  ) {}

  get enabled(): boolean {
    return this.opts.replicas > 0;
  }

  /**
   * Whether `jobKey` exists on the master and has reached the replicas within the timeout, or the
   * smaller `budgetMs`. The whole confirmation is bounded, not only its WAIT: during a failover a
   * side connection may still be finding the new master, and its commands would wait for that.
   */
  async confirm(jobKey: string, budgetMs = this.opts.timeoutMs): Promise<AckResult> {
    const start = performance.now();
    const limit = Math.min(this.opts.timeoutMs, budgetMs);
    if (limit <= 0) return { ok: false, replicas: 0, ms: 0 };
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<AckResult>((resolve) => {
      timer = setTimeout(() => resolve({ ok: false, replicas: 0, ms: performance.now() - start }), limit);
    });
    const work = (async (): Promise<AckResult> => {
      const conn = await this.borrow();
      try {
        const exists = await conn.exists(jobKey);
        if (exists !== 1) return { ok: false, replicas: 0, ms: performance.now() - start };
        await conn.set(this.opts.markerKey, String(Date.now()), 'PX', 60_000);
        const left = Math.max(1, Math.round(limit - (performance.now() - start)));
        const replicas = await conn.wait(this.opts.replicas, left);
        return { ok: replicas >= this.opts.replicas, replicas, ms: performance.now() - start };
      } finally {
        this.giveBack(conn);
      }
    })();
    try {
      return await Promise.race([work, late]);
    } finally {
      clearTimeout(timer);
      work.catch(() => undefined); // finished or failed after the answer: nobody waits for it
    }
  }

  private async borrow(): Promise<Redis> {
    const free = this.idle.pop();
    if (free) return free;
    if (this.all.length < (this.opts.maxConnections ?? 8)) {
      // Same target as the shared connection (Sentinel included); a failed WAIT must not wait out an outage.
      const conn = this.base.duplicate({ connectionName: 'replica-ack' });
      conn.on('error', () => undefined); // reported through the commands that fail
      this.all.push(conn);
      return conn;
    }
    return new Promise((resolve) => this.queue.push(resolve));
  }

  private giveBack(conn: Redis): void {
    const next = this.queue.shift();
    if (next) next(conn);
    else this.idle.push(conn);
  }

  async close(): Promise<void> {
    await Promise.all(this.all.map((c) => c.quit().catch(() => undefined)));
  }
}
