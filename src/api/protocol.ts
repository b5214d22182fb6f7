/**
 * Protocol checks Node's HTTP server leaves to the application, answered in JSON like every other
 * error (Node's own answers, where it gives one, are empty).
 */
import type { RequestHandler } from 'express';
import { AppError } from '../domain/errors.js';
import { errorResponse } from './errors.js';

/**
 * HTTP/1.1 requires a Host header (RFC 9112 §3.2): without one, a 400. And the only transfer
 * coding understood is chunked alone: `gzip, chunked` passes Node's parser, which then hands the
 * still-compressed body on as if it were plain, so anything else is refused. RFC 9112 §6.1 suggests
 * 501; it is 400, as for an unsupported Content-Encoding, since bad input never gets a 5xx here.
 */
export function protocolChecks(): RequestHandler {
  return (req, res, next) => {
    if (req.httpVersion === '1.1' && !req.headers.host) {
      return errorResponse(
        res,
        new AppError('missing_host', 'An HTTP/1.1 request needs a Host header', { status: 400 }),
      );
    }
    const te = req.headers['transfer-encoding'];
    if (te !== undefined && te.trim().toLowerCase() !== 'chunked') {
      return errorResponse(
        res,
        new AppError(
          'unsupported_transfer_encoding',
          `Transfer-Encoding ${JSON.stringify(te.slice(0, 100))} is not supported: send the body with Content-Length or as plain chunked (a compressed body says so in Content-Encoding)`,
          { status: 400, details: { allowed: ['chunked'] } },
        ),
      );
    }
    next();
  };
}
