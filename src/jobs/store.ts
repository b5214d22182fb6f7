import type { Redis } from 'ioredis';
import { ANONYMOUS, type JobData, type JobProgress, type JobResult, type JobStatus } from '../domain/job.js';
import type { JobTimings } from '../domain/timing.js';
import { LuaScript } from '../queue/lua.js';
import { jobChangesChannel, jobKey, jobsIndexKey, openJobsKey, tenantJobsKey, tenantsKey } from '../queue/names.js';
import { type JobRecord, parseRecord, VIEW_FIELDS } from './record.js';

/**
 * Every write is one script: it changes the hash, keeps the indexes in step and publishes one
 * notification (`<id> <status>` on the changes channel), all in one round trip. A final status is never
 * left again, so a late write from a stale attempt cannot undo what a client was told.
 */
/** The fields a begin write reads back (the record's view fields). */
const READ_BACK = JSON.stringify(VIEW_FIELDS);

const TERMINAL_LUA = `local function terminal(s) return s == 'succeeded' or s == 'failed' or s == 'canceled' end`;

/** KEYS: record, index, tenant index, tenants, open. ARGV: channel, id, createdAt, status, data, progress, tenant, queue, result, finishedAt, timings. */
const CREATE = new LuaScript(`${TERMINAL_LUA}
local existing = redis.call('HGET', KEYS[1], 'status')
if existing then return existing end
local f = {'status', ARGV[4], 'createdAt', ARGV[3], 'data', ARGV[5], 'progress', ARGV[6], 'attempts', 0, 'queue', ARGV[8]}
if ARGV[9] ~= '' then
  for _, v in ipairs({'result', ARGV[9], 'finishedAt', ARGV[10], 'startedAt', ARGV[3]}) do f[#f + 1] = v end
end
if ARGV[11] ~= '' then f[#f + 1] = 'timings'; f[#f + 1] = ARGV[11] end
redis.call('HSET', KEYS[1], unpack(f))
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[2])
redis.call('SADD', KEYS[4], ARGV[7])
if not terminal(ARGV[4]) then redis.call('ZADD', KEYS[5], ARGV[3], ARGV[2]) end
redis.call('PUBLISH', ARGV[1], ARGV[2] .. ' ' .. ARGV[4])
return false`);

/**
 * KEYS: record, open. ARGV: channel, id, new status ('' keeps it), queue the writer works from
 * ('' any), fields to read back after the write (JSON array, '' none), then field/value pairs.
 * Returns {applied, status, cancel[, values read back]}.
 */
const UPDATE = new LuaScript(`${TERMINAL_LUA}
local cur = redis.call('HMGET', KEYS[1], 'status', 'cancel', 'queue')
local status, cancel = cur[1], cur[2] or ''
if not status then return {0, 'missing', ''} end
if terminal(status) then return {0, status, cancel} end
if ARGV[4] ~= '' and cur[3] ~= ARGV[4] then return {0, 'moved', cancel} end
local f = {}
for i = 6, #ARGV do f[#f + 1] = ARGV[i] end
if ARGV[3] ~= '' then
  status = ARGV[3]
  f[#f + 1] = 'status'
  f[#f + 1] = status
end
if #f > 0 then redis.call('HSET', KEYS[1], unpack(f)) end
if terminal(status) then redis.call('ZREM', KEYS[2], ARGV[2]) end
redis.call('PUBLISH', ARGV[1], ARGV[2] .. ' ' .. status)
if ARGV[5] ~= '' then return {1, status, cancel, redis.call('HMGET', KEYS[1], unpack(cjson.decode(ARGV[5])))} end
return {1, status, cancel}`);

/** KEYS: record, open. ARGV: channel, id, now. A queued job is canceled at once; a running one is flagged. */
const CANCEL = new LuaScript(`${TERMINAL_LUA}
local cur = redis.call('HGET', KEYS[1], 'status')
if not cur then return 'missing' end
if terminal(cur) then return cur end
redis.call('HSET', KEYS[1], 'cancel', ARGV[3])
if cur == 'queued' then
  redis.call('HSET', KEYS[1], 'status', 'canceled', 'finishedAt', ARGV[3])
  redis.call('ZREM', KEYS[2], ARGV[2])
  cur = 'canceled'
end
redis.call('PUBLISH', ARGV[1], ARGV[2] .. ' ' .. cur)
return cur`);

