/**
 * Typed errors. Each carries a stable `code`, the HTTP status it maps to and
 * whether a retry could succeed. Errors cross thread and process boundaries
 * (worker threads, BullMQ's failedReason), so code checks `name`/`code`
 * rather than relying on `instanceof` alone.
 */
export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly retryable: boolean;
  readonly details: Record<string, unknown>;
  /** Extra response headers (e.g. Retry-After) when this error reaches a client. */
  readonly headers: Record<string, string>;

  constructor(
    code: string,
    message: string,
    opts: {
      status?: number;
      retryable?: boolean;
      details?: Record<string, unknown>;
      headers?: Record<string, string>;
      cause?: unknown;
    } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = opts.status ?? 500;
    this.retryable = opts.retryable ?? false;
    this.details = opts.details ?? {};
    this.headers = opts.headers ?? {};
  }
}

export const notFound = (message: string, details: Record<string, unknown> = {}) =>
  new AppError('not_found', message, { status: 404, details });

/** Text left nothing to speak after normalization. */
export const emptyText = () =>
  new AppError('empty_text', 'Text is empty after normalization', {
    status: 400,
    details: { allowed: 'text with at least one letter, digit or CJK character' },
  });

/** The engine failed in a way another attempt may fix (crash, timeout, worker restart). */
export const engineFailure = (message: string, cause?: unknown) =>
  new AppError('engine_failure', message, { status: 503, retryable: true, cause });

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError || (typeof err === 'object' && err !== null && (err as Error).name === 'AppError');
}

/** Plain-object form used to move an error across a thread boundary. */
export interface SerializedError {
  name: string;
  code: string;
  message: string;
  retryable: boolean;
  status: number;
}

export function serializeError(err: unknown): SerializedError {
  if (isAppError(err)) {
    return { name: 'AppError', code: err.code, message: err.message, retryable: err.retryable, status: err.status };
  }
  const e = err instanceof Error ? err : new Error(String(err));
  return { name: e.name, code: 'internal', message: e.message, retryable: true, status: 500 };
}

export function deserializeError(s: SerializedError): AppError {
  return new AppError(s.code, s.message, { status: s.status, retryable: s.retryable });
}
