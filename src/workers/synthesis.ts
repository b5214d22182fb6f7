import { UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import type { Mp3Bitrate } from '../audio/encoders/rates.js';
import type { EncoderThread } from '../audio/encoders/threaded-encoder.js';
import { isAppError } from '../domain/errors.js';
import {
  audioKey,
  type CanceledResult,
  type JobData,
  type JobOutcome,
  type JobResult,
  type MovedResult,
  type ProbeResult,
  type SkippedResult,
} from '../domain/job.js';
import type { JobRecord } from '../jobs/record.js';
import type { JobStore } from '../jobs/store.js';
import type { EngineCapabilities, SynthesisInput, SynthesisOutput } from '../engines/engine.js';
import { prepareInput } from '../ssml/prepare.js';
import { PROBE_JOB } from '../queue/names.js';
import { canceled, LateResult, synthesizeToStorage } from './write-audio.js';
import type { Storage } from '../storage/storage.js';
import type { TerminalStatus } from '../webhooks/event.js';
import { jobIdOf } from '../domain/required.js';

/** The job-record writes a synthesis attempt makes (jobs/store.ts); one round trip each. */
export type AttemptRecords = Pick<JobStore, 'get' | 'begin' | 'progress' | 'succeed' | 'fail' | 'retry' | 'canceled'>;

export interface SynthesisDeps {
  engine: string;
  capabilities: EngineCapabilities;
  synthesize(input: SynthesisInput): Promise<SynthesisOutput>;
  storage: Storage;
  logger: Logger;
  workerId: string;
  /** The job records: where the attempt's start, progress and outcome are written, and a cancel is learnt. */
  records: AttemptRecords;
  /**
   * Only on the primary: hand an `auto` job to the backup queue. Resolves to the result this copy
   * finishes with, or null when it cannot move (the backup is the same engine, or the job ended).
   */
  fallback?(job: Job<JobData, JobOutcome>, reason: string): Promise<MovedResult | null>;
  onFinished?(result: JobResult): Promise<void>;
  /** Told (synchronously) when this attempt's success is recorded: the job's metrics, its tenant's audio count. */
  onSucceeded?(result: JobResult, record: JobRecord): void;
  /** JOB_MAX_AUDIO_SECONDS: a job whose audio grows past it fails `audio_too_long`. Unset: unbounded. */
  maxAudioSeconds?: number;
  /** MP3 constant bitrate (kbit/s). */
  mp3Bitrate: Mp3Bitrate;
  /** libopus complexity (OPUS_COMPLEXITY). */
  opusComplexity?: number;
  /** Where resampling and encoding run, off this event loop; without it they run inline. */
  encoderThread?: EncoderThread;
  /** fsync each audio file before it is published (AUDIO_FSYNC). */
  audioFsync?: boolean;
  /**
   * The result cache: serve a cached result, or make it once for every identical job in flight
   * (`make` synthesizes for real). Without it every job synthesizes.
   */
  share?(
    job: Job<JobData, JobOutcome>,
    make: () => Promise<JobResult | CanceledResult>,
  ): Promise<JobResult | CanceledResult>;
  /**
   * Whether this attempt still owns the job: its lock is renewed, or taken back if it merely lapsed
   * and no other worker can have the job yet (see queue/job-lock.ts). Checked
   * before the audio file is published: an attempt cut off from Redis long enough for another
   * worker to take the job over must not overwrite that worker's file or send a second event.
   */
  stillOwns?(job: Job<JobData, JobOutcome>): Promise<boolean>;
  /**
   * Put a job whose audio did not fit the disk back to wait for space, spending no attempt: it
   * never returns (BullMQ's DelayedError). Unset: a full disk is an ordinary retryable failure.
   */
  holdForSpace?(job: Job<JobData, JobOutcome>): Promise<never>;
  /** Queue the job's terminal event (for jobs with a webhook); called once the record is final. */
  notify?(record: JobRecord, status: TerminalStatus): Promise<void>;
}

export { audioKey };

const canFallBack = (job: Job<JobData, JobOutcome>) =>
  job.name !== PROBE_JOB && job.data.request.engine === 'auto' && job.data.route === 'primary';

/**
 * Turn one job into an audio file: split the text into chunks, synthesize
 * them in order, stream the PCM into the file, record progress per chunk
 * (the same write tells whether a client canceled). The job's record says
 * what clients see; what BullMQ keeps is only the work's own outcome.
 * An `auto` job that fails on the primary moves to the backup instead of
 * failing; errors no retry can fix become UnrecoverableError for BullMQ.
 */
export async function processSynthesisJob(job: Job<JobData, JobOutcome>, deps: SynthesisDeps): Promise<JobOutcome> {
  if (job.name === PROBE_JOB) return probe(job, deps);
  const id = jobIdOf(job);
  // A job taken back from a worker that stopped (killed, crashed, cut off) has not failed, so BullMQ
  // does not count that run in attemptsMade; the record counts every start, and says how many were lost.
  const restarts = job.stalledCounter ?? 0;
  const attempt = job.attemptsMade + restarts + 1;
  // One round trip: the attempt starts and the record comes back. Nothing to do for a job that ended
  // (canceled while waiting, or finished by an attempt that died before BullMQ heard of it), whose
  // record expired, or whose work moved to another engine's queue.
  const began = await deps.records.begin(id, deps.engine, attempt, restarts);
  if (!began.applied || !began.record) {
    if (began.status === 'succeeded' || began.status === 'failed' || began.status === 'canceled') {
      // An attempt that wrote the final record but could not queue the job's event threw, so BullMQ
      // retried it: queue the event now (the event's id makes a copy already queued a no-op).
      const final = await deps.records.get(id);
      if (final) await deps.notify?.(final, began.status);
      return skipped(`already ${began.status}`);
    }
    return skipped(began.status === 'missing' ? 'no record' : began.status);
  }
  const record = began.record;
  const started: JobRecord = { ...record, status: 'running', attempts: attempt, ...(restarts ? { restarts } : {}) };
  // The record is written (and the webhook event queued) as soon as the audio is there: before the
  // result cache stores its copy, which identical jobs wait for but this job's client does not.
  // The attempt's own chunk count, which may correct the one made at submit: a cancel records it too.
  const counted = { chunksTotal: started.progress.chunksTotal };
  let settled: Promise<void> | undefined;
  const settleOnce = (out: JobResult | CanceledResult) => {
    settled ??= settle(job, started, out, deps, counted.chunksTotal);
    return settled;
  };
  let outcome: JobResult | CanceledResult;
  try {
    const make = async () => {
      const out = await synthesizeToStorage(job, started, deps, counted);
      // A failure here is not the engine's: it is rethrown below, outside this try (no fallback for it).
      void settleOnce(out).catch(() => undefined);
      // After the success write is sent, not before: its round trip (the router's duration list)
      // then overlaps that write instead of delaying the moment clients see the job succeeded.
      if (!('canceled' in out)) await deps.onFinished?.(out).catch(() => undefined);
      return out;
    };
    outcome = began.canceled ? canceled(0) : deps.share ? await deps.share(job, make) : await make();
  } catch (err) {
    // Another attempt owns the job now: this one has nothing to hand over, fail or announce.
    if (err instanceof LateResult) throw err;
    // The disk filled while writing: the job waits for space like one held under the free-space
    // floor, spending no attempt (three ENOSPC attempts in 3 s used to fail it for good).
    if (isAppError(err) && err.code === 'storage_full' && deps.holdForSpace) {
      await deps.records.retry(id, deps.engine, err.message).catch(() => undefined);
      return deps.holdForSpace(job);
    }
    const retryable = !isAppError(err) || err.retryable;
    // Whatever broke on the primary, the backup may still manage: `auto` work is never failed here.
    // Not a full disk: the backup writes to the same storage.
    // Nor a job too long: the backup would make the same audio.
    const sameAnywhere = isAppError(err) && (err.code === 'storage_full' || err.code === 'audio_too_long');
    if (canFallBack(job) && deps.fallback && !sameAnywhere) {
      const reason = `primary engine ${deps.engine} failed: ${(err as Error).message}`;
      const moved = await deps.fallback(job, reason);
      if (moved) {
        deps.logger.warn({ jobId: job.id, reason }, 'auto job moved to the backup engine');
        return moved;
      }
    }
    const message = retryable
      ? (err as Error).message
      : `${(err as { code?: string }).code}: ${(err as Error).message}`;
    const final = !retryable || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    if (final) {
      const now = Date.now();
      const wrote = await deps.records.fail(id, deps.engine, message, now);
      if (wrote.applied)
        await deps
          .notify?.({ ...started, status: 'failed', error: message, finishedAt: now }, 'failed')
          .catch((e) =>
            deps.logger.warn({ jobId: job.id, err: (e as Error).message }, 'could not queue the failed webhook event'),
          );
    } else {
      await deps.records.retry(id, deps.engine, message).catch(() => undefined);
    }
    if (!retryable) throw new UnrecoverableError(message);
    throw err;
  }
  // Outside the try: a failure to record or queue the event retries the job, never hands it to the backup.
  await settleOnce(outcome);
  if ('canceled' in outcome) return outcome;
  // BullMQ keeps the outcome without its timings: the record has them, and they can be large.
  const { timings: _dropped, ...small } = outcome;
  return small;
}

/** Write an attempt's outcome to the job's record and, if this write ended the job, queue its event. */
async function settle(
  job: Job<JobData, JobOutcome>,
  started: JobRecord,
  outcome: JobResult | CanceledResult,
  deps: SynthesisDeps,
  chunksTotal: number,
): Promise<void> {
  const id = jobIdOf(job);
  const now = Date.now();
  if ('canceled' in outcome) {
    const progress = {
      ...started.progress,
      chunksTotal,
      chunksDone: Math.max(started.progress.chunksDone, outcome.canceled.chunksDone),
    };
    const wrote = await deps.records.canceled(id, deps.engine, progress, now);
    if (wrote.applied) await deps.notify?.({ ...started, status: 'canceled', progress, finishedAt: now }, 'canceled');
    return;
  }
  const wrote = await deps.records.succeed(id, deps.engine, outcome, now);
  if (!wrote.applied) return;
  // Counted as the job becomes visible as succeeded, so the worker's metrics never lag what clients see.
  deps.onSucceeded?.(outcome, started);
  const { timings: _timings, ...result } = outcome;
  await deps.notify?.(
    {
      ...started,
      status: 'succeeded',
      result,
      finishedAt: now,
      progress: { chunksDone: outcome.chunks, chunksTotal: outcome.chunks },
    },
    'succeeded',
  );
}

/** What an attempt returns to BullMQ when it had nothing to do. */
const skipped = (why: string): SkippedResult => ({ skipped: why });

async function probe(job: Job<JobData, JobOutcome>, deps: SynthesisDeps): Promise<ProbeResult> {
  const start = performance.now();
  let samples = 0;
  for (const chunk of prepareInput(job.data.request.text, {
    maxChunkChars: deps.capabilities.maxChunkChars,
    ssml: job.data.request.ssml,
    lexicon: job.data.request.lexicon?.entries,
  })) {
    samples += (await deps.synthesize({ chunk, voice: job.data.request.voice, speed: 1 })).pcm.length;
  }
  return { probe: true, ms: Math.round(performance.now() - start), samples };
}

export { LateResult } from './write-audio.js';
