/** Every queue and Redis key name the service uses, in one place. */

/** The BullMQ queue that holds the synthesis jobs of one engine. */
export const synthesisQueueName = (engine: string): string => `tts-${engine}`;

/** Sorted set of an engine's live workers: member = worker id, score = last heartbeat (ms). */
export const workersKey = (prefix: string, engine: string): string => `${prefix}:workers:${engine}`;

/** Hash of what each of an engine's workers is doing: field = worker id, value = JSON {auto, at}. */
export const activityKey = (prefix: string, engine: string): string => `${prefix}:activity:${engine}`;

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

/** Set while an engine's remote server asked for a pause (429/503 with Retry-After); expires with it. */
export const overloadKey = (prefix: string, engine: string): string => `${prefix}:overload:${engine}`;

/** Recent synthesis durations of an engine (list of ms), for load estimates. */
export const durationsKey = (prefix: string, engine: string): string => `${prefix}:durations:${engine}`;

/** Fault injection for resilience tests (JSON), read only when FAULT_INJECTION is on. */
export const faultKey = (prefix: string, engine: string): string => `${prefix}:faults:${engine}`;

/** Lease held by the one monitor that probes and routes. */
export const monitorLeaderKey = (prefix: string): string => `${prefix}:monitor:leader`;

/** The job name of health probes inside an engine queue. */
export const PROBE_JOB = 'probe';

// job lifecycle and webhooks

/** The BullMQ queue of webhook deliveries (one job per event, id `<job id>.<status>`). */
export const WEBHOOK_QUEUE = 'webhooks';
/** The job name of a webhook delivery inside the webhooks queue. */
export const WEBHOOK_JOB = 'deliver';
/** The webhooks-queue job id of a job's terminal event; deterministic so an event is queued once. */
export const webhookJobId = (jobId: string, status: string): string => `${jobId}.${status}`;

/** A job's webhook delivery record (hash: url, state) and its attempts (list of JSON). */
export const webhookKey = (prefix: string, jobId: string): string => `${prefix}:webhook:${jobId}`;
export const webhookAttemptsKey = (prefix: string, jobId: string): string => `${prefix}:webhook:${jobId}:attempts`;

/** A job's record (hash): request, owner, status, progress, result, error, cancel request (see jobs/store.ts). */
export const jobKey = (prefix: string, jobId: string): string => `${prefix}:job:${jobId}`;
/** Jobs whose record is not final yet: sorted set, member = job id, score = submit time (for the reconciler). */
export const openJobsKey = (prefix: string): string => `${prefix}:jobs:open`;
/** Channel of job record changes: each message is `<job id> <status>`. */
export const jobChangesChannel = (prefix: string): string => `${prefix}:jobs:changes`;

/** Tombstone of a job whose audio and record expired: requests get 410 instead of 404. */
export const expiredKey = (prefix: string, jobId: string): string => `${prefix}:expired:${jobId}`;

/** Every submitted job: sorted set, member = job id, score = submit time (ms). For listing and expiry. */
export const jobsIndexKey = (prefix: string): string => `${prefix}:jobs:index`;

/** One tenant's jobs: sorted set like jobsIndexKey, for listing a tenant's own jobs. */
export const tenantJobsKey = (prefix: string, tenant: string): string => `${prefix}:jobs:tenant:${tenant}`;
/** Every tenant that ever submitted a job (set), so expiry can clean their indexes. */
export const tenantsKey = (prefix: string): string => `${prefix}:tenants`;

/** Characters a tenant submitted on one UTC day (integer, expires after the day). */
export const quotaCharsKey = (prefix: string, tenant: string, day: string): string =>
  `${prefix}:quota:chars:${tenant}:${day}`;
/** Milliseconds of audio a tenant's jobs made on a UTC day (`YYYY-MM-DD`): counter, expires after two days. */
export const quotaAudioKey = (prefix: string, tenant: string, day: string): string =>
  `${prefix}:quota:audio:${tenant}:${day}`;
/** A tenant's jobs counted as active: sorted set, member = job id, score = submit time (ms). */
export const quotaActiveKey = (prefix: string, tenant: string): string => `${prefix}:quota:active:${tenant}`;

/** An Idempotency-Key seen at submit (JSON claim: body hash, job id, the job to create); stored as sha256 of tenant and key. */
export const idempotencyKey = (prefix: string, keyHash: string): string => `${prefix}:idempotency:${keyHash}`;

/** Channel on which an engine's workers are asked to reload their model, and the lease that makes them take turns. */
export const reloadChannel = (prefix: string, engine: string): string => `${prefix}:reload:${engine}`;
export const reloadLockKey = (prefix: string, engine: string): string => `${prefix}:reload-lock:${engine}`;
/** Hash of each worker's last reload outcome (JSON per worker id). */
export const reloadStatusKey = (prefix: string, engine: string): string => `${prefix}:reloads:${engine}`;

// result cache

/** Result cache index: hash, field = content key, value = JSON entry (size, duration, created). */
export const cacheIndexKey = (prefix: string): string => `${prefix}:cache:index`;
/** Result cache recency: sorted set, member = content key, score = last use (ms), for LRU eviction. */
export const cacheLruKey = (prefix: string): string => `${prefix}:cache:lru`;
/** Total bytes of the cached files (integer), checked against CACHE_MAX_BYTES. */
export const cacheBytesKey = (prefix: string): string => `${prefix}:cache:bytes`;
/** Held by the one job synthesizing a content key; identical jobs wait for its result. */
export const cacheLockKey = (prefix: string, contentKey: string): string => `${prefix}:cache:lock:${contentKey}`;
