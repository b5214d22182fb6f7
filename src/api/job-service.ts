import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../config/schema.js';
import { AppError, notFound } from '../domain/errors.js';
import { redisUnavailable } from './errors.js';
import {
  audioKey,
  BULLMQ_PRIORITY,
  isMoved,
  type JobData,
  type JobOutcome,
  type JobProgress,
  type Priority,
  type Route,
  type SynthesisRequest,
} from '../domain/job.js';
import type { EngineRoster } from '../engines/roster.js';
import { Liveness } from '../queue/liveness.js';
import { cancelKey, expiredKey, jobsIndexKey, SYNTHESIZE_JOB, tenantJobsKey, tenantsKey } from '../queue/names.js';
import { ReplicaAck } from '../queue/replica-ack.js';
import { RoutingStore } from '../router/state-store.js';
import type { CachedJobs } from '../cache/cached-jobs.js';
import { requestKey } from '../cache/key.js';
import { WebhookOutbox } from '../webhooks/outbox.js';
import { WebhookLog } from '../webhooks/store.js';
import { ANONYMOUS, type Caller, mayAccess } from './caller.js';
import { queuePosition } from './queue-position.js';
import { promoteBulk } from '../queue/bulk-promoter.js';
import { RoutingView } from '../router/routing-view.js';
import { FINAL_STATUSES, type JobView, toView } from './job-view.js';

// The job view lives in its own file; these names stay importable from here.
export { FINAL_STATUSES, jobLinks, orderedTimings, type JobView } from './job-view.js';
import { jobIdOf, mustGet } from '../domain/required.js';

/** A job as the API finds it: a queue job, or only the final view a client cancel left behind. */
export interface FoundJob {
  view: JobView;
  job?: Job<JobData, JobOutcome>;
}

/** Answer for a job whose record and audio expired (JOB_TTL_SECONDS after it finished). */
export const jobExpired = (id: string) =>
  new AppError(
    'job_expired',
    `Job ${id} has expired: its audio and record are kept for a limited time after it finishes`,
    { status: 410 },
  );

/** Everything needed to create a job, decided before it is created (stored in an idempotency claim). */
export interface PreparedJob {
  id: string;
  engine: string;
  data: JobData;
  chunks: number;
}

/**
 * All queue I/O of the API: submitting jobs to the engine the router picks,
 * finding them again, and waiting for them.
 */
export class JobService {
  private readonly queues = new Map<string, Queue<JobData, JobOutcome>>();
  private readonly events = new Map<string, QueueEvents>();
  private readonly liveness: Liveness;
  readonly routing: RoutingView;
  readonly store: RoutingStore;
  private cached?: CachedJobs;
  private promoter?: NodeJS.Timeout;
  /** REDIS_MIN_REPLICAS_ACK: a job is accepted once that many replicas have it. */
  private readonly replicaAck: ReplicaAck;

  /** Queues terminal events of jobs the API itself ends (canceled while waiting). */
  readonly webhooks: WebhookOutbox;
  readonly webhookLog: WebhookLog;

  constructor(
    readonly config: Config,
    readonly redis: Redis,
    /** Which engine plays which role, on which queue, with which voices (built once by the process's main). */
    readonly roster: EngineRoster,
  ) {
    this.webhookLog = new WebhookLog(redis, config.queuePrefix, config.jobTtlSeconds);
    this.webhooks = new WebhookOutbox(redis, config.queuePrefix, this.webhookLog, {
      attempts: config.webhookAttempts,
      ttlSeconds: config.jobTtlSeconds,
    });
    this.liveness = new Liveness(redis, config.queuePrefix, config.heartbeatMs * 3);
    for (const engine of roster.names) {
      this.queues.set(engine, new Queue(roster.queueName(engine), { connection: redis, prefix: config.queuePrefix }));
    }
    this.store = new RoutingStore(redis, config.queuePrefix);
    this.replicaAck = new ReplicaAck(redis, {
      replicas: config.redisMinReplicasAck,
      timeoutMs: config.redisReplicaAckTimeoutMs,
      markerKey: `${config.queuePrefix}:replica-ack`,
    });
    this.routing = new RoutingView(
      config,
      roster,
      this.store,
      this.liveness,
      mustGet(this.queues, roster.roles.primary, 'queue'),
    );
  }

  queueOf(engine: string): Queue<JobData, JobOutcome> | undefined {
    return this.queues.get(engine);
  }

  /** Answer requests whose result is cached without synthesis (the API process's result cache). */
  useCache(cached: CachedJobs): void {
    this.cached = cached;
  }

  get prefix(): string {
    return this.config.queuePrefix;
  }

