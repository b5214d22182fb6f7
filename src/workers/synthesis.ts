import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { WavFileWriter } from '../audio/wav.js';
import { isAppError } from '../domain/errors.js';
import { CONTENT_TYPES, type JobData, type JobProgress, type JobResult } from '../domain/job.js';
import type { EngineCapabilities, SynthesisInput } from '../engines/engine.js';
import type { Storage } from '../storage/storage.js';
import { prepareText } from '../text/index.js';

export interface SynthesisDeps {
  engine: string;
  capabilities: EngineCapabilities;
  synthesize(input: SynthesisInput): Promise<Int16Array>;
  storage: Storage;
  logger: Logger;
  workerId: string;
}

/** Pause added after a paragraph, on top of the engine's own sentence pause. */
const PARAGRAPH_PAUSE_MS = 350;

/** The storage key of a job's audio. Derived from the job id, so a retried job overwrites its own file. */
export const audioKey = (jobId: string, format: string): string => `${jobId}.${format}`;

/**
 * Turn one job into an audio file: split the text into chunks, synthesize
 * them in order, stream the PCM into the file, report progress per chunk.
 * Errors that no retry can fix become UnrecoverableError for BullMQ.
 */
export async function processSynthesisJob(job: Job<JobData, JobResult>, deps: SynthesisDeps): Promise<JobResult> {
  const startedAt = Date.now();
  const { request, requestId } = job.data;
  const log = deps.logger.child({ jobId: job.id, requestId, attempt: job.attemptsMade + 1 });
  const tmp = deps.storage.tempPath(`${job.id}.${randomBytes(6).toString('hex')}.part`);
  let writer: WavFileWriter | undefined;
  try {
    const chunks = prepareText(request.text, { maxChunkChars: deps.capabilities.maxChunkChars });
    const progress: JobProgress = { chunksDone: 0, chunksTotal: chunks.length };
    await job.updateProgress(progress);
    log.info({ chunks: chunks.length, chars: request.text.length, engine: deps.engine }, 'synthesis started');

    writer = await WavFileWriter.create(tmp, deps.capabilities.sampleRate);
    for (const chunk of chunks) {
      const pcm = await deps.synthesize({ chunk, voice: request.voice, speed: request.speed });
      await writer.append(pcm);
      if (chunk.paragraphEnd && chunk.index < chunks.length - 1) await writer.appendSilence(PARAGRAPH_PAUSE_MS);
      progress.chunksDone = chunk.index + 1;
      await job.updateProgress(progress);
    }
    const durationMs = writer.durationMs;
    await writer.finish();
    writer = undefined;
    const key = audioKey(job.id!, request.format);
    const stored = await deps.storage.putFile(key, tmp);
    const finishedAt = Date.now();
    log.info({ durationMs, bytes: stored.size, ms: finishedAt - startedAt }, 'synthesis finished');
    return {
      audio: { key, contentType: CONTENT_TYPES[request.format], bytes: stored.size, durationMs, sampleRate: deps.capabilities.sampleRate },
      engine: deps.engine,
      worker: deps.workerId,
      chunks: chunks.length,
      startedAt,
      finishedAt,
      synthesisMs: finishedAt - startedAt,
    };
  } catch (err) {
    await writer?.abort();
    await rm(tmp, { force: true });
    log.warn({ err }, 'synthesis attempt failed');
    if (isAppError(err) && !err.retryable) throw new UnrecoverableError(`${err.code}: ${err.message}`);
    throw err;
  }
}
