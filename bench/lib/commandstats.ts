/**
 * Redis command counts from INFO commandstats (calls per command, server-wide). In Redis 7 the
 * commands a script runs are counted under their own names besides the EVAL/EVALSHA that ran them;
 * `scriptInnerCommandsCounted` checks that on the server at hand.
 */
import type { Redis } from 'ioredis';

export type Counts = Map<string, number>;

/** The bench's own reads of the counters, left out of every sum. */
const OWN = new Set(['info', 'config|resetstat']);

export async function commandCounts(redis: Redis): Promise<Counts> {
  const out: Counts = new Map();
  for (const line of (await redis.info('commandstats')).split('\n')) {
    const m = /^cmdstat_([^:]+):calls=(\d+)/.exec(line.trim());
    if (m && !OWN.has(m[1]!)) out.set(m[1]!, Number(m[2]));
  }
  return out;
}

/** after − before, per command (commands not called in between are left out). */
export function countsDelta(before: Counts, after: Counts): Counts {
  const out: Counts = new Map();
  for (const [k, v] of after) {
    const d = v - (before.get(k) ?? 0);
    if (d !== 0) out.set(k, d);
  }
  return out;
}

export const total = (c: Counts): number => [...c.values()].reduce((a, b) => a + b, 0);

/**
 * Run a script making one SET, one GET and one DEL on a key of `prefix`: true when commandstats then
 * counts the EVAL and its three inner commands (4), false when only the EVAL (1). Needs a server
 * nobody else uses at the same time to be exact; the answer is read as "≥ 4".
 */
export async function scriptInnerCommandsCounted(
  redis: Redis,
  prefix: string,
): Promise<{ counted: boolean; delta: number }> {
  const before = await commandCounts(redis);
  await redis.eval(
    "redis.call('SET', KEYS[1], '1'); redis.call('GET', KEYS[1]); redis.call('DEL', KEYS[1]); return 1",
    1,
    `${prefix}:bench:script-probe`,
  );
  const d = countsDelta(before, await commandCounts(redis));
  const mine = (d.get('eval') ?? 0) + (d.get('set') ?? 0) + (d.get('get') ?? 0) + (d.get('del') ?? 0);
  return { counted: (d.get('set') ?? 0) >= 1 && (d.get('del') ?? 0) >= 1, delta: mine };
}
