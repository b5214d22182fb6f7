import type { Queue } from 'bullmq';
import type { Config } from '../config/schema.js';
import { AppError } from '../domain/errors.js';
import type { EngineChoice, JobData, JobOutcome, Route } from '../domain/job.js';
import type { EngineRoster } from '../engines/roster.js';
import type { Liveness } from '../queue/liveness.js';
import {
  decideRoute,
  engineState,
  initialRouterState,
  type EngineStateName,
  type Policy,
  type RouteDecision,
  type RouterState,
  policyFrom,
} from './policy.js';
import type { RoutingStore } from './state-store.js';

interface Snapshot {
  at: number;
  live: Record<string, number>;
  waiting: number;
  meanMs: number;
  /** Pause the primary's remote server asked for (ms left). */
  overloadedMs: number;
  health: Record<Route, { failures: number; notInstalled?: { reason: string; install?: string } }>;
}

/** Why an engine is in its state, as a stable code. */
export type EngineDetailCode = 'up' | 'not_installed' | 'no_live_worker' | 'failing_checks';

/** How long a load snapshot is used as it is; after that the next request starts reading a new one. */
const SNAPSHOT_MS = 250;
/**
 * Up to this age a snapshot is still served while its successor is read, so under steady traffic no
 * request waits for the read. Older (a quiet spell) or none (start, a route change): requests wait.
 * Kept short: a remote's pause (429 with Retry-After) or a lost worker is in a snapshot, not in the
 * pushed routing state, so this bounds how long new work can still be sent the old way.
 */
const STALE_MS = 2 * SNAPSHOT_MS;
/** Mean synthesis time assumed before any job has finished. */
const DEFAULT_MEAN_MS = 1000;

/**
 * The API's view of routing: the shared state (kept current by Redis
 * pub/sub, and re-read every few seconds in case a message was missed) plus
 * a short-lived load snapshot; decisions are made by the pure policy.
 */
export class RoutingView {
  private state: RouterState = initialRouterState(Date.now());
  /** The newest snapshot read, and the read under way, if any. */
  private snapshot?: Snapshot;
  private reading?: Promise<Snapshot>;
  /** Bumped when a route change makes snapshots stale: a read begun before it is not kept. */
  private generation = 0;
  private readonly policy: Policy;
  private stopSub?: () => Promise<void>;
  private poll?: NodeJS.Timeout;

  constructor(
    private readonly config: Config,
    private readonly roster: EngineRoster,
    private readonly store: RoutingStore,
    private readonly liveness: Liveness,
    private readonly primaryQueue: Queue<JobData, JobOutcome>,
  ) {
    this.policy = policyFrom(config);
  }

