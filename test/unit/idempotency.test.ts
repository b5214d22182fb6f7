import type { Request } from 'express';
import { describe, expect, it } from 'vitest';
import type { ClaimRecord } from '../../src/api/idempotency.js';
import { Idempotency } from '../../src/api/idempotency.js';
import type { JobService, PreparedJob } from '../../src/api/job-service.js';
import type { Quotas } from '../../src/api/quotas.js';
import { Submitter } from '../../src/api/submit.js';
import { notFound } from '../../src/domain/errors.js';
import { createRoster } from '../../src/engines/roster.js';
import type { SynthesisRequest } from '../../src/domain/job.js';

/**
 * The parts of JobService a submission uses: Redis as a string map honouring SET's NX/XX (the
 * idempotency claims), and jobs as a map of id → status. `create` is idempotent, as the real one is.
 */
class FakeJobs {
  readonly config = { queuePrefix: 'p', idempotencyTtlSeconds: 60 };
  readonly kv = new Map<string, string>();
  readonly jobs = new Map<string, string>();
  readonly tombstones = new Set<string>();
  readonly creates: { id: string; useCache: boolean }[] = [];
  /** Runs before the next SET NX, with its key and value (another request claiming the key first). */
  beforeClaim?: (key: string, value: string) => void;
  /** The next create writes the job, then the process "dies" (throws) before it can answer. */
  dieAfterCreate = false;
  /** The next create dies before writing anything. */
  dieBeforeCreate = false;
  private n = 0;

  readonly redis = {
    get: async (k: string) => this.kv.get(k) ?? null,
    set: async (k: string, v: string, ...flags: (string | number)[]) => {
      if (flags.includes('NX')) {
        const hook = this.beforeClaim;
        this.beforeClaim = undefined;
        hook?.(k, v);
        if (this.kv.has(k)) return null;
      }
      if (flags.includes('XX') && !this.kv.has(k)) return null;
      this.kv.set(k, v);
      return 'OK';
    },
  };

  readonly records = { queueOf: async (id: string) => (this.jobs.has(id) ? 'espeak' : undefined) };

  readonly watcher = {
    /** Reads until done, woken by any job creation, giving up after a few tries (the real one waits seconds). */
    until: async <T>(_id: string, read: () => Promise<T>, done: (v: T) => boolean) => {
      for (let i = 0; ; i++) {
        const v = await read();
        if (done(v) || i === 5) return v;
        await new Promise((r) => setTimeout(r, 2));
      }
    },
  };

  engineFor(): string {
    return 'espeak';
  }

  async prepare(request: SynthesisRequest, opts: { chunks: number; tenant?: string }): Promise<PreparedJob> {
    const id = `job-${++this.n}`;
    return {
      id,
      engine: 'espeak',
      chunks: opts.chunks,
      data: { request, route: 'primary', engine: 'espeak', tenant: opts.tenant },
    };
  }

  async create(p: PreparedJob, opts: { useCache: boolean }): Promise<{ id: string }> {
    if (this.dieBeforeCreate) {
      this.dieBeforeCreate = false;
      throw new Error('process died');
    }
    this.creates.push({ id: p.id, useCache: opts.useCache });
    if (!this.jobs.has(p.id)) this.jobs.set(p.id, 'queued');
    if (this.dieAfterCreate) {
      this.dieAfterCreate = false;
      throw new Error('process died');
    }
    return { id: p.id };
  }

  async known(id: string): Promise<boolean> {
    return this.jobs.has(id) || this.tombstones.has(id);
  }

  async get(id: string) {
    if (!this.jobs.has(id)) throw notFound(`No job with id ${id}`);
    return {};
  }

  claims(): ClaimRecord[] {
    return [...this.kv.values()].map((v) => JSON.parse(v) as ClaimRecord);
  }
}

