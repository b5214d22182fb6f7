import { describe, expect, it } from 'vitest';
import { listJobs, parseListQuery, type ListQuery } from '../../src/api/job-lifecycle.js';
import type { JobService } from '../../src/api/job-service.js';
import { toView } from '../../src/api/job-view.js';
import type { JobStatus } from '../../src/domain/job.js';
import type { JobRecord } from '../../src/jobs/record.js';
import { jobsIndexKey, tenantJobsKey } from '../../src/queue/names.js';

const PREFIX = 'p';
const admin = { tenant: 'root', admin: true };
const client = { tenant: 'acme', admin: false };

/**
 * The parts of JobService a listing uses, over in-memory sorted sets ordered as Redis orders them
 * (score, then member, both descending for a ZREVRANGEBYSCORE), counting round trips.
 */
class FakeJobs {
  readonly config = { queuePrefix: PREFIX, jobTtlSeconds: 3600 };
  readonly sets = new Map<string, Map<string, number>>();
  readonly byId = new Map<string, JobRecord>();
  rangeCalls = 0;
  getManyCalls = 0;

  add(id: string, createdAt: number, status: JobStatus = 'queued', tenant = 'acme', finishedAt?: number): void {
    for (const key of [jobsIndexKey(PREFIX), tenantJobsKey(PREFIX, tenant)]) {
      const set = this.sets.get(key) ?? new Map<string, number>();
      set.set(id, createdAt);
      this.sets.set(key, set);
    }
    this.byId.set(id, {
      id,
      data: {
        request: { text: 'hi', voice: 'female', speed: 1, format: 'wav', engine: 'auto' },
        route: 'primary',
        engine: 'e',
        tenant,
      },
      status,
      createdAt,
      finishedAt,
      attempts: 0,
      progress: { chunksDone: 0, chunksTotal: 1 },
    });
  }

  readonly redis = {
    zrevrangebyscore: async (key: string, max: string | number, min: string, ...rest: (string | number)[]) => {
      this.rangeCalls++;
      expect(min).toBe('-inf');
      expect(rest.slice(0, 2)).toEqual(['WITHSCORES', 'LIMIT']);
      const [offset, count] = rest.slice(2).map(Number) as [number, number];
      const top = max === '+inf' ? Number.POSITIVE_INFINITY : Number(max);
      return [...(this.sets.get(key) ?? new Map<string, number>())]
        .filter(([, score]) => score <= top)
        .sort(([a, sa], [b, sb]) => sb - sa || (a < b ? 1 : a > b ? -1 : 0))
        .slice(offset, offset + count)
        .flatMap(([id, score]) => [id, String(score)]);
    },
  };

  readonly records = {
    getMany: async (ids: string[]) => {
      this.getManyCalls++;
      return ids.map((id) => this.byId.get(id));
    },
  };

  expired(rec: JobRecord): boolean {
    return !!rec.finishedAt && Date.now() - rec.finishedAt > this.config.jobTtlSeconds * 1000;
  }

  async view(rec: JobRecord) {
    return toView(rec, null);
  }
}

const asService = (f: FakeJobs) => f as unknown as JobService;

/** Every page of a listing, following next_cursor through parseListQuery as a client would. */
async function listAll(f: FakeJobs, q: Record<string, string>, caller = admin) {
  const pages: string[][] = [];
  let cursor: string | null = null;
  do {
    const query: ListQuery = parseListQuery(cursor ? { ...q, cursor } : q, caller);
    const page = await listJobs(asService(f), query);
    pages.push(page.jobs.map((j) => j.id));
    cursor = page.next_cursor;
    if (pages.length > 1000) throw new Error('listing does not end');
  } while (cursor);
  return pages;
}

const pad = (i: number) => String(i).padStart(4, '0');

