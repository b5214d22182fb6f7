/**
 * `npm start` with keys configured: the request it prints at ready carries a key (from TANDEM_KEY),
 * and run as printed it returns audio rather than a 401.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKey } from '../../src/api/auth.js';
import { parseWav } from '../../src/audio/wav.js';
import { REDIS_URL, freePort, spawnProc, type Proc } from './harness.js';

const KEY = 'start-keys-test-key-0001';
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'tandem-start-keys-'));
const prefix = `t-${randomBytes(5).toString('hex')}`;
let proc: Proc;

beforeAll(async () => {
  proc = spawnProc('start.js', [], {
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    DATA_DIR: join(dir, 'data'),
    OUTPUT_DIR: join(dir, 'data', 'audio'),
    PORT: String(await freePort()),
    METRICS_PORT: '0',
    API_KEYS: `tester:${hashKey(KEY)}`,
    ADMIN_KEYS: undefined,
  });
  await proc.waitFor(/Tandem TTS is ready/, 60_000);
}, 90_000);

afterAll(async () => {
  if (proc && proc.child.exitCode === null) {
    proc.child.kill('SIGINT');
    await proc.exited;
  }
  rmSync(dir, { recursive: true, force: true });
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

describe('npm start with API keys', () => {
  it('prints a curl that sends the key, and it works as printed', async () => {
    const line = proc.lines.find((l) => l.trim().startsWith('try: curl'));
    expect(line).toContain('-H "Authorization: Bearer $TANDEM_KEY"');
    expect(proc.lines.join('\n')).toMatch(/TANDEM_KEY set to one of your API keys/);
    const cmd = (line ?? '').trim().replace(/^try: /, '');
    await run('bash', ['-c', cmd], { cwd: dir, env: { ...process.env, TANDEM_KEY: KEY } });
    expect(parseWav(readFileSync(join(dir, 'hello.wav'))).durationMs).toBeGreaterThan(500);
  });
});
