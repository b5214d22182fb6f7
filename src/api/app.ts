import { randomUUID } from 'node:crypto';
import express, { type Express } from 'express';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Config } from '../config/schema.js';
import type { EngineRoster } from '../engines/roster.js';
import { AppError } from '../domain/errors.js';
import type { KokoroPhonemize } from '../engines/kokoro/phonemize.js';
import type { Metrics } from '../observability/metrics.js';
import type { Storage } from '../storage/storage.js';
import { RedisAvailability } from '../queue/availability.js';
import { answeredGuard, proceed } from './answered.js';
import { createAuth } from './auth.js';
import { requestLogLevel } from './request-log.js';
import { errorHandler, errorResponse } from './errors.js';
import { redisGate } from './redis-gate.js';
import type { JobService } from './job-service.js';
import { enginesRouter } from './routes/engines.js';
import { healthRouter } from './routes/health.js';
import { metricsRouter } from './routes/metrics.js';
import { openAiRouter } from './routes/openai.js';
import { phonemizeRouter } from './routes/phonemize.js';
import { eventsRouter } from './routes/events.js';
import { MissingAudio } from './missing-audio.js';
import { jobsRouter } from './routes/jobs.js';
import { captionsRouter } from './routes/captions.js';
import { lexiconsRouter } from './routes/lexicons.js';
import { LexiconStore } from '../lexicons/store.js';
import { ttsRouter } from './routes/tts.js';
import { voicesRouter } from './routes/voices.js';
import { adminHeaders, pageHeaders } from './security.js';
import { Submitter } from './submit.js';
import { Quotas } from './quotas.js';
import { localAdminPage } from './admin-page.js';
import { refuseLargeBodies } from './body-limit.js';
import { protocolChecks } from './protocol.js';
import { utf8Only } from './charset.js';
import { usageRouter } from './routes/usage.js';
import { FreeSpace } from '../storage/free-space.js';
import { webRouter } from './web/index.js';

declare module 'express-serve-static-core' {
  interface Request {
    id: string;
  }
}

export interface AppDeps {
  config: Config;
  /** Which engine plays which role, with which voices and limits (built once by the process's main). */
  roster: EngineRoster;
  redis: Redis;
  jobs: JobService;
  storage: Storage;
  logger: Logger;
  /** Optional so tests can build an app without one; `npm run api` always passes it. */
  metrics?: Metrics;
  /** Free space under OUTPUT_DIR (with the result cache as what can be reclaimed); default: measured, nothing reclaimed. */
  space?: FreeSpace;
  /** Loads the Kokoro front-end for /api/phonemize (without it the route answers 503). */
  phonemizer?: () => Promise<KokoroPhonemize>;
}

