import type { Logger } from 'pino';
import { ConfigError, loadConfig } from '../config/load.js';
import { EnginesFileError } from '../config/engines-file.js';
import type { Config } from '../config/schema.js';
import { registerConfiguredEngines } from './engines.js';
import { watchSupervisor } from './supervisor-watch.js';

/** Load settings and the engines file, or exit with every problem listed. */
export function configOrExit(): Config {
  try {
    const config = loadConfig(process.env);
    registerConfiguredEngines(config, process.env);
    return config;
  } catch (err) {
    if (err instanceof ConfigError || err instanceof EnginesFileError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

/** What a child does when its supervisor is gone; until it has a shutdown of its own: exit, nothing to drain yet. */
let onSupervisorGone: () => void = () => process.exit(1);
let following = false;

/**
 * Exit when the `npm start` supervisor that started this process is gone, from the first line on:
 * a process still starting (a worker waiting for its model to be installed, an API waiting for
 * Redis) has no shutdown yet, and would otherwise outlive it. `onShutdown` later drains instead.
 */
export function followSupervisor(): void {
  if (following) return;
  following = true;
  watchSupervisor(() => onSupervisorGone());
}

/**
 * Run `stop` on SIGTERM/SIGINT, or when the supervisor that started this process (`npm start`,
 * over an IPC channel) is gone, then exit; a second signal or the timeout exits at once
 * (anything still running is retried elsewhere by the queue).
 */
export function onShutdown(logger: Logger, timeoutMs: number, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals | 'parent exited') => {
    if (stopping && signal === 'parent exited') return;
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown timed out: exiting');
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    stop().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  // However the supervisor ended (even SIGKILL): drain, then exit; never outlive it.
  onSupervisorGone = () => handler('parent exited');
  followSupervisor();
}

/** Value of `--name value` or `--name=value` in argv. */
export function argValue(argv: string[], name: string): string | undefined {
  for (const [i, arg] of argv.entries()) {
    if (arg === `--${name}`) return argv[i + 1];
    if (arg.startsWith(`--${name}=`)) return arg.slice(name.length + 3);
  }
  return undefined;
}
