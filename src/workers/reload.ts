import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { reloadChannel, reloadLockKey, reloadStatusKey } from '../queue/names.js';

export interface ReloadStatus {
  state: 'reloading' | 'done' | 'failed';
  at: number;
  ms?: number;
  error?: string;
}

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/** Ask every worker of an engine to reload its model (they take turns). */
export async function requestReload(redis: Redis, prefix: string, engine: string): Promise<number> {
  return redis.publish(reloadChannel(prefix, engine), JSON.stringify({ at: Date.now() }));
}

export async function reloadStatuses(
  redis: Redis,
  prefix: string,
  engine: string,
): Promise<Record<string, ReloadStatus>> {
  const raw = await redis.hgetall(reloadStatusKey(prefix, engine));
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, JSON.parse(v) as ReloadStatus]));
}

/**
 * Rolling reload for one worker: wait for the engine-wide lease (so the
 * workers of a pool reload one at a time and the engine always has live
 * workers), then run `swap` — which stops taking jobs, lets the current one
 * finish, loads and warms the new model and resumes; a model that fails to
 * load leaves the old one serving.
 */
export class Reloader {
  private running?: Promise<void>;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly engine: string,
    private readonly workerId: string,
    private readonly logger: Logger,
    private readonly swap: () => Promise<void>,
    private readonly leaseMs = 10 * 60_000,
  ) {}

  /** Start listening for reload requests; returns a stop function. */
  async listen(): Promise<() => Promise<void>> {
    const sub = this.redis.duplicate();
    sub.on('error', () => undefined);
    await sub.subscribe(reloadChannel(this.prefix, this.engine));
    sub.on('message', () => void this.reload('requested through the API'));
    return async () => {
      await sub.quit().catch(() => undefined);
    };
  }

  /** Reload once (a request arriving during a reload joins it). */
  reload(why: string): Promise<void> {
    this.running ??= this.run(why).finally(() => (this.running = undefined));
    return this.running;
  }

  private async status(s: ReloadStatus): Promise<void> {
    await this.redis
      .hset(reloadStatusKey(this.prefix, this.engine), this.workerId, JSON.stringify(s))
      .catch(() => undefined);
  }

  private async run(why: string): Promise<void> {
    const token = randomUUID();
    const key = reloadLockKey(this.prefix, this.engine);
    while ((await this.redis.set(key, token, 'PX', this.leaseMs, 'NX')) !== 'OK')
      await new Promise((r) => setTimeout(r, 200));
    const start = Date.now();
    try {
      this.logger.info({ why }, 'reloading engine');
      await this.status({ state: 'reloading', at: start });
      await this.swap();
      const ms = Date.now() - start;
      this.logger.info({ ms }, 'engine reloaded');
      await this.status({ state: 'done', at: Date.now(), ms });
    } catch (err) {
      const error = (err as Error).message;
      this.logger.error({ error }, 'engine reload failed; the previous model keeps serving');
      await this.status({ state: 'failed', at: Date.now(), error });
    } finally {
      await this.redis.eval(RELEASE, 1, key, token).catch(() => undefined);
    }
  }
}
