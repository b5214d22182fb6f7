import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Worker } from 'bullmq';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { JobData, JobResult } from '../domain/job.js';
import { getEngine } from '../engines/registry.js';
import { createRedis } from '../queue/connection.js';
import { Liveness } from '../queue/liveness.js';
import { synthesisQueueName } from '../queue/names.js';
import { DiskStorage } from '../storage/disk.js';
import { EnginePool } from './engine-pool.js';
import { processSynthesisJob } from './synthesis.js';

/** A partial file untouched this long belongs to a worker that died (chunks take seconds, not hours). */
const STALE_PART_MS = 60 * 60 * 1000;

export interface RunningWorker {
  id: string;
  engine: string;
  /** Stop taking jobs, finish the ones running, release everything. */
  close(): Promise<void>;
}

/**
 * One worker process serving one engine: load the engine into its threads,
 * warm it up, then take jobs from the engine's queue.
 */
export async function startWorker(config: Config, engineName: string, logger: Logger): Promise<RunningWorker> {
  const descriptor = getEngine(engineName);
  const installed = await descriptor.installed(config);
  if (!installed.ok) throw new Error(`engine ${engineName} is not installed: ${installed.reason}`);

  const id = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const log = logger.child({ engine: engineName, workerId: id });
  const pool = new EnginePool({ engine: engineName, config, size: config.workerConcurrency, chunkTimeoutMs: config.chunkTimeoutMs, logger: log });
  await pool.start();

  const storage = new DiskStorage(config.outputDir);
  const swept = await storage.sweepTemp(STALE_PART_MS);
  if (swept) log.info({ swept }, 'removed partial audio files left by dead workers');
  const connection = createRedis(config.redisUrl);
  const livenessRedis = createRedis(config.redisUrl);
  const liveness = new Liveness(livenessRedis, config.queuePrefix, config.heartbeatMs * 3);

  const worker = new Worker<JobData, JobResult>(
    synthesisQueueName(engineName),
    (job) =>
      processSynthesisJob(job, {
        engine: engineName,
        capabilities: descriptor.capabilities,
        synthesize: (input) => pool.synthesize(input),
        storage,
        logger: log,
        workerId: id,
      }),
    {
      connection,
      prefix: config.queuePrefix,
      concurrency: config.workerConcurrency,
      lockDuration: config.jobLockMs,
      stalledInterval: config.stalledIntervalMs,
      maxStalledCount: config.maxStalledCount,
      autorun: false,
      name: id,
    },
  );
  worker.on('failed', (job, err) => log.warn({ jobId: job?.id, err: err.message, attempts: job?.attemptsMade }, 'job attempt failed'));
  worker.on('stalled', (jobId) => log.warn({ jobId }, 'job stalled: its worker stopped renewing the lock; it will be retried'));
  worker.on('error', (err) => log.error({ err }, 'worker error'));

  const beat = () =>
    liveness.beat(engineName, id).catch((err) => log.warn({ err: (err as Error).message }, 'heartbeat failed'));
  await beat();
  const timer = setInterval(beat, config.heartbeatMs);
  void worker.run();
  log.info({ concurrency: config.workerConcurrency, queue: synthesisQueueName(engineName) }, 'worker ready, taking jobs');

  return {
    id,
    engine: engineName,
    async close() {
      clearInterval(timer);
      await liveness.leave(engineName, id).catch(() => undefined);
      await worker.close(); // waits for running jobs
      await pool.close();
      await Promise.all([connection.quit(), livenessRedis.quit()].map((p) => p.catch(() => undefined)));
      log.info('worker stopped');
    },
  };
}
