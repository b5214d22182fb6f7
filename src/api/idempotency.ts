import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AppError } from '../domain/errors.js';
import { idempotencyKey } from '../queue/names.js';
import type { PreparedJob } from './job-service.js';

/** Printable ASCII, as the IETF Idempotency-Key draft expects; long enough for a UUID or a hash. */
const KEY = /^[\x21-\x7e]{1,255}$/;

/** Deepest nesting of arrays and objects a body with an Idempotency-Key may have (far beyond any real request). */
export const MAX_BODY_DEPTH = 64;

const tooDeep = () =>
  new AppError(
    'body_too_deep',
    `Request body nests arrays or objects more than ${MAX_BODY_DEPTH} levels deep; at most ${MAX_BODY_DEPTH} are allowed`,
    { status: 400, details: { max_depth: MAX_BODY_DEPTH } },
  );

/**
 * JSON with object keys sorted, so bodies that differ only in key order hash
 * the same. Nesting is bounded (400 beyond MAX_BODY_DEPTH), so a hostile body
 * cannot exhaust the stack.
 */
export function canonicalJson(value: unknown, depth = 0): string {
  if (depth > MAX_BODY_DEPTH) throw tooDeep();
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v, depth + 1)).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k], depth + 1)}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export const requestHash = (path: string, body: unknown): string =>
  createHash('sha256')
    .update(`${path}\n${canonicalJson(body)}`)
    .digest('hex');

/** What identifies a request under a key: its hash, and its parts, so a refusal can say which one differed. */
export interface RequestPrint {
  hash: string;
  path: string;
  /** sha256 of the canonical body. */
  body: string;
}

export const requestPrint = (path: string, body: unknown): RequestPrint => ({
  hash: requestHash(path, body),
  path,
  body: createHash('sha256').update(canonicalJson(body)).digest('hex'),
});

/**
 * What a key remembers. `job` is everything needed to create the job, written
 * in the same SET that claims the key: a crash after the claim leaves a job a
 * retry can still create (under the same id, so never twice). `created` is
 * set once the job exists. Older records have neither.
 */
export interface ClaimRecord {
  hash: string;
  /** The endpoint and body hash of the first request (absent in older records). */
  path?: string;
  body?: string;
  jobId: string;
  job?: PreparedJob;
  created?: boolean;
}

/**
 * `Idempotency-Key` handling, per tenant (as payment APIs do): the same key
 * from two tenants names two different requests. The first request claims
 * the key (SET NX) together with the job it is about to create; a repeat with
 * the same body gets that job (creating it if the first request died before
 * it could), with another body 409.
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

  private rkey(tenant: string, key: string): string {
    return idempotencyKey(this.prefix, createHash('sha256').update(`${tenant}\n${key}`).digest('hex'));
  }

  /** The earlier claim of this key, checked against this request's hash (409 for another body); null if none. */
  async existing(tenant: string, key: string, print: RequestPrint): Promise<ClaimRecord | null> {
    const raw = await this.redis.get(this.rkey(tenant, key));
    if (!raw) return null;
    const prior = JSON.parse(raw) as ClaimRecord;
    if (prior.hash !== print.hash) throw reused(prior, print);
    return prior;
  }

  /** Claim the key for `job`; false when another request claimed it first. */
  async claim(tenant: string, key: string, print: RequestPrint, job: PreparedJob): Promise<boolean> {
    const record: ClaimRecord = { ...print, jobId: job.id, job };
    const ok = await this.redis.set(this.rkey(tenant, key), JSON.stringify(record), 'EX', this.ttlSeconds, 'NX');
    return ok === 'OK';
  }

  /** Note that the claimed job exists (a later repeat then skips creating it). */
  async created(tenant: string, key: string, record: ClaimRecord): Promise<void> {
    const { job: _job, ...kept } = record;
    const done: ClaimRecord = { ...kept, created: true };
    await this.redis.set(this.rkey(tenant, key), JSON.stringify(done), 'KEEPTTL', 'XX');
  }
}

/** The 409 for a key reused by another request, naming what differed: the endpoint, the body or both. */
function reused(prior: ClaimRecord, print: RequestPrint): AppError {
  const details = { field: 'Idempotency-Key', id: prior.jobId };
  if (prior.path === undefined || prior.body === undefined) {
    // Claimed by an older version, which kept only the combined hash.
    return new AppError(
      'idempotency_key_reused',
      'This Idempotency-Key was already used with a different request (another endpoint or body)',
      { status: 409, details },
    );
  }
  const endpoint = prior.path !== print.path;
  const body = prior.body !== print.body;
  const differs = [...(endpoint ? ['endpoint'] : []), ...(body ? ['body'] : [])];
  const on = `on ${prior.path} (this request is to ${print.path})`;
  const message = !endpoint
    ? 'with a different request body'
    : body
      ? `${on} with a different body`
      : `${on} with the same body; use a new key for another endpoint`;
  return new AppError('idempotency_key_reused', `This Idempotency-Key was already used ${message}`, {
    status: 409,
    details: { ...details, differs, used_on: prior.path },
  });
}
