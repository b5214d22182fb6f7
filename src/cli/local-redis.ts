/**
 * `npm start`'s own redis-server (when REDIS_URL is unset): AOF on, in DATA_DIR/redis, under the
 * redis-keeper (which stops it when the supervisor dies). A Redis that dies is restarted on the
 * same port and directory — its AOF brings the data back — while the other children keep running
 * and reconnect by themselves. Only a port that something else holds is blamed, and only then does
 * the start give up.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { portAvailable } from './port-check.js';
import { claimRedisPort } from './stale-redis.js';

/** A Redis that ran this long was not crash-looping: its restart is immediate. */
const STABLE_MS = 5_000;
/** The longest wait before restarting a Redis that keeps dying. */
const MAX_DELAY_MS = 30_000;
/** Quick deaths in a row before the supervisor gives up on Redis. */
const MAX_QUICK_RESTARTS = 8;

export interface LocalRedisOptions {
  port: number;
  dir: string;
  /** Directory of the compiled entry points (redis-keeper.js). */
  bin: string;
  logger: Logger;
  /** Shows the keeper's (and so Redis's) output under a role name. */
  pipe(child: ChildProcess): void;
  /** The running redis-server's pid, for the run record (undefined once it exited). */
  onPid(pid: number | undefined): void;
  /** Redis cannot be run (the port is someone else's, or it keeps dying): the supervisor stops with this. */
  onFatal(message: string): void;
}

export class LocalRedis {
  private child?: ChildProcess;
  private stopping = false;
  private quickRestarts = 0;
  /** Until Redis first answered, its exit is start()'s to report, not a death to restart from. */
  private everUp = false;
  readonly url: string;

  constructor(private readonly o: LocalRedisOptions) {
    this.url = `redis://127.0.0.1:${o.port}`;
  }

  /** Claim the port, run Redis and wait until it answers; false (after onFatal) when it cannot run. */
  async start(): Promise<boolean> {
    if (!(await this.claim())) return false;
    this.spawn();
    if (await this.answers()) {
      this.everUp = true;
      return true;
    }
    this.o.onFatal(await this.whyNotUp());
    return false;
  }

  /** SIGTERM (Redis writes its AOF), then wait for it to exit. */
  async stop(): Promise<void> {
    this.stopping = true;
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    c.kill('SIGTERM');
    // The keeper kills Redis itself after 10 s; this is for a keeper that does not answer.
    const timer = setTimeout(() => c.kill('SIGKILL'), 15_000);
    await gone;
    clearTimeout(timer);
  }

  /** Is the port free (or held by a Redis of this DATA_DIR, which is stopped)? Otherwise say who holds it. */
  private async claim(): Promise<boolean> {
    const taken = await claimRedisPort(this.o.port, this.o.dir);
    if (!taken.free && taken.ours) {
      this.o.logger.warn(
        { port: this.o.port, dir: this.o.dir },
        'a local redis-server of an earlier run of this DATA_DIR was still running: stopped it (its data is kept); starting afresh',
      );
    } else if (!taken.free) {
      this.o.onFatal(
        `Port ${this.o.port} (LOCAL_REDIS_PORT) is in use by ${taken.what}, not by this service's local Redis.\n` +
          'Set LOCAL_REDIS_PORT to a free port, or REDIS_URL to use a Redis of your own.',
      );
      return false;
    }
    return true;
  }

  /** Why Redis did not come up: a port something else holds (and that is not Redis) is named. */
  private async whyNotUp(): Promise<string> {
    const free = await portAvailable('127.0.0.1', this.o.port);
    return free.ok
      ? `the local redis-server did not come up on port ${this.o.port} (its output is above)`
      : `Port ${this.o.port} (LOCAL_REDIS_PORT) ${free.reason}, not by this service's local Redis.\n` +
          'Set LOCAL_REDIS_PORT to a free port, or REDIS_URL to use a Redis of your own.';
  }

  private spawn(): void {
    const args = [
      ...['--port', String(this.o.port), '--bind', '127.0.0.1', '--dir', this.o.dir],
      ...['--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--daemonize', 'no'],
    ];
    // Its own process group: a Ctrl-C must not stop Redis under workers that are finishing jobs.
    const child = spawn(process.execPath, [join(this.o.bin, 'redis-keeper.js'), ...args], {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      detached: true,
    });
    this.child = child;
    const startedAt = Date.now();
    child.on('message', (m: { redisPid?: unknown }) => {
      if (typeof m?.redisPid === 'number') this.o.onPid(m.redisPid);
    });
    this.o.pipe(child);
    child.on('exit', (code, signal) => {
      this.o.onPid(undefined);
      if (this.stopping || !this.everUp) return;
      this.quickRestarts = Date.now() - startedAt > STABLE_MS ? 0 : this.quickRestarts + 1;
      if (this.quickRestarts > MAX_QUICK_RESTARTS) {
        const times = this.quickRestarts;
        void this.whyNotUp().then((why) =>
          this.o.onFatal(`the local redis-server keeps exiting (${times} times in a row): ${why}`),
        );
        return;
      }
      const delayMs = this.quickRestarts <= 1 ? 0 : Math.min(MAX_DELAY_MS, 250 * 2 ** this.quickRestarts);
      this.o.logger.warn(
        { code, signal, port: this.o.port, restartInMs: delayMs },
        'local redis-server exited; restarting it (its AOF keeps the data; the other processes reconnect by themselves)',
      );
      setTimeout(() => void this.restart(), delayMs);
    });
  }

  private async restart(): Promise<void> {
    if (this.stopping || !(await this.claim())) return;
    const t0 = Date.now();
    this.spawn();
    if (await this.answers()) {
      this.o.logger.info({ url: this.url, ms: Date.now() - t0 }, 'local redis-server restarted');
    }
    // One that does not answer exits or is restarted by its exit handler.
  }

  /** Whether Redis answers a PING within about 10 s of starting (it replays its AOF first). */
  private async answers(): Promise<boolean> {
    const probe = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined); // connection refused while redis-server starts
    try {
      for (let i = 0; i < 100 && !this.stopping; i++) {
        if (this.child?.exitCode !== null || this.child?.signalCode !== null) return false;
        try {
          await probe.connect();
          await probe.ping();
          return true;
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      return false;
    } finally {
      probe.disconnect();
    }
  }
}
