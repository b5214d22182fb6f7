import { z } from 'zod';

/** One setting: where it comes from, what it defaults to, what it means and how it is checked. */
export interface Setting<T> {
  env: string;
  /** Default as the env string; undefined means "unset" is allowed and meaningful. */
  default: string | undefined;
  description: string;
  schema: z.ZodType<T>;
}

const setting = <T>(env: string, def: string | undefined, description: string, schema: z.ZodType<T>): Setting<T> => ({
  env,
  default: def,
  description,
  schema,
});

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const engineName = z.string().regex(/^[a-z][a-z0-9-]*$/, 'expected an engine name such as espeak');
const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);
const redisUrl = z
  .string()
  .regex(/^rediss?:\/\/\S+$/, 'expected redis://host:port[/db] or rediss://…')
  .optional();

/** Every setting of the service. The README's settings table is generated from this object. */
export const settings = {
  host: setting('HOST', '127.0.0.1', 'Interface the API listens on.', z.string().min(1)),
  port: setting('PORT', '8080', 'Port the API listens on.', int(0, 65535)),
  redisUrl: setting(
    'REDIS_URL',
    undefined,
    'Redis shared by every process. Unset: `npm start` runs its own redis-server (AOF under DATA_DIR/redis); a role started alone uses redis://127.0.0.1:6379.',
    redisUrl,
  ),
  localRedisPort: setting('LOCAL_REDIS_PORT', '6380', 'Port of the redis-server that `npm start` runs when REDIS_URL is unset.', int(1, 65535)),
  dataDir: setting('DATA_DIR', './data', 'Directory for local state (the local Redis, audio by default).', z.string().min(1)),
  outputDir: setting(
    'OUTPUT_DIR',
    './data/audio',
    'Where workers write audio and the API reads it. With workers on several hosts it must be shared storage.',
    z.string().min(1),
  ),
  queuePrefix: setting('QUEUE_PREFIX', 'tandem', 'Prefix of every Redis key the service writes.', z.string().regex(/^[A-Za-z0-9_.-]+$/)),
  primaryEngine: setting('PRIMARY_ENGINE', 'espeak', 'Engine behind `primary` (the first choice of `auto`).', engineName),
  backupEngine: setting('BACKUP_ENGINE', 'espeak', 'Engine behind `backup`.', engineName),
  workerConcurrency: setting(
    'WORKER_CONCURRENCY',
    '1',
    'Jobs one worker process runs at once; each gets its own engine thread.',
    int(1, 64),
  ),
  chunkTimeoutMs: setting(
    'CHUNK_TIMEOUT_MS',
    '60000',
    'A chunk that takes longer is abandoned, its engine thread restarted and the job retried.',
    int(100, 3_600_000),
  ),
  jobAttempts: setting('JOB_ATTEMPTS', '3', 'Attempts per job before it fails.', int(1, 20)),
  jobBackoffMs: setting('JOB_BACKOFF_MS', '1000', 'First retry delay; doubles on each attempt.', int(0, 600_000)),
  jobLockMs: setting(
    'JOB_LOCK_MS',
    '30000',
    'Lock on a running job; a worker that dies without releasing it is noticed after about this long.',
    int(1000, 600_000),
  ),
  stalledIntervalMs: setting('JOB_STALLED_INTERVAL_MS', '15000', 'How often workers look for jobs whose worker died.', int(500, 600_000)),
  maxStalledCount: setting('JOB_MAX_STALLED', '3', 'Times a job may be recovered from a dead worker before it fails.', int(0, 100)),
  keepCompletedSeconds: setting('KEEP_COMPLETED_SECONDS', '86400', 'How long finished job records are kept.', int(1, 31_536_000)),
  keepFailedSeconds: setting('KEEP_FAILED_SECONDS', '604800', 'How long failed job records are kept.', int(1, 31_536_000)),
  ttsMaxChars: setting('TTS_MAX_CHARS', '500', 'Longest text `POST /api/tts` accepts.', int(1, 1_000_000)),
  jobsMaxChars: setting('JOBS_MAX_CHARS', '100000', 'Longest text `POST /api/jobs` accepts.', int(1, 10_000_000)),
  ttsWaitMs: setting(
    'TTS_WAIT_MS',
    '60000',
    'How long `POST /api/tts` waits for the audio before answering 202 with the job links.',
    int(0, 3_600_000),
  ),
  bodyLimitBytes: setting('BODY_LIMIT_BYTES', '2000000', 'Largest request body accepted.', int(1024, 100_000_000)),
  heartbeatMs: setting('WORKER_HEARTBEAT_MS', '5000', 'How often a worker says it is alive; it counts as gone after 3 missed beats.', int(100, 60_000)),
  shutdownTimeoutMs: setting('SHUTDOWN_TIMEOUT_MS', '30000', 'Longest a process waits for work in flight when stopping.', int(100, 600_000)),
  logLevel: setting('LOG_LEVEL', 'info', 'pino log level.', logLevel),
} as const;

type Settings = typeof settings;
export type Config = { [K in keyof Settings]: Settings[K] extends Setting<infer T> ? T : never };
