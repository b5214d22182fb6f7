import { availableParallelism } from 'node:os';
import type { KokoroConfig } from './settings.js';
import { engineFailure } from '../../domain/errors.js';
import { concatPcm, silence, trimSilence } from '../../audio/pcm.js';
import type { EngineHealth, SynthesisInput, TtsEngine } from '../engine.js';
import type { RunStats } from '../onnx/index.js';
import { splitTokens, type Boundary } from './batches.js';
import { kokoroFiles, missingFiles, type KokoroFiles } from './files.js';
import { KokoroFrontEnd } from './frontend.js';
import { EnPhonemizer } from './g2p-en.js';
import { ZhPhonemizer } from './g2p-zh.js';
import { KokoroModel } from './model.js';
import type { CacheStats } from './phoneme-cache.js';
import { Vocab } from './vocab.js';
import { runPhonemes } from './run-phonemes.js';
import { KOKORO_CAPABILITIES } from './voices.js';

/** Pauses (ms at speed 1) where the model's output is joined: after a cut of each kind, between language runs, at a chunk's end. */
const PAUSE_MS: Record<Boundary, number> = { sentence: 300, clause: 160, word: 60, none: 0 };
const RUN_GAP_MS = 80;
const CHUNK_TAIL_MS = 250;
/** Model padding kept at the edges of each call's audio, so consonants are not clipped. */
const KEEP_EDGE_MS = 25;

export interface KokoroSettings {
  files: KokoroFiles;
  threads: number;
  cacheCapacity: number;
}

/** Engine time split: total inside `synthesize` vs inside `session.run` (for the benchmark). */
export interface KokoroStats extends RunStats {
  synthMs: number;
  cache: CacheStats;
}

/**
 * Kokoro-82M on onnxruntime-node. Text runs are phonemized (espeak-ng for
 * English, jieba + pinyin for Mandarin), cut into ≤ 510-token calls, read with
 * the run's voice and stitched with short pauses.
 */
export class KokoroEngine implements TtsEngine {
  readonly name = 'kokoro';
  readonly capabilities = KOKORO_CAPABILITIES;
  private parts?: { model: KokoroModel; vocab: Vocab; frontEnd: KokoroFrontEnd };
  private synthMs = 0;

  constructor(private readonly settings: KokoroSettings) {}

  static fromConfig(config: KokoroConfig): KokoroEngine {
    const threads = config.kokoroThreads || Math.max(1, Math.floor(availableParallelism() / config.workerConcurrency));
    return new KokoroEngine({
      files: kokoroFiles(config.modelsDir, config.kokoroVariant),
      threads,
      cacheCapacity: config.kokoroPhonemeCache,
    });
  }

  async load(): Promise<void> {
    const { files, threads, cacheCapacity } = this.settings;
    const missing = missingFiles(files);
    if (missing.length) throw engineFailure(`Kokoro model files missing: ${missing.join(', ')}`);
    const [model, vocab, en, zh] = await Promise.all([
      KokoroModel.load(files.model, files.voices, threads),
      Vocab.load(files.config),
      EnPhonemizer.create(),
      ZhPhonemizer.create(),
    ]);
    const frontEnd = new KokoroFrontEnd({ en, zh }, cacheCapacity);
    frontEnd.prewarm();
    this.parts = { model, vocab, frontEnd };
  }

  async synthesize({ chunk, voice, speed }: SynthesisInput): Promise<Int16Array> {
    if (!this.parts) throw engineFailure('kokoro engine used before load()');
    const t0 = performance.now();
    const { model, vocab, frontEnd } = this.parts;
    const sr = this.capabilities.sampleRate;
    const rate = Math.min(this.capabilities.speed.max, Math.max(this.capabilities.speed.min, speed));
    const pause = (ms: number) => silence(sr, ms / rate);
    const out: Int16Array[] = [];
    for (const run of chunk.runs) {
      const { voice: name, phonemes, spoken } = runPhonemes(frontEnd, run, voice);
      if (!spoken) continue;
      const ids = vocab.encode(phonemes);
      const style = await model.voice(name);
      const batches = splitTokens(ids, vocab);
      if (out.length && batches.length) out.push(pause(RUN_GAP_MS));
      for (const batch of batches) {
        const pcm = toPcm(await model.infer(batch.ids, style, rate));
        const trimmed = trimSilence(pcm, sr, { keepLeadMs: KEEP_EDGE_MS, keepTrailMs: KEEP_EDGE_MS });
        if (trimmed.length) out.push(trimmed);
        if (batch.end !== 'none') out.push(pause(PAUSE_MS[batch.end]));
      }
    }
    if (out.length) out.push(pause(CHUNK_TAIL_MS));
    this.synthMs += performance.now() - t0;
    return concatPcm(out);
  }

  stats(): KokoroStats {
    if (!this.parts) return { runs: 0, runMs: 0, synthMs: 0, cache: { hits: 0, misses: 0, size: 0, capacity: 0 } };
    return { ...this.parts.model.runStats(), synthMs: this.synthMs, cache: this.parts.frontEnd.cacheStats() };
  }

  /** Kokoro phonemes and token ids for a run (diagnostics and tests). */
  phonemes(text: string, lang: 'en' | 'zh', voice = 'female'): { phonemes: string; ids: number[] } {
    if (!this.parts) throw engineFailure('kokoro engine used before load()');
    const { phonemes } = runPhonemes(this.parts.frontEnd, { lang, text }, voice);
    return { phonemes, ids: this.parts.vocab.encode(phonemes) };
  }

  async health(): Promise<EngineHealth> {
    if (!this.parts) return { ok: false, detail: 'not loaded' };
    const c = this.parts.frontEnd.cacheStats();
    return { ok: true, detail: `phoneme cache: ${c.hits} hits, ${c.misses} misses, ${c.size}/${c.capacity} entries` };
  }

  async dispose(): Promise<void> {
    const parts = this.parts;
    this.parts = undefined;
    await parts?.model.release();
  }
}

/** Float waveform in [-1, 1] → 16-bit PCM, clipped. */
function toPcm(wave: Float32Array): Int16Array {
  const pcm = new Int16Array(wave.length);
  for (let i = 0; i < wave.length; i++) {
    const v = (wave[i] ?? 0) * 32767;
    pcm[i] = Math.min(32767, Math.max(-32768, v));
  }
  return pcm;
}
