/**
 * docker-compose.sentinel.yml, checked statically against the code's settings (no Docker engine needed):
 * every Tandem process, with this override merged over docker-compose.yml, reaches Redis through the
 * sentinels, and the sentinels watch the master under the name the processes ask for.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config/load.js';

type Service = {
  environment?: Record<string, string>;
  command?: string[] | string;
  depends_on?: Record<string, unknown>;
};
const read = (p: string) =>
  parse(readFileSync(p, 'utf8'), { merge: true }) as {
    services: Record<string, Service>;
    volumes?: Record<string, unknown>;
  };
const base = read('docker-compose.yml');
const ha = read('docker-compose.sentinel.yml');
const TANDEM = ['api', 'worker-primary', 'worker-backup', 'monitor'];
/** `${X:-d}` → d, as compose does with nothing set in the shell. */
const interpolate = (v: string) => v.replace(/\$\{[A-Za-z_][A-Za-z0-9_]*:-([^}]*)\}/g, '$1');

describe('docker-compose.sentinel.yml', () => {
  it('runs a replica and three sentinels watching the compose Redis', () => {
    const sentinels = Object.keys(ha.services).filter((n) => n.startsWith('sentinel-'));
    expect(sentinels).toHaveLength(3);
    for (const n of sentinels) {
      const script = ([] as string[]).concat(ha.services[n]?.command ?? []).join('\n');
      expect(script).toMatch(/sentinel monitor tandem redis 6379 2/);
      expect(script).toMatch(/--sentinel/);
    }
    expect(([] as string[]).concat(ha.services['redis-replica']?.command ?? [])).toEqual(
      expect.arrayContaining(['--replicaof', 'redis', '6379']),
    );
    expect(base.services.redis).toBeDefined();
  });

  it('points every Tandem process at the sentinels, and the merged settings load', () => {
    for (const name of TANDEM) {
      const merged = { ...base.services[name]?.environment, ...ha.services[name]?.environment };
      const env = Object.fromEntries(Object.entries(merged).map(([k, v]) => [k, interpolate(String(v))]));
      const c = loadConfig(env);
      expect(c.redisUrl, name).toBeUndefined();
      expect(
        c.redisSentinels.map((s) => `${s.host}:${s.port}`),
        name,
      ).toEqual(['sentinel-1:26379', 'sentinel-2:26379', 'sentinel-3:26379']);
      expect(c.redisSentinelMaster, name).toBe('tandem');
      expect(Object.keys(ha.services[name]?.depends_on ?? {}), name).toEqual([
        'sentinel-1',
        'sentinel-2',
        'sentinel-3',
      ]);
    }
  });
});
