/** Every queue and Redis key name the service uses, in one place. */

/** The BullMQ queue that holds the synthesis jobs of one engine. */
export const synthesisQueueName = (engine: string): string => `tts-${engine}`;

/** Sorted set of an engine's live workers: member = worker id, score = last heartbeat (ms). */
export const workersKey = (prefix: string, engine: string): string => `${prefix}:workers:${engine}`;

/** The job name used for synthesis jobs inside an engine queue. */
export const SYNTHESIZE_JOB = 'synthesize';

/** Routing state for `auto` traffic (JSON), its bounded switch history (list) and change channel. */
export const routerStateKey = (prefix: string): string => `${prefix}:router:state`;
export const routerHistoryKey = (prefix: string): string => `${prefix}:router:history`;
export const routerChannel = (prefix: string): string => `${prefix}:router:events`;

/** Health an engine's checks have shown (JSON, written by the monitor). */
export const healthKey = (prefix: string, engine: string): string => `${prefix}:health:${engine}`;

/** Set by an engine's workers while its model is missing (JSON, expires unless refreshed). */
export const installStatusKey = (prefix: string, engine: string): string => `${prefix}:install:${engine}`;

/** Recent synthesis durations of an engine (list of ms), for load estimates. */
export const durationsKey = (prefix: string, engine: string): string => `${prefix}:durations:${engine}`;

/** Fault injection for resilience tests (JSON), read only when FAULT_INJECTION is on. */
export const faultKey = (prefix: string, engine: string): string => `${prefix}:faults:${engine}`;

/** Outbox record of a job being moved from the primary queue to the backup queue. */
export const movingKey = (prefix: string, jobId: string): string => `${prefix}:moving:${jobId}`;

/** Lease held by the one monitor that probes and routes. */
export const monitorLeaderKey = (prefix: string): string => `${prefix}:monitor:leader`;

/** The job name of health probes inside an engine queue. */
export const PROBE_JOB = 'probe';
