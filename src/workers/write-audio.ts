/**
 * One synthesis attempt's audio: chunks synthesized in order and streamed into a partial file, with
 * progress per chunk (which also says whether a client canceled), the audio bound checked before
 * each write, then the file published under the job's key. processSynthesisJob decides what the
 * outcome means for the job.
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import type { Job } from 'bullmq';
import { AudioFileWriter } from '../audio/encoders/file-writer.js';
import { ChunkReuse } from '../cache/chunk-reuse.js';
import { speechEnd, speechOnset, Timeline } from '../captions/timeline.js';
import { audioTooLong } from '../domain/audio-bound.js';
import {
  audioKey,
  type CanceledResult,
  type JobData,
  type JobOutcome,
  type JobProgress,
  type JobResult,
} from '../domain/job.js';
import { jobIdOf } from '../domain/required.js';
import type { JobRecord } from '../jobs/record.js';
import type { SynthesisOutput } from '../engines/engine.js';
import { prepareInput } from '../ssml/prepare.js';
import { isNoSpace, storageFull } from '../storage/free-space.js';
import { chunkPlan } from '../text/chunk-plan.js';
import type { SynthesisDeps } from './synthesis.js';

/** An attempt that stopped for a client's cancel, at `chunksDone`. */
export const canceled = (chunksDone: number): CanceledResult => ({ canceled: { at: Date.now(), chunksDone } });

/** Pause added after a paragraph, on top of the engine's own sentence pause. */
const PARAGRAPH_PAUSE_MS = 350;

export async function synthesizeToStorage(
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
      ...chunkPlan(deps.capabilities),
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