class FakeQuotas {
  readonly log: string[] = [];
  async reserve(_c: unknown, chars: number, id: string) {
    this.log.push(`reserve ${id} ${chars}`);
  }
  async refund(_c: unknown, chars: number, id: string) {
    this.log.push(`refund ${id} ${chars}`);
  }
}

const request = (body: Record<string, unknown>, key?: string | string[], tenant = 'acme', path = '/api/jobs') =>
  ({
    is: () => 'application/json',
    body,
    headers: key === undefined ? {} : { 'idempotency-key': key },
    path,
    id: 'req-1',
    caller: { tenant, admin: false },
  }) as unknown as Request;

const BODY = { text: 'Hello there.', voice: 'female' };

const setup = () => {
  const jobs = new FakeJobs();
  const quotas = new FakeQuotas();
  const submitter = new Submitter(
    jobs as unknown as JobService,
    createRoster({ primaryEngine: 'espeak', backupEngine: 'espeak' }),
    { ttsMaxChars: 1000, jobsMaxChars: 1000 },
    undefined,
    quotas as unknown as Quotas,
  );
  const submit = (body: Record<string, unknown> = BODY, key?: string | string[], tenant?: string, path?: string) =>
    submitter.submit(request(body, key, tenant, path), 1000);
  return { jobs, quotas, submit };
};

