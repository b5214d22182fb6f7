import type { Request } from 'express';
import type { Job } from 'bullmq';
import { AppError } from '../domain/errors.js';
import type { JobData, JobOutcome } from '../domain/job.js';
import { getEngine } from '../engines/registry.js';
import { allowedVoices } from '../engines/voice.js';
import { prepareText } from '../text/index.js';
import type { JobService } from './job-service.js';
import { parseSynthesisBody, type RequestLimits } from './schemas.js';

/** Validation + enqueue shared by every endpoint that accepts a synthesis request. */
export class Submitter {
  readonly limits: { ttsMaxChars: number; jobsMaxChars: number };
  private readonly voices: RequestLimits['voices'];
  private readonly speed: RequestLimits['speed'];

  constructor(
    private readonly jobs: JobService,
    opts: { ttsMaxChars: number; jobsMaxChars: number },
  ) {
    this.limits = opts;
    const primary = getEngine(jobs.engineFor('primary')).capabilities;
    const backup = getEngine(jobs.engineFor('backup')).capabilities;
    const p = allowedVoices(primary);
    const b = allowedVoices(backup);
    this.voices = { primary: p, backup: b, auto: [...new Set([...p, ...b])] };
    // Speed must suit whichever engine ends up running the job.
    this.speed = { min: Math.max(primary.speed.min, backup.speed.min), max: Math.min(primary.speed.max, backup.speed.max) };
  }

  async submit(req: Request, maxChars: number): Promise<Job<JobData, JobOutcome>> {
    if (!req.is('application/json')) {
      throw new AppError('unsupported_content_type', 'Content-Type must be application/json', {
        status: 400,
        details: { allowed: ['application/json'] },
      });
    }
    const request = parseSynthesisBody(req.body, { maxChars, voices: this.voices, speed: this.speed });
    const engine = getEngine(this.jobs.engineFor(request.engine === 'backup' ? 'backup' : 'primary'));
    // Rejects text with nothing to speak before anything is queued; the count seeds progress.
    const chunks = prepareText(request.text, { maxChunkChars: engine.capabilities.maxChunkChars });
    return this.jobs.submit(request, { requestId: req.id, chunks: chunks.length });
  }
}
