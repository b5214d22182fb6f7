import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../config/schema.js';
import { AppError, notFound } from '../domain/errors.js';
import { redisUnavailable } from './errors.js';
import {
  audioKey,
  isCanceled,
  isMoved,
  type JobData,
  type JobOutcome,
  type JobProgress,
  type JobStatus,
  type Route,
  type SynthesisRequest,
} from '../domain/job.js';
import { getEngine } from '../engines/registry.js';
import { Liveness } from '../queue/liveness.js';
import { ReplicaAck } from '../queue/replica-ack.js';
import { cancelKey, expiredKey, jobsIndexKey, SYNTHESIZE_JOB, synthesisQueueName } from '../queue/names.js';
import { RoutingStore } from '../router/state-store.js';
import type { CachedJobs } from '../cache/cached-jobs.js';
import { requestKey } from '../cache/key.js';
import { WebhookOutbox } from '../webhooks/outbox.js';
import { WebhookLog } from '../webhooks/store.js';
import { RoutingView } from './routing-view.js';
import { isoTime, jobIdOf, mustGet } from '../domain/required.js';

export interface JobView {
  id: string;
  status: JobStatus;
  engine: { requested: string; route: Route; name: string; used: string | null };
  fallback: { from: string; reason: string; at: string } | null;
  voice: string;
  speed: number;
  format: string;
  chars: number;
  progress: { chunks_done: number; chunks_total: number | null };
  /** Served from the result cache: no synthesis ran for this job. */
  cached: boolean;
  attempts: number;
  timings: { queued_at: string; started_at: string | null; finished_at: string | null; synthesis_ms: number | null };
  audio: {
    content_type: string;
    bytes: number;
    duration_ms: number;
    sample_rate: number;
    sha256: string | null;
    key: string;
  } | null;
  error: { message: string } | null;
  /** SSML the service read only in part (unsupported elements read as text). */
  warnings?: string[];
  /** Lexicons applied, as name@version. */
  lexicons?: string[];
  links: { self: string; audio: string; captions?: string };
}

const STATUS: Record<string, JobStatus> = {
  waiting: 'queued',
  'waiting-children': 'queued',
  prioritized: 'queued',
  delayed: 'queued',
  active: 'running',
  completed: 'succeeded',
  failed: 'failed',
};

export const jobLinks = (id: string, captions = false) => ({
  self: `/api/jobs/${id}`,
  audio: `/api/jobs/${id}/audio`,
  ...(captions ? { captions: `/api/jobs/${id}/captions` } : {}),
});

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

/**
 * A job's timings in order: a cache hit's result is prepared just before its job is queued, and
 * clocks of different hosts differ by a few ms, so each time is clamped to be no earlier than the
 * one before it.
 */
export function orderedTimings(
  queuedAt: number,
  startedAt: number | undefined | null,
  finishedAt: number | undefined | null,
  synthesisMs: number | null,
): JobView['timings'] {
  const started = startedAt ? Math.max(startedAt, queuedAt) : null;
  const finished = finishedAt ? Math.max(finishedAt, started ?? queuedAt) : null;
  return {
    queued_at: new Date(queuedAt).toISOString(),
    started_at: iso(started),
    finished_at: iso(finished),
    synthesis_ms: synthesisMs,
  };
}

