import { engineFailure } from '../../domain/errors.js';
import { concatPcm, silence, trimSilence } from '../../audio/pcm.js';
import type { EngineHealth, SynthesisInput, TtsEngine } from '../engine.js';
import { resolveVoice } from '../voice.js';
import { ESPEAK_CAPABILITIES, ESPEAK_VOICE_IDS } from './voices.js';

/** The parts of the Emscripten module's eSpeakNGWorker we use. */
interface ESpeakWorker {
  set_voice(name: string): number;
  set_rate(wpm: number): number;
  synthesize(text: string, cb: (samples: Int16Array | null, events: unknown[]) => number): void;
  synthesize_ipa(text: string, cb: () => number): { code: number; ipa: string };
}

const NORMAL_WPM = 175;
/** Gap between language runs inside one chunk, and the pause kept at a chunk's end. */
const RUN_GAP_MS = 60;
const CHUNK_TAIL_MS = 220;

/**
 * espeak-ng compiled to JavaScript (Echogarden's Emscripten build). Unlike
 * Debian's espeak-ng 1.51 it reads Mandarin tones correctly. One instance
 * holds one resident espeak-ng runtime; it is single-threaded, so each
 * worker thread owns its own.
 */
export class EspeakEngine implements TtsEngine {
  readonly name = 'espeak';
  readonly capabilities = ESPEAK_CAPABILITIES;
  private worker: ESpeakWorker | undefined;
  private currentVoice = '';
  private currentRate = -1;

  async load(): Promise<void> {
    const { default: factory } = (await import('@echogarden/espeak-ng-emscripten')) as {
      default: () => Promise<{ eSpeakNGWorker: new () => ESpeakWorker }>;
    };
    const mod = await factory();
    this.worker = new mod.eSpeakNGWorker();
  }

  private use(voiceId: string, wpm: number): void {
    const w = this.worker;
    if (!w) throw engineFailure('espeak engine used before load()');
    if (voiceId !== this.currentVoice) {
      if (w.set_voice(voiceId) !== 0) throw engineFailure(`espeak-ng could not select voice ${voiceId}`);
      this.currentVoice = voiceId;
      this.currentRate = -1; // selecting a voice resets the rate
    }
    if (wpm !== this.currentRate) {
      w.set_rate(wpm);
      this.currentRate = wpm;
    }
  }

  private speak(text: string): Int16Array {
    const parts: Int16Array[] = [];
    if (!this.worker) throw engineFailure('espeak engine used before load()');
    this.worker.synthesize(text, (samples) => {
      if (samples?.length) parts.push(samples);
      return 0; // 0 = keep going
    });
    return concatPcm(parts);
  }

  async synthesize({ chunk, voice, speed }: SynthesisInput): Promise<Int16Array> {
    if (!this.worker) throw engineFailure('espeak engine used before load()');
    const sr = this.capabilities.sampleRate;
    const wpm = Math.round(Math.min(450, Math.max(80, NORMAL_WPM * speed)));
    const out: Int16Array[] = [];
    chunk.runs.forEach((run, i) => {
      const name = resolveVoice(this.capabilities, voice, run.lang);
      const id = ESPEAK_VOICE_IDS[name];
      if (id === undefined) throw engineFailure(`espeak has no voice "${name}"`);
      this.use(id, wpm);
      const pcm = this.speak(run.text);
      const last = i === chunk.runs.length - 1;
      const trimmed = trimSilence(pcm, sr, { keepLeadMs: i === 0 ? 20 : 0, keepTrailMs: last ? CHUNK_TAIL_MS : 0 });
      if (trimmed.length === 0) return;
      if (out.length) out.push(silence(sr, RUN_GAP_MS));
      out.push(trimmed);
    });
    return concatPcm(out);
  }

  /** IPA for `text` read by an espeak-ng voice id (diagnostics and tests). */
  phonemes(text: string, voiceId: string): string {
    if (!this.worker) throw engineFailure('espeak engine used before load()');
    this.use(voiceId, NORMAL_WPM);
    return this.worker.synthesize_ipa(text, () => 0).ipa.trim();
  }

  async health(): Promise<EngineHealth> {
    return this.worker ? { ok: true } : { ok: false, detail: 'not loaded' };
  }

  async dispose(): Promise<void> {
    this.worker = undefined;
  }
}

export function create(): TtsEngine {
  return new EspeakEngine();
}
