import { randomUUID } from 'node:crypto';
import { type ChunkPlan, chunkPlan } from '../text/chunk-plan.js';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../config/schema.js';
import { AppError, notFound } from '../domain/errors.js';
import { redisUnavailable } from './errors.js';
import {
  audioKey,
  type JobData,
  type JobOutcome,
  type Priority,
  type Route,
  type SynthesisRequest,
} from '../domain/job.js';
import type { EngineRoster } from '../engines/roster.js';
import { Liveness } from '../queue/liveness.js';
import { expiredKey, faultKey, jobsIndexKey, SYNTHESIZE_JOB, tenantJobsKey } from '../queue/names.js';
import type { JobRecord } from '../jobs/record.js';
import { JobStore } from '../jobs/store.js';
import { JobWatcher } from '../jobs/watcher.js';
import { ReplicaAck } from '../queue/replica-ack.js';
import { workOptions } from '../queue/work-options.js';
import { RoutingStore } from '../router/state-store.js';
import type { CachedJobs } from '../cache/cached-jobs.js';
import { requestKey } from '../cache/key.js';
import { WebhookOutbox } from '../webhooks/outbox.js';
import { WebhookLog } from '../webhooks/store.js';
import { ANONYMOUS, type Caller, mayAccess } from './caller.js';
import { queuePosition } from './queue-position.js';
import { promoteBulk } from '../queue/bulk-promoter.js';
import { RoutingView } from '../router/routing-view.js';
import { FINAL_STATUSES, heldForSpace, type JobView, toView } from './job-view.js';

// The job view lives in its own file; these names stay importable from here.
export { FINAL_STATUSES, jobLinks, orderedTimings, type JobView } from './job-view.js';
import { mustGet } from '../domain/required.js';

/** A job as the API finds it: its record, and the view clients see of it. */
export interface FoundJob {
  view: JobView;
  record: JobRecord;
}

/** Answer for a job whose record and audio expired (JOB_TTL_SECONDS after it finished). */
export const jobExpired = (id: string) =>
  new AppError(
    'job_expired',
    `Job ${id} has expired: its audio and record are kept for a limited time after it finishes`,
    { status: 410 },
  );

/** A created job: its id and, when this call wrote it, the record as written (no read back needed). */
export interface Created {
  id: string;
  record?: JobRecord;
}

