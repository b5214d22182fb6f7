/** `npm run api`: the HTTP API alone. */
import type { AddressInfo } from 'node:net';
import { buildApp } from '../api/app.js';
import { bindPolicy } from '../api/auth.js';
import { createHttpServer, jsonProtocolErrors } from '../api/http-server.js';
import { JobService } from '../api/job-service.js';
import { createRoster } from '../engines/roster.js';
import { createLogger } from '../observability/logger.js';
import { Metrics } from '../observability/metrics.js';
import { createRedis } from '../queue/connection.js';
import { DiskStorage } from '../storage/disk.js';
import { join } from 'node:path';
import { CachedJobs } from '../cache/cached-jobs.js';
import { ResultCache } from '../cache/result-cache.js';
import { FreeSpace } from '../storage/free-space.js';
import { configOrExit, followSupervisor, onShutdown } from './main-helpers.js';
import { loadOnce } from '../api/routes/phonemize.js';
import { kokoroFiles } from '../engines/kokoro/files.js';
import { KokoroPhonemize } from '../engines/kokoro/phonemize.js';

const config = configOrExit();
followSupervisor();
const logger = createLogger('api', {
  level: config.logLevel,
  dir: config.logDir,
  file: 'api',
  keep: config.logKeepFiles,
});
const bind = bindPolicy(config);
logger[bind.level]({ host: config.host }, bind.message);
if (!bind.ok) {
  process.stderr.write(`${bind.message}\n`);
  process.exit(2);
}
const redis = createRedis(config);
redis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
const roster = createRoster(config);
const jobs = new JobService(config, redis, roster);
const storage = new DiskStorage(config.outputDir);
const metrics = new Metrics('api');
// A request whose result is cached is answered at submit, without synthesis.
const resultCache = new ResultCache(redis, config.queuePrefix, new DiskStorage(join(config.outputDir, 'cache')), {
  maxBytes: config.cacheMaxBytes,
  ttlSeconds: config.cacheTtlSeconds,
  onLookup: (result) => metrics.cacheLookups.inc({ result }),
});
jobs.useCache(new CachedJobs(resultCache, storage));
// Short of space, the result cache gives back what only it holds.
const space = new FreeSpace(config.outputDir, config.minFreeBytes, (enough) => resultCache.evictForSpace(enough));
// Phonemes need only the front-end and config.json, never the weights; loaded on the first request.
const phonemizer = loadOnce(() => KokoroPhonemize.create(kokoroFiles(config.modelsDir, config.kokoroVariant).config));
const app = buildApp({ config, roster, redis, jobs, storage, logger, metrics, space, phonemizer });

await jobs.init();
const server = createHttpServer(app);
jsonProtocolErrors(server);
server.listen(config.port, config.host);
server.on('error', (err) => {
  logger.fatal({ err }, `cannot listen on ${config.host}:${config.port}`);
  process.exit(1);
});
server.on('listening', () => {
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  logger.info({ url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}/` }, 'API listening');
});
// Long synchronous requests (/api/tts waits for audio) must not be cut by the default timeouts.
server.requestTimeout = Math.max(config.ttsWaitMs + 30_000, 120_000);
server.headersTimeout = 60_000;

onShutdown(logger, config.shutdownTimeoutMs, async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await jobs.close();
  await redis.quit().catch(() => undefined);
});
