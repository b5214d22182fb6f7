import type { ErrorRequestHandler, Response } from 'express';
import { AppError, isAppError } from '../domain/errors.js';
import { isRedisUnavailable } from '../queue/errors.js';
import { unsupportedCharset } from './charset.js';

/** The one place an error body is written: `{error, code, ...details}`. */
export function errorResponse(res: Response, err: AppError): void {
  if (res.headersSent) {
    // Already answered (e.g. 503 by the Redis gate while the route still waited): leave the connection be.
    if (!res.writableEnded) res.destroy();
    return;
  }
  res.removeHeader('Content-Length');
  // For the request's log line, which is where an expected error is logged.
  res.locals.errorCode = err.code;
  // Answered before its body was read (a refusal at the door: 401, 429, the Redis gate's 503):
  // close the connection, as for body_too_large, rather than read whatever a slow sender trickles.
  if (res.req && !res.req.complete && hasBody(res.req.headers)) res.setHeader('Connection', 'close');
  for (const [k, v] of Object.entries(err.headers ?? {})) res.setHeader(k, v);
  // The OpenAI-compatible routes answer in OpenAI's error shape, so its clients can read the error.
  const body = res.req?.originalUrl?.startsWith('/v1/')
    ? openAiError(err)
    : { error: err.message, code: err.code, ...err.details };
  res.status(err.status).type('application/json').json(body);
}

function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** OpenAI's error body: `{error: {message, type, param, code}}`. */
export function openAiError(err: AppError): {
  error: { message: string; type: string; param: string | null; code: string };
} {
  const s = err.status;
  const type =
    s === 401
      ? 'authentication_error'
      : s === 403
        ? 'permission_error'
        : s === 429
          ? 'rate_limit_error'
          : s >= 500
            ? 'server_error'
            : 'invalid_request_error';
  const field = err.details?.field;
  return { error: { message: err.message, type, param: typeof field === 'string' ? field : null, code: err.code } };
}

/** What body-parser can decompress; `identity` is no encoding at all. */
const CONTENT_ENCODINGS = ['identity', 'gzip', 'deflate', 'br'];

/** Translate what Express and body-parser throw into AppErrors; never leak a stack. */
export function toAppError(err: unknown, limitBytes: number): AppError {
  if (isAppError(err)) return err as AppError;
  const e = err as { type?: string; status?: number; message?: string };
  switch (e.type) {
    case 'entity.parse.failed':
      return new AppError('invalid_json', 'Request body is not valid JSON', { status: 400 });
    case 'entity.too.large':
      return new AppError('body_too_large', 'Request body is too large', {
        status: 413,
        details: { max_bytes: limitBytes },
      });
    case 'charset.unsupported':
      return unsupportedCharset();
    case 'encoding.unsupported':
      return new AppError('unsupported_encoding', 'Content-Encoding is not supported', {
        status: 400,
        details: { allowed: CONTENT_ENCODINGS },
      });
    case 'request.aborted':
    case 'request.size.invalid':
      return new AppError('bad_body', 'Request body was incomplete', { status: 400 });
  }
  // zlib refused a body whose Content-Encoding says gzip, deflate or br but whose bytes are not.
  if (/^Z_|^ERR_(BROTLI|ZLIB|_ERROR)/.test(String((err as { code?: unknown }).code ?? ''))) {
    return new AppError('unsupported_encoding', 'Request body is not encoded the way its Content-Encoding says', {
      status: 400,
      details: { allowed: CONTENT_ENCODINGS },
    });
  }
  if (isRedisUnavailable(err)) return redisUnavailable();
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
    return new AppError('bad_request', 'Bad request', { status: e.status });
  }
  return new AppError('internal', 'Internal error', { status: 500 });
}

/** Where the error handler reports what it does not merely answer. */
export interface ErrorLog {
  /** A fault no code expected (answered 500 `internal`): logged with its stack. */
  unexpected(err: unknown): void;
  /** A typed error raised after the request was answered (a route resuming after the Redis gate's 503). */
  late(err: AppError): void;
}

/**
 * The last middleware. A typed error is an answer (a full disk's 507, Redis's 503), logged once on
 * the request's line with its `code`; only an unexpected fault gets a stack trace, so that one stands out.
 */
export function errorHandler(limitBytes: number, log: ErrorLog): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    const app = toAppError(err, limitBytes);
    if (app.code === 'internal') log.unexpected(err);
    else if (res.headersSent) log.late(app);
    errorResponse(res, app);
  };
}

/**
 * 503 when Redis cannot serve a request: it did not answer within `boundMs`
 * (the gate), or a Redis error reached the boundary (connection gone, server
 * read-only or still loading after a failover).
 */
export function redisUnavailable(boundMs = 2000): AppError {
  const retryAfter = Math.max(1, Math.ceil(boundMs / 1000));
  return new AppError(
    'redis_unavailable',
    `The job queue (Redis) is unavailable: it did not answer within ${boundMs} ms. Try again shortly.`,
    {
      status: 503,
      retryable: true,
      headers: { 'Retry-After': String(retryAfter) },
      details: { retry_after_s: retryAfter },
    },
  );
}
