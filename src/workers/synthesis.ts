import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { AudioFileWriter } from '../audio/encoders/file-writer.js';
import type { Mp3Bitrate } from '../audio/encoders/rates.js';
import type { EncoderThread } from '../audio/encoders/threaded-encoder.js';
import { ChunkReuse } from '../cache/chunk-reuse.js';
import { isAppError } from '../domain/errors.js';
import {
  audioKey,
  type CanceledResult,
  type JobData,
  type JobOutcome,
  type JobProgress,
  type JobResult,
  type MovedResult,
  type ProbeResult,
  type SkippedResult,
} from '../domain/job.js';
import type { JobRecord } from '../jobs/record.js';
import type { JobStore } from '../jobs/store.js';
import type { EngineCapabilities, SynthesisInput, SynthesisOutput } from '../engines/engine.js';
import { speechEnd, speechOnset, Timeline } from '../captions/timeline.js';
import { prepareInput } from '../ssml/prepare.js';
import { chunkPlan } from '../text/chunk-plan.js';
import { PROBE_JOB } from '../queue/names.js';
import { isNoSpace, storageFull } from '../storage/free-space.js';
import { audioTooLong } from '../domain/audio-bound.js';
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

/** Pause added after a paragraph, on top of the engine's own sentence pause. */
const PARAGRAPH_PAUSE_MS = 350;

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
  const attempt = job.attemptsMade + 1;
  // One round trip: the attempt starts and the record comes back. Nothing to do for a job that ended
  // (canceled while waiting, or finished by an attempt that died before BullMQ heard of it), whose
  // record expired, or whose work moved to another engine's queue.
  const began = await deps.records.begin(id, deps.engine, attempt);
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
  const started: JobRecord = { ...record, status: 'running', attempts: attempt };
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
    const final = !retryable || attempt >= (job.opts.attempts ?? 1);
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

const canceled = (chunksDone: number): CanceledResult => ({ canceled: { at: Date.now(), chunksDone } });

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