/** What a guarded write found. `moved`: the record's work is on another engine's queue now. */
export interface WriteOutcome {
  applied: boolean;
  status: JobStatus | 'missing' | 'moved';
  canceled: boolean;
}

/** A new record: queued (work goes to `data.engine`'s queue), or already succeeded (a cache hit). */
export interface NewRecord {
  id: string;
  data: JobData;
  createdAt: number;
  chunksTotal: number;
  result?: JobResult;
  timings?: JobTimings;
}

/**
 * The job store: one record per job id in Redis, written by the API and the workers with small atomic
 * updates, each publishing one change notification (see watcher.ts).
 */
export class JobStore {
  constructor(
    private readonly redis: Redis,
    readonly prefix: string,
  ) {}

  get channel(): string {
    return jobChangesChannel(this.prefix);
  }

  private key(id: string): string {
    return jobKey(this.prefix, id);
  }

  /** Create the record and its index entries; a record that exists is left as it is (returns its status). */
  async create(r: NewRecord): Promise<{ created: boolean; status: JobStatus }> {
    const tenant = r.data.tenant ?? ANONYMOUS;
    const status: JobStatus = r.result ? 'succeeded' : 'queued';
    const progress: JobProgress = { chunksDone: r.result ? r.chunksTotal : 0, chunksTotal: r.chunksTotal };
    const { timings, ...result } = r.result ?? ({} as Partial<JobResult>);
    const found = await CREATE.run(
      this.redis,
      [
        this.key(r.id),
        jobsIndexKey(this.prefix),
        tenantJobsKey(this.prefix, tenant),
        tenantsKey(this.prefix),
        openJobsKey(this.prefix),
      ],
      [
        this.channel,
        r.id,
        r.createdAt,
        status,
        JSON.stringify(r.data),
        JSON.stringify(progress),
        tenant,
        r.data.engine,
        r.result ? JSON.stringify(result) : '',
        r.result ? (r.result.finishedAt ?? r.createdAt) : '',
        (r.timings ?? timings) ? JSON.stringify(r.timings ?? timings) : '',
      ],
    );
    return found ? { created: false, status: found as JobStatus } : { created: true, status };
  }

  async get(id: string): Promise<JobRecord | undefined> {
    return parseRecord(id, await this.redis.hmget(this.key(id), ...VIEW_FIELDS));
  }

  /** Several records in one round trip, in order (undefined for the ones that do not exist). */
  async getMany(ids: string[]): Promise<(JobRecord | undefined)[]> {
    if (!ids.length) return [];
    const pipe = this.redis.pipeline();
    for (const id of ids) pipe.hmget(this.key(id), ...VIEW_FIELDS);
    const out = (await pipe.exec()) ?? [];
    return ids.map((id, i) => {
      const [err, values] = out[i] ?? [];
      return err ? undefined : parseRecord(id, values as (string | null)[]);
    });
  }

  /** Chunk and word timings of a finished job (for captions). */
  async timings(id: string): Promise<JobTimings | undefined> {
    const raw = await this.redis.hget(this.key(id), 'timings');
    return raw ? (JSON.parse(raw) as JobTimings) : undefined;
  }

  /** The engine whose queue holds the job's work, and whether the record exists. */
  async queueOf(id: string): Promise<string | undefined> {
    return (await this.redis.hget(this.key(id), 'queue')) ?? undefined;
  }

  private async update(
    id: string,
    status: JobStatus | '',
    fields: Record<string, string | number | undefined>,
    fromQueue = '',
    readBack = false,
  ): Promise<WriteOutcome & { values?: (string | null)[] }> {
    const pairs: (string | number)[] = [];
    for (const [k, v] of Object.entries(fields)) if (v !== undefined) pairs.push(k, v);
    const [applied, s, cancel, values] = (await UPDATE.run(
      this.redis,
      [this.key(id), openJobsKey(this.prefix)],
      [this.channel, id, status, fromQueue, readBack ? READ_BACK : '', ...pairs],
    )) as [number, WriteOutcome['status'], string, (string | null)[] | undefined];
    return { applied: applied === 1, status: s, canceled: cancel !== '', values };
  }

