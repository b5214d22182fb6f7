/** Every queue and Redis key name the service uses, in one place. */

/** The BullMQ queue that holds the synthesis jobs of one engine. */
export const synthesisQueueName = (engine: string): string => `tts-${engine}`;

/** Sorted set of an engine's live workers: member = worker id, score = last heartbeat (ms). */
export const workersKey = (prefix: string, engine: string): string => `${prefix}:workers:${engine}`;

/** The job name used for synthesis jobs inside an engine queue. */
export const SYNTHESIZE_JOB = 'synthesize';
