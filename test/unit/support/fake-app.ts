/**
 * buildApp on stand-ins, served on a loopback port: a Redis that can stall, a JobService that
 * records what it is asked, and a logger whose lines the test reads. No Redis, no workers.
 */
import { EventEmitter } from 'node:events';
import type { Server } from 'node:http';
import { Writable } from 'node:stream';
import type { Redis } from 'ioredis';
import pino from 'pino';
import { buildApp } from '../../../src/api/app.js';
import type { JobService } from '../../../src/api/job-service.js';
import { jsonProtocolErrors, createHttpServer } from '../../../src/api/http-server.js';
import { loadConfig } from '../../../src/config/load.js';
import { createRoster } from '../../../src/engines/roster.js';
import type { FreeSpace } from '../../../src/storage/free-space.js';
import type { Storage } from '../../../src/storage/storage.js';

/** An ioredis stand-in that can stall: commands made while paused answer only on resume. */
export class StallingRedis extends EventEmitter {
  status = 'ready';
  private held: (() => void)[] = [];
  private paused = false;
  private readonly counts = new Map<string, number>();
  [command: string]: unknown;

  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
    for (const f of this.held.splice(0)) f();
  }
  private answer<T>(value: () => T): Promise<T> {
    if (!this.paused) return Promise.resolve(value());
    return new Promise((resolve) => this.held.push(() => resolve(value())));
  }
  ping(): Promise<string> {
    return this.answer(() => 'PONG');
  }
  /** rate-limiter-flexible's counter script: [points consumed in the window, ms left]. */
  defineCommand(name: string): void {
    this[name] = (args: string[]) =>
      this.answer(() => {
        const key = String(args[0]);
        const n = (this.counts.get(key) ?? 0) + Number(args[1]);
        this.counts.set(key, n);
        return [n, 60_000];
      });
  }
}

export interface FakeApp {
  base: string;
  redis: StallingRedis;
  /** JobService members used once the app was built (by requests). */
  touched: string[];
  /** The app's log lines, parsed. */
  logs: Record<string, unknown>[];
  close(): Promise<void>;
}

/** Serve buildApp with `env` settings; `jobs` members override the recording stand-in's. */
export async function serveFakeApp(
  env: Record<string, string>,
  opts: { jobs?: Record<string, unknown>; space?: FreeSpace } = {},
): Promise<FakeApp> {
  const redis = new StallingRedis();
  const touched: string[] = [];
  const logs: Record<string, unknown>[] = [];
  let armed = false;
  const queue = { name: 'q', metaValues: { version: 'bullmq:6' } };
  const known: Record<string, unknown> = { allQueues: () => [queue], webhooks: { queue }, ...opts.jobs };
  const jobs = new Proxy(known, {
    get: (target, prop) => {
      if (armed) touched.push(String(prop));
      return target[String(prop)] ?? (() => Promise.reject(new Error(`fake jobs: ${String(prop)}`)));
    },
  }) as unknown as JobService;
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line) logs.push(JSON.parse(line));
      done();
    },
  });
  const config = loadConfig({ PRIMARY_ENGINE: 'espeak', BACKUP_ENGINE: 'espeak', ...env });
  const app = buildApp({
    config,
    roster: createRoster(config),
    redis: redis as unknown as Redis,
    jobs,
    storage: {} as Storage,
    logger: pino({ level: 'debug' }, sink),
    ...(opts.space ? { space: opts.space } : {}),
  });
  armed = true;
  const server: Server = createHttpServer(app);
  jsonProtocolErrors(server);
  server.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    base,
    redis,
    touched,
    logs,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
