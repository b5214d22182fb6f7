import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { kokoroDescriptor } from '../../src/engines/kokoro/index.js';
import { KOKORO_CAPABILITIES } from '../../src/engines/kokoro/voices.js';

const dir = mkdtempSync(join(tmpdir(), 'tandem-kokoro-installed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('kokoro without its weights', () => {
  it('is not installed, says what is missing and gives the exact install command', async () => {
    const r = await kokoroDescriptor.installed(loadConfig({ MODELS_DIR: dir }));
    expect(r).toMatchObject({ ok: false, install: 'npm run models -- install kokoro' });
    expect(r.reason).toContain(join(dir, 'kokoro'));
    expect(r.reason).toMatch(/--from DIR/);
  });

  it('names the missing files when the install is partial', async () => {
    mkdirSync(join(dir, 'kokoro', 'voices'), { recursive: true });
    writeFileSync(join(dir, 'kokoro', 'config.json'), '{}');
    const r = await kokoroDescriptor.installed(loadConfig({ MODELS_DIR: dir, KOKORO_VARIANT: 'quantized' }));
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/model_quantized\.onnx/);
    expect(r.reason).toMatch(/and 2 more/); // the weights and 4 default voices: three named, two more
  });

  it('describes its voices without loading anything', () => {
    const names = KOKORO_CAPABILITIES.voices.map((v) => v.name);
    expect(names).toHaveLength(42);
    expect(names).toEqual(
      expect.arrayContaining(['zh-female', 'en-gb-male', 'af_heart', 'zf_xiaoxiao', 'zm_yunyang', 'bm_lewis']),
    );
    expect(KOKORO_CAPABILITIES.voices.find((v) => v.name === 'zm_yunxi')).toMatchObject({
      language: 'zh',
      gender: 'male',
    });
    expect(KOKORO_CAPABILITIES.sampleRate).toBe(24_000);
  });
});
