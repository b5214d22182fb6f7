/**
 * A request answered by one part while another still waits (the Redis gate's 503 while auth's
 * limiter waits on a stalled Redis) must not be written again when the waiting part resumes: a
 * late setHeader threw ERR_HTTP_HEADERS_SENT in a promise callback and ended the API.
 */
import { EventEmitter } from 'node:events';
import type { Server } from 'node:http';
import express from 'express';
import type { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { answeredGuard } from '../../src/api/answered.js';
import { buildApp } from '../../src/api/app.js';
import { hashKey } from '../../src/api/auth.js';
import type { JobService } from '../../src/api/job-service.js';
import { loadConfig } from '../../src/config/load.js';
import { createRoster } from '../../src/engines/roster.js';
import type { Storage } from '../../src/storage/storage.js';

/** An ioredis stand-in that can stall: commands made while paused answer only on resume (no I/O). */
class StallingRedis extends EventEmitter {
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

const ALICE = 'alice-key';
const BOB = 'bob-key';
const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });

let redis: StallingRedis;
let server: Server;
let base: string;
/** Service calls made once the app is built: none may come from a request the gate answered. */
const touched: string[] = [];
let armed = false;
const faults: unknown[] = [];
const onFault = (err: unknown) => faults.push(err);

function fakeJobs(): JobService {
  const queue = { name: 'q', metaValues: { version: 'bullmq:6' } };
  const known: Record<string, unknown> = { allQueues: () => [queue], webhooks: { queue } };
  return new Proxy(known, {
    get: (target, prop) => {
      if (armed) touched.push(String(prop));
      return target[String(prop)] ?? (() => Promise.reject(new Error(`fake jobs: ${String(prop)}`)));
    },
  }) as unknown as JobService;
}

beforeAll(async () => {
  process.on('unhandledRejection', onFault);
  process.on('uncaughtException', onFault);
  redis = new StallingRedis();
  const config = loadConfig({
    API_KEYS: `alice:${hashKey(ALICE)},bob:${hashKey(BOB)}`,
    RATE_LIMIT_PER_MINUTE: '2',
    REDIS_UNAVAILABLE_MS: '200',
    PRIMARY_ENGINE: 'espeak',
    BACKUP_ENGINE: 'espeak',
  });
  const app = buildApp({
    config,
    roster: createRoster(config),
    redis: redis as unknown as Redis,
    jobs: fakeJobs(),
    storage: {} as Storage,
    logger: pino({ level: 'silent' }),
  });
  armed = true;
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  process.off('unhandledRejection', onFault);
  process.off('uncaughtException', onFault);
  await new Promise((r) => server.close(r));
});

beforeEach(() => {
  faults.length = 0;
  touched.length = 0;
});
afterEach(() => redis.resume());

const settle = () => new Promise((r) => setTimeout(r, 100));

describe('a Redis stall longer than REDIS_UNAVAILABLE_MS, with keys configured', () => {
  it('answers 503 to no key, a wrong key and a key over its limit, and stays up when Redis resumes', async () => {
    for (let i = 0; i < 2; i++)
      expect((await fetch(`${base}/api/nothing`, { headers: bearer(ALICE) })).status).toBe(404);
    redis.pause();
    const asks = [{}, bearer('wrong'), bearer(ALICE)].map((headers) => fetch(`${base}/api/nothing`, { headers }));
    const answers = await Promise.all(asks);
    expect(answers.map((r) => r.status)).toEqual([503, 503, 503]);
    redis.resume();
    await settle();
    expect(faults).toEqual([]);
    // Still serving, and the refusals have their headers again.
    const none = await fetch(`${base}/api/nothing`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/Bearer/);
    const over = await fetch(`${base}/api/nothing`, { headers: bearer(ALICE) });
    expect(over.status).toBe(429);
    expect(over.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(faults).toEqual([]);
  });

  it('does not run the route of a request the gate answered once the limiter lets it through', async () => {
    redis.pause();
    expect((await fetch(`${base}/api/jobs`, { headers: bearer(BOB) })).status).toBe(503);
    redis.resume();
    await settle();
    expect(touched).toEqual([]);
    expect(faults).toEqual([]);
  });
});

describe('the answered-response guard', () => {
  it('makes late header changes and writes no-ops instead of throwing or emitting an error', async () => {
    const late: Promise<void>[] = [];
    const app = express();
    app.use(answeredGuard(pino({ level: 'silent' })));
    app.get('/x', (_req, res) => {
      res.status(503).json({ code: 'first' });
      late.push(
        new Promise<void>((resolve) =>
          setTimeout(() => {
            res.setHeader('X-Late', '1');
            res.removeHeader('X-Request-Id');
            res.writeHead(200);
            expect(res.write('late')).toBe(true);
            res.status(200).json({ code: 'second' });
            res.end();
            resolve();
          }, 20),
        ),
      );
    });
    const s = app.listen(0, '127.0.0.1');
    await new Promise((r) => s.once('listening', r));
    const r = await fetch(`http://127.0.0.1:${(s.address() as { port: number }).port}/x`);
    expect(r.status).toBe(503);
    expect(await r.json()).toEqual({ code: 'first' });
    await Promise.all(late);
    await settle();
    s.close();
    expect(faults).toEqual([]);
  });
});
