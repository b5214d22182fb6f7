import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { hashKey } from '../../src/api/auth.js';
import { REDIS_URL, freePort, spawnProc } from './harness.js';

const out = mkdtempSync(join(tmpdir(), 'tandem-bind-'));
const prefix = `t-${randomBytes(5).toString('hex')}`;
afterAll(async () => {
  rmSync(out, { recursive: true, force: true });
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

async function apiEnv(extra: Record<string, string | undefined>) {
  return {
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    OUTPUT_DIR: out,
    PORT: String(await freePort()),
    API_KEYS: undefined,
    ADMIN_KEYS: undefined,
    ALLOW_OPEN_BIND: undefined,
    ...extra,
  };
}

describe('bind address default', () => {
  it('refuses to listen on all interfaces without keys', async () => {
    const api = spawnProc('api.js', [], await apiEnv({ HOST: '0.0.0.0' }));
    expect(await api.exited).toBe(2);
    expect(api.lines.join('\n')).toMatch(
      /refusing to listen on HOST=0\.0\.0\.0 with no API keys.*ALLOW_OPEN_BIND=true/,
    );
    expect(api.lines.join('\n')).not.toMatch(/API listening/);
  });

  it('listens there with ALLOW_OPEN_BIND=true, warning that it is open', async () => {
    const env = await apiEnv({ HOST: '0.0.0.0', ALLOW_OPEN_BIND: 'true' });
    const api = spawnProc('api.js', [], env);
    try {
      await api.waitFor(/API listening/);
      expect(api.lines.join('\n')).toMatch(/"level":40.*the service is open to anyone who can reach it/);
      expect((await fetch(`http://127.0.0.1:${env.PORT}/healthz`)).status).toBe(200);
    } finally {
      api.child.kill('SIGTERM');
      await api.exited;
    }
  });

  it('listens there when keys are configured', async () => {
    const env = await apiEnv({ HOST: '0.0.0.0', API_KEYS: hashKey('k') });
    const api = spawnProc('api.js', [], env);
    try {
      await api.waitFor(/API listening/);
      expect(api.lines.join('\n')).toMatch(
        /access control on: 1 client key\(s\), no admin key: admin routes are closed/,
      );
      // With no admin key, nobody may administer the service.
      const r = await fetch(`http://127.0.0.1:${env.PORT}/admin/queues`, { headers: { Authorization: 'Bearer k' } });
      expect(r.status).toBe(403);
    } finally {
      api.child.kill('SIGTERM');
      await api.exited;
    }
  });

  it('rejects a key list that is not hashes', async () => {
    const api = spawnProc('api.js', [], await apiEnv({ API_KEYS: 'plain-secret-key' }));
    expect(await api.exited).toBe(2);
    expect(api.lines.join('\n')).toMatch(/API_KEYS=.*entry 1 is not sha256hex or name:sha256hex/);
  });
});
