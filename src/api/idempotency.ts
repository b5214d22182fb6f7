import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AppError } from '../domain/errors.js';
import { idempotencyKey } from '../queue/names.js';

/** Printable ASCII, as the IETF Idempotency-Key draft expects; long enough for a UUID or a hash. */
const KEY = /^[\x21-\x7e]{1,255}$/;

/** JSON with object keys sorted, so bodies that differ only in key order hash the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export const requestHash = (path: string, body: unknown): string =>
  createHash('sha256')
    .update(`${path}\n${canonicalJson(body)}`)
    .digest('hex');

/** What a key resolves to: a fresh job id to submit under, or the job an earlier request made. */
export type Claim = { fresh: true; jobId: string; release(): Promise<void> } | { fresh: false; jobId: string };

/**
 * `Idempotency-Key` handling: the first request with a key claims it (SET NX)
 * with the hash of its endpoint and body and the id its job will get; a
 * repeat with the same hash gets that job back, with another hash 409.
 */
export class Idempotency {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlSeconds: number,
  ) {}

  /** The header's value, validated; undefined when absent. */
  static keyOf(header: string | string[] | undefined): string | undefined {
    if (header === undefined) return undefined;
    if (typeof header !== 'string' || !KEY.test(header)) {
      throw new AppError('invalid_request', 'Idempotency-Key must be 1 to 255 printable ASCII characters, given once', {
        status: 400,
        details: { field: 'Idempotency-Key' },
      });
    }
    return header;
  }

  async claim(key: string, hash: string): Promise<Claim> {
    const rkey = idempotencyKey(this.prefix, createHash('sha256').update(key).digest('hex'));
    const jobId = randomUUID();
    const ok = await this.redis.set(rkey, JSON.stringify({ hash, jobId }), 'EX', this.ttlSeconds, 'NX');
    if (ok === 'OK') return { fresh: true, jobId, release: async () => void (await this.redis.del(rkey)) };
    const raw = await this.redis.get(rkey);
    if (!raw) return this.claim(key, hash); // expired in between
    const prior = JSON.parse(raw) as { hash: string; jobId: string };
    if (prior.hash !== hash) {
      throw new AppError(
        'idempotency_key_reused',
        'This Idempotency-Key was already used with a different request body',
        {
          status: 409,
          details: { field: 'Idempotency-Key', id: prior.jobId },
        },
      );
    }
    return { fresh: false, jobId: prior.jobId };
  }
}
