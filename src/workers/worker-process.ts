import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { DelayedError, type Job, Queue, Worker } from 'bullmq';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { isMoved, type JobData, type JobOutcome } from '../domain/job.js';
import type { EngineRoster } from '../engines/roster.js';
import { engineSettings } from '../config/engine-settings.js';
import { createRedis } from '../queue/connection.js';
import { holdJobLock } from '../queue/job-lock.js';
import { Liveness } from '../queue/liveness.js';
import { WorkerActivity } from '../queue/worker-activity.js';
import { PROBE_JOB } from '../queue/names.js';
import { JobStore } from '../jobs/store.js';
import { JobWatcher } from '../jobs/watcher.js';
import { Metrics, serveMetrics } from '../observability/metrics.js';
import { JobMover } from '../router/mover.js';
import { RoutingStore } from '../router/state-store.js';
import { DiskStorage } from '../storage/disk.js';
import { FreeSpace } from '../storage/free-space.js';
import { overloadedFor } from '../engines/http/errors.js';
import { EncoderThread } from '../audio/encoders/threaded-encoder.js';
import { EnginePool } from './engine-pool.js';
import { InProcessPool } from './in-process-pool.js';
import { faultReader } from './faults.js';
import { Reloader } from './reload.js';
import { join } from 'node:path';
import { requestKey } from '../cache/key.js';
import { SharedSynthesis } from '../cache/job-cache.js';
import { ResultCache } from '../cache/result-cache.js';
import { ANONYMOUS, audioKey } from '../domain/job.js';
import { buildEvent, publicBaseUrl } from '../webhooks/event.js';
import { WebhookOutbox } from '../webhooks/outbox.js';
import { WebhookLog } from '../webhooks/store.js';
import { processSynthesisJob } from './synthesis.js';
import { countAudio } from '../jobs/audio-usage.js';
import { startWebhookDelivery } from './webhook-delivery.js';
import { jobIdOf } from '../domain/required.js';

/** A partial file untouched this long belongs to a worker that died (chunks take seconds, not hours). */
const STALE_PART_MS = 60 * 60 * 1000;

export interface RunningWorker {
  id: string;
  engine: string;
  /** Rolling reload of the engine's model in this worker (SIGHUP). */
  reload(why: string): Promise<void>;
  /** Stop taking jobs, finish the ones running, release everything. */
  close(): Promise<void>;
}

/**
 * One worker process serving one engine: load the engine into its threads,
 * warm it up, then take jobs from the engine's queue. If the engine is not
 * installed, say so (logs and Redis) and wait for it instead of crashing.
 */