  /** Distinct engines behind the roles. */
  get engineNames(): string[] {
    return [...this.roster.names];
  }

  engineFor(route: Route): string {
    return this.roster.engineFor(route);
  }

  allQueues(): Queue<JobData, JobOutcome>[] {
    return [...this.queues.values(), ...(this.cached ? [this.cached.queue] : [])];
  }

  liveWorkers(): Promise<Record<string, number>> {
    return this.liveness.count(this.engineNames);
  }

  async submit(
    request: SynthesisRequest,
    opts: {
      requestId?: string;
      chunks: number;
      jobId?: string;
      webhookUrl?: string;
      tenant?: string;
      priority?: Priority;
      /** Aborted once the client was told 503 (Redis too slow): the job is then withdrawn, not left half-accepted. */
      abandoned?: AbortSignal;
    },
  ): Promise<Job<JobData, JobOutcome>> {
    return this.create(await this.prepare(request, opts), { useCache: true, abandoned: opts.abandoned });
  }

  /** Route the request and build its job, without creating it. */
  async prepare(
    request: SynthesisRequest,
    opts: {
      requestId?: string;
      chunks: number;
      jobId?: string;
      webhookUrl?: string;
      tenant?: string;
      priority?: Priority;
    },
  ): Promise<PreparedJob> {
    const { route } = await this.routing.decide(request.engine);
    const engine = this.engineFor(route);
    // A named voice of the other engine falls back to the same gender on this one.
    const voice = this.roster.resolveVoice(request.voice, engine);
    const data: JobData = {
      request: { ...request, voice },
      route,
      engine,
      requestId: opts.requestId,
      tenant: opts.tenant ?? ANONYMOUS,
      priority: opts.priority ?? 'normal',
      ...(opts.webhookUrl ? { webhook: { url: opts.webhookUrl } } : {}),
    };
    return { id: opts.jobId ?? randomUUID(), engine, data, chunks: opts.chunks };
  }

  /**
   * Create a prepared job. Safe to repeat: BullMQ ignores a second add with
   * the same id in the same queue, and the indexes are sorted sets. With
   * `useCache`, a cached result completes the job at once (not for a job that
   * must be created exactly once from a claim: a cache hit lands in another
   * queue, and a repeat could then create a second copy).
   */
  async create(
    p: PreparedJob,
    { useCache, abandoned }: { useCache: boolean; abandoned?: AbortSignal },
  ): Promise<Job<JobData, JobOutcome>> {
    const { id, engine, data } = p;
    const queue = this.queueOf(engine);
    if (!queue) throw new AppError('internal', `no queue for engine ${engine}`);
    // A repeat (a retry completing a claim) finds the job there and leaves it as it is.
    const existing = useCache ? undefined : await queue.getJob(id);
    const jobOpts = {
      jobId: id,
      attempts: this.config.jobAttempts,
      backoff: { type: 'exponential' as const, delay: this.config.jobBackoffMs },
      priority: BULLMQ_PRIORITY[data.priority ?? 'normal'],
      // JOB_TTL_SECONDS bounds every job record; the cleanup answers 410 for them afterwards.
      removeOnComplete: { age: this.config.jobTtlSeconds },
      removeOnFail: { age: this.config.jobTtlSeconds },
    };
    // A cached result completes the job at once, without synthesis. Not for a job with a webhook:
    // its event is sent by a worker, which serves the cached result just as fast.
    const cache = useCache && !data.webhook ? this.cached : undefined;
    const hit = await cache
      ?.submit(
        requestKey(
          data.request,
          engine,
          this.roster.capabilities(engine).sampleRate,
          this.config,
          this.cacheScope(data),
        ),
        audioKey(id, data.request.format),
        data,
        jobOpts,
      )
      .catch(() => undefined);
    // Awaiting replicas, the job is held (delayed) so no worker starts what may yet be refused.
    const held = this.replicaAck.enabled
      ? { ...jobOpts, delay: this.config.redisReplicaAckTimeoutMs + 5_000 }
      : jobOpts;
    const job = existing ?? hit ?? (await queue.add(SYNTHESIZE_JOB, data, held));
    const tenant = data.tenant ?? ANONYMOUS;
    await this.redis
      .multi()
      .zadd(jobsIndexKey(this.config.queuePrefix), job.timestamp, id)
      .zadd(tenantJobsKey(this.config.queuePrefix, tenant), job.timestamp, id)
      .sadd(tenantsKey(this.config.queuePrefix), tenant)
      .exec();
    if (!existing) {
      if (this.replicaAck.enabled) await this.confirmReplicated(job, !hit, abandoned);
      else if (abandoned?.aborted) {
        await this.withdraw(job);
        throw redisUnavailable(this.config.redisUnavailableMs);
      }
      await job
        .updateProgress({ chunksDone: hit ? p.chunks : 0, chunksTotal: p.chunks } satisfies JobProgress)
        .catch(() => undefined);
    }
    return job;
  }

