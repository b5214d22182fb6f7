/**
 * Settings of the Redis connection beyond REDIS_URL: Sentinel, passwords, the
 * bound on waiting for Redis, and replicated acceptance. Spread into the one
 * schema (schema.ts); kept apart so the schema file stays readable.
 */
import { z } from 'zod';
import type { Setting } from './schema.js';

/** One sentinel address. */
export interface SentinelAddress {
  host: string;
  port: number;
}

const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

/** `host:port,host:port,…` ([v6]:port for IPv6); unset means Sentinel is not used. */
const sentinelList = z
  .string()
  .optional()
  .transform((raw, ctx): SentinelAddress[] => {
    const out: SentinelAddress[] = [];
    for (const entry of (raw ?? '')
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean)) {
      const m = HOST_PORT.exec(entry);
      const port = Number(m?.[2]);
      if (!m?.[1] || !(port >= 1 && port <= 65535)) {
        ctx.addIssue({ code: 'custom', message: `"${entry.slice(0, 80)}" is not host:port` });
        continue;
      }
      out.push({ host: m[1].replace(/^\[(.*)\]$/, '$1'), port });
    }
    return out;
  });

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const s = <T>(
  env: string,
  def: string | undefined,
  description: string,
  schema: z.ZodType<T>,
  secret = false,
): Setting<T> => ({ env, default: def, description, schema, ...(secret ? { secret } : {}) });

export const redisSettings = {
  redisSentinels: s(
    'REDIS_SENTINELS',
    undefined,
    'Redis Sentinel addresses, `host:port` comma-separated: every process finds the current master through them and follows a failover by itself. The alternative to REDIS_URL (set one, not both); with it `npm start` runs no local Redis.',
    sentinelList,
  ),
  redisSentinelMaster: s(
    'REDIS_SENTINEL_MASTER',
    'mymaster',
    'Name of the master the sentinels watch (`sentinel monitor <name> …`).',
    z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'expected a name of letters, digits, . _ -'),
  ),
  redisPassword: s(
    'REDIS_PASSWORD',
    undefined,
    "Password of the Redis servers (`requirepass`; with REDIS_USERNAME, an ACL user's). With REDIS_URL it applies when the URL carries none.",
    z.string().min(1).optional(),
    true,
  ),
  redisUsername: s(
    'REDIS_USERNAME',
    undefined,
    'ACL user name for the Redis servers. Unset: the default user.',
    z.string().min(1).optional(),
  ),
  redisSentinelPassword: s(
    'REDIS_SENTINEL_PASSWORD',
    undefined,
    'Password of the sentinels themselves (`requirepass` in sentinel.conf), when they have one.',
    z.string().min(1).optional(),
    true,
  ),
  redisUnavailableMs: s(
    'REDIS_UNAVAILABLE_MS',
    '2000',
    'A request that needs Redis and cannot get it within this time is answered 503 `redis_unavailable` with Retry-After, instead of waiting for Redis.',
    int(100, 120_000),
  ),
  redisMinReplicasAck: s(
    'REDIS_MIN_REPLICAS_ACK',
    '0',
    'Replicas that must confirm a new job (Redis WAIT) before the API accepts it (202, or a synchronous request starts). If fewer confirm within REDIS_REPLICA_ACK_TIMEOUT_MS the job is removed and the request gets 503. 0: accepted once the master has it.',
    int(0, 16),
  ),
  redisReplicaAckTimeoutMs: s(
    'REDIS_REPLICA_ACK_TIMEOUT_MS',
    '1000',
    'How long a submission waits for REDIS_MIN_REPLICAS_ACK replicas to confirm.',
    int(10, 60_000),
  ),
};

/** Problems between settings (each setting alone was valid). */
export function redisCrossProblems(
  env: Record<string, string | undefined>,
  parsed: { redisSentinels?: SentinelAddress[] },
): string[] {
  const problems: string[] = [];
  if (env.REDIS_URL && (parsed.redisSentinels?.length ?? 0) > 0)
    problems.push(
      'REDIS_URL and REDIS_SENTINELS are both set: use one. REDIS_URL names one Redis server; REDIS_SENTINELS names the sentinels that say which server is the master.',
    );
  return problems;
}
