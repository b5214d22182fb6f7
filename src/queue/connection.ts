import { Redis, type RedisOptions } from 'ioredis';
import type { Config } from '../config/schema.js';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** The slice of the settings that says where Redis is and how to log in. */
export type RedisTarget = Pick<
  Config,
  'redisUrl' | 'redisSentinels' | 'redisSentinelMaster' | 'redisPassword' | 'redisUsername' | 'redisSentinelPassword'
>;

/** Whether the target is a Sentinel-watched master rather than one fixed server. */
export const usesSentinel = (t: RedisTarget): boolean => t.redisSentinels.length > 0;

/** Where the target points, for logs (never a password). */
export function describeTarget(t: RedisTarget): string {
  if (usesSentinel(t))
    return `sentinel master "${t.redisSentinelMaster}" via ${t.redisSentinels.map((s) => `${s.host}:${s.port}`).join(',')}`;
  return (t.redisUrl ?? DEFAULT_REDIS_URL).replace(/\/\/[^@/]*@/, '//***@');
}

/**
 * Options every connection of every role shares: the one place that knows
 * whether Redis is one server or a Sentinel-watched master.
 */
export function redisOptions(t: RedisTarget): RedisOptions {
  const common: RedisOptions = {
    // Workers and blocking clients need `null`, so commands wait out a Redis restart or failover instead of failing.
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    // A server demoted to replica under us (a failover with our connection still open) answers READONLY:
    // reconnect, which asks the sentinels for the new master, and resend the command there.
    reconnectOnError: (err) => (err.message.startsWith('READONLY') ? 2 : false),
    // A peer that vanished without closing (host down, link cut) is noticed by TCP keep-alive.
    keepAlive: 5_000,
    ...(t.redisUsername ? { username: t.redisUsername } : {}),
    ...(t.redisPassword ? { password: t.redisPassword } : {}),
  };
  if (!usesSentinel(t)) return common;
  return {
    ...common,
    sentinels: t.redisSentinels.map((s) => ({ host: s.host, port: s.port })),
    name: t.redisSentinelMaster,
    role: 'master',
    ...(t.redisSentinelPassword ? { sentinelPassword: t.redisSentinelPassword } : {}),
    // Not `failoverDetector`: in ioredis 6 its +switch-master handler disconnects a client that is
    // mid-reconnect, which then ends for good ("Connection is closed."). A dead master closes the socket,
    // a demoted one answers READONLY (above), and keep-alive notices a vanished peer.
    sentinelRetryStrategy: (times) => Math.min(times * 200, 2000),
  };
}

/**
 * A Redis connection for any role (API, workers, monitor, BullMQ queues,
 * workers and queue events, pub/sub, Bull Board, benchmarks). With
 * sentinels it finds the master through them and follows a failover by itself.
 */
export function createRedis(t: RedisTarget, opts: RedisOptions = {}): Redis {
  const base = redisOptions(t);
  if (usesSentinel(t)) return new Redis({ ...base, ...opts });
  const url = t.redisUrl ?? DEFAULT_REDIS_URL;
  // A password in the URL wins over REDIS_PASSWORD.
  const inUrl = /^rediss?:\/\/[^@/]*:[^@/]+@/.test(url);
  const { password, ...rest } = base;
  return new Redis(url, { ...rest, ...(password && !inUrl ? { password } : {}), ...opts });
}
