import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { isMoved, type JobData, type JobOutcome, type Route } from '../domain/job.js';
import { RedisAvailability } from '../queue/availability.js';
import { createRedis } from '../queue/connection.js';
import { Liveness } from '../queue/liveness.js';
import { WorkerActivity } from '../queue/worker-activity.js';
import { monitorLeaderKey, PROBE_JOB } from '../queue/names.js';
import type { EngineRoster } from '../engines/roster.js';
import { JobMover } from './mover.js';
import { sendProbe } from './probe.js';
import { Reconciler } from '../jobs/reconciler.js';
import { buildEvent, publicBaseUrl } from '../webhooks/event.js';
import { WebhookOutbox } from '../webhooks/outbox.js';
import { WebhookLog } from '../webhooks/store.js';
import { JobStore } from '../jobs/store.js';
import { workOptions } from '../queue/work-options.js';

/** How often the leader reconciles job records with the queues, at most. */
const RECONCILE_EVERY_MS = 5_000;
import {
  engineState,
  nextRouterState,
  policyFrom,
  waitingForIdleBackup,
  type EngineHealth,
  type Policy,
} from './policy.js';
import { reasonLabel, type Metrics } from '../observability/metrics.js';
import { RoutingStore, type ProbeRecord } from './state-store.js';
import { mustGet } from '../domain/required.js';

const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;

/**
 * The health monitor: on a timer, sends a small synthesis probe through each
 * engine's own queue (so it checks a live worker and a working engine),
 * counts real job failures as failed checks, and moves the shared route.
 * Several monitors may run (one per host); a lease in Redis lets one act.
 */
export class Monitor {
  private readonly id = randomUUID();
  private readonly routing: RoutingStore;
  private readonly liveness: Liveness;
  private readonly activity: WorkerActivity;
  private readonly queues = new Map<string, Queue<JobData, JobOutcome>>();
  private readonly events = new Map<string, QueueEvents>();
  private readonly stalledCheckers: Worker[] = [];
  private readonly mover?: JobMover;
  /** Settles job records that disagree with the queues (see jobs/reconciler.ts). */
  private readonly reconciler: Reconciler;
  private reconcileTimer?: NodeJS.Timeout;
  /** Terminal events of jobs the reconciler fails. */
  private readonly outbox: WebhookOutbox;
  private reconciling?: Promise<void>;
  private readonly policy: Policy;
  private timer?: NodeJS.Timeout;
  private leader = false;
  private ticking?: Promise<void>;
  private stopped = false;
  private cleanupTimer?: NodeJS.Timeout;
  private cleaning?: Promise<unknown>;
  /** A Redis outage is not an engine failure: checks it touched are not counted (no failover storm on return). */
  private readonly redisState: RedisAvailability;
  private pausedForRedis = false;
  private stopWatchingRedis?: () => void;

  constructor(
    private readonly config: Config,
    private readonly roster: EngineRoster,
    private readonly redis: Redis,
    private readonly logger: Logger,
    private readonly metrics?: Metrics,
    /** Expiry of old jobs and audio, run by the leader every CLEANUP_INTERVAL_MS. */
    private readonly cleanup?: { run(): Promise<unknown> },
  ) {
    this.routing = new RoutingStore(redis, config.queuePrefix);
    this.outbox = new WebhookOutbox(
      redis,
      config.queuePrefix,
      new WebhookLog(redis, config.queuePrefix, config.jobTtlSeconds),
      { attempts: config.webhookAttempts, ttlSeconds: config.jobTtlSeconds },
    );
    this.liveness = new Liveness(redis, config.queuePrefix, config.heartbeatMs * 3);
    this.activity = new WorkerActivity(redis, config.queuePrefix, config.heartbeatMs * 3);
    this.policy = policyFrom(config);
    this.redisState = new RedisAvailability(redis);
    for (const engine of roster.names) {
      this.queues.set(engine, new Queue(roster.queueName(engine), { connection: redis, prefix: config.queuePrefix }));
    }
    const records = new JobStore(redis, config.queuePrefix);
    if (roster.distinct) {
      const backup = roster.roles.backup;
      this.mover = new JobMover(records, mustGet(this.queues, backup, 'queue'), backup);
    }
    this.reconciler = new Reconciler(
      redis,
      records,
      this.queues,
      (id, data) => workOptions(config, id, data),
      logger,
      config.reconcileAfterMs,
      async (record) => {
        if (record.data.webhook)
          await this.outbox.send(
            record.data.webhook.url,
            buildEvent({ record, status: 'failed', baseUrl: publicBaseUrl(config) }),
          );
      },
    );
  }

