/** `npm run monitor`: the health monitor (probes engines, moves the shared route). */
import { createLogger } from '../observability/logger.js';
import { Metrics, serveMetrics } from '../observability/metrics.js';
import { createRedis } from '../queue/connection.js';
import { Cleanup } from '../lifecycle/cleanup.js';
import { createRoster } from '../engines/roster.js';
import { Monitor } from '../router/monitor.js';
import { DiskStorage } from '../storage/disk.js';
import { configOrExit, followSupervisor, onShutdown } from './main-helpers.js';

const config = configOrExit();
followSupervisor();
const logger = createLogger('monitor', {
  level: config.logLevel,
  dir: config.logDir,
  file: 'monitor',
  keep: config.logKeepFiles,
});
const redis = createRedis(config);
redis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
const metrics = new Metrics('monitor');
const metricsServer = serveMetrics(metrics, config.metricsPort, config.metricsHost, logger);
const roster = createRoster(config);
const cleanup = new Cleanup(config, roster, redis, new DiskStorage(config.outputDir), logger);
const monitor = new Monitor(config, roster, redis, logger, metrics, cleanup);
await monitor.start();
logger.info({ intervalMs: config.probeIntervalMs, ...roster.roles }, 'monitor running');
onShutdown(logger, config.shutdownTimeoutMs, async () => {
  await monitor.stop();
  await cleanup.close();
  metricsServer?.close();
  await redis.quit().catch(() => undefined);
});
