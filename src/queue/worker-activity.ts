import type { Redis } from 'ioredis';
import { activityKey } from './names.js';

interface Report {
  /** `auto` jobs this worker is synthesizing right now (probes excluded). */
  auto: number;
  /** When the worker last reported (ms); older than the window means the worker is gone. */
  at: number;
}

/**
 * What each worker says it is doing, shared through Redis so the monitor can
 * tell whether an engine is in the middle of `auto` work. A worker reports
 * when a job starts or ends and with every heartbeat; a report older than the
 * liveness window belongs to a dead worker and is ignored (its jobs go back
 * to the queue and are reported again by whoever takes them).
 */
export class WorkerActivity {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    readonly windowMs: number,
  ) {}

  async report(engine: string, workerId: string, auto: number, now = Date.now()): Promise<void> {
    const key = activityKey(this.prefix, engine);
    const value: Report = { auto, at: now };
    await this.redis
      .multi()
      .hset(key, workerId, JSON.stringify(value))
      .pexpire(key, this.windowMs * 4)
      .exec();
  }

  async leave(engine: string, workerId: string): Promise<void> {
    await this.redis.hdel(activityKey(this.prefix, engine), workerId);
  }

  /** `auto` jobs in progress on the engine's live workers; drops reports of workers gone for long. */
  async autoJobsInProgress(engine: string, now = Date.now()): Promise<number> {
    const key = activityKey(this.prefix, engine);
    const rows = await this.redis.hgetall(key);
    let total = 0;
    const gone: string[] = [];
    for (const [worker, raw] of Object.entries(rows)) {
      const r = parse(raw);
      if (!r || now - r.at > this.windowMs * 4) gone.push(worker);
      else if (now - r.at <= this.windowMs) total += r.auto;
    }
    if (gone.length) await this.redis.hdel(key, ...gone);
    return total;
  }
}

function parse(raw: string): Report | undefined {
  try {
    const r = JSON.parse(raw) as Partial<Report>;
    return typeof r.auto === 'number' && typeof r.at === 'number' ? { auto: r.auto, at: r.at } : undefined;
  } catch {
    return undefined;
  }
}
