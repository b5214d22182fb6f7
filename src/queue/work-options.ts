import type { JobsOptions } from 'bullmq';
import type { Config } from '../config/schema.js';
import { BULLMQ_PRIORITY, type JobData } from '../domain/job.js';

/** BullMQ options of a job's work item, wherever it is queued (API, reconciler). */
export function workOptions(
  config: Pick<Config, 'jobAttempts' | 'jobBackoffMs' | 'jobTtlSeconds'>,
  id: string,
  data: JobData,
): JobsOptions & { jobId: string } {
  return {
    jobId: id,
    attempts: config.jobAttempts,
    backoff: { type: 'exponential', delay: config.jobBackoffMs },
    priority: BULLMQ_PRIORITY[data.priority ?? 'normal'],
    // The work item is gone after JOB_TTL_SECONDS; the record keeps what clients see until the cleanup.
    removeOnComplete: { age: config.jobTtlSeconds },
    removeOnFail: { age: config.jobTtlSeconds },
  };
}