  /** Whether a job with this id was ever created (it may since have been canceled or expired). */
  async known(id: string): Promise<boolean> {
    if (await this.find(id)) return true;
    const prefix = this.config.queuePrefix;
    const [marker, tombstone, indexed] = await Promise.all([
      this.redis.exists(cancelKey(prefix, id)),
      this.redis.exists(expiredKey(prefix, id)),
      this.redis.zscore(jobsIndexKey(prefix), id),
    ]);
    return marker === 1 || tombstone === 1 || indexed !== null;
  }

  /** BullMQ key bases (`<prefix>:<queue>:`) of every queue a job can be in. */
  queueBases(): string[] {
    return this.allQueues().map((q) => `${this.config.queuePrefix}:${q.name}:`);
  }

  /** The result-cache scope of a job: its tenant, or everyone with CACHE_SCOPE=global. */
  cacheScope(data: JobData): string | undefined {
    return this.config.cacheScope === 'tenant' ? (data.tenant ?? ANONYMOUS) : undefined;
  }

  /** Release a held job once enough replicas have it; otherwise remove every trace of it and refuse (503). */
  private async confirmReplicated(
    job: Job<JobData, JobOutcome>,
    held: boolean,
    abandoned?: AbortSignal,
  ): Promise<void> {
    const id = job.id ?? '';
    const ack = await this.replicaAck
      .confirm(`${this.config.queuePrefix}:${job.queueName}:${id}`)
      .catch(() => ({ ok: false, replicas: 0, ms: 0 }));
    if (ack.ok && !abandoned?.aborted) {
      // Already promoted or moved on by the monitor: either way it runs without the hold.
      if (held) await job.promote().catch(() => undefined);
      return;
    }
    await this.withdraw(job);
    // The client was already told 503 while Redis was slow to answer.
    if (ack.ok) throw redisUnavailable(this.config.redisUnavailableMs);
    throw new AppError(
      'replication_unconfirmed',
      `The job could not be confirmed on ${this.config.redisMinReplicasAck} Redis replica(s) within ${this.config.redisReplicaAckTimeoutMs} ms, so it was not accepted. Try again shortly.`,
      {
        status: 503,
        retryable: true,
        headers: { 'Retry-After': '2' },
        details: { replicas_required: this.config.redisMinReplicasAck, replicas_confirmed: ack.replicas },
      },
    );
  }

  /** Remove a job that was written but not accepted (no worker has it: it is held, or was never released). */
  private async withdraw(job: Job<JobData, JobOutcome>): Promise<void> {
    await Promise.all([
      job.remove().catch(() => undefined),
      this.redis.zrem(jobsIndexKey(this.config.queuePrefix), job.id ?? '').catch(() => undefined),
      this.redis
        .zrem(tenantJobsKey(this.config.queuePrefix, job.data.tenant ?? ANONYMOUS), job.id ?? '')
        .catch(() => undefined),
    ]);
  }

  /** Find a job in whichever engine queue holds it (the newest copy if several do). */
  async find(id: string): Promise<Job<JobData, JobOutcome> | undefined> {
    const found = await Promise.all(this.allQueues().map((q) => q.getJob(id)));
    return found.filter((j): j is Job<JobData, JobOutcome> => !!j).sort((a, b) => b.timestamp - a.timestamp)[0];
  }

  async view(fetched: Job<JobData, JobOutcome>): Promise<JobView> {
    let job = fetched;
    const state = await job.getState();
    // The job may have finished between fetching it and reading its state: read it again for its result.
    // Re-read from the queue that holds it: a cache hit lives in the cached-jobs queue, not the engine's.
    if ((state === 'completed' || state === 'failed') && !job.finishedOn) {
      const own = this.allQueues().find((q) => q.name === job.queueName);
      job = (await own?.getJob(jobIdOf(job))) ?? job;
    }
    const waiting = (state === 'prioritized' || state === 'waiting') && !isMoved(job.returnvalue);
    const queue = waiting ? await this.position(job).catch(() => null) : null;
    return toView(job, state, queue);
  }

