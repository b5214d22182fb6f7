/**
 * Why a download failed, in words a person without network (or behind a firewall) can act on.
 * `fetch` reports every network failure as "fetch failed" and hides the reason in `cause`.
 */

export type DownloadFailure = 'dns' | 'refused' | 'timeout' | 'tls' | 'reset' | 'unreachable' | 'http' | 'other';

export class DownloadError extends Error {
  constructor(
    readonly code: DownloadFailure,
    readonly url: string,
    readonly why: string,
  ) {
    super(`could not download ${url}: ${why}`);
    this.name = 'DownloadError';
  }
}

const WHY: Record<Exclude<DownloadFailure, 'http' | 'other'>, string> = {
  dns: 'the host name could not be resolved (DNS): no network, or the host is blocked',
  refused: 'the connection was refused: nothing listens there, or a firewall rejects it',
  timeout: 'the server did not answer in time',
  tls: 'the TLS (https) handshake failed: a proxy or firewall intercepts it, or the certificate is not trusted',
  reset: 'the connection was reset: a proxy or firewall may block it',
  unreachable: 'the network or host is unreachable: no route (no network?)',
};

/** The error codes of the failure and of each `cause` under it (undici nests them). */
function codesOf(err: unknown): string[] {
  const out: string[] = [];
  for (let e = err as { code?: unknown; cause?: unknown; name?: unknown } | undefined, i = 0; e && i < 5; i++) {
    if (typeof e.code === 'string') out.push(e.code);
    if (typeof e.name === 'string') out.push(e.name);
    e = e.cause as typeof e;
  }
  return out;
}

/** The innermost message: undici's own ("fetch failed") says nothing. */
function deepestMessage(err: unknown): string {
  let msg = String(err);
  for (let e = err as { message?: unknown; cause?: unknown } | undefined, i = 0; e && i < 5; i++) {
    if (typeof e.message === 'string' && e.message) msg = e.message;
    e = e.cause as typeof e;
  }
  return msg;
}

/** Classify a failure of `fetch(url)` (thrown before any response); `timeoutMs` is the wait that ran out, if one did. */
export function fetchFailure(url: string, err: unknown, timeoutMs?: number): DownloadError {
  const codes = codesOf(err);
  const has = (re: RegExp) => codes.some((c) => re.test(c));
  const code: DownloadFailure = has(/^(ENOTFOUND|EAI_AGAIN|EAI_FAIL|EAI_NONAME)$/)
    ? 'dns'
    : has(/^ECONNREFUSED$/)
      ? 'refused'
      : has(/TIMEOUT|ETIMEDOUT|TimeoutError|AbortError/)
        ? 'timeout'
        : has(/^(ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|EPROTO)/)
          ? 'tls'
          : has(/^(ECONNRESET|UND_ERR_SOCKET|EPIPE)$/)
            ? 'reset'
            : has(/^(EHOSTUNREACH|ENETUNREACH|ENETDOWN)$/)
              ? 'unreachable'
              : 'other';
  const detail =
    code === 'timeout' && timeoutMs !== undefined
      ? `no answer within ${timeoutMs} ms; MODELS_TIMEOUT_MS sets the wait`
      : codes.find((c) => /^[A-Z_]+$/.test(c));
  const why = code === 'other' ? deepestMessage(err) : WHY[code];
  return new DownloadError(code, url, detail ? `${why} (${detail})` : why);
}

/** A response that is not the file. */
export function httpFailure(url: string, status: number, statusText: string): DownloadError {
  const hint =
    status === 404
      ? ': the file is not there (a mirror without it?)'
      : status === 401 || status === 403
        ? ': access denied'
        : status >= 500
          ? ': the server failed; try again later'
          : '';
  return new DownloadError('http', url, `HTTP ${status}${statusText ? ` ${statusText}` : ''}${hint}`);
}
