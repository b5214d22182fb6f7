import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../config/schema.js';
import { isMoved, type JobData, type JobOutcome, type JobProgress, type JobResult, type JobStatus, type Route, type SynthesisRequest } from '../domain/job.js';
import { getEngine } from '../engines/registry.js';
import { Liveness } from '../queue/liveness.js';
import { SYNTHESIZE_JOB, synthesisQueueName } from '../queue/names.js';
import { RoutingStore } from '../router/state-store.js';
import { RoutingView } from './routing-view.js';

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
  attempts: number;
  timings: { queued_at: string; started_at: string | null; finished_at: string | null; synthesis_ms: number | null };
  audio: { content_type: string; bytes: number; duration_ms: number; sample_rate: number; key: string } | null;
  error: { message: string } | null;
  links: { self: string; audio: string };
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

export const jobLinks = (id: string) => ({ self: `/api/jobs/${id}`, audio: `/api/jobs/${id}/audio` });
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

  constructor(
    private readonly config: Config,
    private readonly redis: Redis,
  ) {
    this.liveness = new Liveness(redis, config.queuePrefix, config.heartbeatMs * 3);
    for (const engine of this.engineNames) {
      const name = synthesisQueueName(engine);
      this.queues.set(engine, new Queue(name, { connection: redis, prefix: config.queuePrefix }));
    }
    this.store = new RoutingStore(redis, config.queuePrefix);
    this.routing = new RoutingView(config, this.store, this.liveness, this.queues.get(config.primaryEngine)!);
  }

  queueOf(engine: string): Queue<JobData, JobOutcome> | undefined {
    return this.queues.get(engine);
  }

  /** Distinct engines behind the roles. */
  get engineNames(): string[] {
    return [...new Set([this.config.primaryEngine, this.config.backupEngine])];
  }

  engineFor(route: Route): string {
    return route === 'primary' ? this.config.primaryEngine : this.config.backupEngine;
  }

  allQueues(): Queue<JobData, JobOutcome>[] {
    return [...this.queues.values()];
  }

  liveWorkers(): Promise<Record<string, number>> {
    return this.liveness.count(this.engineNames);
  }

  async submit(request: SynthesisRequest, opts: { requestId?: string; chunks: number }): Promise<Job<JobData, JobOutcome>> {
    const { route } = await this.routing.decide(request.engine);
    const engine = this.engineFor(route);
    // A named voice of the other engine falls back to the same gender on this one.
    const caps = getEngine(engine).capabilities;
    const voice = ['female', 'male'].includes(request.voice) || caps.voices.some((v) => v.name === request.voice)
      ? request.voice
      : (this.genderOf(request.voice) ?? 'female');
    const id = randomUUID();
    const queue = this.queues.get(engine)!;
    const job = await queue.add(
      SYNTHESIZE_JOB,
      { request: { ...request, voice }, route, engine, requestId: opts.requestId },
      {
        jobId: id,
        attempts: this.config.jobAttempts,
        backoff: { type: 'exponential', delay: this.config.jobBackoffMs },
        removeOnComplete: { age: this.config.keepCompletedSeconds },
        removeOnFail: { age: this.config.keepFailedSeconds },
      },
    );
    await job.updateProgress({ chunksDone: 0, chunksTotal: opts.chunks } satisfies JobProgress).catch(() => undefined);
    return job;
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

  async view(job: Job<JobData, JobOutcome>): Promise<JobView> {
    const state = await job.getState();
    const rv = job.returnvalue as JobOutcome | undefined;
    // A primary copy that handed its work to the backup is not the job's final word.
    const status = state === 'completed' && isMoved(rv) ? 'queued' : (STATUS[state] ?? 'queued');
    const p = (job.progress ?? {}) as Partial<JobProgress>;
    const result = status === 'succeeded' && rv && 'audio' in rv ? rv : null;
    const { request } = job.data;
    return {
      id: job.id!,
      status,
      engine: { requested: request.engine, route: job.data.route, name: job.data.engine, used: result?.engine ?? null },
      fallback: job.data.fallback ? { from: job.data.fallback.from, reason: job.data.fallback.reason, at: iso(job.data.fallback.at)! } : null,
      voice: request.voice,
      speed: request.speed,
      format: request.format,
      chars: [...request.text].length,
      progress: { chunks_done: p.chunksDone ?? 0, chunks_total: p.chunksTotal ?? null },
      attempts: job.attemptsStarted ?? job.attemptsMade,
      timings: {
        queued_at: iso(job.timestamp)!,
        started_at: iso(result?.startedAt ?? job.processedOn),
        finished_at: status === 'succeeded' || status === 'failed' ? iso(job.finishedOn) : null,
        synthesis_ms: result?.synthesisMs ?? null,
      },
      audio: result
        ? {
            content_type: result.audio.contentType,
            bytes: result.audio.bytes,
            duration_ms: result.audio.durationMs,
            sample_rate: result.audio.sampleRate,
            key: result.audio.key,
          }
        : null,
      error: status === 'failed' && job.failedReason ? { message: job.failedReason } : null,
      links: jobLinks(job.id!),
    };
  }

  private async queueEvents(engine: string): Promise<QueueEvents> {
    let ev = this.events.get(engine);
    if (!ev) {
      ev = new QueueEvents(synthesisQueueName(engine), { connection: this.redis.duplicate(), prefix: this.config.queuePrefix });
      this.events.set(engine, ev);
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
  async waitFor(id: string, ms: number): Promise<'succeeded' | 'failed' | 'pending'> {
    const deadline = Date.now() + ms;
    // Short waits, re-finding the job each time: it may move from the primary to the backup queue,
    // and a failed attempt that will be retried also ends a wait early.
    for (;;) {
      const job = await this.find(id);
      if (!job) return 'pending';
      const view = await this.view(job);
      if (view.status === 'succeeded' || view.status === 'failed') return view.status;
      const left = deadline - Date.now();
      if (left <= 0) return 'pending';
      const ev = await this.queueEvents(job.data.engine);
      await job.waitUntilFinished(ev, Math.min(left, 1000)).catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.routing.stop();
    await Promise.all([...this.events.values()].map((e) => e.close()));
    await Promise.all(this.allQueues().map((q) => q.close()));
  }
}