  /** Where a waiting job stands in its queue, and when it should start at the recent pace. */
  private async position(job: Job<JobData, JobOutcome>): Promise<JobView['queue']> {
    const engine = job.data.engine;
    const [live, meanMs] = await Promise.all([this.liveness.count([engine]), this.store.meanDuration(engine, 2000)]);
    const slots = Math.max(1, (live[engine] ?? 0) * this.config.workerConcurrency);
    return queuePosition(this.redis, this.config.queuePrefix, job, { slots, meanMs });
  }

  /**
   * Find a job by id, whatever became of it: in an engine queue, canceled
   * while waiting (only its final view is left), or expired (410).
   * Throws 404 for an id never seen, and, for a `caller` that is not an
   * admin, for another tenant's job: to them it does not exist.
   */
  async get(id: string, caller?: Caller): Promise<FoundJob> {
    const prefix = this.config.queuePrefix;
    const unknown = () => notFound(`No job with id ${JSON.stringify(id.slice(0, 100))}`);
    const job = await this.find(id);
    if (job) {
      if (caller && !mayAccess(caller, job.data.tenant)) throw unknown();
      const view = await this.view(job);
      const ttlMs = this.config.jobTtlSeconds * 1000;
      if (FINAL_STATUSES.includes(view.status) && job.finishedOn && Date.now() - job.finishedOn > ttlMs)
        throw jobExpired(id);
      return { view, job };
    }
    const [marker, tombstone, submitted] = await Promise.all([
      this.redis.get(cancelKey(prefix, id)),
      this.redis.get(expiredKey(prefix, id)),
      // A client only learns of expiry for its own jobs: look in its own index.
      this.redis.zscore(caller && !caller.admin ? tenantJobsKey(prefix, caller.tenant) : jobsIndexKey(prefix), id),
    ]);
    const snapshot = marker ? (JSON.parse(marker) as { view?: JobView }).view : undefined;
    if (snapshot) {
      if (caller && !mayAccess(caller, snapshot.owner)) throw unknown();
      return { view: snapshot };
    }
    // The tombstone holds the owner ('1' from before tenants, or for a file whose record was gone: owner unknown).
    if (tombstone !== null && (!caller || caller.admin || tombstone === caller.tenant)) throw jobExpired(id);
    // A record BullMQ already removed, before the cleanup wrote its tombstone, has expired too.
    if (submitted !== null && Date.now() - Number(submitted) > this.config.jobTtlSeconds * 1000) throw jobExpired(id);
    throw unknown();
  }

  private async queueEvents(engineOrQueue: string): Promise<QueueEvents> {
    const name = engineOrQueue.startsWith('tts-') ? engineOrQueue : this.roster.queueName(engineOrQueue);
    let ev = this.events.get(name);
    if (!ev) {
      ev = new QueueEvents(name, { connection: this.redis.duplicate(), prefix: this.config.queuePrefix });
      this.events.set(name, ev);
      await ev.waitUntilReady();
    }
    return ev;
  }

  /** Start listening for job events (so the first synchronous request does not pay for it), and ageing bulk work. */
  async init(): Promise<void> {
    await Promise.all(this.engineNames.map((e) => this.queueEvents(e)));
    await this.routing.start();
    const every = Math.min(10_000, Math.max(250, Math.floor(this.config.bulkPromoteAfterMs / 4)));
    this.promoter = setInterval(() => {
      const engines = [...this.queues.values()];
      void promoteBulk(this.redis, this.config.queuePrefix, engines, this.config.bulkPromoteAfterMs).catch(
        () => undefined,
      );
    }, every);
    this.promoter.unref();
  }

  /**
   * Wait until the job finishes or `ms` pass. Resolves to the final status,
   * or 'pending' when the time ran out first.
   */
  async waitFor(id: string, ms: number): Promise<'succeeded' | 'failed' | 'canceled' | 'pending'> {
    const deadline = Date.now() + ms;
    // Short waits, re-finding the job each time: it may move from the primary to the backup queue,
    // and a failed attempt that will be retried also ends a wait early.
    for (;;) {
      const { view, job } = await this.get(id).catch(() => ({ view: undefined, job: undefined }));
      if (!view) return 'pending';
      if (view.status === 'succeeded' || view.status === 'failed' || view.status === 'canceled') return view.status;
      if (!job) return 'pending';
      const left = deadline - Date.now();
      if (left <= 0) return 'pending';
      const ev = await this.queueEvents(job.queueName);
      await job.waitUntilFinished(ev, Math.min(left, 1000)).catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.promoter);
    await this.routing.stop();
    await Promise.all([...this.events.values()].map((e) => e.close()));
    await Promise.all(this.allQueues().map((q) => q.close()));
    await this.webhooks.close();
    await this.replicaAck.close();
  }
}
