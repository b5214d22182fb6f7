import { AppError, notFound } from '../domain/errors.js';
import type { JobStatus } from '../domain/job.js';
import { jobsIndexKey, tenantJobsKey } from '../queue/names.js';
import type { Caller } from './caller.js';
import { buildEvent, publicBaseUrl } from '../webhooks/event.js';
import type { WebhookView } from '../webhooks/store.js';
import { FINAL_STATUSES, type FoundJob, type JobService, type JobView } from './job-service.js';

/** How long DELETE waits for a running job to reach its next chunk boundary before answering 202. */
const CANCEL_WAIT_MS = 3000;
export const LIST_STATUSES: readonly JobStatus[] = ['queued', 'running', 'succeeded', 'failed', 'canceled'];
/** Index entries one listing request looks at at most (a rare status filter must not scan everything). */
const LIST_SCAN_MAX = 1000;

const jobFinished = (view: JobView) =>
  new AppError('job_finished', `Job ${view.id} already ${view.status}; only queued or running jobs can be canceled`, {
    status: 409,
    details: { status: view.status, links: view.links },
  });

/**
 * Cancel a job. A queued job ends at once (its work is taken out of its queue; a worker that took it
 * meanwhile finds it canceled and does nothing) and answers 200; a running job is flagged and stops at
 * its next chunk boundary (200 once it has, 202 if it takes longer than a moment). Either way it ends
 * `canceled`, with a `canceled` webhook event. A finished job: 409.
 */
export async function cancelJob(
  jobs: JobService,
  id: string,
  caller?: Caller,
): Promise<{ status: 200 | 202; view: JobView }> {
  const found = await jobs.get(id, caller, { position: false });
  if (found.view.status === 'canceled') return { status: 200, view: found.view };
  if (FINAL_STATUSES.includes(found.view.status)) throw jobFinished(found.view);
  const now = await jobs.records.cancel(id);
  if (now === 'canceled') {
    const record = (await jobs.records.get(id)) ?? found.record;
    await jobs
      .queueOf(record.data.engine)
      ?.remove(id)
      .catch(() => undefined); // a worker took it meanwhile: it finds the record canceled and stops
    if (record.data.webhook) {
      await jobs.webhooks.send(
        record.data.webhook.url,
        buildEvent({ record, status: 'canceled', baseUrl: publicBaseUrl(jobs.config) }),
      );
    }
    return { status: 200, view: await jobs.view(record, false) };
  }
  if (now === 'missing') throw notFound(`No job with id ${JSON.stringify(id.slice(0, 100))}`);
  // Running: its worker stops at the next chunk boundary and records it; wait for that a moment.
  const rec = await jobs.watcher.until(
    id,
    () => jobs.records.get(id),
    (r) => !r || FINAL_STATUSES.includes(r.status),
    CANCEL_WAIT_MS,
  );
  const view = rec ? await jobs.view(rec, false) : found.view;
  if (view.status === 'canceled') return { status: 200, view };
  // It finished before reaching a chunk boundary.
  if (FINAL_STATUSES.includes(view.status)) throw jobFinished(view);
  return { status: 202, view };
}

/** A job's webhook delivery record, or null when it has no webhook. */
export async function webhookOf(jobs: JobService, found: FoundJob): Promise<WebhookView | null> {
  const id = found.view.id;
  const url = found.record.data.webhook?.url;
  return url ? jobs.webhookLog.view(id, url) : null;
}

export interface ListQuery {
  status?: JobStatus;
  /** The index to page through: one tenant's jobs, or (admins only) every job. */
  owner?: string;
  limit: number;
  cursor?: { score: number; id: string };
}

const invalid = (field: string, message: string, details: Record<string, unknown> = {}) =>
  new AppError('invalid_request', message, { status: 400, details: { field, ...details } });

/**
 * Validate `GET /api/jobs` query parameters. A client key lists its own jobs;
 * an admin key lists every job, or one tenant's with `owner`.
 */
