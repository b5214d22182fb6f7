import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWav, rms } from '../../src/audio/wav.js';
import { freePort, spawnProc, type Proc } from './harness.js';

const run = promisify(execFile);
let dir: string;
let proc: Proc;
let base: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tandem-start-'));
  const port = await freePort();
  const redisPort = await freePort();
  // What `npm start` runs, with REDIS_URL unset so it starts its own redis-server.
  proc = spawnProc('start.js', [], {
    REDIS_URL: undefined,
    DATA_DIR: join(dir, 'data'),
    OUTPUT_DIR: join(dir, 'data', 'audio'),
    PORT: String(port),
    LOCAL_REDIS_PORT: String(redisPort),
  });
  base = `http://127.0.0.1:${port}`;
  await proc.waitFor(/Tandem TTS is ready/, 60_000);
}, 90_000);

afterAll(async () => {
  if (proc && proc.child.exitCode === null) {
    proc.child.kill('SIGINT');
    await proc.exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('npm start on embedded defaults', () => {
  it('starts its own Redis with AOF persistence, the API and a worker', async () => {
    expect(proc.lines.some((l) => l.startsWith('[redis]'))).toBe(true);
    expect(proc.lines.some((l) => l.startsWith('[api]'))).toBe(true);
    expect(proc.lines.some((l) => l.startsWith('[worker:espeak]') && l.includes('worker ready'))).toBe(true);
    expect(existsSync(join(dir, 'data', 'redis', 'appendonlydir'))).toBe(true);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
  });

  it("the README's curl example returns a playable WAV of the mixed sample", async () => {
    const readme = readFileSync('README.md', 'utf8');
    const block = readme.match(/```sh\n(curl -o hello\.wav[\s\S]*?)\n```/);
    expect(block).not.toBeNull();
    const cmd = block![1]!.replaceAll('http://127.0.0.1:8080', base);
    await run('bash', ['-c', cmd], { cwd: dir });
    const wav = parseWav(readFileSync(join(dir, 'hello.wav')));
    expect(wav.durationMs).toBeGreaterThan(2500);
    expect(rms(wav.samples)).toBeGreaterThan(0.01);
  });

  it('stops everything on SIGINT, Redis last', async () => {
    proc.child.kill('SIGINT');
    expect(await proc.exited).toBe(0);
    const order = proc.lines.filter((l) => /worker stopped|Redis is now ready to exit/.test(l));
    expect(order.at(-1)).toMatch(/Redis is now ready to exit/);
  });
});

describe('npm start with LOCAL_REDIS_PORT taken by a program that is not Redis', () => {
  it('names the port and the setting, and stops', async () => {
    // Accepts connections and hangs up: the claim's Redis probe finds nothing, redis-server cannot bind.
    const held = createServer((s) => s.end('hello\r\n'));
    const port = await freePort();
    await new Promise<void>((r) => held.listen(port, '127.0.0.1', () => r()));
    const other = mkdtempSync(join(tmpdir(), 'tandem-start-redis-busy-'));
    try {
      const p = spawnProc('start.js', [], {
        REDIS_URL: undefined,
        DATA_DIR: join(other, 'data'),
        PORT: String(await freePort()),
        LOCAL_REDIS_PORT: String(port),
        METRICS_PORT: '0',
      });
      expect(await p.exited).toBe(1);
      expect(p.lines.join('\n')).toMatch(
        new RegExp(`Port ${port} \\(LOCAL_REDIS_PORT\\) is already in use by another process`),
      );
      expect(p.lines.some((l) => /Tandem TTS is ready|^\[(api|worker)/.test(l))).toBe(false);
    } finally {
      held.close();
      rmSync(other, { recursive: true, force: true });
    }
  }, 30_000);
});

describe('npm start with its port taken', () => {
  it('refuses at once, naming the port and the setting, and starts nothing', async () => {
    const held = createServer();
    const port = await freePort();
    await new Promise<void>((r) => held.listen(port, '127.0.0.1', () => r()));
    const other = mkdtempSync(join(tmpdir(), 'tandem-start-busy-'));
    try {
      const p = spawnProc('start.js', [], {
        REDIS_URL: undefined,
        DATA_DIR: join(other, 'data'),
        PORT: String(port),
        LOCAL_REDIS_PORT: String(await freePort()),
        METRICS_PORT: '0',
      });
      expect(await p.exited).toBe(1);
      expect(p.lines.join('\n')).toMatch(new RegExp(`Port ${port} \\(PORT\\) on 127\\.0\\.0\\.1 is already in use`));
      expect(p.lines.some((l) => /Tandem TTS is ready|^\[(redis|api|worker)/.test(l))).toBe(false);
    } finally {
      held.close();
      rmSync(other, { recursive: true, force: true });
    }
  }, 30_000);
});
