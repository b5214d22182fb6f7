/**
 * Access control: API keys (stored as sha256 hashes in settings), admin keys,
 * a metrics token, and a per-key rate limit whose counters live in Redis so
 * every API process on every host shares them.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { Request, RequestHandler, Response } from 'express';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Config, KeyHash } from '../config/schema.js';
import { AppError } from '../domain/errors.js';
import { proceed } from './answered.js';
import { type Refusal, type Role, unauthorized } from './auth-refusal.js';
import { ANONYMOUS, type Caller } from './caller.js';
import { errorResponse } from './errors.js';

/** Middleware that routers put in front of what they protect. */
export interface Auth {
  /** `/api/*` and other client APIs: any client or admin key, then the rate limit. */
  client: RequestHandler;
  /** Routes that change the service (Bull Board, router mode…): an admin key. */
  admin: RequestHandler;
  /** `/metrics`: a metrics or admin key when METRICS_KEYS is set, open otherwise. */
  metrics: RequestHandler;
  /** True when any client or admin key is configured. */
  readonly enabled: boolean;
}

/** Every request's caller when no keys are set: one open service, one tenant. Frozen: it is shared. */
const OPEN_CALLER: Caller = Object.freeze({ tenant: ANONYMOUS, admin: true });

/** sha256 hex of a key: what API_KEYS / ADMIN_KEYS hold. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * The name of the entry whose hash matches `key`, or undefined. Every entry
 * is compared, in constant time, so timing says nothing about which matched.
 */
export function matchKey(key: string, entries: readonly KeyHash[]): string | undefined {
  return matchEntry(key, entries)?.name;
}

/** The entry whose hash matches `key` (same constant-time walk over every entry as matchKey). */
export function matchEntry(key: string, entries: readonly KeyHash[]): KeyHash | undefined {
  return new KeyTable(entries.map((entry) => ({ entry, privileged: false }))).lookup(key).entry;
}

/**
 * Key entries with their digests decoded once, when the app is built: a request only hashes the key
 * it presents, then compares it with every entry in constant time. `privileged` marks the entries
 * that grant more (admin keys for client routes, metrics and admin keys for /metrics).
 */
export class KeyTable {
  private readonly rows: { entry: KeyHash; digest: Buffer; privileged: boolean }[];

  constructor(rows: readonly { entry: KeyHash; privileged: boolean }[]) {
    this.rows = rows.map((r) => ({ ...r, digest: Buffer.from(r.entry.sha256, 'hex') }));
  }

  /** The first entry matching `key`, and whether any privileged entry matches it; every entry is compared. */
  lookup(key: string): { entry?: KeyHash; privileged: boolean } {
    const digest = createHash('sha256').update(key, 'utf8').digest();
    let entry: KeyHash | undefined;
    let privileged = false;
    for (const r of this.rows) {
      // Both sides are 32-byte digests, so timingSafeEqual never throws and never short-cuts on length.
      const hit = timingSafeEqual(digest, r.digest);
      if (hit && entry === undefined) entry = r.entry;
      if (hit && r.privileged) privileged = true;
    }
    return { entry, privileged };
  }
}

/** The key a request presents: `Authorization: Bearer <key>`, or the password of Basic auth (browsers on /admin). */
export function presentedKey(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^(Bearer|Basic)\s+(\S+)\s*$/i.exec(header);
  if (!m) return undefined;
  const [, scheme = '', value = ''] = m;
  if (scheme.toLowerCase() === 'bearer') return value;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 && colon < decoded.length - 1 ? decoded.slice(colon + 1) : undefined;
}

/** Whether HOST only accepts connections from this machine. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (h === '::1') return true;
  return /^::ffff:127\./.test(h);
}

/**
 * Whether the API may listen with these settings: a non-loopback address
 * with no keys is refused unless ALLOW_OPEN_BIND says so.
 */
