/** `npm run worker -- --engine backup|primary|<engine name>`: one worker pool for one engine. */
import { createLogger } from '../observability/logger.js';
import { engines } from '../engines/registry.js';
import { createRoster } from '../engines/roster.js';
import { startWorker } from '../workers/worker-process.js';
import { argValue, configOrExit, followSupervisor, onShutdown } from './main-helpers.js';

const config = configOrExit();
followSupervisor();
const logger = createLogger('worker', {
  level: config.logLevel,
  dir: config.logDir,
  file: `worker-${(argValue(process.argv.slice(2), 'engine') ?? 'backup').replace(/[^a-z0-9-]/gi, '_')}`,
  keep: config.logKeepFiles,
});
const requested = argValue(process.argv.slice(2), 'engine') ?? 'backup';
const roster = createRoster(config);
const engine = roster.pick(requested);

if (engine === undefined) {
  process.stderr.write(
    `Unknown engine "${requested}". Use primary, backup or one of: ${[...engines.keys()].join(', ')}\n`,
  );
  process.exit(2);
}

try {
  const worker = await startWorker(config, roster, engine, logger);
  onShutdown(logger, config.shutdownTimeoutMs, () => worker.close());
  // SIGHUP: reload the model after new files were installed (a rolling reload across the pool).
  process.on('SIGHUP', () => void worker.reload('SIGHUP'));
} catch (err) {
  logger.fatal({ err }, 'worker failed to start');
  process.exit(1);
}
