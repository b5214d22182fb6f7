import { Router, type Request, type Response } from 'express';
import { AppError, notFound } from '../../domain/errors.js';
import { cancelJob, listJobs, parseListQuery, webhookOf } from '../job-lifecycle.js';
import type { Storage } from '../../storage/storage.js';
import { unanswered } from '../answered.js';
import { errorResponse } from '../errors.js';
import type { MissingAudio } from '../missing-audio.js';
import { JOB_ID } from '../schemas.js';
import type { FoundJob, JobService, JobView } from '../job-service.js';
import type { Submitter } from '../submit.js';
import { type Caller, callerOf } from '../caller.js';

export interface JobsDeps {
  jobs: JobService;
  storage: Storage;
  submitter: Submitter;
  missingAudio: MissingAudio;
}

/** POST /api/jobs, GET /api/jobs, GET and DELETE /api/jobs/:id, GET /api/jobs/:id/audio. */
export function jobsRouter({ jobs, storage, submitter, missingAudio }: JobsDeps): Router {
  const r = Router();

  r.post('/api/jobs', async (req, res) => {
    const { id, replayed, record } = await submitter.submit(req, submitter.limits.jobsMaxChars, 'normal');
    // The answer names no queue position: built from the record as written, or read back for a replay.
    const view = record ? await jobs.view(record, false) : (await jobs.get(id, callerOf(req))).view;
    if (replayed) res.setHeader('Idempotent-Replayed', 'true');
    // A cache hit is done at once: its answer says so and, like every succeeded view, carries the audio.
    const { audio } = publicView(view);
    res
      .status(202)
      .location(view.links.self)
      .json({ id: view.id, status: view.status, ...(audio ? { audio } : {}), links: view.links });
  });

  r.get('/api/jobs', async (req, res) => {
    const page = await listJobs(jobs, parseListQuery(req.query as Record<string, unknown>, callerOf(req)));
    res.json({ jobs: page.jobs.map(publicView), next_cursor: page.next_cursor });
  });

  r.get('/api/jobs/:id', async (req, res) => {
    const found = await findJob(jobs, req.params.id, callerOf(req));
    const webhook = await webhookOf(jobs, found);
    res.json({ ...publicView(found.view), ...(webhook ? { webhook } : {}) });
  });

  r.delete('/api/jobs/:id', async (req, res) => {
    const caller = callerOf(req);
    await findJob(jobs, req.params.id, caller);
    const { status, view } = await cancelJob(jobs, req.params.id, caller);
    res.status(status).json(publicView(view));
  });

  r.get('/api/jobs/:id/audio', async (req, res) => {
    const { view } = await findJob(jobs, req.params.id, callerOf(req));
    if (view.status !== 'succeeded' || !view.audio) {
      throw new AppError('audio_not_ready', `Audio is not ready: the job is ${view.status}`, {
        status: 409,
        details: { status: view.status, links: view.links },
      });
    }
    await sendAudio(req, res, storage, view.audio, `"${view.id}-${view.audio.bytes}"`, () =>
      missingAudio.error(view.id),
    );
  });

  return r;
}

const stripKey = <T extends { key: string }>({ key: _key, ...rest }: T) => rest;

/** A job as clients see it: the storage key becomes the audio URL. */
export const publicView = ({ audio, ...view }: JobView) => ({
  ...view,
  audio: audio && { ...stripKey(audio), url: view.links.audio },
});

/**
 * The job with this id as `caller` may see it (404 for none and for another
 * tenant's, 410 once expired); ids that are not UUIDs never reach Redis.
 */
export async function findJob(jobs: JobService, id: string, caller: Caller): Promise<FoundJob> {
  if (!JOB_ID.test(id)) throw notFound(`No job with id ${JSON.stringify(id.slice(0, 100))}`);
  return jobs.get(id, caller);
}

/**
 * Send stored audio with Content-Length, ETag and single-range support. A
 * file that is not there is answered with `missing()`'s error, sent here and
 * not thrown, so the error handler does not log it as an unexpected 500 on
 * every request (`missing` logs it itself, once).
 */
export async function sendAudio(
  req: Request,
  res: Response,
  storage: Storage,
  audio: { key: string; content_type: string; sample_rate?: number },
  etag: string,
  missing: () => Promise<AppError>,
): Promise<void> {
  const stat = await storage.stat(audio.key);
  // Answered meanwhile (the Redis gate's 503): a response that has closed would never say 'close' again.
  if (!unanswered(res)) return;
  if (!stat) return errorResponse(res, await missing());
  res.setHeader('Content-Type', audio.content_type);
  // Raw PCM carries no header: the rate travels in this one (sent for every format).
  if (audio.sample_rate) res.setHeader('X-Sample-Rate', String(audio.sample_rate));
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('ETag', etag);
  res.setHeader('Cache-Control', 'private, max-age=86400, immutable');
  if (req.headers['if-none-match'] === etag) {
    res.status(304).end();
    return;
  }
  let start = 0;
  let end = stat.size - 1;
  const ifRange = req.headers['if-range'];
  const range =
    req.headers.range && (!ifRange || ifRange === etag) ? req.range(stat.size, { combine: true }) : undefined;
  if (range === -1) {
    res.setHeader('Content-Range', `bytes */${stat.size}`);
    throw new AppError('range_not_satisfiable', 'Requested range is outside the file', {
      status: 416,
      details: { size: stat.size },
    });
  }
  if (Array.isArray(range) && range.type === 'bytes' && range.length === 1) {
    const [only] = range;
    if (only) {
      start = only.start;
      end = only.end;
    }
    res.status(206).setHeader('Content-Range', `bytes ${start}-${end}/${stat.size}`);
  }
  // A malformed or multi-part range gets the whole file, as RFC 9110 allows.
  res.setHeader('Content-Length', String(end - start + 1));
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  await new Promise<void>((resolve, reject) => {
    const stream = storage.read(audio.key, { start, end });
    stream.on('error', reject);
    res.on('close', () => {
      stream.destroy();
      resolve();
    });
    stream.pipe(res);
  });
}