async function synthesizeToStorage(
  job: Job<JobData, JobOutcome>,
  record: JobRecord,
  deps: SynthesisDeps,
  counted: { chunksTotal: number },
): Promise<JobResult | CanceledResult> {
  const startedAt = Date.now();
  const { request, requestId } = job.data;
  const log = deps.logger.child({ jobId: job.id, requestId, attempt: job.attemptsMade + 1 });
  // The partial file's name goes into the job's progress, so a streaming response can tail it.
  const part = `${job.id}.${randomBytes(6).toString('hex')}.part`;
  const tmp = deps.storage.tempPath(part);
  let writer: AudioFileWriter | undefined;
  try {
    const chunks = prepareInput(request.text, {
      ...chunkPlan(deps.capabilities.maxChunkChars),
      ssml: request.ssml,
      lexicon: request.lexicon?.entries,
    });
    // A retry starts its chunks again, but what clients see never goes backwards: `chunksDone` holds at
    // the furthest point any attempt reached, `attemptChunksDone` is this attempt's own count.
    const before = record.progress;
    const reached = before.chunksTotal === chunks.length ? (before.chunksDone ?? 0) : 0;
    const attempt = job.attemptsMade + 1;
    const progress: JobProgress = { chunksDone: reached, chunksTotal: chunks.length, attempt, attemptChunksDone: 0 };
    counted.chunksTotal = chunks.length;
    // The count made at submit may differ (the engine was chosen after it): correct it before the first chunk.
    if (before.chunksTotal !== chunks.length) await deps.records.progress(jobIdOf(job), deps.engine, progress);
    log.info({ chunks: chunks.length, chars: request.text.length, format: request.format }, 'synthesis started');

    writer = await AudioFileWriter.create(tmp, {
      format: request.format,
      inputRate: deps.capabilities.sampleRate,
      sampleRate: request.sampleRate,
      mp3Bitrate: deps.mp3Bitrate,
      opusComplexity: deps.opusComplexity,
      encoderThread: deps.encoderThread,
      fsync: deps.audioFsync,
    });
    // A sentence that occurs again later in the document is synthesized once.
    const reuse = new ChunkReuse<SynthesisOutput>(chunks);
    const timeline = new Timeline(deps.capabilities.sampleRate, writer.sampleRate, request.format);
    const pauseSamples = Math.round((deps.capabilities.sampleRate * PARAGRAPH_PAUSE_MS) / 1000);
    const { min, max } = deps.capabilities.speed;
    /** After an SSML break the next chunk starts with its speech: the break alone is the pause. */
    let trimLead = false;
    // The bound is checked before each write, so a partial file never holds more than it allows.
    const maxSamples = deps.maxAudioSeconds ? deps.maxAudioSeconds * deps.capabilities.sampleRate : Infinity;
    let samples = 0;
    const grow = (n: number) => {
      samples += n;
      if (samples > maxSamples && deps.maxAudioSeconds)
        throw audioTooLong(deps.maxAudioSeconds, {
          written_seconds: Math.round((samples - n) / deps.capabilities.sampleRate),
        });
    };
    for (const chunk of chunks) {
      const speed = Math.min(max, Math.max(min, request.speed * (chunk.rate ?? 1)));
      const made = await reuse.get(chunk, () => deps.synthesize({ chunk, voice: request.voice, speed }));
      const from = trimLead ? Math.min(speechOnset(made.pcm), made.pcm.length) : 0;
      const to = chunk.pauseAfterMs !== undefined ? Math.max(from, speechEnd(made.pcm)) : made.pcm.length;
      const pcm = made.pcm.subarray(from, to);
      const words = made.words?.map((w) => ({ ...w, start: w.start - from, end: w.end - from }));
      grow(pcm.length);
      await writer.append(pcm);
      timeline.chunk(chunk, pcm, words);
      trimLead = chunk.pauseAfterMs !== undefined;
      const pause =
        chunk.pauseAfterMs !== undefined
          ? Math.round((deps.capabilities.sampleRate * chunk.pauseAfterMs) / 1000)
          : chunk.paragraphEnd && chunk.index < chunks.length - 1
            ? pauseSamples
            : 0;
      if (pause > 0) {
        grow(pause);
        await writer.append(new Int16Array(pause));
        timeline.pause(pause);
      }
      progress.attemptChunksDone = chunk.index + 1;
      progress.chunksDone = Math.max(reached, chunk.index + 1);
      // The last chunk's progress is the success write that follows at once.
      if (chunk.index === chunks.length - 1) continue;
      // One round trip: the progress goes in, and whether a client canceled comes back.
      const wrote = await deps.records.progress(jobIdOf(job), deps.engine, { ...progress, bytes: writer.bytes, part });
      // A canceled job stops here; the catch below removes the partial file.
      if (wrote.canceled) throw new CancelSignal(progress.attemptChunksDone);
      if (!wrote.applied && wrote.status !== 'missing') throw new LateResult(jobIdOf(job));
    }
    const durationMs = writer.durationMs;
    const { contentType, sampleRate } = writer;
    await writer.finish();
    // The writer hashed the file (as written, or read back once after a header patch).
    const sha256 = writer.digest;
    writer = undefined;
    const key = audioKey(jobIdOf(job), request.format);
    if (deps.stillOwns && !(await deps.stillOwns(job))) throw new LateResult(jobIdOf(job));
    const stored = await deps.storage.putFile(key, tmp);
    const finishedAt = Date.now();
    log.info(
      {
        durationMs,
        bytes: stored.size,
        ms: finishedAt - startedAt,
        chunks: chunks.length,
        synthesized: reuse.synthesized,
      },
      'synthesis finished',
    );
    const result: JobResult = {
      audio: { key, contentType, bytes: stored.size, durationMs, sampleRate, sha256 },
      engine: deps.engine,
      worker: deps.workerId,
      chunks: chunks.length,
      startedAt,
      finishedAt,
      synthesisMs: finishedAt - startedAt,
      timings: timeline.result(),
    };
    return result;
  } catch (err) {
    await writer?.abort().catch(() => undefined);
    await rm(tmp, { force: true });
    if (isNoSpace(err)) {
      log.warn({ err: (err as Error).message }, 'storage full while writing audio');
      // The code leads the message: it is what BullMQ keeps as the job's failedReason.
      throw storageFull(
        'storage_full: the disk under OUTPUT_DIR ran out of space while writing the audio; the job is held and tried again every STORAGE_RETRY_MS until space is freed',
      );
    }
    if (err instanceof CancelSignal) {
      log.info({ chunksDone: err.chunksDone }, 'synthesis canceled by the client');
      return canceled(err.chunksDone);
    }
    if (err instanceof LateResult) {
      log.warn('late result rejected: the job lock was lost (another worker took the job over); audio discarded');
      throw err;
    }
    log.warn({ err }, 'synthesis attempt failed');
    throw err;
  }
}

/** Thrown inside the chunk loop to unwind to the cleanup when the job was canceled. */
class CancelSignal extends Error {
  constructor(readonly chunksDone: number) {
    super('canceled');
    this.name = 'CancelSignal';
  }
}

/** This attempt lost the job's lock before publishing its audio: its result must not be used. */
export class LateResult extends Error {
  constructor(jobId: string) {
    super(`job ${jobId}: lock lost before the audio was published; another attempt owns the job`);
    this.name = 'LateResult';
  }
}
