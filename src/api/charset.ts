import type { RequestHandler } from 'express';
import { AppError } from '../domain/errors.js';
import { errorResponse } from './errors.js';

/** `charset=` in a Content-Type, quoted or not (RFC 9110 §8.3). */
const CHARSET = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]*))/i;

/** The one error for a body that is not UTF-8 (body-parser's own refusal maps to it too). */
export const unsupportedCharset = (charset?: string): AppError =>
  new AppError(
    'unsupported_encoding',
    charset === undefined ? 'Request body must be UTF-8 JSON' : `Request body must be UTF-8 JSON, not ${charset}`,
    { status: 400, details: { allowed: ['utf-8'] } },
  );

/**
 * Refuse a body declared in any charset but UTF-8, before it is read. body-parser decodes every
 * `utf-*` it knows: `utf-7` turned `1+1` into `1`, and `utf-16le` was read; the API takes UTF-8 only.
 */
export function utf8Only(): RequestHandler {
  return (req, res, next) => {
    const m = CHARSET.exec(req.headers['content-type'] ?? '');
    const charset = m ? (m[1] ?? m[2] ?? '') : undefined;
    if (charset === undefined || /^utf-8$/i.test(charset)) return next();
    errorResponse(res, unsupportedCharset(charset.slice(0, 40)));
  };
}
