import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, settingsTable } from '../../src/config/load.js';
import { settings } from '../../src/config/schema.js';

describe('config', () => {
  it('has defaults for a fresh machine', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8080);
    expect(c.host).toBe('127.0.0.1');
    expect(c.redisUrl).toBeUndefined();
    expect(c.backupEngine).toBe('espeak');
    expect(c.ttsMaxChars).toBe(500);
    expect(c.workerConcurrency).toBe(1);
  });

  it('reads and coerces env values', () => {
    const c = loadConfig({
      PORT: '9000',
      REDIS_URL: 'redis://10.0.0.2:6380/2',
      TTS_MAX_CHARS: '1000',
      LOG_LEVEL: 'debug',
    });
    expect(c).toMatchObject({ port: 9000, redisUrl: 'redis://10.0.0.2:6380/2', ttsMaxChars: 1000, logLevel: 'debug' });
  });

  it('treats an empty value as unset', () => {
    expect(loadConfig({ PORT: '' }).port).toBe(8080);
  });

  it('lists every problem at once', () => {
    let err: unknown;
    try {
      loadConfig({ PORT: 'eighty', WORKER_CONCURRENCY: '0', REDIS_URL: 'localhost:6379', LOG_LEVEL: 'loud' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems;
    expect(problems).toHaveLength(4);
    expect(problems.map((p) => p.split('=')[0])).toEqual(['PORT', 'REDIS_URL', 'WORKER_CONCURRENCY', 'LOG_LEVEL']);
    expect((err as Error).message).toContain('PORT="eighty"');
  });

  it('gives every setting an env name, a description and a valid default', () => {
    const envs = Object.values(settings).map((s) => s.env);
    expect(new Set(envs).size).toBe(envs.length);
    for (const s of Object.values(settings)) {
      expect(s.env).toMatch(/^[A-Z][A-Z0-9_]+$/);
      expect(s.description.length).toBeGreaterThan(10);
      expect(s.schema.safeParse(s.default).success).toBe(true);
    }
  });

  it('AUDIO_FSYNC is off unless asked for', () => {
    expect(loadConfig({}).audioFsync).toBe(false);
    expect(loadConfig({ AUDIO_FSYNC: 'true' }).audioFsync).toBe(true);
  });

  it('OUTPUT_DIR follows DATA_DIR unless it is set', () => {
    expect(loadConfig({ DATA_DIR: '/x' }).outputDir).toBe('/x/audio');
    expect(loadConfig({}).outputDir).toBe('data/audio');
    expect(loadConfig({ DATA_DIR: '/x', OUTPUT_DIR: '/y' }).outputDir).toBe('/y');
  });

  it('docs/settings.md carries the current settings table', () => {
    const page = readFileSync('docs/settings.md', 'utf8');
    expect(page).toContain(settingsTable());
  });
});