/** Statuses after which a job never changes again. */
export const FINAL_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'canceled'];
const iso = (ms: number | undefined | null) => (ms ? new Date(ms).toISOString() : null);

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
  /** REDIS_MIN_REPLICAS_ACK: a job is accepted once that many replicas have it. */
  private readonly replicaAck: ReplicaAck;

  /** Queues terminal events of jobs the API itself ends (canceled while waiting). */
  readonly webhooks: WebhookOutbox;
  readonly webhookLog: WebhookLog;

  constructor(
    readonly config: Config,
    readonly redis: Redis,
  ) {
    this.webhookLog = new WebhookLog(redis, config.queuePrefix, config.jobTtlSeconds);
    this.webhooks = new WebhookOutbox(redis, config.queuePrefix, this.webhookLog, {
      attempts: config.webhookAttempts,
      ttlSeconds: config.jobTtlSeconds,
    });
    this.liveness = new Liveness(redis, config.queuePrefix, config.heartbeatMs * 3);
    for (const engine of this.engineNames) {
      const name = synthesisQueueName(engine);
      this.queues.set(engine, new Queue(name, { connection: redis, prefix: config.queuePrefix }));
    }
    this.store = new RoutingStore(redis, config.queuePrefix);
    this.replicaAck = new ReplicaAck(redis, {
      replicas: config.redisMinReplicasAck,
      timeoutMs: config.redisReplicaAckTimeoutMs,
      markerKey: `${config.queuePrefix}:replica-ack`,
    });
    this.routing = new RoutingView(
      config,
      this.store,
      this.liveness,
      mustGet(this.queues, config.primaryEngine, 'queue'),
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
    return [...new Set([this.config.primaryEngine, this.config.backupEngine])];
  }

  engineFor(route: Route): string {
    return route === 'primary' ? this.config.primaryEngine : this.config.backupEngine;
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
      /** Aborted once the client was told 503 (Redis too slow): the job is then withdrawn, not left half-accepted. */
      abandoned?: AbortSignal;
    },
  ): Promise<Job<JobData, JobOutcome>> {
    const { route } = await this.routing.decide(request.engine);
    const engine = this.engineFor(route);
    // A named voice of the other engine falls back to the same gender on this one.
    const caps = getEngine(engine).capabilities;
    const voice =
      ['female', 'male'].includes(request.voice) || caps.voices.some((v) => v.name === request.voice)
        ? request.voice
        : (this.genderOf(request.voice) ?? 'female');
    const id = opts.jobId ?? randomUUID();
    const queue = mustGet(this.queues, engine, 'queue');
    const data: JobData = {
      request: { ...request, voice },
      route,
      engine,
      requestId: opts.requestId,
      ...(opts.webhookUrl ? { webhook: { url: opts.webhookUrl } } : {}),
    };
    const jobOpts = {
      jobId: id,
      attempts: this.config.jobAttempts,
      backoff: { type: 'exponential' as const, delay: this.config.jobBackoffMs },
      // JOB_TTL_SECONDS bounds every job record; the cleanup answers 410 for them afterwards.
      removeOnComplete: { age: this.config.jobTtlSeconds },
      removeOnFail: { age: this.config.jobTtlSeconds },
    };
    // A cached result completes the job at once, without synthesis. Not for a job with a webhook:
    // its event is sent by a worker, which serves the cached result just as fast.
    const hit = await (opts.webhookUrl ? undefined : this.cached)
      ?.submit(requestKey(data.request, engine, this.config), audioKey(id, request.format), data, jobOpts)
      .catch(() => undefined);
    // Awaiting replicas, the job is held (delayed) so no worker starts what may yet be refused.
    const held = this.replicaAck.enabled
      ? { ...jobOpts, delay: this.config.redisReplicaAckTimeoutMs + 5_000 }
      : jobOpts;
    const job = hit ?? (await queue.add(SYNTHESIZE_JOB, data, held));
    await this.redis.zadd(jobsIndexKey(this.config.queuePrefix), job.timestamp, id);
    if (this.replicaAck.enabled) await this.confirmReplicated(job, !hit, opts.abandoned);
    else if (opts.abandoned?.aborted) {
      await this.withdraw(job);
      throw redisUnavailable(this.config.redisUnavailableMs);
    }
    await job
      .updateProgress({ chunksDone: hit ? opts.chunks : 0, chunksTotal: opts.chunks } satisfies JobProgress)
      .catch(() => undefined);
    return job;
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
    ]);
  }

  private genderOf(voice: string): 'female' | 'male' | undefined {
    for (const e of this.engineNames) {
      const v = getEngine(e).capabilities.voices.find((x) => x.name === voice);
      if (v) return v.gender;
    }
    return undefined;
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
    const rv = job.returnvalue as JobOutcome | undefined;
    const result = state === 'completed' && rv && 'audio' in rv ? rv : null;
    // A primary copy that handed its work to the backup is not the job's final word. A completed job
    // whose result cannot be read (yet) is not reported as succeeded: a succeeded view always has audio.
    const status: JobStatus =
      state === 'completed' && isMoved(rv)
        ? 'queued'
        : state === 'completed' && isCanceled(rv)
          ? 'canceled'
          : state === 'completed' && !result
            ? 'running'
            : (STATUS[state] ?? 'queued');
    const p = (job.progress ?? {}) as Partial<JobProgress>;
    const { request } = job.data;
    return {
      id: jobIdOf(job),
      status,
      engine: { requested: request.engine, route: job.data.route, name: job.data.engine, used: result?.engine ?? null },
      fallback: job.data.fallback
        ? { from: job.data.fallback.from, reason: job.data.fallback.reason, at: isoTime(job.data.fallback.at) }
        : null,
      voice: request.voice,
      speed: request.speed,
      format: request.format,
      chars: request.spokenChars ?? [...request.text].length,
      progress: result
        ? { chunks_done: result.chunks, chunks_total: result.chunks }
        : { chunks_done: p.chunksDone ?? 0, chunks_total: p.chunksTotal ?? null },
      cached: result?.cached === true,
      attempts: job.attemptsStarted ?? job.attemptsMade,
      timings: orderedTimings(
        job.timestamp,
        result?.startedAt ?? job.processedOn,
        FINAL_STATUSES.includes(status) ? (job.finishedOn ?? result?.finishedAt) : undefined,
        result?.synthesisMs ?? null,
      ),
      audio: result
        ? {
            content_type: result.audio.contentType,
            bytes: result.audio.bytes,
            duration_ms: result.audio.durationMs,
            sample_rate: result.audio.sampleRate,
            sha256: result.audio.sha256 ?? null,
            key: result.audio.key,
          }
        : null,
      error: status === 'failed' && job.failedReason ? { message: job.failedReason } : null,
      ...(request.warnings?.length ? { warnings: request.warnings } : {}),
      ...(request.lexicon ? { lexicons: request.lexicon.used } : {}),
      links: jobLinks(jobIdOf(job), request.captions === true),
    };
  }

  /**
   * Find a job by id, whatever became of it: in an engine queue, canceled
   * while waiting (only its final view is left), or expired (410).
   * Throws 404 for an id never seen.
   */
  async get(id: string): Promise<FoundJob> {
    const prefix = this.config.queuePrefix;
    const job = await this.find(id);
    if (job) {
      const view = await this.view(job);
      const ttlMs = this.config.jobTtlSeconds * 1000;
      if (FINAL_STATUSES.includes(view.status) && job.finishedOn && Date.now() - job.finishedOn > ttlMs)
        throw jobExpired(id);
      return { view, job };
    }
    const [marker, tombstone, submitted] = await Promise.all([
      this.redis.get(cancelKey(prefix, id)),
      this.redis.exists(expiredKey(prefix, id)),
      this.redis.zscore(jobsIndexKey(prefix), id),
    ]);
    const snapshot = marker ? (JSON.parse(marker) as { view?: JobView }).view : undefined;
    if (snapshot) return { view: snapshot };
    // A record BullMQ already removed, before the cleanup wrote its tombstone, has expired too.
    if (tombstone || (submitted !== null && Date.now() - Number(submitted) > this.config.jobTtlSeconds * 1000))
      throw jobExpired(id);
    throw notFound(`No job with id ${JSON.stringify(id.slice(0, 100))}`);
  }

  private async queueEvents(engineOrQueue: string): Promise<QueueEvents> {
    const name = engineOrQueue.startsWith('tts-') ? engineOrQueue : synthesisQueueName(engineOrQueue);
    let ev = this.events.get(name);
    if (!ev) {
      ev = new QueueEvents(name, { connection: this.redis.duplicate(), prefix: this.config.queuePrefix });
      this.events.set(name, ev);
      await ev.waitUntilReady();
    }
    return ev;
  }

  /** Start listening for job events (so the first synchronous request does not pay for it). */
  async init(): Promise<void> {
    await Promise.all(this.engineNames.map((e) => this.queueEvents(e)));
    await this.routing.start();
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
    await this.routing.stop();
    await Promise.all([...this.events.values()].map((e) => e.close()));
    await Promise.all(this.allQueues().map((q) => q.close()));
    await this.webhooks.close();
    await this.replicaAck.close();
  }
}
