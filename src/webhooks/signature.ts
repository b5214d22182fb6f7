import { createHmac } from 'node:crypto';

/** The HMAC key of a Standard Webhooks secret: the base64 after the optional `whsec_` prefix. */
export function secretKey(secret: string): Buffer {
  return Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
}

/** `v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>`, as Standard Webhooks defines it. */
export function sign(secret: string, msgId: string, timestampSec: number, body: string): string {
  const mac = createHmac('sha256', secretKey(secret)).update(`${msgId}.${timestampSec}.${body}`).digest('base64');
  return `v1,${mac}`;
}

/** The headers of one delivery attempt; the timestamp is the attempt's, so receivers can reject replays. */
export function signedHeaders(secret: string, msgId: string, body: string, nowMs = Date.now()): Record<string, string> {
  const ts = Math.floor(nowMs / 1000);
  return {
    'content-type': 'application/json',
    'webhook-id': msgId,
    'webhook-timestamp': String(ts),
    'webhook-signature': sign(secret, msgId, ts, body),
  };
}