export function parseListQuery(q: Record<string, unknown>, caller: Caller): ListQuery {
  const one = (name: string) => {
    const v = q[name];
    if (v !== undefined && typeof v !== 'string') throw invalid(name, `"${name}" must be given once`);
    return v as string | undefined;
  };
  const status = one('status');
  if (status !== undefined && !LIST_STATUSES.includes(status as JobStatus)) {
    throw invalid('status', `"status" must be one of ${LIST_STATUSES.join(', ')}`, { allowed: LIST_STATUSES });
  }
  const rawLimit = one('limit');
  const limit = rawLimit === undefined ? 20 : Number(rawLimit);
  if (!/^\d{1,3}$/.test(rawLimit ?? '20') || limit < 1 || limit > 100) {
    throw invalid('limit', '"limit" must be a whole number from 1 to 100', { allowed: { min: 1, max: 100 } });
  }
  const rawCursor = one('cursor');
  let cursor: ListQuery['cursor'];
  if (rawCursor !== undefined) {
    try {
      const [score, id] = JSON.parse(Buffer.from(rawCursor, 'base64url').toString('utf8')) as [unknown, unknown];
      if (typeof score !== 'number' || typeof id !== 'string') throw new Error('bad cursor');
      cursor = { score, id };
    } catch {
      throw invalid('cursor', '"cursor" is not one this service handed out (use next_cursor from the previous page)');
    }
  }
  const owner = one('owner');
  if (owner !== undefined && !/^[A-Za-z0-9_.-]{1,64}$/.test(owner))
    throw invalid('owner', '"owner" must be a key name (letters, digits, _ . -, at most 64)');
  if (owner !== undefined && !caller.admin && owner !== caller.tenant)
    throw new AppError('forbidden', 'Only an admin key may list the jobs of another key', {
      status: 403,
      details: { field: 'owner' },
    });
  return {
    status: status as JobStatus | undefined,
    limit,
    cursor,
    ...(caller.admin ? (owner === undefined ? {} : { owner }) : { owner: caller.tenant }),
  };
}

const encodeCursor = (score: number, id: string) => Buffer.from(JSON.stringify([score, id])).toString('base64url');

/** Jobs newest first, optionally of one status, a page at a time. */
export async function listJobs(
  jobs: JobService,
  query: ListQuery,
): Promise<{ jobs: JobView[]; next_cursor: string | null }> {
  const prefix = jobs.config.queuePrefix;
  const key = query.owner === undefined ? jobsIndexKey(prefix) : tenantJobsKey(prefix, query.owner);
  const out: JobView[] = [];
  let after = query.cursor;
  let scanned = 0;
  /** Entries of the cursor's millisecond already covered, skipped in Redis when they fill a whole batch. */
  let skip = 0;
  for (;;) {
    const batch = Math.min(100, query.limit * 2);
    const raw = await jobs.redis.zrevrangebyscore(
      key,
      after ? after.score : '+inf',
      '-inf',
      'WITHSCORES',
      'LIMIT',
      skip,
      batch,
    );
    const entries: { id: string; score: number }[] = [];
    for (let i = 0; i + 1 < raw.length; i += 2) entries.push({ id: raw[i] ?? '', score: Number(raw[i + 1]) });
    // Equal scores come in descending member order: skip what the cursor already covered.
    const fresh = entries.filter((e) => !after || e.score < after.score || e.id < after.id);
    if (!fresh.length) {
      if (entries.length < batch) return { jobs: out, next_cursor: null };
      if (!after) return { jobs: out, next_cursor: null };
      // A whole batch of the cursor's millisecond, all covered already: look further into it (stepping
      // past the millisecond would lose the jobs of it not listed yet).
      skip += batch;
      continue;
    }
    skip = 0;
    // The page's records in one round trip.
    const records = await jobs.records.getMany(fresh.map((e) => e.id));
    for (const [i, e] of fresh.entries()) {
      after = e;
      scanned++;
      const rec = records[i];
      const view = rec && !jobs.expired(rec) ? await jobs.view(rec, false) : undefined; // expired or gone since
      if (view && (!query.status || view.status === query.status)) out.push(view);
      if (out.length === query.limit || scanned >= LIST_SCAN_MAX)
        return { jobs: out, next_cursor: encodeCursor(e.score, e.id) };
    }
    if (entries.length < batch) return { jobs: out, next_cursor: null };
  }
}
