import { EventEmitter } from 'node:events';
import express from 'express';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { redisGate } from '../../src/api/redis-gate.js';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { RedisAvailability } from '../../src/queue/availability.js';
import { describeTarget, redisOptions } from '../../src/queue/connection.js';

describe('Redis settings', () => {
  it('parses sentinels and builds sentinel options for every connection', () => {
    const c = loadConfig({
      REDIS_SENTINELS: '10.0.0.1:26379, redis-s2:26380,[::1]:26381',
      REDIS_SENTINEL_MASTER: 'tts',
      REDIS_PASSWORD: 'p1',
      REDIS_SENTINEL_PASSWORD: 'p2',
    });
    expect(c.redisSentinels).toEqual([
      { host: '10.0.0.1', port: 26379 },
      { host: 'redis-s2', port: 26380 },
      { host: '::1', port: 26381 },
    ]);
    const o = redisOptions(c);
    expect(o).toMatchObject({ name: 'tts', password: 'p1', sentinelPassword: 'p2', maxRetriesPerRequest: null });
    expect(o.sentinels).toHaveLength(3);
    expect(describeTarget(c)).not.toContain('p1');
  });

  it('refuses REDIS_URL together with REDIS_SENTINELS, saying why', () => {
    const both = () => loadConfig({ REDIS_URL: 'redis://x:6379', REDIS_SENTINELS: 'a:26379' });
    expect(both).toThrow(ConfigError);
    expect(both).toThrow(/REDIS_URL and REDIS_SENTINELS are both set: use one/);
  });

  it('names a bad sentinel entry and a bad replica count', () => {
    expect(() => loadConfig({ REDIS_SENTINELS: 'a:26379,nope' })).toThrow(/"nope" is not host:port/);
    expect(() => loadConfig({ REDIS_SENTINELS: 'a:99999' })).toThrow(/"a:99999" is not host:port/);
    expect(() => loadConfig({ REDIS_MIN_REPLICAS_ACK: '-1' })).toThrow(/REDIS_MIN_REPLICAS_ACK/);
  });

  it('defaults: no sentinels, 2000 ms bound, no replica acknowledgement', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ redisSentinels: [], redisUnavailableMs: 2000, redisMinReplicasAck: 0 });
    expect(redisOptions(c).sentinels).toBeUndefined();
  });
});

/** A stand-in for an ioredis client: only its status and connection events (a unit test: no I/O). */
class FakeRedis extends EventEmitter {
  status = 'ready';
  answer = true;
  ping(): Promise<string> {
    return this.answer ? Promise.resolve('PONG') : new Promise(() => undefined);
  }
}

async function serve(redis: FakeRedis, boundMs: number, handler: express.RequestHandler) {
  const app = express();
  app.use(redisGate(new RedisAvailability(redis as unknown as Redis), boundMs));
  app.get('/x', handler);
  app.get('/healthz', (_req, res) => void res.json({ ok: true }));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, close: () => server.close() };
}

describe('redisGate', () => {
  it('answers 503 redis_unavailable within the bound when Redis is down at arrival', async () => {
    const redis = new FakeRedis();
    const s = await serve(redis, 300, (_req, res) => void res.json({ ok: true }));
    redis.status = 'reconnecting';
    redis.emit('close');
    const t = Date.now();
    const r = await fetch(`${s.url}/x`);
    const ms = Date.now() - t;
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBe('1');
    expect(((await r.json()) as { code: string }).code).toBe('redis_unavailable');
    expect(ms).toBeGreaterThanOrEqual(280);
    expect(ms).toBeLessThan(800);
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200); // exempt
    s.close();
  });

  it('lets a request through once Redis is back within the bound', async () => {
    const redis = new FakeRedis();
    const s = await serve(redis, 1000, (_req, res) => void res.json({ ok: true }));
    redis.emit('close');
    setTimeout(() => redis.emit('ready'), 200);
    expect((await fetch(`${s.url}/x`)).status).toBe(200);
    s.close();
  });

  it('answers 503 when a connection that looks ready stops answering mid-request', async () => {
    const redis = new FakeRedis();
    redis.answer = false;
    const s = await serve(redis, 300, () => undefined); // a route waiting on Redis forever
    const t = Date.now();
    const r = await fetch(`${s.url}/x`);
    expect(r.status).toBe(503);
    expect(Date.now() - t).toBeLessThan(800);
    s.close();
  });

  it('does not cut a long request while Redis answers', async () => {
    const redis = new FakeRedis();
    const s = await serve(redis, 200, (_req, res) => void setTimeout(() => res.json({ ok: true }), 700));
    expect((await fetch(`${s.url}/x`)).status).toBe(200);
    s.close();
  });
});
