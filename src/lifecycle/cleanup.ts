import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { EngineRoster } from '../engines/roster.js';
import { ANONYMOUS, FORMATS, type JobData, type JobOutcome } from '../domain/job.js';
import { expiredKey, jobsIndexKey, tenantJobsKey, tenantsKey, webhookAttemptsKey, webhookKey } from '../queue/names.js';
import type { Storage } from '../storage/storage.js';
import { TERMINAL } from '../jobs/record.js';
import { JobStore } from '../jobs/store.js';

/** Index entries one run looks at; the rest wait for the next run. */
const BATCH = 500;
const JOB_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Expiry: JOB_TTL_SECONDS after a job finished, its audio file, its record in
 * every engine queue and its lifecycle keys are removed, and a tombstone makes
 * requests for it answer 410 (for another TTL) instead of 404. Audio files
 * older than the TTL are removed even when no record points at them.
 * Run by the leading monitor on a timer.
 */
export class Cleanup {
  private readonly queues: Queue<JobData, JobOutcome>[];
  private readonly records: JobStore;

  constructor(
    private readonly config: Config,
    roster: EngineRoster,
    private readonly redis: Redis,
    private readonly storage: Storage,
    private readonly logger: Logger,
  ) {
    this.records = new JobStore(redis, config.queuePrefix);
    this.queues = roster.names.map(
      (e) => new Queue(roster.queueName(e), { connection: redis, prefix: config.queuePrefix }),
    );
  }

  async run(now = Date.now()): Promise<{ jobs: number; files: number }> {
    const prefix = this.config.queuePrefix;
    const ttl = this.config.jobTtlSeconds;
    const cutoff = now - ttl * 1000;
    let jobs = 0;
    let files = 0;
    // Only jobs submitted before the cutoff can have finished before it.
    for (const id of await this.redis.zrangebyscore(jobsIndexKey(prefix), '-inf', cutoff, 'LIMIT', 0, BATCH)) {
      if (await this.expireJob(id, cutoff)) jobs++;
    }
    for await (const obj of this.storage.list()) {
      if (obj.mtimeMs >= cutoff) continue;
      await this.storage.delete(obj.key);
      files++;
      const id = obj.key.split('.')[0] ?? '';
      // NX: a tombstone the record's expiry wrote holds the job's owner; keep it.
      if (JOB_ID.test(id)) await this.redis.set(expiredKey(prefix, id), '1', 'EX', ttl, 'NX');
    }
    if (jobs || files) this.logger.info({ jobs, files, ttlSeconds: ttl }, 'removed expired jobs and audio');
    return { jobs, files };
  }

  private async expireJob(id: string, cutoff: number): Promise<boolean> {
    const prefix = this.config.queuePrefix;
    const record = await this.records.get(id);
    // Still queued or running, or finished within the TTL: not expired.
    if (record && (!TERMINAL.includes(record.status) || !record.finishedAt || record.finishedAt > cutoff)) return false;
    const owner = record?.data.tenant;
    // The tombstone names the owner, so only that tenant (or an admin) learns the job expired.
    await this.redis.set(expiredKey(prefix, id), owner ?? ANONYMOUS, 'EX', this.config.jobTtlSeconds);
    const keys = new Set(FORMATS.map((f) => `${id}.${f}`));
    if (record?.result) keys.add(record.result.audio.key);
    for (const key of keys) await this.storage.delete(key);
    // Work items left in any queue (a failed one is kept as long as its record).
    await Promise.all(this.queues.map((q) => q.remove(id).catch(() => undefined)));
    await this.records.remove(id);
    await this.redis.del(webhookKey(prefix, id), webhookAttemptsKey(prefix, id));
    await this.redis.zrem(jobsIndexKey(prefix), id);
    // The owner may be unknown (record gone): tenants are few, so look in each index.
    for (const tenant of owner ? [owner] : await this.redis.smembers(tenantsKey(prefix)))
      await this.redis.zrem(tenantJobsKey(prefix, tenant), id);
    return true;
  }

  async close(): Promise<void> {
    await Promise.all(this.queues.map((q) => q.close()));
  }
}