describe('job listing cursor', () => {
  it('pages through every job once, newest first', async () => {
    const f = new FakeJobs();
    for (let i = 0; i < 25; i++) f.add(`j${pad(i)}`, 1000 + i);
    const pages = await listAll(f, { limit: '10' });
    expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
    expect(pages.flat()).toEqual(Array.from({ length: 25 }, (_, i) => `j${pad(24 - i)}`));
    // Each page reads its records in one round trip.
    expect(f.getManyCalls).toBe(3);
  });

  it('lists jobs created in the same millisecond once each, however many share it', async () => {
    const f = new FakeJobs();
    for (let i = 0; i < 40; i++) f.add(`t${pad(i)}`, 5000);
    f.add('older', 4999);
    f.add('newer', 5001);
    for (const limit of ['1', '3', '7', '100']) {
      const ids = (await listAll(f, { limit })).flat();
      expect(ids).toHaveLength(42);
      expect(new Set(ids).size).toBe(42);
      expect(ids[0]).toBe('newer');
      expect(ids.at(-1)).toBe('older');
    }
  });

  it('filters by status across pages without losing or repeating any', async () => {
    const f = new FakeJobs();
    for (let i = 0; i < 60; i++) f.add(`s${pad(i)}`, 2000 + i, i % 3 === 0 ? 'failed' : 'succeeded');
    const pages = await listAll(f, { limit: '4', status: 'failed' });
    expect(pages.flat()).toEqual(
      Array.from({ length: 60 }, (_, i) => 59 - i)
        .filter((i) => i % 3 === 0)
        .map((i) => `s${pad(i)}`),
    );
  });

  it('bounds the entries one request scans for a rare status, handing back a cursor to go on', async () => {
    const f = new FakeJobs();
    for (let i = 0; i < 1500; i++) f.add(`r${pad(i)}`, 10_000 + i, i === 3 ? 'failed' : 'succeeded');
    const first = await listJobs(asService(f), parseListQuery({ status: 'failed', limit: '5' }, admin));
    expect(first.jobs).toEqual([]);
    expect(first.next_cursor).not.toBeNull();
    const second = await listJobs(
      asService(f),
      parseListQuery({ status: 'failed', limit: '5', cursor: first.next_cursor ?? '' }, admin),
    );
    expect(second.jobs.map((j) => j.id)).toEqual([`r${pad(3)}`]);
    expect(second.next_cursor).toBeNull();
  });

  it("lists a client's own jobs only, and skips expired records", async () => {
    const f = new FakeJobs();
    f.add('mine', 1, 'queued', 'acme');
    f.add('theirs', 2, 'queued', 'other');
    f.add('old', 3, 'succeeded', 'acme', Date.now() - 7200_000);
    expect((await listAll(f, {}, client)).flat()).toEqual(['mine']);
    expect((await listAll(f, {}, admin)).flat()).toEqual(['theirs', 'mine']);
    expect((await listAll(f, { owner: 'other' }, admin)).flat()).toEqual(['theirs']);
  });
});

describe('parseListQuery', () => {
  const bad = (q: Record<string, unknown>, caller = client) => {
    try {
      parseListQuery(q, caller);
    } catch (err) {
      return err as { code: string; status: number; details: { field?: string } };
    }
    throw new Error('accepted');
  };

  it('defaults to 20 of the caller’s own jobs', () => {
    expect(parseListQuery({}, client)).toEqual({ status: undefined, limit: 20, cursor: undefined, owner: 'acme' });
    expect(parseListQuery({}, admin)).toEqual({ status: undefined, limit: 20, cursor: undefined });
  });

  it('decodes a cursor it handed out and refuses anything else', () => {
    const cursor = Buffer.from(JSON.stringify([1234, 'abc'])).toString('base64url');
    expect(parseListQuery({ cursor }, client).cursor).toEqual({ score: 1234, id: 'abc' });
    for (const c of ['x', Buffer.from('[1]').toString('base64url'), Buffer.from('["1","a"]').toString('base64url')])
      expect(bad({ cursor: c })).toMatchObject({ code: 'invalid_request', status: 400, details: { field: 'cursor' } });
  });

  it('refuses bad limits, statuses, repeated parameters and another tenant’s jobs', () => {
    for (const limit of ['0', '101', '1.5', '-1', 'ten', '0010']) expect(bad({ limit }).details.field).toBe('limit');
    expect(bad({ status: 'done' }).details.field).toBe('status');
    expect(bad({ status: ['queued', 'failed'] }).details.field).toBe('status');
    expect(bad({ owner: 'other' })).toMatchObject({ code: 'forbidden', status: 403 });
    expect(bad({ owner: 'a b' }, admin).details.field).toBe('owner');
    expect(parseListQuery({ owner: 'acme' }, client).owner).toBe('acme');
  });
});
