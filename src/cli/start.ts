/**
 * `npm start`: the whole service on one machine. Runs a local redis-server
 * (AOF on) when REDIS_URL is unset, then the API, the health monitor and one
 * worker pool per engine as child processes, prefixing their log lines with their role and
 * restarting any that dies.
 *
 * The children run in process groups of their own, so a Ctrl-C at the terminal (SIGINT to the
 * whole foreground group) reaches only this supervisor, which stops them in order: running jobs
 * finish first, Redis stops last. Each service child holds an IPC channel to the supervisor and
 * drains and exits when it closes or the child is reparented, from its first line on (a worker
 * waiting for its model too); redis-server runs under a keeper that does the same for it, so none
 * outlives a supervisor that was killed, however. A Redis that dies is restarted (local-redis.ts).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../observability/logger.js';
import { configOrExit } from './main-helpers.js';
import { portAvailable } from './port-check.js';
import { LocalRedis } from './local-redis.js';
import { readyMessage } from './ready-message.js';
import { recoverEarlierRun, removeRunRecord, writeRunRecord, type RunRecord } from './run-record.js';
import { createRoster } from '../engines/roster.js';

const config = configOrExit();
const roster = createRoster(config);
const logger = createLogger('start', {
  level: config.logLevel,
  dir: config.logDir,
  file: 'start',
  keep: config.logKeepFiles,
});
const here = fileURLToPath(new URL('.', import.meta.url));
const children = new Map<string, ChildProcess>();
let stopping = false;
mkdirSync(config.dataDir, { recursive: true });
const runFile = join(config.dataDir, 'run.json');
const record: RunRecord = { supervisor: process.pid, children: {} };
/** A Ctrl-C reaches this process twice (from the terminal, and forwarded by npm): one press, not two. */
const SAME_PRESS_MS = 1000;

process.stdout.write(
  `Starting Tandem TTS: ${config.redisSentinels.length > 0 ? 'Redis through REDIS_SENTINELS' : config.redisUrl ? 'Redis at REDIS_URL' : 'a local redis-server'}, the API, the monitor and the engine workers (Ctrl-C stops it)\n`,
);

function pipeLines(name: string, child: ChildProcess): void {
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => process.stdout.write(`[${name}] ${line}\n`));
  }
}

let localRedis: LocalRedis | undefined;

async function startRedis(): Promise<string> {
  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).error) {
    process.stderr.write(
      'redis-server is not installed. Install it (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis)\n' +
        'or point REDIS_URL at an existing Redis, e.g. REDIS_URL=redis://127.0.0.1:6379 npm start\n',
    );
    process.exit(1);
  }
  const dir = resolve(join(config.dataDir, 'redis'));
  mkdirSync(dir, { recursive: true });
  const port = config.localRedisPort;
  localRedis = new LocalRedis({
    port,
    dir,
    bin: here,
    logger,
    pipe: (child) => pipeLines('redis', child),
    onPid: (pid) => {
      if (pid) record.redis = { pid, port };
      else delete record.redis;
      if (!stopping) writeRunRecord(runFile, record);
    },
    onFatal: (message) => {
      logger.fatal({ port }, message);
      process.stderr.write(`${message}\n`);
      void stop(1);
    },
  });
  if (!(await localRedis.start())) return new Promise<never>(() => undefined); // stop(1) is under way
  logger.info({ url: localRedis.url, dir }, 'local redis-server running with AOF persistence');
  return localRedis.url;
}

function run(name: string, script: string, args: string[], env: NodeJS.ProcessEnv, restarts = 0): void {
  const child = spawn(process.execPath, [join(here, script), ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    detached: true,
  });
  children.set(name, child);
  if (child.pid) record.children[name] = child.pid;
  writeRunRecord(runFile, record);
  pipeLines(name, child);
  const startedAt = Date.now();
  child.on('exit', (code, signal) => {
    if (stopping) return;
    // A crash loop backs off; a process that ran a while restarts at once.
    const next = Date.now() - startedAt > 30_000 ? 0 : restarts + 1;
    const delay = Math.min(30_000, 500 * 2 ** next);
    logger.warn({ name, code, signal, restartInMs: delay }, 'child exited; restarting');
    setTimeout(() => !stopping && run(name, script, args, env, next), delay);
  });
}

