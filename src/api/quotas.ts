import type { Redis } from 'ioredis';
import type { Config } from '../config/schema.js';
import { AppError } from '../domain/errors.js';
import { LuaScript } from '../queue/lua.js';
import { utcDay } from '../jobs/audio-usage.js';
import { jobKey, quotaActiveKey, quotaAudioKey, quotaCharsKey } from '../queue/names.js';
import type { Caller } from './caller.js';

/** A job counted this recently is kept while it has no record yet (it is being created). */
const GRACE_MS = 10_000;
/** Retry-After for a full active-jobs quota: it frees when one of the tenant's jobs ends. */
const ACTIVE_RETRY_S = 5;

/**
 * Drop members whose jobs are no longer queued or running, then count what is left. A member whose
 * record says it ended goes at once, so a client that waits for each job before sending the next is
 * never refused; one without a record goes only after the grace. ARGV from 9 on: key bases of job
 * records (\`<prefix>:job:\`). The set holds at most the tenant's limit, so reading it whole is cheap.
 */
const PRUNE = `
local function prune(key, now, base)
  local members = redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')
  for j = 1, #members, 2 do
    local id, at = members[j], tonumber(members[j + 1])
    local live, seen = false, false
    for i = base, #ARGV do
      local s = redis.call('HGET', ARGV[i] .. id, 'status')
      if s then seen = true end
      if s == 'queued' or s == 'running' then live = true end
    end
    if not live and (seen or at <= now - ${GRACE_MS}) then redis.call('ZREM', key, id) end
  end
  return redis.call('ZCARD', key)
end`;

/**
 * KEYS: chars counter, active set, audio ms counter. ARGV: chars, char limit, active limit (-1: only
 * count), job id, now, ttl s, audio limit ms, the request's known audio ms, queue bases…
 * Verdicts: 0 counted, 1 chars, 2 active jobs, 3 audio seconds.
 */
const RESERVE = new LuaScript(`${PRUNE}
local n = tonumber(ARGV[1])
local climit = tonumber(ARGV[2])
local alimit = tonumber(ARGV[3])
local now = tonumber(ARGV[5])
local audiolimit = tonumber(ARGV[7]) or 0
local known = tonumber(ARGV[8]) or 0
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local audio = tonumber(redis.call('GET', KEYS[3]) or '0')
local active = prune(KEYS[2], now, 9)
if alimit < 0 then return {0, used, active, audio} end
if climit > 0 and used + n > climit then return {1, used, active, audio} end
if audiolimit > 0 and (audio >= audiolimit or audio + known > audiolimit) then return {3, used, active, audio} end
if alimit > 0 and active >= alimit then return {2, used, active, audio} end
if alimit > 0 then
  redis.call('ZADD', KEYS[2], now, ARGV[4])
  redis.call('PEXPIRE', KEYS[2], 7 * 86400000)
end
redis.call('INCRBY', KEYS[1], n)
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[6]))
return {0, used + n, active + 1, audio}`);

export interface QuotaLimits {
  /** 0 = unlimited. */
  charsPerDay: number;
  /** Seconds of audio synthesized per UTC day; 0 = unlimited. */
  audioSecondsPerDay: number;
  activeJobs: number;
}

export interface Usage {
  tenant: string;
  day: string;
  chars_per_day: { limit: number | null; used: number; remaining: number | null; resets_at: string };
  /** Seconds of audio the tenant's jobs made today (counted whatever the limit). */
  audio_seconds_per_day: { limit: number | null; used: number; remaining: number | null; resets_at: string };
  /** `used` is null when the tenant has no active-jobs limit (its jobs are then not counted). */
  active_jobs: { limit: number | null; used: number | null };
}

const nextMidnight = (now: number) => {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
};

/**
 * Per-tenant quotas, counted in Redis so every API process agrees:
 * characters per UTC day and jobs queued or running at once. Checking and
 * counting are one script, so concurrent requests cannot both slip under a limit.
 */
export class Quotas {
  constructor(
    private readonly redis: Redis,
    private readonly config: Pick<
      Config,
      'queuePrefix' | 'quotaCharsPerDay' | 'quotaAudioSecondsPerDay' | 'quotaActiveJobs'
    >,
    /** Key bases of job records (`<prefix>:job:`). */
    private readonly queueBases: () => string[] = () => [jobKey(config.queuePrefix, '')],
  ) {}

  limits(caller: Caller): QuotaLimits {
    return {
      charsPerDay: caller.quota?.charsPerDay ?? this.config.quotaCharsPerDay,
      audioSecondsPerDay: caller.quota?.audioSecondsPerDay ?? this.config.quotaAudioSecondsPerDay,
      activeJobs: caller.quota?.activeJobs ?? this.config.quotaActiveJobs,
    };
  }

