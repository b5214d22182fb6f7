import { Router } from 'express';
import { CAPTION_CONTENT_TYPES, CAPTION_FORMATS, type CaptionFormat, renderCaptions } from '../../captions/format.js';
import { AppError } from '../../domain/errors.js';
import type { JobService } from '../job-service.js';
import { findJob } from './jobs.js';
import { callerOf } from '../caller.js';

const isFormat = (f: unknown): f is CaptionFormat => CAPTION_FORMATS.includes(f as CaptionFormat);

/**
 * GET /api/jobs/:id/captions?format=vtt|srt|json: captions from the timings the
 * worker recorded with the audio. Found, authorized and expired exactly as the audio is.
 */
export function captionsRouter({ jobs }: { jobs: JobService }): Router {
  const r = Router();
  r.get('/api/jobs/:id/captions', async (req, res) => {
    const format = req.query.format ?? 'vtt';
    if (!isFormat(format)) {
      throw new AppError('invalid_request', `"format" must be one of ${CAPTION_FORMATS.join(', ')}`, {
        status: 400,
        details: { field: 'format', allowed: CAPTION_FORMATS },
      });
    }
    const { view } = await findJob(jobs, req.params.id, callerOf(req));
    if (view.status !== 'succeeded' || !view.audio) {
      throw new AppError('captions_not_ready', `Captions are not ready: the job is ${view.status}`, {
        status: 409,
        details: { status: view.status, links: view.links },
      });
    }
    const timings = await jobs.records.timings(view.id);
    if (!timings) {
      throw new AppError('captions_unavailable', 'This job finished before timings were recorded: no captions', {
        status: 404,
      });
    }
    res.setHeader('Content-Type', CAPTION_CONTENT_TYPES[format]);
    res.setHeader('Cache-Control', 'private, max-age=86400, immutable');
    res.send(renderCaptions(timings, format));
  });
  return r;
}