async function stop(code = 0): Promise<never> {
  if (stopping) return new Promise<never>(() => undefined);
  stopping = true;
  const order = [...children.entries()];
  for (const [, c] of order) c.kill('SIGTERM');
  await Promise.all(order.map(([, c]) => exited(c, config.shutdownTimeoutMs + 2000)));
  await localRedis?.stop(); // last: redis writes its AOF on SIGTERM
  removeRunRecord(runFile);
  logger.info('stopped');
  process.exit(code);
}

function exited(c: ChildProcess, ms: number): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      c.kill('SIGKILL');
      resolve();
    }, ms);
    c.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

let firstSignalAt = 0;
let forced = false;
function onSignal(signal: NodeJS.Signals): void {
  if (!stopping) {
    firstSignalAt = Date.now();
    logger.info(
      { signal, timeoutMs: config.shutdownTimeoutMs },
      'stopping: running jobs finish first (up to SHUTDOWN_TIMEOUT_MS), then Redis stops; Ctrl-C again to stop at once',
    );
    void stop(0);
    return;
  }
  if (forced || Date.now() - firstSignalAt < SAME_PRESS_MS) return;
  forced = true;
  // A second signal makes each child exit at once; work in flight is retried by the queue later.
  logger.warn({ signal }, 'second signal: stopping at once');
  for (const [, c] of children) c.kill('SIGTERM');
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => onSignal(signal));
// Whoever started this (npm, a shell) is gone, and its terminal with it: stop as on SIGTERM.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent && !stopping) {
    logger.warn({ parent }, 'the command that started this process is gone: stopping');
    onSignal('SIGTERM');
  }
}, 1000).unref();

const earlier = await recoverEarlierRun(runFile, (line) => logger.warn(line), {
  drainMs: config.shutdownTimeoutMs + 2000,
});
if (earlier.refused) {
  process.stderr.write(`${earlier.refused}\n`);
  process.exit(1);
}
// A port someone else holds would leave a child restarting in a loop: say so now, before anything starts.
const ports: [string, number][] = [['PORT', config.port]];
if (config.metricsPort !== 0) {
  const engineCount = roster.names.length;
  for (let i = 0; i <= engineCount; i++)
    ports.push([i === 0 ? 'METRICS_PORT' : `METRICS_PORT+${i}`, config.metricsPort + i]);
}
for (const [name, port] of ports) {
  const free = await portAvailable(config.host, port);
  if (!free.ok) {
    process.stderr.write(
      `Port ${port} (${name}) on ${config.host} ${free.reason}.\n` +
        `Stop what holds it, or set ${name.split('+')[0]} to a free port.\n`,
    );
    process.exit(1);
  }
}
writeRunRecord(runFile, record);

// With sentinels the Redis servers are run elsewhere; the children find the master through them.
const env =
  config.redisSentinels.length > 0
    ? { ...process.env }
    : { ...process.env, REDIS_URL: config.redisUrl ?? (await startRedis()) };
// Each child serves its own metrics, on its own port: the monitor on METRICS_PORT, workers above it.
const metricsPort = (offset: number) => String(config.metricsPort === 0 ? 0 : config.metricsPort + offset);
roster.names.forEach((engine, i) => {
  run(`worker:${engine}`, 'worker.js', ['--engine', engine], { ...env, METRICS_PORT: metricsPort(i + 1) });
});
run('monitor', 'monitor.js', [], { ...env, METRICS_PORT: metricsPort(0) });
run('api', 'api.js', [], env);

// Tell the person at the terminal where to go once the API answers.
const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
const base = `http://${host.includes(':') ? `[${host}]` : host}:${config.port}`;
for (let i = 0; i < 600 && !stopping; i++) {
  const ok = await fetch(`${base}/readyz`).then(
    (r) => r.ok,
    () => false,
  );
  if (ok) {
    process.stdout.write(readyMessage(base, config.apiKeys.length + config.adminKeys.length > 0));
    break;
  }
  await new Promise((r) => setTimeout(r, 500));
}
