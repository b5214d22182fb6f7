import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { WebhookTarget } from './ssrf.js';

/** Largest response body read from a receiver; the rest is dropped. */
const MAX_RESPONSE_BYTES = 64 * 1024;
/** How long a receiver's response body is read after its status line before the connection is closed. */
const BODY_GRACE_MS = 1000;

/**
 * POST `body` to a checked target, connecting to the checked address only
 * (no second DNS lookup) and following no redirects. Resolves to the status
 * code as soon as the status line arrives; rejects on a network error, or when no status line
 * came within `timeoutMs`.
 */
export function postWebhook(
  target: WebhookTarget,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<number> {
  const { url, address, family } = target;
  const pinned: LookupFunction = (_host, options, cb) => {
    if ((options as { all?: boolean }).all)
      (cb as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address, family }]);
    else cb(null, address, family);
  };
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(
      url,
      {
        method: 'POST',
        headers: {
          ...headers,
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': 'tandem-tts-webhooks/1',
        },
        lookup: pinned,
        agent: false,
        auth: url.username ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` : undefined,
      },
      (res) => {
        // The status line is the receiver's answer: a 2xx is a delivery however slowly the body
        // follows (waiting for it counted a slow 200 as no answer, and redelivered the event).
        clearTimeout(timer);
        resolve(res.statusCode ?? 0);
        // The body says nothing more: read it away for a moment, at most MAX_RESPONSE_BYTES, then hang up.
        let read = 0;
        const hangUp = setTimeout(() => res.destroy(), Math.min(timeoutMs, BODY_GRACE_MS));
        hangUp.unref();
        res.on('data', (b: Buffer) => {
          read += b.length;
          if (read > MAX_RESPONSE_BYTES) res.destroy();
        });
        res.on('close', () => clearTimeout(hangUp));
        res.on('error', () => undefined);
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(body);
  });
}