export function bindPolicy(config: Pick<Config, 'host' | 'apiKeys' | 'adminKeys' | 'allowOpenBind'>): {
  ok: boolean;
  level: 'info' | 'warn' | 'fatal';
  message: string;
} {
  const keys = config.apiKeys.length + config.adminKeys.length;
  if (keys > 0) {
    const admin = config.adminKeys.length
      ? `${config.adminKeys.length} admin key(s)`
      : 'no admin key: admin routes are closed';
    return { ok: true, level: 'info', message: `access control on: ${config.apiKeys.length} client key(s), ${admin}` };
  }
  if (isLoopback(config.host)) {
    return {
      ok: true,
      level: 'info',
      message: `no API keys configured: the service is open, so it listens on ${config.host} (this machine) only. Set API_KEYS and ADMIN_KEYS to listen on other interfaces.`,
    };
  }
  if (config.allowOpenBind) {
    return {
      ok: true,
      level: 'warn',
      message: `no API keys configured and HOST=${config.host}: the service is open to anyone who can reach it (ALLOW_OPEN_BIND=true)`,
    };
  }
  return {
    ok: false,
    level: 'fatal',
    message: `refusing to listen on HOST=${config.host} with no API keys: anyone who can reach it could use and administer the service. Set API_KEYS and ADMIN_KEYS (npm run hash-key -- <key>), listen on 127.0.0.1, or set ALLOW_OPEN_BIND=true to run it open.`,
  };
}

