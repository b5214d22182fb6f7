import { randomUUID } from 'node:crypto';
import express, { type Express } from 'express';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Config } from '../config/schema.js';
import { AppError } from '../domain/errors.js';
import type { Storage } from '../storage/storage.js';
import { errorHandler, errorResponse } from './errors.js';
import type { JobService } from './job-service.js';
import { healthRouter } from './routes/health.js';
import { jobsRouter } from './routes/jobs.js';
import { ttsRouter } from './routes/tts.js';
import { voicesRouter } from './routes/voices.js';
import { Submitter } from './submit.js';

declare module 'express-serve-static-core' {
  interface Request {
    id: string;
  }
}

export interface AppDeps {
  config: Config;
  redis: Redis;
  jobs: JobService;
  storage: Storage;
  logger: Logger;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The HTTP application. It never listens: the caller decides where. */
export function buildApp({ config, redis, jobs, storage, logger }: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  app.use((req, res, next) => {
    const given = req.headers['x-request-id'];
    req.id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', req.id);
    const start = performance.now();
    res.on('finish', () => {
      logger.info(
        { requestId: req.id, method: req.method, path: req.path.slice(0, 200), status: res.statusCode, ms: Math.round(performance.now() - start) },
        'request',
      );
    });
    next();
  });
  app.use(express.json({ limit: config.bodyLimitBytes, strict: false }));

  const submitter = new Submitter(jobs, { ttsMaxChars: config.ttsMaxChars, jobsMaxChars: config.jobsMaxChars });
  app.use(healthRouter({ redis, jobs }));
  app.use(voicesRouter({ jobs }));
  app.use(jobsRouter({ jobs, storage, submitter }));
  app.use(ttsRouter({ jobs, storage, submitter, waitMs: config.ttsWaitMs }));

  const board = new ExpressAdapter();
  board.setBasePath('/admin/queues');
  createBullBoard({ queues: jobs.allQueues().map((q) => new BullMQAdapter(q, { readOnlyMode: false })), serverAdapter: board });
  app.use('/admin/queues', board.getRouter());

  // Until the web page lands, the root says where things are.
  app.get('/', (_req, res) => {
    res.json({
      service: 'Tandem TTS',
      endpoints: {
        'POST /api/tts': 'text in, audio out (waits for the job)',
        'POST /api/jobs': 'queue a job; poll GET /api/jobs/:id; download GET /api/jobs/:id/audio',
        'GET /api/voices': 'voices per engine',
        'GET /healthz': 'process is up',
        'GET /readyz': 'Redis reachable and an engine has a live worker',
        'GET /admin/queues': 'Bull Board',
      },
    });
  });

  app.use((req, res) => {
    errorResponse(res, new AppError('route_not_found', `No route for ${req.method} ${req.path.slice(0, 200)}`, { status: 404 }));
  });
  app.use(errorHandler(config.bodyLimitBytes, (err) => logger.error({ err }, 'unhandled error')));
  return app;
}
