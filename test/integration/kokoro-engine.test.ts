/**
 * The Kokoro engine's real code path (files, vocab, voices, phonemizers, token
 * batches, onnxruntime, stitching) on the stand-in model written by the test setup.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rms } from '../../src/audio/wav.js';
import { loadConfig } from '../../src/config/load.js';
import { KokoroEngine } from '../../src/engines/kokoro/engine.js';
import { kokoroDescriptor } from '../../src/engines/kokoro/index.js';
import { allVoiceFiles } from '../../src/engines/kokoro/voices.js';
import { chunkOf, engineContract, medianPitch } from '../contract/engine-contract.js';
import { makeStandInModelsDir, STAND_IN_SECONDS_PER_TOKEN } from '../fixtures/make-stand-in-model.js';

const dirs: string[] = [];
const modelsDir = (opts: Parameters<typeof makeStandInModelsDir>[1] = {}) => {
  const d = mkdtempSync(join(tmpdir(), 'tandem-kokoro-'));
  dirs.push(d);
  return makeStandInModelsDir(d, { voices: allVoiceFiles(), ...opts });
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const config = loadConfig({ MODELS_DIR: modelsDir(), KOKORO_THREADS: '1' });

engineContract(kokoroDescriptor, config);

describe('kokoro engine specifics', () => {
  it('is installed when the files are there', async () => {
    expect(await kokoroDescriptor.installed(config)).toEqual({ ok: true });
  });

  it('reads the ids input whatever the export calls it (tokens)', async () => {
    const e = KokoroEngine.fromConfig(
      loadConfig({ MODELS_DIR: modelsDir({ idsName: 'tokens' }), KOKORO_THREADS: '1' }),
    );
    await e.load();
    const pcm = await e.synthesize({ chunk: chunkOf({ lang: 'en', text: 'Hello there.' }), voice: 'male', speed: 1 });
    expect(rms(pcm)).toBeGreaterThan(0.02);
    await e.dispose();
  });

  it('cuts a run longer than 510 tokens into several calls and stitches them with pauses', async () => {
    const e = KokoroEngine.fromConfig(config);
    await e.load();
    const text = '这是一个很长的句子，用来测试分段。'.repeat(12); // ~200 Han characters → ~1000 tokens
    const { ids } = e.phonemes(text, 'zh');
    expect(ids.length).toBeGreaterThan(510);
    const before = e.stats().runs;
    const pcm = await e.synthesize({ chunk: chunkOf({ lang: 'zh', text }), voice: 'female', speed: 1 });
    expect(e.stats().runs - before).toBeGreaterThanOrEqual(2);
    // Audio ≈ tokens × the stand-in's 75 ms, plus short pauses; nothing dropped or duplicated.
    const seconds = pcm.length / 24_000;
    expect(seconds).toBeGreaterThan(ids.length * STAND_IN_SECONDS_PER_TOKEN * 0.95);
    expect(seconds).toBeLessThan(ids.length * STAND_IN_SECONDS_PER_TOKEN * 1.15 + 1);
    await e.dispose();
  });

  it('reads each run with its language voice: a male request gets male voices in both languages', async () => {
    const e = KokoroEngine.fromConfig(config);
    await e.load();
    const pitch = async (voice: string, lang: 'en' | 'zh', text: string) =>
      medianPitch(await e.synthesize({ chunk: chunkOf({ lang, text }), voice, speed: 1 }), 24_000);
    // The stand-in's pitch follows the style vector, so different voice files give different pitch.
    expect(await pitch('zh-male', 'en', 'Hello, this is a sample.')).toBeCloseTo(
      await pitch('am_michael', 'en', 'Hello, this is a sample.'),
      0,
    );
    expect(await pitch('af_heart', 'zh', '你好，这是一个语音示例。')).toBeCloseTo(
      await pitch('zf_xiaoxiao', 'zh', '你好，这是一个语音示例。'),
      0,
    );
    await e.dispose();
  });
});