  private run(caller: Caller, chars: number, activeLimit: number, jobId: string, now: number, audioMs = 0) {
    const p = this.config.queuePrefix;
    const day = utcDay(now);
    const { charsPerDay, audioSecondsPerDay } = this.limits(caller);
    return RESERVE.run(
      this.redis,
      [quotaCharsKey(p, caller.tenant, day), quotaActiveKey(p, caller.tenant), quotaAudioKey(p, caller.tenant, day)],
      [
        chars,
        charsPerDay,
        activeLimit,
        jobId,
        now,
        2 * 86_400,
        audioSecondsPerDay * 1000,
        audioMs,
        ...this.queueBases(),
      ],
    ) as Promise<[number, number, number, number]>;
  }

  /**
   * Count a new job against the caller's quotas, or throw 429 naming the quota that is full.
   * `audioMs`: the audio the request is known to make (its SSML breaks), checked against what is left today.
   */
  async reserve(
    caller: Caller,
    chars: number,
    jobId: string,
    opts: { now?: number; audioMs?: number } = {},
  ): Promise<void> {
    const now = opts.now ?? Date.now();
    const limits = this.limits(caller);
    // Counted even without limits, so /api/usage tells every tenant what it sent today.
    const [verdict, used, active, audio] = await this.run(caller, chars, limits.activeJobs, jobId, now, opts.audioMs);
    if (verdict === 3) throw audioQuotaFull(limits.audioSecondsPerDay, audio, opts.audioMs ?? 0, now);
    if (verdict === 1) {
      const reset = nextMidnight(now);
      const retry = Math.max(1, Math.ceil((reset - now) / 1000));
      throw new AppError(
        'quota_exceeded',
        `Daily character quota reached: ${used} of ${limits.charsPerDay} characters used today (UTC); this request has ${chars}. It resets at ${new Date(reset).toISOString()}`,
        {
          status: 429,
          headers: { 'Retry-After': String(retry) },
          details: {
            quota: 'chars_per_day',
            limit: limits.charsPerDay,
            used,
            requested: chars,
            resets_at: new Date(reset).toISOString(),
            retry_after_s: retry,
          },
        },
      );
    }
    if (verdict === 2) {
      throw new AppError(
        'quota_exceeded',
        `Active jobs quota reached: ${active} of ${limits.activeJobs} jobs are queued or running; submit more when one finishes`,
        {
          status: 429,
          headers: { 'Retry-After': String(ACTIVE_RETRY_S) },
          details: {
            quota: 'active_jobs',
            limit: limits.activeJobs,
            used: active,
            resets_at: null,
            resets: 'when one of your queued or running jobs finishes',
            retry_after_s: ACTIVE_RETRY_S,
          },
        },
      );
    }
  }

  /** Give back what `reserve` counted (the job was not created after all). */
  async refund(caller: Caller, chars: number, jobId: string, now = Date.now()): Promise<void> {
    const p = this.config.queuePrefix;
    await this.redis
      .multi()
      .decrby(quotaCharsKey(p, caller.tenant, utcDay(now)), chars)
      .zrem(quotaActiveKey(p, caller.tenant), jobId)
      .exec();
  }

  /** The caller's usage today and its limits (null = unlimited). */
  async usage(caller: Caller, now = Date.now()): Promise<Usage> {
    const limits = this.limits(caller);
    const [, used, active, audioMs] = await this.run(caller, 0, -1, '', now);
    const resets = new Date(nextMidnight(now)).toISOString();
    const audio = Math.round(audioMs / 1000);
    return {
      tenant: caller.tenant,
      day: utcDay(now),
      chars_per_day: {
        limit: limits.charsPerDay || null,
        used,
        remaining: limits.charsPerDay ? Math.max(0, limits.charsPerDay - used) : null,
        resets_at: resets,
      },
      audio_seconds_per_day: {
        limit: limits.audioSecondsPerDay || null,
        used: audio,
        remaining: limits.audioSecondsPerDay ? Math.max(0, limits.audioSecondsPerDay - audio) : null,
        resets_at: resets,
      },
      active_jobs: { limit: limits.activeJobs || null, used: limits.activeJobs ? active : null },
    };
  }
}

/** 429 for a tenant whose audio seconds today are used up, or would be by what this request is known to make. */
function audioQuotaFull(limitS: number, usedMs: number, knownMs: number, now: number): AppError {
  const reset = nextMidnight(now);
  const retry = Math.max(1, Math.ceil((reset - now) / 1000));
  const used = Math.round(usedMs / 1000);
  const known = Math.round(knownMs / 1000);
  return new AppError(
    'quota_exceeded',
    `Daily audio quota reached: ${used} of ${limitS} seconds of audio made today (UTC)${known ? `; this request's breaks alone are ${known} s` : ''}. It resets at ${new Date(reset).toISOString()}`,
    {
      status: 429,
      headers: { 'Retry-After': String(retry) },
      details: {
        quota: 'audio_seconds_per_day',
        limit: limitS,
        used,
        ...(known ? { requested: known } : {}),
        resets_at: new Date(reset).toISOString(),
        retry_after_s: retry,
      },
    },
  );
}