  /**
   * An attempt starts on a worker of `queue`'s engine; in the same round trip the record comes back.
   * Not applied to a record that is final, missing, or whose work moved to another queue.
   */
  async begin(
    id: string,
    queue: string,
    attempt: number,
    restarts = 0,
    now = Date.now(),
  ): Promise<WriteOutcome & { record?: JobRecord }> {
    const { values, ...out } = await this.update(
      id,
      'running',
      { startedAt: now, attempts: attempt, error: '', ...(restarts ? { restarts } : {}) },
      queue,
      true,
    );
    return { ...out, record: values ? parseRecord(id, values) : undefined };
  }

  /** Progress of the running attempt; the answer says whether a client canceled meanwhile (one round trip a chunk). */
  progress(id: string, queue: string, progress: JobProgress): Promise<WriteOutcome> {
    return this.update(id, '', { progress: JSON.stringify(progress) }, queue);
  }

  succeed(id: string, queue: string, result: JobResult, now = Date.now()): Promise<WriteOutcome> {
    const { timings, ...rest } = result;
    return this.update(
      id,
      'succeeded',
      {
        result: JSON.stringify(rest),
        timings: timings ? JSON.stringify(timings) : undefined,
        finishedAt: now,
        progress: JSON.stringify({ chunksDone: result.chunks, chunksTotal: result.chunks }),
      },
      queue,
    );
  }

  /** The last attempt failed for good. */
  fail(id: string, queue: string | '', error: string, now = Date.now()): Promise<WriteOutcome> {
    return this.update(id, 'failed', { error, finishedAt: now }, queue);
  }

  /** An attempt failed and will be retried: the job waits again. */
  retry(id: string, queue: string, error: string): Promise<WriteOutcome> {
    return this.update(id, 'queued', { error }, queue);
  }

  /** The running attempt stopped at a chunk boundary because a client canceled the job. */
  canceled(id: string, queue: string, progress: JobProgress, now = Date.now()): Promise<WriteOutcome> {
    return this.update(id, 'canceled', { finishedAt: now, progress: JSON.stringify(progress) }, queue);
  }

  /** The job's work moves to another engine's queue (failover): it waits there, with its new routing. */
  move(id: string, from: string, data: JobData): Promise<WriteOutcome> {
    return this.update(id, 'queued', { data: JSON.stringify(data), queue: data.engine }, from);
  }

  /** A client asks to cancel: a queued job ends now, a running one is flagged for its worker. */
  async cancel(id: string, now = Date.now()): Promise<JobStatus | 'missing'> {
    return (await CANCEL.run(this.redis, [this.key(id), openJobsKey(this.prefix)], [this.channel, id, now])) as
      | JobStatus
      | 'missing';
  }

  /** Records not final yet, oldest first, created at or before `before` (for the reconciler). */
  async openBefore(before: number, after: number, limit: number): Promise<{ id: string; createdAt: number }[]> {
    const raw = await this.redis.zrangebyscore(
      openJobsKey(this.prefix),
      `(${after}`,
      before,
      'WITHSCORES',
      'LIMIT',
      0,
      limit,
    );
    const out: { id: string; createdAt: number }[] = [];
    for (let i = 0; i + 1 < raw.length; i += 2) out.push({ id: raw[i] ?? '', createdAt: Number(raw[i + 1]) });
    return out;
  }

  /** Remove a record (expiry), and its open entry should it have one. */
  async remove(id: string): Promise<void> {
    await this.redis.multi().del(this.key(id)).zrem(openJobsKey(this.prefix), id).exec();
  }

  /** Drop an open-set entry whose record no longer exists. */
  async forgetOpen(id: string): Promise<void> {
    await this.redis.zrem(openJobsKey(this.prefix), id);
  }
}
