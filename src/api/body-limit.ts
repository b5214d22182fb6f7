import type { RequestHandler } from 'express';
import { AppError } from '../domain/errors.js';
import { errorResponse } from './errors.js';

/**
 * Refuse a request whose declared Content-Length is over the limit as soon as
 * its headers arrive, and close the connection: its body is never read, so a
 * slow sender cannot hold the socket for the request timeout. Bodies without
 * a length (chunked) are still cut by the JSON parser at the same limit.
 */
export function refuseLargeBodies(limitBytes: number): RequestHandler {
  return (req, res, next) => {
    const declared = req.headers['content-length'];
    if (declared === undefined || !/^\d+$/.test(declared) || Number(declared) <= limitBytes) return next();
    res.setHeader('Connection', 'close');
    errorResponse(
      res,
      new AppError('body_too_large', `Request body is too large: ${declared} bytes declared, at most ${limitBytes}`, {
        status: 413,
        details: { max_bytes: limitBytes, declared_bytes: Number(declared) },
      }),
    );
  };
}
