import type { Redis } from 'ioredis';
import {
  durationsKey,
  healthKey,
  installStatusKey,
  overloadKey,
  routerChannel,
  routerHistoryKey,
  routerStateKey,
} from '../queue/names.js';
import { initialRouterState, type RouterState, type Switch } from './policy.js';

export interface ProbeRecord {
  at: number;
  ok: boolean;
  ms: number;
  /** probe | job (a real job's failure counts as a failed check) */
  kind: 'probe' | 'job';
  error?: string;
}

/** What the monitor has seen of one engine. */
export interface HealthRecord {
  consecutiveFailures: number;
  consecutiveSuccesses: number;
  probes: ProbeRecord[];
}

export interface InstallStatus {
  reason: string;
  install?: string;
  at: number;
}

const HISTORY = 50;
const PROBES = 20;
const DURATIONS = 50;

// Compare-and-set of the routing state, with history and publication in the same step.
const CAS = `
local cur = redis.call('GET', KEYS[1])
if (cur or '') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
if ARGV[3] ~= '' then
  redis.call('LPUSH', KEYS[2], ARGV[3])
  redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[4]) - 1)
end
redis.call('PUBLISH', KEYS[3], ARGV[2])
return 1`;

/**
 * Routing and health state shared through Redis by every process on every
 * host. Writes are compare-and-set so the monitor and an operator's API call
 * never overwrite each other.
 */
export class RoutingStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private async raw(): Promise<string | null> {
    return this.redis.get(routerStateKey(this.prefix));
  }

  async getState(now = Date.now()): Promise<RouterState> {
    const raw = await this.raw();
    return raw ? (JSON.parse(raw) as RouterState) : initialRouterState(now);
  }

  /** Apply `fn` to the current state atomically; returns the state written (or the current one if unchanged). */
  async update(
    fn: (s: RouterState) => { state: RouterState; switched?: Switch },
    now = Date.now(),
  ): Promise<{ state: RouterState; switched?: Switch }> {
    for (let i = 0; i < 10; i++) {
      const raw = await this.raw();
      const cur = raw ? (JSON.parse(raw) as RouterState) : initialRouterState(now);
      const next = fn(cur);
      const json = JSON.stringify(next.state);
      if (raw !== null && json === raw && !next.switched) return next;
      const ok = await this.redis.eval(
        CAS,
        3,
        routerStateKey(this.prefix),
        routerHistoryKey(this.prefix),
        routerChannel(this.prefix),
        raw ?? '',
        json,
        next.switched ? JSON.stringify(next.switched) : '',
        String(HISTORY),
      );
      if (ok === 1) return next;
    }
    throw new Error('routing state is changing too fast to update');
  }

  async history(limit = HISTORY): Promise<Switch[]> {
    const rows = await this.redis.lrange(routerHistoryKey(this.prefix), 0, limit - 1);
    return rows.map((r) => JSON.parse(r) as Switch);
  }

  /** Call `onChange` whenever any process changes the routing state. Returns a stop function. */
  async subscribe(onChange: (s: RouterState) => void): Promise<() => Promise<void>> {
    const sub = this.redis.duplicate();
    sub.on('error', () => undefined);
    await sub.subscribe(routerChannel(this.prefix));
    sub.on('message', (_ch, msg) => onChange(JSON.parse(msg) as RouterState));
    return async () => {
      await sub.quit().catch(() => undefined);
    };
  }

  async getHealth(engine: string): Promise<HealthRecord> {
    const raw = await this.redis.get(healthKey(this.prefix, engine));
    return raw ? (JSON.parse(raw) as HealthRecord) : { consecutiveFailures: 0, consecutiveSuccesses: 0, probes: [] };
  }

  /** Record one check's outcome (only the monitor writes health, so no CAS is needed). */
  async recordCheck(engine: string, check: ProbeRecord): Promise<HealthRecord> {
    const h = await this.getHealth(engine);
    const next: HealthRecord = {
      consecutiveFailures: check.ok ? 0 : h.consecutiveFailures + 1,
      // Only probes prove recovery; a real job's failure breaks the streak.
      consecutiveSuccesses: check.ok
        ? check.kind === 'probe'
          ? h.consecutiveSuccesses + 1
          : h.consecutiveSuccesses
        : 0,
      probes: [check, ...h.probes].slice(0, PROBES),
    };
    await this.redis.set(healthKey(this.prefix, engine), JSON.stringify(next));
    return next;
  }

  async setInstallStatus(engine: string, status: InstallStatus, ttlMs: number): Promise<void> {
    await this.redis.set(installStatusKey(this.prefix, engine), JSON.stringify(status), 'PX', ttlMs);
  }

  async clearInstallStatus(engine: string): Promise<void> {
    await this.redis.del(installStatusKey(this.prefix, engine));
  }

  async getInstallStatus(engine: string): Promise<InstallStatus | null> {
    const raw = await this.redis.get(installStatusKey(this.prefix, engine));
    return raw ? (JSON.parse(raw) as InstallStatus) : null;
  }

  /** An engine's remote asked for a pause: new `auto` work avoids it, and checks do not count as failures, for `ms`. */
  async setOverloaded(engine: string, ms: number, reason: string): Promise<void> {
    if (ms > 0) await this.redis.set(overloadKey(this.prefix, engine), reason, 'PX', Math.ceil(ms));
  }

  /** Time left of an engine's requested pause, 0 when none. */
  async overloadedMs(engine: string): Promise<number> {
    return Math.max(0, await this.redis.pttl(overloadKey(this.prefix, engine)));
  }

  async recordDuration(engine: string, ms: number): Promise<void> {
    await this.redis
      .multi()
      .lpush(durationsKey(this.prefix, engine), String(Math.round(ms)))
      .ltrim(durationsKey(this.prefix, engine), 0, DURATIONS - 1)
      .exec();
  }

  /** Mean of recent synthesis durations, or `fallback` when none are known. */
  async meanDuration(engine: string, fallback: number): Promise<number> {
    const rows = await this.redis.lrange(durationsKey(this.prefix, engine), 0, DURATIONS - 1);
    if (!rows.length) return fallback;
    return rows.reduce((a, r) => a + Number(r), 0) / rows.length;
  }
}
