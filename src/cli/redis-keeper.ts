/**
 * `npm start`'s local redis-server runs under this small keeper: `node redis-keeper.js <redis-server
 * arguments>`. redis-server cannot notice that the supervisor died (SIGKILL of npm's process group,
 * the OOM killer) and was left running, reparented to init. The keeper can: it watches the
 * supervisor like every other child does and then stops Redis with SIGTERM (which writes its AOF).
 * SIGTERM to the keeper stops Redis the same way; the keeper exits with Redis's exit code, or
 * 128 + the signal number when Redis was killed, and tells the supervisor Redis's pid first.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { watchSupervisor } from './supervisor-watch.js';

/** How long Redis gets to write its AOF and exit before it is killed. */
const STOP_MS = 10_000;

const redis = spawn('redis-server', process.argv.slice(2), { stdio: ['ignore', 'inherit', 'inherit'] });
let stopping = false;

function stopRedis(): void {
  if (stopping) return;
  stopping = true;
  redis.kill('SIGTERM');
  setTimeout(() => redis.kill('SIGKILL'), STOP_MS).unref();
}

redis.on('spawn', () => {
  if (redis.pid && process.send) process.send({ redisPid: redis.pid });
});
redis.on('error', (err) => {
  process.stderr.write(`cannot run redis-server: ${err.message}\n`);
  process.exit(127);
});
redis.on('exit', (code, signal) => {
  const signum = signal ? (constants.signals[signal] ?? 0) : 0;
  process.exit(code ?? 128 + signum);
});
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, stopRedis);
watchSupervisor(stopRedis);
