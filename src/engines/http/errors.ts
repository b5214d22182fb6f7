import { AppError, isAppError } from '../../domain/errors.js';

/** Codes of what can go wrong talking to a remote engine. All but `remote_rejected` may pass on another try. */
export type RemoteErrorCode =
  | 'remote_unreachable'
  | 'remote_timeout'
  | 'remote_http_error'
  | 'remote_not_audio'
  | 'remote_rejected'
  | 'remote_overloaded';

export const remoteError = (code: Exclude<RemoteErrorCode, 'remote_overloaded'>, message: string) =>
  new AppError(code, message, { status: 502, retryable: code !== 'remote_rejected' });

/**
 * The remote said it is busy (429, or 503 with Retry-After). That is load, not failure:
 * `auto` work goes to the backup until `retryAfterMs` has passed, and health checks are not failed by it.
 */
export const remoteOverloaded = (message: string, retryAfterMs: number) =>
  new AppError('remote_overloaded', message, {
    status: 503,
    retryable: true,
    details: { retryAfterMs },
    headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) },
  });

/** How long an overloaded remote asked to be left alone, or undefined for any other error. */
export function overloadedFor(err: unknown): number | undefined {
  if (!isAppError(err) || err.code !== 'remote_overloaded') return undefined;
  const ms = err.details.retryAfterMs;
  return typeof ms === 'number' ? ms : undefined;
}