  private engineOf(role: Route): string {
    return this.roster.engineFor(role);
  }

  async start(): Promise<void> {
    for (const engine of this.roster.names) {
      const ev = new QueueEvents(this.roster.queueName(engine), {
        connection: createRedis(this.config),
        prefix: this.config.queuePrefix,
      });
      ev.on('failed', ({ jobId, failedReason }) => void this.passive(engine, jobId, failedReason));
      ev.on('completed', ({ jobId, returnvalue }) => {
        const r = typeof returnvalue === 'string' ? safeParse(returnvalue) : returnvalue;
        if (isMoved(r)) void this.passive(engine, jobId, r.moved.reason);
      });
      await ev.waitUntilReady();
      this.events.set(engine, ev);
      // Jobs of a worker that died go back to waiting even when no worker of that engine is left.
      const checker = new Worker(this.roster.queueName(engine), async () => undefined, {
        connection: createRedis(this.config),
        prefix: this.config.queuePrefix,
        autorun: false,
        lockDuration: this.config.jobLockMs,
        stalledInterval: this.config.stalledIntervalMs,
        maxStalledCount: this.config.maxStalledCount,
      });
      checker.on('error', (err) => this.logger.warn({ err: err.message }, 'stalled checker error'));
      this.stalledCheckers.push(checker);
    }
    // A frozen Redis keeps its connections open: a PING every probe interval notices it.
    this.stopWatchingRedis = this.redisState.watch(this.config.probeIntervalMs, this.config.probeTimeoutMs);
    const loop = async () => {
      if (this.stopped) return;
      this.ticking = this.tick().catch((err) => this.logger.error({ err }, 'monitor tick failed'));
      await this.ticking;
      if (!this.stopped) this.timer = setTimeout(loop, this.config.probeIntervalMs);
    };
    // Give workers started alongside the monitor time to announce themselves before the first probe.
    this.timer = setTimeout(loop, Math.min(this.config.probeIntervalMs, 3 * this.config.heartbeatMs));
    // Its own timer: the probe interval can be long, and a lost write should be settled soon.
    this.reconcileTimer = setInterval(
      () => {
        if (!this.leader || this.stopped || this.pausedForRedis || this.reconciling) return;
        this.reconciling = this.reconciler
          .run()
          .then(() => undefined)
          .catch((err) => this.logger.warn({ err }, 'job reconciliation failed'))
          .finally(() => (this.reconciling = undefined));
      },
      Math.min(RECONCILE_EVERY_MS, this.config.reconcileAfterMs / 2),
    );
    if (this.cleanup) {
      const cleanup = this.cleanup;
      this.cleanupTimer = setInterval(() => {
        if (!this.leader || this.stopped || this.cleaning) return;
        this.cleaning = cleanup
          .run()
          .catch((err) => this.logger.error({ err }, 'cleanup failed'))
          .finally(() => (this.cleaning = undefined));
      }, this.config.cleanupIntervalMs);
    }
  }

  /** Take or keep the lease; only the leader probes and routes. */
  private async lead(): Promise<boolean> {
    const key = monitorLeaderKey(this.config.queuePrefix);
    const ttl = this.config.probeIntervalMs * 3 + this.config.probeTimeoutMs;
    const got =
      (await this.redis.set(key, this.id, 'PX', ttl, 'NX')) === 'OK' ||
      (await this.redis.eval(RENEW, 1, key, this.id, String(ttl))) === 1;
    if (got !== this.leader) {
      this.logger.info(
        { monitor: this.id },
        got ? 'this monitor now leads probing and routing' : 'another monitor leads',
      );
      if (got) for (const c of this.stalledCheckers) void c.startStalledCheckTimer();
    }
    this.leader = got;
    return got;
  }