  async start(): Promise<void> {
    this.state = await this.store.getState();
    this.stopSub = await this.store.subscribe((s) => {
      this.state = s;
      // A route change usually means health changed too: the next request waits for a new snapshot.
      this.snapshot = undefined;
      this.reading = undefined;
      this.generation++;
    });
    this.poll = setInterval(() => {
      this.store.getState().then(
        (s) => (this.state = s),
        () => undefined,
      );
    }, 5000);
    this.poll.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.poll);
    await this.stopSub?.();
  }

  get current(): RouterState {
    return this.state;
  }

  private engineOf(role: Route): string {
    return this.roster.engineFor(role);
  }

  /** The load snapshot; `fresh`: never one past SNAPSHOT_MS (wait for the read under way instead). */
  private load(fresh = false): Promise<Snapshot> {
    const now = Date.now();
    const s = this.snapshot;
    if (s && now - s.at <= SNAPSHOT_MS) return Promise.resolve(s);
    if (!this.reading) {
      const generation = this.generation;
      const reading = this.read(now).then((next) => {
        if (generation === this.generation) this.snapshot = next;
        return next;
      });
      // Settled either way, the next stale request starts a new read (a failed one is not kept).
      const done = () => {
        if (this.reading === reading) this.reading = undefined;
      };
      reading.then(done, done);
      this.reading = reading;
    }
    if (s && !fresh && now - s.at <= STALE_MS) return Promise.resolve(s);
    return this.reading;
  }

  private async read(at: number): Promise<Snapshot> {
    const p = this.engineOf('primary');
    const b = this.engineOf('backup');
    const [live, waiting, meanMs, hp, hb, ip, ib, overloadedMs] = await Promise.all([
      this.liveness.count([...this.roster.names]),
      // Every client job has a priority, so waiting work sits in the prioritized set as well as the wait list.
      this.primaryQueue.getJobCountByTypes('waiting', 'prioritized'),
      this.store.meanDuration(p, DEFAULT_MEAN_MS),
      this.store.getHealth(p),
      this.store.getHealth(b),
      this.store.getInstallStatus(p),
      this.store.getInstallStatus(b),
      this.store.overloadedMs(p),
    ]);
    return {
      at,
      live,
      waiting,
      meanMs,
      overloadedMs,
      health: {
        primary: { failures: hp.consecutiveFailures, notInstalled: ip ?? undefined },
        backup: { failures: hb.consecutiveFailures, notInstalled: ib ?? undefined },
      },
    };
  }

  /**
   * State of the engine behind a role, as pinned requests see it. `code` names the reason for
   * clients that show it in their own words (the page translates it); `reason` is for logs and errors.
   */
  async engineState(
    role: Route,
    fresh = false,
  ): Promise<{
    state: EngineStateName;
    code: EngineDetailCode;
    reason: string;
    failures: number;
    install?: string;
  }> {
    const s = await this.load(fresh);
    const h = s.health[role];
    const live = s.live[this.engineOf(role)] ?? 0;
    const state = engineState(
      { consecutiveFailures: h.failures, consecutiveSuccesses: 0, liveWorkers: live, notInstalled: h.notInstalled },
      this.policy,
    );
    const reason =
      state === 'not_installed'
        ? `the ${role} engine (${this.engineOf(role)}) is not installed: ${h.notInstalled?.reason ?? ''}`.trim()
        : state === 'down'
          ? live === 0
            ? `the ${role} engine (${this.engineOf(role)}) has no live worker`
            : `the ${role} engine (${this.engineOf(role)}) failed ${h.failures} consecutive health checks`
          : 'up';
    const code: EngineDetailCode =
      state === 'not_installed'
        ? 'not_installed'
        : state === 'down'
          ? live === 0
            ? 'no_live_worker'
            : 'failing_checks'
          : 'up';
    return { state, code, reason, failures: h.failures, install: h.notInstalled?.install };
  }

  /** Pick the role for a request; a request pinned to an engine that is down gets a 503. */
  async decide(requested: EngineChoice): Promise<RouteDecision> {
    if (requested !== 'auto') {
      // A refusal is never made on a stale snapshot: a worker that just came up must not be missed.
      let e = await this.engineState(requested);
      if (e.state !== 'up') e = await this.engineState(requested, true);
      if (e.state !== 'up') {
        throw new AppError('engine_unavailable', `Cannot serve a request pinned to "${requested}": ${e.reason}`, {
          status: 503,
          details: {
            engine: requested,
            state: e.state,
            ...(e.install ? { install: e.install } : {}),
            retry_after: this.config.retryAfterSeconds,
          },
          headers: { 'Retry-After': String(this.config.retryAfterSeconds) },
        });
      }
      return { route: requested, reason: 'pinned' };
    }
    const s = await this.load();
    return decideRoute({
      requested,
      state: this.state,
      primary: {
        waiting: s.waiting,
        meanSynthesisMs: s.meanMs,
        liveWorkers: s.live[this.engineOf('primary')] ?? 0,
        overloadedMs: s.overloadedMs,
        notInstalled: s.health.primary.notInstalled !== undefined,
      },
      backupLiveWorkers: s.live[this.engineOf('backup')] ?? 0,
      policy: this.policy,
    });
  }
}
