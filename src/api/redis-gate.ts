import type { RequestHandler } from 'express';
import type { RedisAvailability } from '../queue/availability.js';
import { unanswered } from './answered.js';
import { errorResponse, redisUnavailable } from './errors.js';

/** Routes that never touch Redis (or bound their own wait, as /readyz does). */
const EXEMPT = (path: string) =>
  path === '/healthz' || path === '/readyz' || path === '/' || path.startsWith('/assets/');

/**
 * Bounds every request that needs Redis: one arriving while Redis is away
 * waits at most `boundMs` for it, and one in progress when Redis goes away
 * (or stops answering) is answered 503 `redis_unavailable` once the outage
 * has lasted `boundMs`, instead of hanging for as long as the outage lasts.
 */
declare module 'express-serve-static-core' {
  interface Request {
    /** Aborted when the gate has answered 503: a submission still in flight must then withdraw its job. */
    redisGaveUp?: AbortSignal;
    /** How long this request waited for Redis before it could go on: spent from its bound. */
    redisWaitedMs?: number;
  }
}

export function redisGate(availability: RedisAvailability, boundMs: number): RequestHandler {
  return (req, res, next) => {
    if (EXEMPT(req.path)) return next();
    let timer: NodeJS.Timeout | undefined;
    let over = false;
    const gaveUp = new AbortController();
    req.redisGaveUp = gaveUp.signal;
    const giveUp = () => {
      over = true;
      gaveUp.abort();
      if (!res.headersSent) errorResponse(res, redisUnavailable(boundMs));
    };
    // Checked every half bound: a lost connection is known from its events; a Redis that keeps the
    // connection but does not answer (frozen, link cut) fails a PING of half the bound.
    const half = Math.max(50, Math.floor(boundMs / 2));
    const arrived = Date.now();
    // The bound is this request's, over every outage it meets: one that comes back for a moment and
    // goes again (a failover resolving) must not start the count afresh, nor the wait at arrival.
    let lostMs = 0;
    let outageMs = 0;
    const watch = (ms: number) => {
      timer = setTimeout(() => {
        if (over || res.headersSent) return;
        if (!availability.up) {
          outageMs = Math.min(availability.downForMs(), Date.now() - arrived);
          const left = boundMs - lostMs - outageMs;
          return left <= 0 ? giveUp() : watch(Math.min(left, half));
        }
        lostMs += outageMs;
        outageMs = 0;
        if (lostMs >= boundMs) return giveUp();
        void availability.ping(half).then((ok) => {
          if (over || res.headersSent) return;
          if (ok) watch(half);
          else giveUp();
        });
      }, ms);
      timer.unref();
    };
    res.on('close', () => {
      over = true;
      clearTimeout(timer);
    });
    if (availability.up) {
      req.redisWaitedMs = 0;
      watch(half);
      return next();
    }
    void availability.whenUp(boundMs).then((up) => {
      if (over || !unanswered(res)) return;
      if (!up) return giveUp();
      lostMs = Date.now() - arrived;
      req.redisWaitedMs = lostMs;
      watch(Math.max(1, Math.min(half, boundMs - lostMs)));
      next();
    });
  };
}