  /** Long enough after Redis returns for heartbeats, stalled checks and a probe to reflect the engines again. */
  private get redisGraceMs(): number {
    return 3 * this.config.heartbeatMs + this.config.stalledIntervalMs + this.config.probeTimeoutMs;
  }

  async tick(): Promise<void> {
    if (!(await this.lead())) return;
    const paused = this.redisState.disturbedSince(Date.now(), this.redisGraceMs);
    if (paused !== this.pausedForRedis)
      this.logger.warn(
        { graceMs: this.redisGraceMs },
        paused ? 'Redis was unavailable: engine checks paused until it has been back a while' : 'engine checks resumed',
      );
    this.pausedForRedis = paused;
    if (paused) return;
    await Promise.all(this.roster.names.map((e) => this.probe(e)));
    await this.evaluate();
  }

  private async probe(engine: string): Promise<void> {
    const live = (await this.liveness.count([engine]))[engine] ?? 0;
    const at = Date.now();
    if (live === 0) {
      const status = await this.routing.getInstallStatus(engine);
      await this.record(engine, {
        at,
        ok: false,
        ms: 0,
        kind: 'probe',
        error: status ? `not installed: ${status.reason}` : 'no live worker',
      });
      return;
    }
    const queue = mustGet(this.queues, engine, 'queue');
    const { ms, error, state } = await sendProbe(queue, mustGet(this.events, engine, 'queue events'), {
      engine,
      route: this.roster.roleOf(engine) ?? 'backup',
      timeoutMs: this.config.probeTimeoutMs,
    });
    if (error === undefined) return void (await this.record(engine, { at, ok: true, ms, kind: 'probe' }));
    if (state === 'waiting' || state === 'prioritized') {
      // Every worker busy with long jobs is load, not failure: the overload rule handles it.
      const counts = await queue.getJobCounts('active');
      if ((counts.active ?? 0) >= live) {
        this.logger.debug({ engine }, 'probe not picked up: every worker is busy');
        return;
      }
    }
    // A remote server that asked for a pause is loaded, not broken: the router sends `auto` work elsewhere meanwhile.
    if ((await this.routing.overloadedMs(engine)) > 0) {
      this.logger.debug({ engine, error }, 'probe refused by an overloaded remote: not a failed check');
      return;
    }
    const why = /timed out|timeout/i.test(error) ? `probe timed out after ${this.config.probeTimeoutMs} ms` : error;
    await this.record(engine, { at, ok: false, ms, kind: 'probe', error: why });
  }

  private async passive(engine: string, jobId: string, reason: string): Promise<void> {
    // Probes (numeric ids) are counted by probe(); only real jobs (UUIDs) count here.
    if (!this.leader || !/^[0-9a-f]{8}-/.test(jobId)) return;
    // A job that failed because Redis went away (its lock lapsed) says nothing about the engine.
    if (this.redisState.disturbedSince(Date.now(), this.redisGraceMs)) return;
    if ((await this.routing.overloadedMs(engine)) > 0) return;
    await this.record(engine, {
      at: Date.now(),
      ok: false,
      ms: 0,
      kind: 'job',
      error: `job ${jobId} failed: ${reason}`,
    });
    await this.evaluate();
  }

  private async record(engine: string, check: ProbeRecord): Promise<void> {
    if (!check.ok && this.redisState.disturbedSince(check.at, this.redisGraceMs)) {
      this.logger.debug({ engine, error: check.error }, 'check failed while Redis was unavailable: not counted');
      return;
    }
    if (check.kind === 'probe' && check.ms > 0)
      this.metrics?.probeSeconds.observe({ engine, ok: String(check.ok) }, check.ms / 1000);
    const before = await this.routing.getHealth(engine);
    const after = await this.routing.recordCheck(engine, check);
    // Log only when health changes, not on every probe.
    if ((before.consecutiveFailures === 0) !== (after.consecutiveFailures === 0)) {
      this.logger.warn(
        { engine, ok: check.ok, error: check.error, failures: after.consecutiveFailures },
        check.ok ? 'engine healthy again' : 'engine check failed',
      );
    }
  }

