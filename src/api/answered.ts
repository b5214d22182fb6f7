/**
 * A response is answered once. Some answers are given while the code that would otherwise answer is
 * still waiting: the Redis gate's 503 while auth's limiter or a route waits on Redis, a client that
 * went away. When that code resumes, a `setHeader` or `writeHead` would throw ERR_HTTP_HEADERS_SENT
 * (inside a promise callback: an unhandled rejection that ends the process) and a `write` after
 * `end` emits an 'error' nobody listens to (an uncaught exception). The guard, installed first,
 * turns each of those into a no-op logged at debug, so no late path anywhere can take the API down.
 */
import type { NextFunction, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';

/** Whether a request may still be answered (and so its middleware chain go on). */
export function unanswered(res: Response): boolean {
  return !res.headersSent && !res.writableEnded;
}

/** Call `next` only while nobody has answered: a middleware that resumes after an await uses this. */
export function proceed(res: Response, next: NextFunction): void {
  if (unanswered(res)) next();
}

/** Calls that change the head: refused by Node once it has been sent. */
const HEAD_CALLS = ['setHeader', 'appendHeader', 'removeHeader', 'writeHead', 'flushHeaders'] as const;

type Callback = (err?: Error | null) => void;

/** The middleware that installs the guard on every response; first in the app. */
export function answeredGuard(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const late = (call: string, what?: unknown) =>
      logger.debug(
        { requestId: req.id, call, what, status: res.statusCode },
        'late write to an answered response ignored',
      );
    guardResponse(res, late);
    // A write that still fails (socket reset mid-stream) is the client's loss, not a crash.
    res.on('error', (err) => logger.debug({ requestId: req.id, err: err.message }, 'response error'));
    next();
  };
}

/** Make late head changes and late writes on `res` no-ops, each reported to `late`. */
export function guardResponse(res: Response, late: (call: string, what?: unknown) => void): void {
  const target = res as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const call of HEAD_CALLS) {
    const original = target[call];
    if (typeof original !== 'function') continue;
    target[call] = function (this: Response, ...args: unknown[]) {
      if (this.headersSent) {
        late(call, typeof args[0] === 'string' || typeof args[0] === 'number' ? args[0] : undefined);
        return this;
      }
      return original.apply(this, args);
    };
  }
  const body = (call: 'write' | 'end', done: unknown) => {
    const original = target[call];
    if (typeof original !== 'function') return;
    target[call] = function (this: Response, ...args: unknown[]) {
      if (!this.writableEnded) return original.apply(this, args);
      late(call);
      const cb = args.find((a): a is Callback => typeof a === 'function');
      if (cb) process.nextTick(cb);
      // true: a writer waiting for 'drain' would otherwise wait for ever (the response has closed already).
      return done ?? this;
    };
  };
  body('write', true);
  body('end', undefined);
}