const phonemizeUnavailable = (): Promise<KokoroPhonemize> =>
  Promise.reject(new AppError('phonemize_unavailable', 'This API process has no phonemizer', { status: 503 }));

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The HTTP application. It never listens: the caller decides where. */
export function buildApp({
  config,
  roster,
  redis,
  jobs,
  storage,
  logger,
  metrics,
  space: givenSpace,
  phonemizer,
}: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  // First: whatever resumes after another part answered (the Redis gate's 503) cannot write again.
  app.use(answeredGuard(logger));
  app.use((req, res, next) => {
    const given = req.headers['x-request-id'];
    req.id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', req.id);
    const start = performance.now();
    res.on('finish', () => {
      const ms = performance.now() - start;
      // The matched route pattern, never the raw path: label values must stay few.
      const route = (req.route?.path as string | undefined) ?? (req.baseUrl || 'unmatched');
      const labels = { method: req.method, route, status: String(res.statusCode) };
      metrics?.httpRequests.inc(labels);
      metrics?.httpDuration.observe(labels, ms / 1000);
      const path = (req.originalUrl.split('?')[0] ?? '').slice(0, 200);
      logger[requestLogLevel(req.method, path, res.statusCode)](
        {
          requestId: req.id,
          method: req.method,
          path,
          status: res.statusCode,
          ms: Math.round(ms),
          ...(typeof res.locals.errorCode === 'string' ? { code: res.locals.errorCode } : {}),
        },
        'request',
      );
    });
    next();
  });
  const page = pageHeaders();
  const admin = adminHeaders();
  app.use((req, res, next) => (req.path.startsWith('/admin/') ? admin(req, res, next) : page(req, res, next)));
  app.use(protocolChecks());
  // A declared body over the limit is refused before a byte of it is read (a slow sender would hold the socket).
  app.use(refuseLargeBodies(config.bodyLimitBytes));
  // Before anything that reads Redis (auth's rate limit included): bounded 503 while Redis is away.
  app.use(redisGate(new RedisAvailability(redis), config.redisUnavailableMs));
  // Access control comes before body parsing, so strangers' bodies are never read.
  const auth = createAuth(config, redis, logger);
  app.use('/api', auth.client);
  // The OpenAI-compatible routes take the same client keys (the official client sends them as Bearer tokens).
  app.use('/v1', auth.client);
  app.use(utf8Only());
  app.use(express.json({ limit: config.bodyLimitBytes, strict: false }));
  // A body read while the gate answered 503 (or the client left) must not reach a route that submits work.
  app.use((_req, res, next) => proceed(res, next));

  const quotas = new Quotas(redis, config);
  const space = givenSpace ?? new FreeSpace(config.outputDir, config.minFreeBytes);
  const lexicons = new LexiconStore(redis, config.queuePrefix);
  const submitter = new Submitter(
    jobs,
    roster,
    { ttsMaxChars: config.ttsMaxChars, jobsMaxChars: config.jobsMaxChars },
    lexicons,
    quotas,
  );
  // The busiest routes (submissions, polls) first, so they do not walk every other router's routes;
  // no other router has a path under /api/jobs that this one could shadow.
  const missingAudio = new MissingAudio(jobs, config.outputDir, logger);
  app.use(jobsRouter({ jobs, storage, submitter, missingAudio }));
  app.use(healthRouter({ redis, jobs, space }));
  if (metrics) {
    app.use('/metrics', auth.metrics);
    app.use(metricsRouter({ jobs, metrics }));
  }
  app.use(voicesRouter({ roster }));
  app.use(enginesRouter({ jobs, roster, admin: auth.admin }));
  app.use(captionsRouter({ jobs }));
  app.use(lexiconsRouter({ lexicons }));
  app.use(eventsRouter({ jobs }));
  app.use(ttsRouter({ jobs, storage, submitter, missingAudio, waitMs: config.ttsWaitMs, space }));
  app.use(openAiRouter({ config, roster, jobs, storage, quotas, space }));
  app.use(usageRouter({ quotas }));
  app.use(phonemizeRouter({ load: phonemizer ?? phonemizeUnavailable, maxChars: config.jobsMaxChars, lexicons }));

  const board = new ExpressAdapter();
  board.setBasePath('/admin/queues');
  createBullBoard({
    // Every queue the service uses, webhook deliveries included (their dead letters are looked at here).
    queues: [...jobs.allQueues(), jobs.webhooks.queue].map((q) => new BullMQAdapter(q, { readOnlyMode: false })),
    serverAdapter: board,
  });
  app.use('/admin/queues', auth.admin, localAdminPage, board.getRouter());

  app.use(webRouter({ roster, limits: submitter.limits }));

  app.use((req, res) => {
    errorResponse(
      res,
      new AppError('route_not_found', `No route for ${req.method} ${req.path.slice(0, 200)}`, { status: 404 }),
    );
  });
  app.use(
    errorHandler(config.bodyLimitBytes, {
      unexpected: (err) => logger.error({ err }, 'unhandled error'),
      late: (err) => logger.debug({ code: err.code }, 'error after the request was answered'),
    }),
  );

  return app;
}
