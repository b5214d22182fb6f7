/**
 * The contract every TtsEngine must meet, as a reusable suite: call
 * `engineContract(descriptor)` from an engine's test file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rms } from '../../src/audio/wav.js';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { engineSettings } from '../../src/config/engine-settings.js';
import type { EngineDescriptor, TtsEngine } from '../../src/engines/engine.js';
import type { Chunk, Lang, Run } from '../../src/text/types.js';

export const chunkOf = (...runs: Run[]): Chunk => ({
  index: 0,
  runs,
  chars: runs.reduce((n, r) => n + r.text.length, 0),
  paragraphEnd: true,
});

const SAMPLE: Record<Lang, string> = { en: 'Hello, this is a sample.', zh: '你好，这是一个语音示例。' };

/** Rough fundamental frequency (Hz) by autocorrelation over voiced frames. */
export function medianPitch(pcm: Int16Array, sampleRate: number): number {
  const frame = Math.round(sampleRate * 0.04);
  const minLag = Math.round(sampleRate / 400);
  const maxLag = Math.round(sampleRate / 60);
  const pitches: number[] = [];
  for (let start = 0; start + frame + maxLag < pcm.length; start += frame) {
    let energy = 0;
    for (let i = 0; i < frame; i++) energy += pcm[start + i]! ** 2;
    if (Math.sqrt(energy / frame) < 1500) continue;
    let best = 0;
    let bestLag = 0;
    for (let lag = minLag; lag <= maxLag; lag++) {
      let s = 0;
      for (let i = 0; i < frame; i++) s += pcm[start + i]! * pcm[start + i + lag]!;
      if (s > best) {
        best = s;
        bestLag = lag;
      }
    }
    if (bestLag && best > 0.3 * energy) pitches.push(sampleRate / bestLag);
  }
  pitches.sort((a, b) => a - b);
  return pitches[Math.floor(pitches.length / 2)] ?? 0;
}

/** `config` carries the engine's settings (model paths, threads); defaults when omitted. */
export function engineContract(descriptor: EngineDescriptor, config: Config = loadConfig({})): void {
  describe(`engine contract: ${descriptor.name}`, () => {
    let engine: TtsEngine;
    const caps = descriptor.capabilities;
    const sr = caps.sampleRate;
    const ms = (pcm: Int16Array) => (pcm.length / sr) * 1000;

    beforeAll(async () => {
      engine = await descriptor.create(engineSettings(config, descriptor.name));
      await engine.load();
    }, 120_000);
    afterAll(async () => {
      await engine?.dispose();
    });

    it('describes itself consistently', () => {
      expect(engine.name).toBe(descriptor.name);
      expect(caps.sampleRate).toBeGreaterThanOrEqual(8000);
      expect(caps.maxChunkChars).toBeGreaterThan(50);
      expect(caps.speed.min).toBeLessThanOrEqual(0.5);
      expect(caps.speed.max).toBeGreaterThanOrEqual(2);
      for (const lang of caps.languages) {
        for (const gender of ['female', 'male'] as const) {
          const name = caps.defaults[lang][gender];
          expect(caps.voices.find((v) => v.name === name)).toMatchObject({ language: lang, gender });
        }
      }
      expect(new Set(caps.voices.map((v) => v.name)).size).toBe(caps.voices.length);
    });

    it('is healthy once loaded', async () => {
      expect((await engine.health()).ok).toBe(true);
    });

    for (const lang of ['en', 'zh'] as const) {
      it(`speaks ${lang}: audible speech of a plausible length`, async () => {
        if (!caps.languages.includes(lang)) return;
        const pcm = await engine.synthesize({
          chunk: chunkOf({ lang, text: SAMPLE[lang] }),
          voice: 'female',
          speed: 1,
        });
        expect(pcm).toBeInstanceOf(Int16Array);
        expect(ms(pcm)).toBeGreaterThan(800);
        expect(ms(pcm)).toBeLessThan(8000);
        expect(rms(pcm)).toBeGreaterThan(0.02);
      });
    }

    it('speaks a mixed chunk as the sum of its runs', async () => {
      const zh = await engine.synthesize({
        chunk: chunkOf({ lang: 'zh', text: SAMPLE.zh }),
        voice: 'female',
        speed: 1,
      });
      const en = await engine.synthesize({
        chunk: chunkOf({ lang: 'en', text: SAMPLE.en }),
        voice: 'female',
        speed: 1,
      });
      const both = await engine.synthesize({
        chunk: chunkOf({ lang: 'zh', text: SAMPLE.zh }, { lang: 'en', text: SAMPLE.en }),
        voice: 'female',
        speed: 1,
      });
      expect(ms(both)).toBeGreaterThan(Math.max(ms(zh), ms(en)));
      expect(ms(both)).toBeLessThan((ms(zh) + ms(en)) * 1.3);
    });

    it('maps speed onto the speaking rate', async () => {
      const chunk = chunkOf({ lang: 'en', text: 'The quick brown fox jumps over the lazy dog.' });
      const slow = await engine.synthesize({ chunk, voice: 'female', speed: caps.speed.min });
      const normal = await engine.synthesize({ chunk, voice: 'female', speed: 1 });
      const fast = await engine.synthesize({ chunk, voice: 'female', speed: caps.speed.max });
      expect(ms(slow)).toBeGreaterThan(ms(normal) * 1.4);
      expect(ms(fast)).toBeLessThan(ms(normal) * 0.75);
    });

    for (const lang of caps.languages) {
      it(`has a female voice that sounds higher than the male voice (${lang})`, async () => {
        const chunk = chunkOf({ lang, text: SAMPLE[lang] });
        const f = medianPitch(await engine.synthesize({ chunk, voice: 'female', speed: 1 }), sr);
        const m = medianPitch(await engine.synthesize({ chunk, voice: 'male', speed: 1 }), sr);
        expect(f).toBeGreaterThan(m * 1.2);
      });
    }

    it('accepts every named voice', async () => {
      for (const v of caps.voices) {
        const pcm = await engine.synthesize({
          chunk: chunkOf({ lang: v.language, text: SAMPLE[v.language] }),
          voice: v.name,
          speed: 1,
        });
        expect(rms(pcm), v.name).toBeGreaterThan(0.02);
      }
    });

    it('handles a chunk of the maximum size', async () => {
      const text = `${'word '.repeat(caps.maxChunkChars).slice(0, caps.maxChunkChars - 1)}.`;
      const pcm = await engine.synthesize({ chunk: chunkOf({ lang: 'en', text }), voice: 'male', speed: 2 });
      expect(ms(pcm)).toBeGreaterThan(5000);
    });

    it('returns (near-)silence rather than failing for a chunk of only punctuation', async () => {
      const pcm = await engine.synthesize({ chunk: chunkOf({ lang: 'en', text: '...' }), voice: 'female', speed: 1 });
      expect(pcm).toBeInstanceOf(Int16Array);
      expect(ms(pcm)).toBeLessThan(2000);
    });
  });
}
