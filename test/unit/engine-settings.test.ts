import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { engineSettings } from '../../src/config/engine-settings.js';
import { loadConfig } from '../../src/config/load.js';

describe('engine settings', () => {
  const config = loadConfig({
    MODELS_DIR: '/srv/models',
    KOKORO_VARIANT: 'quantized',
    KOKORO_THREADS: '3',
    WORKER_CONCURRENCY: '2',
    API_KEYS: 'a'.repeat(64),
  });

  it('gives Kokoro (and its pools) the settings it reads and nothing else', () => {
    const want = {
      modelsDir: '/srv/models',
      kokoroVariant: 'quantized',
      kokoroThreads: 3,
      kokoroPhonemeCache: config.kokoroPhonemeCache,
      workerConcurrency: 2,
    };
    expect(engineSettings(config, 'kokoro')).toEqual(want);
    expect(engineSettings(config, 'kokoro@gpu')).toEqual(want);
  });

  it('gives an engine without settings an empty slice', () => {
    expect(engineSettings(config, 'espeak')).toEqual({});
    expect(engineSettings(config, 'remote-tts')).toEqual({});
  });

  it('keeps the engine modules free of the config module (no import circle with the schema)', () => {
    const root = new URL('../../src/engines/', import.meta.url).pathname;
    const offenders = readdirSync(root, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts'))
      .filter((f) => /from '(\.\.\/)+config\/(schema|load)\.js'/.test(readFileSync(join(root, f), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
