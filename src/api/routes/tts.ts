import { Router } from 'express';
import { AppError } from '../../domain/errors.js';
import { type FreeSpace, storageFull } from '../../storage/free-space.js';
import type { Storage } from '../../storage/storage.js';
import { callerOf } from '../caller.js';
import { cancelJob } from '../job-lifecycle.js';
import type { JobService } from '../job-service.js';
import type { MissingAudio } from '../missing-audio.js';
import type { Submitter } from '../submit.js';
import { streamJobAudio } from '../stream.js';
import { sendAudio } from './jobs.js';

/**
 * POST /api/tts: the synchronous convenience. The request still goes through
 * the queue; the answer is the audio once the job is done, or 202 with the
 * job's links if it takes longer than the configured wait. With `"stream": true`
 * the audio is sent chunk by chunk as it is synthesized (chunked transfer encoding).
 */
export function ttsRouter({
  jobs,
  storage,
  submitter,
  missingAudio,
  waitMs,
  space,
}: {
  jobs: JobService;
  storage: Storage;
  submitter: Submitter;
  missingAudio: MissingAudio;
  waitMs: number;
  /** Free space under OUTPUT_DIR; unset: not checked. */
  space?: FreeSpace;
}): Router {
  const r = Router();
  r.post('/api/tts', async (req, res) => {
    // Streaming answers as the audio is made, so it takes texts as long as /api/jobs does.
    const stream = (req.body as { stream?: unknown } | undefined)?.stream === true;
    // Storage full: a synchronous request could only wait for a job that cannot finish.
    await space?.assertRoom();
    const { id, replayed } = await submitter.submit(
      req,
      stream ? submitter.limits.jobsMaxChars : submitter.limits.ttsMaxChars,
      'interactive',
    );
    // The same Idempotency-Key and body again: the earlier request's job answers, and the client is told so.
    if (replayed) res.setHeader('Idempotent-Replayed', 'true');
    if (stream) return streamJobAudio(res, jobs, storage, id);
    const outcome = await jobs.waitFor(id, waitMs);
    const { view } = await jobs.get(id, callerOf(req));
    res.setHeader('X-Job-Id', view.id);
    if (outcome === 'succeeded' && view.audio) {
      res.setHeader('X-Engine', view.engine.used ?? view.engine.name);
      res.setHeader('X-Captions-Url', `/api/jobs/${view.id}/captions`);
      await sendAudio(req, res, storage, view.audio, `"${view.id}-${view.audio.bytes}"`, () =>
        missingAudio.error(view.id),
      );
      return;
    }
    // Held for disk space, the job could wait for ever: nobody would be there to take its audio.
    if (outcome === 'held') {
      await cancelJob(jobs, view.id).catch(() => undefined);
      throw storageFull(view.error?.message ?? 'storage_full: the disk under OUTPUT_DIR is full');
    }
    if (outcome === 'failed' && view.error?.message.startsWith('storage_full')) throw storageFull(view.error.message);
    if (outcome === 'failed') {
      throw new AppError('synthesis_failed', `Synthesis failed: ${view.error?.message ?? 'unknown error'}`, {
        status: 502,
        details: { id: view.id, links: view.links },
      });
    }
    res.status(202).location(view.links.self).json({ id: view.id, status: view.status, links: view.links });
  });
  return r;
}