describe('Idempotency-Key submissions', () => {
  it('creates the job once and gives a repeat the same job', async () => {
    const { jobs, quotas, submit } = setup();
    const first = await submit(BODY, 'k1');
    expect(first).toEqual({ id: 'job-1', replayed: false });
    // Key order does not make another request.
    expect(await submit({ voice: 'female', text: 'Hello there.' }, 'k1')).toEqual({ id: 'job-1', replayed: true });
    expect(jobs.creates).toEqual([{ id: 'job-1', useCache: false }]);
    expect(jobs.claims()).toEqual([
      { hash: expect.any(String), path: '/api/jobs', body: expect.any(String), jobId: 'job-1', created: true },
    ]);
    expect(quotas.log).toEqual(['reserve job-1 12']);
  });

  it('refuses the key with another body (409), and keeps keys of two tenants apart', async () => {
    const { jobs, submit } = setup();
    await submit(BODY, 'k1');
    await expect(submit({ ...BODY, text: 'Something else.' }, 'k1')).rejects.toMatchObject({
      code: 'idempotency_key_reused',
      status: 409,
      details: { id: 'job-1' },
    });
    expect(await submit(BODY, 'k1', 'other')).toEqual({ id: 'job-2', replayed: false });
    expect(jobs.jobs.size).toBe(2);
  });

  it('says what differed: the endpoint (same body), the body, or both', async () => {
    const { submit } = setup();
    await submit(BODY, 'k1');
    await expect(submit(BODY, 'k1', undefined, '/api/tts')).rejects.toMatchObject({
      code: 'idempotency_key_reused',
      message: expect.stringMatching(/used on \/api\/jobs \(this request is to \/api\/tts\) with the same body/),
      details: { id: 'job-1', differs: ['endpoint'], used_on: '/api/jobs' },
    });
    await expect(submit({ ...BODY, text: 'Else.' }, 'k1', undefined, '/api/tts')).rejects.toMatchObject({
      message: expect.stringMatching(/on \/api\/jobs .* with a different body$/),
      details: { differs: ['endpoint', 'body'] },
    });
    await expect(submit({ ...BODY, text: 'Else.' }, 'k1')).rejects.toMatchObject({
      message: 'This Idempotency-Key was already used with a different request body',
      details: { differs: ['body'] },
    });
  });

  it('a key claimed by an older version (combined hash only) is refused as another request', async () => {
    const { jobs, submit } = setup();
    await submit(BODY, 'k1');
    for (const [k, v] of jobs.kv) {
      const { path: _p, body: _b, ...old } = JSON.parse(v) as ClaimRecord;
      jobs.kv.set(k, JSON.stringify(old));
    }
    expect(await submit(BODY, 'k1')).toEqual({ id: 'job-1', replayed: true });
    await expect(submit(BODY, 'k1', undefined, '/api/tts')).rejects.toMatchObject({
      message: expect.stringMatching(/another endpoint or body/),
    });
  });

  it('creates the job on a repeat when the first request died after claiming the key', async () => {
    const { jobs, submit } = setup();
    jobs.dieBeforeCreate = true;
    await expect(submit(BODY, 'k1')).rejects.toThrow('process died');
    expect(jobs.jobs.size).toBe(0);
    expect(await submit(BODY, 'k1')).toEqual({ id: 'job-1', replayed: true });
    expect([...jobs.jobs.keys()]).toEqual(['job-1']);
    expect(jobs.claims()[0]).toMatchObject({ jobId: 'job-1', created: true });
    expect(jobs.claims()[0]).not.toHaveProperty('job');
  });

  it('completes, never duplicates, a job whose first request died just after creating it', async () => {
    const { jobs, submit } = setup();
    jobs.dieAfterCreate = true;
    await expect(submit(BODY, 'k1')).rejects.toThrow('process died');
    expect(await submit(BODY, 'k1')).toEqual({ id: 'job-1', replayed: true });
    // create() again under the same id: it only completes what is missing.
    expect(jobs.creates.map((c) => c.id)).toEqual(['job-1', 'job-1']);
    expect(jobs.jobs.size).toBe(1);
  });

  it('never re-creates a claimed job that has expired since', async () => {
    const { jobs, submit } = setup();
    jobs.dieAfterCreate = true;
    await expect(submit(BODY, 'k1')).rejects.toThrow('process died');
    jobs.jobs.delete('job-1');
    jobs.tombstones.add('job-1');
    expect(await submit(BODY, 'k1')).toEqual({ id: 'job-1', replayed: true });
    expect(jobs.creates).toHaveLength(1);
    expect(jobs.jobs.size).toBe(0);
  });

  it("hands a request that lost the race for the key the winner's job, refunding its reservation", async () => {
    const { jobs, quotas, submit } = setup();
    // Another request with the same key and body claims it between this one's look-up and its claim.
    jobs.beforeClaim = (key, value) => {
      jobs.jobs.set('winner', 'queued');
      const { hash } = JSON.parse(value) as ClaimRecord;
      jobs.kv.set(key, JSON.stringify({ hash, jobId: 'winner', created: true } satisfies ClaimRecord));
    };
    expect(await submit(BODY, 'k1')).toEqual({ id: 'winner', replayed: true });
    expect(jobs.creates).toEqual([]);
    expect(quotas.log).toEqual(['reserve job-1 12', 'refund job-1 12']);
  });

  it('waits for the job of an older claim (no job stored) and answers 404 if it never appears', async () => {
    const { jobs, submit } = setup();
    await submit(BODY, 'k1');
    const [k] = [...jobs.kv.keys()];
    const claim = jobs.claims()[0];
    if (!k || !claim) throw new Error('no claim');
    // As written by an older version: claimed, not marked created, no job inside.
    jobs.kv.set(k, JSON.stringify({ hash: claim.hash, jobId: 'job-1' }));
    expect(await submit(BODY, 'k1')).toEqual({ id: 'job-1', replayed: true });
    jobs.kv.set(k, JSON.stringify({ hash: claim.hash, jobId: 'never' }));
    await expect(submit(BODY, 'k1')).rejects.toMatchObject({ status: 404 });
  });

  it('validates the header', () => {
    expect(Idempotency.keyOf(undefined)).toBeUndefined();
    expect(Idempotency.keyOf('a-UUID_or.hash:1')).toBe('a-UUID_or.hash:1');
    for (const bad of ['', 'with space', 'é', 'x'.repeat(256), ['a', 'b']])
      expect(() => Idempotency.keyOf(bad)).toThrow(/Idempotency-Key/);
  });
});
