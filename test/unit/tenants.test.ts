import { describe, expect, it } from 'vitest';
import { mayAccess } from '../../src/api/caller.js';
import { canonicalJson, MAX_BODY_DEPTH } from '../../src/api/idempotency.js';
import { requestKey } from '../../src/cache/key.js';
import { ConfigError, loadConfig } from '../../src/config/load.js';

const HASH = 'a'.repeat(64);

describe('key entries with quota overrides', () => {
  it('read chars_per_day and active_jobs after the hash', () => {
    const c = loadConfig({ API_KEYS: `alice:${HASH}:chars_per_day=1000:active_jobs=3,bob:${'b'.repeat(64)}` });
    expect(c.apiKeys).toEqual([
      { name: 'alice', sha256: HASH, quota: { charsPerDay: 1000, activeJobs: 3 } },
      { name: 'bob', sha256: 'b'.repeat(64) },
    ]);
  });
  it('refuse an unknown quota name, without echoing the entry', () => {
    let err: unknown;
    try {
      loadConfig({ API_KEYS: `alice:${HASH}:speed=3` });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect(String((err as Error).message)).toMatch(/unknown quota speed/);
  });
});

describe('canonical JSON depth', () => {
  const nest = (n: number): unknown => {
    let v: unknown = 1;
    for (let i = 0; i < n; i++) v = i % 2 ? [v] : { k: v };
    return v;
  };
  it('accepts bodies up to the limit', () => {
    expect(() => canonicalJson(nest(MAX_BODY_DEPTH))).not.toThrow();
  });
  it('refuses deeper ones with a 400 naming the limit, however deep (no stack overflow)', () => {
    for (const depth of [MAX_BODY_DEPTH + 2, 8000, 100_000]) {
      let err: { status?: number; code?: string; details?: Record<string, unknown> } | undefined;
      try {
        canonicalJson(nest(depth));
      } catch (e) {
        err = e as typeof err;
      }
      expect(err?.status).toBe(400);
      expect(err?.code).toBe('body_too_deep');
      expect(err?.details?.max_depth).toBe(MAX_BODY_DEPTH);
    }
  });
});

describe('cache scope', () => {
  const req = { text: 'Hello there.', voice: 'female', speed: 1, format: 'wav' as const, engine: 'auto' as const };
  const cfg = { kokoroVariant: 'fp32' as const, mp3Bitrate: 64 as const };
  it('gives each tenant its own key, and the global scope the key it had before tenants', () => {
    const global = requestKey(req, 'espeak', 22_050, cfg);
    const alice = requestKey(req, 'espeak', 22_050, cfg, 'alice');
    const bob = requestKey(req, 'espeak', 22_050, cfg, 'bob');
    expect(new Set([global, alice, bob]).size).toBe(3);
    expect(requestKey(req, 'espeak', 22_050, cfg, 'alice')).toBe(alice);
  });
});

describe('ownership', () => {
  it('a client sees its own jobs (and legacy ones only as the anonymous tenant); an admin sees all', () => {
    expect(mayAccess({ tenant: 'alice', admin: false }, 'alice')).toBe(true);
    expect(mayAccess({ tenant: 'bob', admin: false }, 'alice')).toBe(false);
    expect(mayAccess({ tenant: 'bob', admin: false }, undefined)).toBe(false);
    expect(mayAccess({ tenant: 'anonymous', admin: false }, undefined)).toBe(true);
    expect(mayAccess({ tenant: 'root', admin: true }, 'alice')).toBe(true);
  });
});