export async function startWorker(
  config: Config,
  roster: EngineRoster,
  engineName: string,
  logger: Logger,
): Promise<RunningWorker> {
  const descriptor = roster.engine(engineName);
  // The engine sees its own settings only, never the whole config.
  const settings = engineSettings(config, engineName);
  const id = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const log = logger.child({ engine: engineName, workerId: id });
  const redis = createRedis(config);
  redis.on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));
  const routing = new RoutingStore(redis, config.queuePrefix);
  const liveness = new Liveness(redis, config.queuePrefix, config.heartbeatMs * 3);
  // `auto` jobs running here, reported so the monitor returns traffic to the primary only at a quiet moment.
  const activity = new WorkerActivity(redis, config.queuePrefix, config.heartbeatMs * 3);
  let autoRunning = 0;
  const reportActivity = () =>
    activity
      .report(engineName, id, autoRunning)
      .catch((err) => log.warn({ err: (err as Error).message }, 'activity report failed'));
  let closed = false;
  let stopWaiting: (() => void) | undefined;
  // Webhook delivery is light I/O: it runs in every worker process, whether or not the engine is installed.
  const webhookLog = new WebhookLog(redis, config.queuePrefix, config.jobTtlSeconds);
  const outbox = new WebhookOutbox(redis, config.queuePrefix, webhookLog, {
    attempts: config.webhookAttempts,
    ttlSeconds: config.jobTtlSeconds,
  });
  const metrics = new Metrics('worker');
  // Served from the start, so a worker still waiting for its model is scraped too.
  const metricsServer = serveMetrics(metrics, config.metricsPort, config.metricsHost, log);
  const delivery = startWebhookDelivery(config, webhookLog, log, metrics);
  const baseUrl = publicBaseUrl(config);

  const closeEarly = async () => {
    closed = true;
    stopWaiting?.();
    metricsServer?.close();
    await delivery.close();
    await outbox.close();
    await redis.quit().catch(() => undefined);
  };
  const waiting: RunningWorker = { id, engine: engineName, close: closeEarly, reload: async () => undefined };

  // Not installed is a state: report it until the model appears, then carry on.
  let announced = false;
  for (;;) {
    const installed = await descriptor.installed(settings);
    if (installed.ok) break;
    if (closed) return waiting;
    // Said once at warn level; the repeated checks only at debug (log when health changes, not on every check).
    log[announced ? 'debug' : 'warn'](
      { reason: installed.reason, install: installed.install },
      `engine ${engineName} is not installed; run: ${installed.install ?? '(see README)'}`,
    );
    announced = true;
    await routing
      .setInstallStatus(
        engineName,
        { reason: installed.reason ?? 'not installed', install: installed.install, at: Date.now() },
        config.heartbeatMs * 3,
      )
      .catch(() => undefined);
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, config.heartbeatMs);
      stopWaiting = () => {
        clearTimeout(t);
        resolve();
      };
    });
    if (closed) return waiting;
  }
  await routing.clearInstallStatus(engineName).catch(() => undefined);

  const fault = config.faultInjection ? faultReader(redis, config.queuePrefix, engineName) : async () => undefined;
  // A remote engine has no threads: its worker holds `concurrency` requests in flight on its own event loop.
  const light = descriptor.inProcess;
  const concurrency = light?.concurrency ?? config.workerConcurrency;
  const newPool = async () =>
    light
      ? new InProcessPool(descriptor, settings, light.concurrency)
      : new EnginePool({
          engine: engineName,
          settings,
          size: config.workerConcurrency,
          chunkTimeoutMs: config.chunkTimeoutMs,
          logger: log,
          failLoad: (await fault()) === 'load',
        });
  let pool = await newPool();
  await pool.start();
  const storage = new DiskStorage(config.outputDir);
  // Resampling and encoding run on their own thread, beside the engine threads: a long chunk's
  // Opus encoding would otherwise hold this loop, which renews job locks, for a second or more.
  const encoderThread = new EncoderThread();
  // The result cache is shared by every process through Redis; its files sit beside the audio.
  const resultCache = new ResultCache(redis, config.queuePrefix, new DiskStorage(join(config.outputDir, 'cache')), {
    maxBytes: config.cacheMaxBytes,
    ttlSeconds: config.cacheTtlSeconds,
    onLookup: (result) => metrics.cacheLookups.inc({ result }),
  });
  const swept = await storage.sweepTemp(STALE_PART_MS);
  if (swept) log.info({ swept }, 'removed partial audio files left by dead workers');

  // The primary hands failing `auto` jobs to the backup's queue.
  const backup = roster.roles.backup;
  const isPrimary = roster.distinct && engineName === roster.roles.primary;
  const backupQueue = isPrimary
    ? new Queue<JobData, JobOutcome>(roster.queueName(backup), { connection: redis, prefix: config.queuePrefix })
    : undefined;
  const records = new JobStore(redis, config.queuePrefix);
  // Identical jobs waiting for one another are woken by the holder's record changes.
  const watcher = new JobWatcher(redis, config.queuePrefix);
  const shared = new SharedSynthesis(resultCache, storage, config.jobLockMs, log, watcher);
  const mover = backupQueue ? new JobMover(records, backupQueue, backup) : undefined;
  /** A job that cannot have the disk space it needs waits for it, spending no attempt. */
  const holdForSpace = async (job: Job<JobData, JobOutcome>, token: string): Promise<never> => {
    log.warn(
      { jobId: job.id, minFreeBytes: config.minFreeBytes, retryMs: config.storageRetryMs },
      'storage full under OUTPUT_DIR: holding the job until space is back',
    );
    await job.moveToDelayed(Date.now() + config.storageRetryMs, token);
    throw new DelayedError();
  };
  const runJob = (job: Job<JobData, JobOutcome>, token: string | undefined) =>
    processSynthesisJob(job, {
      engine: engineName,
      capabilities: descriptor.capabilities,
      synthesize: async (input) => {
        const f = await fault();
        try {
          return await pool.synthesize(input, f === 'load' ? undefined : f);
        } catch (err) {
          // A remote asking for a pause is load: tell the router before the job moves or retries.
          const ms = overloadedFor(err);
          if (ms !== undefined) await routing.setOverloaded(engineName, ms, (err as Error).message);
          throw err;
        }
      },
      storage,
      logger: log,
      workerId: id,
      records,
      fallback: mover && ((j, reason) => mover.handOver(j, reason)),
      onFinished: (r) => routing.recordDuration(engineName, r.synthesisMs),
      maxAudioSeconds: config.jobMaxAudioSeconds,
      onSucceeded: (out, record) => {
        // Synthesized audio counts against its tenant's daily audio seconds; a cached copy is free.
        if (!out.cached && job.name !== PROBE_JOB)
          void countAudio(redis, config.queuePrefix, record.data.tenant ?? ANONYMOUS, out.audio.durationMs).catch(
            (err) =>
              log.warn({ jobId: job.id, err: (err as Error).message }, 'could not count the audio for the quota'),
          );
        metrics.jobs.inc({ engine: engineName, outcome: 'succeeded' });
        metrics.synthesisSeconds.observe({ engine: engineName }, out.synthesisMs / 1000);
        if (out.audio.durationMs > 0)
          metrics.realTimeFactor.observe({ engine: engineName }, out.synthesisMs / out.audio.durationMs);
      },
      mp3Bitrate: config.mp3Bitrate,
      opusComplexity: config.opusComplexity,
      encoderThread,
      audioFsync: config.audioFsync,
      share: (j, make) =>
        shared.run({
          jobId: jobIdOf(j),
          key: requestKey(
            j.data.request,
            engineName,
            descriptor.capabilities.sampleRate,
            config,
            config.cacheScope === 'tenant' ? (j.data.tenant ?? ANONYMOUS) : undefined,
          ),
          audioKey: audioKey(jobIdOf(j), j.data.request.format),
          workerId: id,
          make,
          isCanceled: async () => (await records.get(jobIdOf(j)))?.cancelAt !== undefined,
        }),
      stillOwns: async (j) =>
        token !== undefined &&
        (await holdJobLock(
          redis,
          { prefix: config.queuePrefix, queueName: j.queueName, id: jobIdOf(j) },
          token,
          config.jobLockMs,
        ).catch(() => false)),
      holdForSpace: token === undefined ? undefined : (j) => holdForSpace(j, token),
      notify: async (record, status) => {
        if (record.data.webhook) await outbox.send(record.data.webhook.url, buildEvent({ record, status, baseUrl }));
      },
    });
  const connection = createRedis(config);
  // Short of disk space a job waits, spending no attempt, until space is back (the cache gives back what it can).
  const space = new FreeSpace(
    config.outputDir,
    config.minFreeBytes,
    (enough) => resultCache.evictForSpace(enough),
    0, // measured before every job: a reading from before the disk filled must not let one through
  );
  const worker = new Worker<JobData, JobOutcome>(
    roster.queueName(engineName),
    async (job, token) => {
      if (job.name !== PROBE_JOB && token && !(await space.hasRoom().catch(() => true)))
        return holdForSpace(job, token);
      const counted = job.name !== PROBE_JOB && job.data.request.engine === 'auto';
      if (counted) {
        autoRunning++;
        await reportActivity();
      }
      try {
        return await runJob(job, token);
      } finally {
        if (counted) {
          autoRunning--;
          await reportActivity();
        }
      }
    },
    {
      connection,
      prefix: config.queuePrefix,
      concurrency,
      lockDuration: config.jobLockMs,
      stalledInterval: config.stalledIntervalMs,
      maxStalledCount: config.maxStalledCount,
      autorun: false,
      name: id,
    },
  );
  worker.on('completed', (job, out) => {
    if (job.name === PROBE_JOB) return;
    if (isMoved(out)) {
      metrics.jobs.inc({ engine: engineName, outcome: 'moved' });
      // The work lives on in the backup's queue (same id); this copy has nothing more to say.
      return void job.remove().catch(() => undefined);
    }
  });
  // A failure BullMQ decided without the processor (a lock lost too often): record it, send its event.
  const failUnrecorded = async (jobId: string, message: string) => {
    const finishedAt = Date.now();
    const wrote = await records.fail(jobId, engineName, message, finishedAt).catch(() => undefined);
    if (!wrote?.applied) return;
    const record = await records.get(jobId).catch(() => undefined);
    if (record?.data.webhook)
      await outbox
        .send(record.data.webhook.url, buildEvent({ record, status: 'failed', baseUrl }))
        .catch((e) => log.warn({ jobId, err: (e as Error).message }, 'could not queue the failed webhook event'));
  };
  worker.on('failed', (job, err) => {
    log.warn({ jobId: job?.id, err: err.message, attempts: job?.attemptsMade }, 'job attempt failed');
    const final = !job || err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
    if (job?.name !== PROBE_JOB && final) {
      metrics.jobs.inc({ engine: engineName, outcome: 'failed' });
      // The processor records its own failures; this covers the ones BullMQ decides (a lock lost too often).
      if (job?.id && err.name !== 'LateResult') void failUnrecorded(job.id, err.message);
    }
  });
  worker.on('stalled', (jobId) =>
    log.warn({ jobId }, 'job stalled: its worker stopped renewing the lock; it will be retried'),
  );
  worker.on('error', (err) => log.error({ err }, 'worker error'));

  const beat = () =>
    Promise.all([
      liveness.beat(engineName, id).catch((err) => log.warn({ err: (err as Error).message }, 'heartbeat failed')),
      reportActivity(),
    ]);
  await beat();
  const timer = setInterval(beat, config.heartbeatMs);
  void worker.run();

  // Rolling reload: finish the current job, load and warm the new model, carry on; on failure keep the old one.
  const reloader = new Reloader(redis, config.queuePrefix, engineName, id, log, async () => {
    await worker.pause();
    try {
      const fresh = await newPool();
      try {
        await fresh.start();
      } catch (err) {
        await fresh.close();
        throw err;
      }
      const old = pool;
      pool = fresh;
      await old.close();
    } finally {
      worker.resume();
    }
  });
  const stopReloads = await reloader.listen();
  log.info({ concurrency, queue: roster.queueName(engineName) }, 'worker ready, taking jobs');

  return {
    id,
    engine: engineName,
    reload: (why) => reloader.reload(why),
    async close() {
      clearInterval(timer);
      await stopReloads();
      await liveness.leave(engineName, id).catch(() => undefined);
      await worker.close(); // waits for running jobs
      await activity.leave(engineName, id).catch(() => undefined);
      await pool.close();
      await encoderThread.close();
      await watcher.close();
      await backupQueue?.close();
      await delivery.close();
      await outbox.close();
      metricsServer?.close();
      await Promise.all([connection.quit(), redis.quit()].map((p) => p.catch(() => undefined)));
      log.info('worker stopped');
    },
  };
}
