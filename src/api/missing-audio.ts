import type { Logger } from 'pino';
import { AppError } from '../domain/errors.js';
import { expiredKey } from '../queue/names.js';
import { type JobService, jobExpired } from './job-service.js';

/**
 * Answers for a finished job whose audio file this API cannot find. An expired
 * job is a 410; anything else almost always means the API and the workers do
 * not share the audio storage (say, no common volume at OUTPUT_DIR), which is
 * a deployment fault, not the client's: it is named as such and logged once
 * per process rather than on every request.
 */
export class MissingAudio {
  private logged = false;

  constructor(
    private readonly jobs: JobService,
    private readonly outputDir: string,
    private readonly logger: Logger,
  ) {}

  async error(jobId: string): Promise<AppError> {
    if ((await this.jobs.redis.exists(expiredKey(this.jobs.prefix, jobId))) === 1) return jobExpired(jobId);
    if (!this.logged) {
      this.logged = true;
      this.logger.error(
        { jobId, outputDir: this.outputDir, code: 'audio_missing' },
        `a finished job's audio is not under OUTPUT_DIR (${this.outputDir}) of this API: the API and the workers most likely do not share audio storage; mount the same volume at the same OUTPUT_DIR in every API and worker (logged once)`,
      );
    }
    return new AppError(
      'audio_missing',
      `Job ${jobId} finished, but this server cannot find its audio file. The API and the workers most likely do not share audio storage (the same volume at the same OUTPUT_DIR); this is a deployment problem for the operator, not a problem with the request.`,
      { status: 500, details: { id: jobId } },
    );
  }
}