/** Build the access-control middleware once per app. */
export function createAuth(
  config: Pick<
    Config,
    'apiKeys' | 'adminKeys' | 'metricsKeys' | 'rateLimitPerMinute' | 'queuePrefix' | 'authFailuresPerMinute'
  >,
  redis: Redis,
  logger?: Logger,
): Auth {
  const enabled = config.apiKeys.length + config.adminKeys.length > 0;
  const limiter =
    config.rateLimitPerMinute > 0
      ? createLimiter(config.rateLimitPerMinute, `${config.queuePrefix}:ratelimit`, redis)
      : undefined;
  // Failed authentications per address: bounds how fast anyone can guess keys or flood the key check.
  const failures =
    config.authFailuresPerMinute > 0
      ? createLimiter(config.authFailuresPerMinute, `${config.queuePrefix}:authfail`, redis)
      : undefined;
  let warnedFallback = false;

  const refuse = (req: Request, res: Response, role: Role, status: 401 | 403) => {
    const sent = req.headers.authorization;
    const why: Refusal = !sent ? 'missing' : presentedKey(sent) === undefined ? 'malformed' : 'not_accepted';
    if (status === 401 && failures) {
      const address = req.ip ?? req.socket.remoteAddress ?? 'unknown';
      failures.consume(address).then(
        () => refuse401(res, role, why),
        (rej: unknown) => {
          if (!(rej instanceof RateLimiterRes)) return refuse401(res, role, why);
          const retryAfter = Math.max(1, Math.ceil(rej.msBeforeNext / 1000));
          errorResponse(
            res,
            new AppError(
              'auth_throttled',
              `Too many failed authentications from this address: at most ${config.authFailuresPerMinute} per minute; try again in ${retryAfter} s`,
              {
                status: 429,
                headers: { 'Retry-After': String(retryAfter) },
                details: { limit_per_minute: config.authFailuresPerMinute, retry_after_s: retryAfter },
              },
            ),
          );
        },
      );
      return;
    }
    if (status === 401) return refuse401(res, role, why);
    const what = role === 'admin' ? 'an admin key' : 'a metrics or admin key';
    errorResponse(res, new AppError('forbidden', `This key may not do that: it needs ${what}`, { status: 403 }));
  };
  // The challenge travels with the error, so only errorResponse writes it: the failure count can
  // resolve after the Redis gate has answered 503, and a header set then would throw.
  const refuse401 = (res: Response, role: Role, why: Refusal) => {
    errorResponse(res, unauthorized(role, why));
  };

  const rows = (plain: readonly KeyHash[], privileged: readonly KeyHash[]) => [
    ...plain.map((entry) => ({ entry, privileged: false })),
    ...privileged.map((entry) => ({ entry, privileged: true })),
  ];
  // Client routes: any client or admin key; admin routes: an admin key. The API keys come first, so a
  // key listed in both is named (its tenant) by its API_KEYS entry, as before.
  const clientTable = new KeyTable(rows(config.apiKeys, config.adminKeys));
  // /metrics: a metrics or admin key; an API key is known (403, not 401) but not enough.
  const metricsTable = new KeyTable([
    ...rows([], [...config.metricsKeys, ...config.adminKeys]),
    ...rows(config.apiKeys, []),
  ]);

  /** The matching entry (none when no key was sent or it matches nothing) and whether it is privileged. */
  const identify = (req: Request, table: KeyTable): { entry?: KeyHash; privileged: boolean } => {
    const key = presentedKey(req.headers.authorization);
    if (key === undefined) return { privileged: false };
    return table.lookup(key);
  };

  const client: RequestHandler = (req, res, next) => {
    if (enabled) {
      const { entry, privileged } = identify(req, clientTable);
      if (!entry) return refuse(req, res, 'client', 401);
      // Per-key resources (pronunciation lexicons) are scoped by this name.
      res.locals.clientKey = entry.name;
      req.caller = { tenant: entry.name, admin: privileged, ...(entry.quota ? { quota: entry.quota } : {}) };
    } else {
      // No keys: one open service, one tenant, and whoever reaches it may see everything.
      req.caller = OPEN_CALLER;
    }
    if (!limiter) return next();
    // Only now: req.ip runs the trust-proxy rules, work wasted when nothing is limited.
    const who = enabled ? `key:${req.caller.tenant}` : `ip:${req.ip ?? req.socket.remoteAddress ?? 'unknown'}`;
    // The count may come back after the Redis gate answered 503: the request then goes no further.
    limiter.consume(who).then(
      () => proceed(res, next),
      (rej: unknown) => {
        if (!(rej instanceof RateLimiterRes)) {
          // Neither Redis nor the in-memory insurance answered: let the request through.
          if (!warnedFallback) logger?.warn({ err: String(rej) }, 'rate limiter unavailable: not limiting');
          warnedFallback = true;
          return proceed(res, next);
        }
        const retryAfter = Math.max(1, Math.ceil(rej.msBeforeNext / 1000));
        errorResponse(
          res,
          new AppError(
            'rate_limited',
            `Too many requests: the limit is ${config.rateLimitPerMinute} per minute; try again in ${retryAfter} s`,
            {
              status: 429,
              headers: { 'Retry-After': String(retryAfter) },
              details: { limit_per_minute: config.rateLimitPerMinute, retry_after_s: retryAfter },
            },
          ),
        );
      },
    );
  };

  const admin: RequestHandler = (req, res, next) => {
    if (!enabled) return next();
    const { entry, privileged } = identify(req, clientTable);
    if (!entry) return refuse(req, res, 'admin', 401);
    if (!privileged) return refuse(req, res, 'admin', 403);
    next();
  };

  const metrics: RequestHandler = (req, res, next) => {
    if (config.metricsKeys.length === 0) return next();
    const { entry, privileged } = identify(req, metricsTable);
    if (!entry) return refuse(req, res, 'metrics', 401);
    if (!privileged) return refuse(req, res, 'metrics', 403);
    next();
  };

  return { client, admin, metrics, enabled };
}

/**
 * A fixed one-minute window per key (or address), in Redis. When Redis is not ready the
 * process counts on its own (per-process limits) rather than stall requests.
 */
function createLimiter(perMinute: number, keyPrefix: string, redis: Redis): RateLimiterRedis {
  return new RateLimiterRedis({
    storeClient: redis,
    keyPrefix,
    points: perMinute,
    duration: 60,
    rejectIfRedisNotReady: true,
    insuranceLimiter: new RateLimiterMemory({ points: perMinute, duration: 60 }),
  });
}
