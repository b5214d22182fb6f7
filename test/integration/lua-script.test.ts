import { createHash, randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LuaScript } from '../../src/queue/lua.js';
import { REDIS_URL } from './harness.js';

const prefix = `t-${randomBytes(5).toString('hex')}`;
let redis: Redis;
beforeAll(() => {
  redis = new Redis(REDIS_URL);
});
afterAll(async () => {
  await redis.del(`${prefix}:n`);
  redis.disconnect();
});

describe('Lua scripts by SHA1', () => {
  it('a script Redis does not know yet is loaded by the NOSCRIPT fallback, then runs by its SHA1', async () => {
    // A source no one has run before (its own comment), so its SHA1 is unknown to this Redis.
    const body = `-- ${prefix}\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])`;
    const sha1 = createHash('sha1').update(body).digest('hex');
    const script = new LuaScript(body);
    expect(await redis.script('EXISTS', sha1)).toEqual([0]);
    expect(await script.run(redis, [`${prefix}:n`], [2])).toBe(2);
    expect(await redis.script('EXISTS', sha1)).toEqual([1]);
    expect(await script.run(redis, [`${prefix}:n`], [3])).toBe(5);
  });

  it('other errors are not retried', async () => {
    const script = new LuaScript(`-- ${prefix} error\nreturn redis.error_reply('boom')`);
    await expect(script.run(redis, [], [])).rejects.toThrow(/boom/);
  });
});
