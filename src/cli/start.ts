/**
 * `npm start`: the whole service on one machine. Runs a local redis-server
 * (AOF on) when REDIS_URL is unset, then the API, the health monitor and one
 * worker pool per engine as child processes, prefixing their log lines with their role and
 * restarting any that dies.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { createLogger } from '../observability/logger.js';
import { configOrExit } from './main-helpers.js';

const config = configOrExit();
const logger = createLogger('start', {
  level: config.logLevel,
  dir: config.logDir,
  file: 'start',
  keep: config.logKeepFiles,
});
const here = fileURLToPath(new URL('.', import.meta.url));
const children = new Map<string, ChildProcess>();
let stopping = false;

function pipeLines(name: string, child: ChildProcess): void {
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => process.stdout.write(`[${name}] ${line}\n`));
  }
}

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
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--save',
      '',
      '--daemonize',
      'no',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.set('redis', child);
  pipeLines('redis', child);
  child.on('exit', (code) => {
    if (!stopping) {
      logger.fatal(
        { code },
        `local redis-server exited (is port ${port} already in use? set LOCAL_REDIS_PORT or REDIS_URL)`,
      );
      void stop(1);
    }
  });
  const url = `redis://127.0.0.1:${port}`;
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined); // connection refused while redis-server starts
  for (let i = 0; i < 100; i++) {
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      logger.info({ url, dir }, 'local redis-server running with AOF persistence');
      return url;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  logger.fatal({ port }, 'local redis-server did not come up');
  return stop(1);
}

function run(name: string, script: string, args: string[], env: NodeJS.ProcessEnv, restarts = 0): void {
  const child = spawn(process.execPath, [join(here, script), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.set(name, child);
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
  const order = [...children.entries()].filter(([n]) => n !== 'redis');
  for (const [, c] of order) c.kill('SIGTERM');
  await Promise.all(order.map(([, c]) => exited(c, config.shutdownTimeoutMs + 2000)));
  const redis = children.get('redis');
  if (redis) {
    redis.kill('SIGTERM'); // redis flushes its AOF on SIGTERM
    await exited(redis, 10_000);
  }
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

process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

// With sentinels the Redis servers are run elsewhere; the children find the master through them.
const env =
  config.redisSentinels.length > 0
    ? { ...process.env }
    : { ...process.env, REDIS_URL: config.redisUrl ?? (await startRedis()) };
// Each child serves its own metrics, on its own port: the monitor on METRICS_PORT, workers above it.
const metricsPort = (offset: number) => String(config.metricsPort === 0 ? 0 : config.metricsPort + offset);
[...new Set([config.primaryEngine, config.backupEngine])].forEach((engine, i) => {
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
    process.stdout.write(
      `\nTandem TTS is ready: ${base}/\n  try: curl -o hello.wav -H 'Content-Type: application/json' -d '{"text":"Hello, world"}' ${base}/api/tts\n\n`,
    );
    break;
  }
  await new Promise((r) => setTimeout(r, 500));
}