/** Who asked for a job and how: what `prepare` needs besides the request. */
export interface PrepareOptions {
  requestId?: string;
  chunks: number;
  jobId?: string;
  webhookUrl?: string;
  tenant?: string;
  priority?: Priority;
  /**
   * Count the chunks again with another limit: `chunks` was counted before routing, with the limit
   * of the engine the request names; the progress total must be the chosen engine's.
   */
  recount?: (plan: ChunkPlan) => number;
}

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
  private readonly liveness: Liveness;
  readonly routing: RoutingView;
  readonly store: RoutingStore;
  private cached?: CachedJobs;
  private promoter?: NodeJS.Timeout;
  /** REDIS_MIN_REPLICAS_ACK: a job is accepted once that many replicas have it. */
  private readonly replicaAck: ReplicaAck;

  /** One record per job: what clients and webhooks see. */
  readonly records: JobStore;
  /** Wakes waiters (sync requests, streams, SSE, cancel, replays) when a record changes. */
  readonly watcher: JobWatcher;

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
    this.records = new JobStore(redis, config.queuePrefix);
    this.watcher = new JobWatcher(redis, config.queuePrefix);
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
    return [...this.queues.values()];
  }

  liveWorkers(): Promise<Record<string, number>> {
    return this.liveness.count(this.engineNames);
  }

  /** Route the request and build its job, without creating it. */
  async prepare(request: SynthesisRequest, opts: PrepareOptions): Promise<PreparedJob> {
    const { route } = await this.routing.decide(request.engine);
    const engine = this.engineFor(route);
    const plan = chunkPlan(this.roster.capabilities(engine));
    const counted = this.roster.chunkPlan(request.engine);
    const same = plan.maxChunkChars === counted.maxChunkChars && plan.firstChunkChars === counted.firstChunkChars;
    const chunks = opts.recount && !same ? opts.recount(plan) : opts.chunks;
    // A named voice of the other engine falls back to the same gender on this one, and the job says so.
    const voice = this.roster.resolveVoice(request.voice, engine);
    const fellBack = `voice "${request.voice}" is not a voice of ${engine}, which serves this job: read with its ${voice} voices`;
    const warnings = voice === request.voice ? request.warnings : [...(request.warnings ?? []), fellBack];
    const data: JobData = {
      request: { ...request, voice, ...(warnings ? { warnings } : {}) },
      route,
      engine,
      requestId: opts.requestId,
      tenant: opts.tenant ?? ANONYMOUS,
      priority: opts.priority ?? 'normal',
      ...(opts.webhookUrl ? { webhook: { url: opts.webhookUrl } } : {}),
    };
    return { id: opts.jobId ?? randomUUID(), engine, data, chunks };
  }

  /**
   * Create a prepared job: its record first (with its index entries, one round trip), then its work in
   * the engine's queue (one more). Safe to repeat: a record that exists is left as it is, and BullMQ
   * ignores a second add with the same id. A crash between the two writes leaves a queued record with
   * no work, which the reconciler (jobs/reconciler.ts) queues. With `useCache`, a cached result
   * creates the record already succeeded: no queue, no worker.
   */
  async create(
    p: PreparedJob,
    {
      useCache,
      abandoned,
      waitedMs = 0,
    }: {
      useCache: boolean;
      abandoned?: AbortSignal;
      /** Time the request already waited for Redis: the replicas' confirmation gets what is left of the bound. */
      waitedMs?: number;
    },
  ): Promise<Created> {
    const { id, engine, data } = p;
    const queue = this.queueOf(engine);
    if (!queue) throw new AppError('internal', `no queue for engine ${engine}`);
    // Not for a job with a webhook: its event is sent by a worker, which serves the cached result just as fast.
    const cache = useCache && !data.webhook && this.cached?.enabled ? this.cached : undefined;
    const hit = await cache
      ?.lookup(
        requestKey(
          data.request,
          engine,
          this.roster.capabilities(engine).sampleRate,
          this.config,
          this.cacheScope(data),
        ),
        audioKey(id, data.request.format),
      )
      .catch(() => undefined);
    const createdAt = Date.now();
    const made = await this.records.create({ id, data, createdAt, chunksTotal: p.chunks, result: hit });
    // What was just written, so the answer needs no read back.
    const record: JobRecord | undefined = made.created
      ? {
          id,
          data,
          status: made.status,
          createdAt,
          attempts: 0,
          progress: { chunksDone: hit ? p.chunks : 0, chunksTotal: p.chunks },
          ...(hit ? { result: hit, startedAt: createdAt, finishedAt: hit.finishedAt } : {}),
        }
      : undefined;
    if (hit) {
      if (made.created && this.replicaAck.enabled) await this.confirmReplicated(id, data, false, abandoned, waitedMs);
      return { id, record };
    }
    // A repeat of a job that ended (canceled, failed) is not queued again.
    if (!made.created && made.status !== 'queued') return { id };
    // Resilience tests: die between the two writes, as a crash would (the reconciler must settle it).
    if (this.config.faultInjection && (await this.redis.get(faultKey(this.prefix, 'api'))) === 'crash-after-record')
      process.kill(process.pid, 'SIGKILL');
    await queue.add(SYNTHESIZE_JOB, data, this.jobOptions(id, data));
    if (made.created) {
      if (this.replicaAck.enabled) await this.confirmReplicated(id, data, true, abandoned, waitedMs);
      else if (abandoned?.aborted) {
        await this.withdraw(id, data);
        throw redisUnavailable(this.config.redisUnavailableMs);
      }
    }
    return { id, record };
  }

  /** BullMQ options of a job's work. */
  jobOptions(id: string, data: JobData) {
    const opts = workOptions(this.config, id, data);
    // Awaiting replicas, the job is held (delayed) so no worker starts what may yet be refused.
    return this.replicaAck.enabled ? { ...opts, delay: this.config.redisReplicaAckTimeoutMs + 5_000 } : opts;
  }

  /** Whether a job with this id was ever created (it may since have expired). */
  async known(id: string): Promise<boolean> {
    if (await this.records.queueOf(id)) return true;
    const prefix = this.config.queuePrefix;
    const [tombstone, indexed] = await Promise.all([
      this.redis.exists(expiredKey(prefix, id)),
      this.redis.zscore(jobsIndexKey(prefix), id),
    ]);
    return tombstone === 1 || indexed !== null;
  }

  /** The result-cache scope of a job: its tenant, or everyone with CACHE_SCOPE=global. */
  cacheScope(data: JobData): string | undefined {
    return this.config.cacheScope === 'tenant' ? (data.tenant ?? ANONYMOUS) : undefined;
  }

  /** Release a held job once enough replicas have it; otherwise remove every trace of it and refuse (503). */
  private async confirmReplicated(
    id: string,
    data: JobData,
    held: boolean,
    abandoned?: AbortSignal,
    waitedMs = 0,
  ): Promise<void> {
    const ack = await this.replicaAck
      .confirm(`${this.config.queuePrefix}:job:${id}`, this.config.redisUnavailableMs - waitedMs)
      .catch(() => ({ ok: false, replicas: 0, ms: 0 }));
    if (ack.ok && !abandoned?.aborted) {
      // Already promoted or moved on by the monitor: either way it runs without the hold.
      if (held) await (await this.queueOf(data.engine)?.getJob(id))?.promote().catch(() => undefined);
      return;
    }
    await this.withdraw(id, data);
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
  private async withdraw(id: string, data: JobData): Promise<void> {
    await Promise.all([
      this.queueOf(data.engine)
        ?.remove(id)
        .catch(() => undefined),
      this.records.remove(id).catch(() => undefined),
      this.redis.zrem(jobsIndexKey(this.config.queuePrefix), id).catch(() => undefined),
      this.redis.zrem(tenantJobsKey(this.config.queuePrefix, data.tenant ?? ANONYMOUS), id).catch(() => undefined),
    ]);
  }

  /** The view of a record; a queued job's place in its queue is measured when `position` is asked for. */
  async view(rec: JobRecord, position = true): Promise<JobView> {
    const queue = rec.status === 'queued' && position ? await this.position(rec).catch(() => null) : null;
    return toView(rec, queue);
  }

  /** Where a waiting job stands in its queue, and when it should start at the recent pace. */
  private async position(rec: JobRecord): Promise<JobView['queue']> {
    const engine = rec.data.engine;
    const job = await this.queueOf(engine)?.getJob(rec.id);
    if (!job) return null;
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
  async get(id: string, caller?: Caller, opts: { position?: boolean } = {}): Promise<FoundJob> {
    const prefix = this.config.queuePrefix;
    const unknown = () => notFound(`No job with id ${JSON.stringify(id.slice(0, 100))}`);
    const record = await this.records.get(id);
    if (record) {
      if (caller && !mayAccess(caller, record.data.tenant)) throw unknown();
      if (this.expired(record)) throw jobExpired(id);
      return { view: await this.view(record, opts.position ?? true), record };
    }
    const [tombstone, submitted] = await Promise.all([
      this.redis.get(expiredKey(prefix, id)),
      // A client only learns of expiry for its own jobs: look in its own index.
      this.redis.zscore(caller && !caller.admin ? tenantJobsKey(prefix, caller.tenant) : jobsIndexKey(prefix), id),
    ]);
    // The tombstone holds the owner ('1' from before tenants, or for a file whose record was gone: owner unknown).
    if (tombstone !== null && (!caller || caller.admin || tombstone === caller.tenant)) throw jobExpired(id);
    // A record the cleanup already removed, before it wrote its tombstone, has expired too.
    if (submitted !== null && Date.now() - Number(submitted) > this.config.jobTtlSeconds * 1000) throw jobExpired(id);
    throw unknown();
  }

  /** A finished record past JOB_TTL_SECONDS: answered 410 even before the cleanup removes it. */
  expired(record: JobRecord): boolean {
    const ttlMs = this.config.jobTtlSeconds * 1000;
    return FINAL_STATUSES.includes(record.status) && !!record.finishedAt && Date.now() - record.finishedAt > ttlMs;
  }

  /** Subscribe to record changes (so the first synchronous request does not pay for it), and age bulk work. */
  async init(): Promise<void> {
    await this.watcher.start();
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
   * Wait until the job finishes or `ms` pass, woken by its record's changes. Resolves to the final
   * status, 'held' when the job waits for disk space (it could wait for ever), or 'pending' when the
   * time ran out first.
   */
  async waitFor(
    id: string,
    ms: number,
    signal?: AbortSignal,
  ): Promise<'succeeded' | 'failed' | 'canceled' | 'held' | 'pending'> {
    const rec = await this.watcher
      .until(
        id,
        () => this.records.get(id),
        (r) => !r || FINAL_STATUSES.includes(r.status) || heldForSpace(r),
        ms,
        signal,
      )
      .catch(() => undefined);
    if (!rec) return 'pending';
    if (heldForSpace(rec)) return 'held';
    return rec.status === 'succeeded' || rec.status === 'failed' || rec.status === 'canceled' ? rec.status : 'pending';
  }

  async close(): Promise<void> {
    clearInterval(this.promoter);
    await this.routing.stop();
    await this.watcher.close();
    await Promise.all(this.allQueues().map((q) => q.close()));
    await this.webhooks.close();
    await this.replicaAck.close();
  }
}