  private async health(role: Route): Promise<EngineHealth> {
    const engine = this.engineOf(role);
    const [h, live, status, autoJobs] = await Promise.all([
      this.routing.getHealth(engine),
      this.liveness.count([engine]),
      this.routing.getInstallStatus(engine),
      this.activity.autoJobsInProgress(engine),
    ]);
    return {
      consecutiveFailures: h.consecutiveFailures,
      consecutiveSuccesses: h.consecutiveSuccesses,
      liveWorkers: live[engine] ?? 0,
      notInstalled: status ? { reason: status.reason, install: status.install } : undefined,
      autoJobsInProgress: autoJobs,
    };
  }

  /** Apply the policy to what the checks have shown; move queued `auto` work off a primary that cannot serve it. */
  async evaluate(): Promise<void> {
    if (!this.roster.distinct) return;
    const [primary, backup] = await Promise.all([this.health('primary'), this.health('backup')]);
    const before = await this.routing.getState();
    const { state, switched } = await this.routing.update((s) =>
      nextRouterState(s, { primary, backup }, this.policy, Date.now()),
    );
    const waiting = waitingForIdleBackup(state);
    if (waiting && !waitingForIdleBackup(before)) {
      // Said once when the wait starts, not on every tick.
      this.logger.warn(
        {
          alert: 'route_switch_pending',
          autoJobsInProgress: backup.autoJobsInProgress,
          maxWaitMs: this.policy.recoveryIdleMaxWaitMs,
        },
        `primary is ready; traffic returns once the backup has no auto job in progress (at most ${this.policy.recoveryIdleMaxWaitMs} ms)`,
      );
    }
    if (switched) {
      // The alert: one structured line an operator's log pipeline can match.
      this.logger.error(
        {
          alert: 'route_switch',
          from: switched.from,
          to: switched.to,
          reason: switched.reason,
          ...(switched.recovery ? { recovery: switched.recovery } : {}),
        },
        `routing switched ${switched.from} → ${switched.to}: ${switched.reason}`,
      );
      this.metrics?.routeSwitches.inc({ from: switched.from, to: switched.to, reason: reasonLabel(switched.reason) });
      if (switched.recovery) this.metrics?.recoveryReturns.inc({ trigger: switched.recovery });
    }
    if (this.metrics) {
      this.metrics.route.set({ route: 'primary' }, state.route === 'primary' ? 1 : 0);
      this.metrics.route.set({ route: 'backup' }, state.route === 'backup' ? 1 : 0);
      this.metrics.recoveryWaitingForIdle.set(waiting ? 1 : 0);
      this.metrics.autoJobsInProgress.set({ role: 'backup' }, backup.autoJobsInProgress ?? 0);
      for (const [role, h] of [
        ['primary', primary],
        ['backup', backup],
      ] as const) {
        this.metrics.engineUp.set({ engine: this.engineOf(role), role }, engineState(h, this.policy) === 'up' ? 1 : 0);
      }
    }
    if ((state.route === 'backup' || primary.liveWorkers === 0) && backup.liveWorkers > 0)
      await this.drainPrimary(state.reason);
  }

  private async drainPrimary(reason: string): Promise<void> {
    const mover = this.mover;
    if (!mover) return;
    const queue = mustGet(this.queues, this.roster.roles.primary, 'queue');
    const jobs = await queue.getJobs(['waiting', 'prioritized', 'delayed'], 0, 999);
    let moved = 0;
    for (const job of jobs) {
      if (!job || job.name === PROBE_JOB || job.data.request.engine !== 'auto') continue;
      if (await mover.moveWaiting(job, `moved off the primary: ${reason}`)) moved++;
    }
    if (moved) this.logger.warn({ moved, reason }, 'moved waiting auto jobs to the backup engine');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopWatchingRedis?.();
    clearTimeout(this.timer);
    clearInterval(this.cleanupTimer);
    clearInterval(this.reconcileTimer);
    await this.ticking;
    await this.reconciling;
    await this.cleaning;
    if (this.leader) await this.redis.del(monitorLeaderKey(this.config.queuePrefix)).catch(() => undefined);
    await Promise.all(this.stalledCheckers.map((c) => c.close()));
    await Promise.all([...this.events.values()].map((e) => e.close()));
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    await this.outbox.close();
  }
}

function safeParse(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}
