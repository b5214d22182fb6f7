import { engineFailure } from '../../domain/errors.js';
import { concatPcm, silence, trimSilence } from '../../audio/pcm.js';
import type { WordMark } from '../../domain/timing.js';
import { joinRuns } from '../../text/run-text.js';
import type { EngineHealth, SynthesisInput, SynthesisOutput, TtsEngine } from '../engine.js';
import { resolveVoice } from '../voice.js';
import { ESPEAK_CAPABILITIES, ESPEAK_VOICE_IDS } from './voices.js';
import { type EspeakCore, loadEspeakCore } from './wasm.js';

/** A word as espeak-ng reports it: start and end in ms from the start of the text, 0-based character span. */
interface SpokenWord {
  startMs: number;
  endMs: number;
  offset: number;
  length: number;
}

const NORMAL_WPM = 175;
/** Gap between language runs inside one chunk, and the pause kept at a chunk's end. */
const RUN_GAP_MS = 60;
const CHUNK_TAIL_MS = 220;

/**
 * espeak-ng 1.52-dev compiled to WebAssembly (./wasm.ts), with the data of Echogarden's build. Unlike
 * Debian's espeak-ng 1.51 it reads Mandarin tones correctly. One instance holds one resident
 * espeak-ng runtime; it is single-threaded, so each worker thread owns its own.
 */
export class EspeakEngine implements TtsEngine {
  readonly name = 'espeak';
  readonly capabilities = ESPEAK_CAPABILITIES;
  private worker: EspeakCore | undefined;
  private currentVoice = '';
  private currentRate = -1;

  async load(): Promise<void> {
    this.worker = await loadEspeakCore();
  }

  private use(voiceId: string, wpm: number): void {
    const w = this.worker;
    if (!w) throw engineFailure('espeak engine used before load()');
    if (voiceId !== this.currentVoice) {
      if (!w.setVoice(voiceId)) throw engineFailure(`espeak-ng could not select voice ${voiceId}`);
      this.currentVoice = voiceId;
      this.currentRate = -1; // selecting a voice resets the rate
    }
    if (wpm !== this.currentRate) {
      w.setRate(wpm);
      this.currentRate = wpm;
    }
  }

  private speak(text: string): { pcm: Int16Array; words: SpokenWord[] } {
    if (!this.worker) throw engineFailure('espeak engine used before load()');
    const { pcm, events } = this.worker.synthesize(text);
    const words: SpokenWord[] = [];
    let open: SpokenWord | undefined;
    for (const e of events) {
      // A word ends where the next word or the sentence's end begins.
      if ((e.type === 'word' || e.type === 'end') && open) {
        open.endMs = Math.max(open.startMs, e.audio_position);
        open = undefined;
      }
      if (e.type === 'word' && e.word_length > 0) {
        open = {
          startMs: e.audio_position,
          endMs: e.audio_position,
          offset: e.text_position - 1,
          length: e.word_length,
        };
        words.push(open);
      }
    }
    if (open) open.endMs = (pcm.length / this.capabilities.sampleRate) * 1000;
    return { pcm, words: spanWords(words, text) };
  }

  async synthesize(input: SynthesisInput): Promise<Int16Array> {
    return (await this.synthesizeTimed(input)).pcm;
  }

  async synthesizeTimed({ chunk, voice, speed }: SynthesisInput): Promise<SynthesisOutput> {
    if (!this.worker) throw engineFailure('espeak engine used before load()');
    const sr = this.capabilities.sampleRate;
    const wpm = Math.round(Math.min(450, Math.max(80, NORMAL_WPM * speed)));
    const out: Int16Array[] = [];
    const marks: WordMark[] = [];
    let at = 0; // samples of `out` so far
    // Where each run starts in the chunk's text, which word offsets index (as captions join it).
    const { starts } = joinRuns(chunk.runs);
    chunk.runs.forEach((run, i) => {
      const name = resolveVoice(this.capabilities, voice, run.lang);
      const id = ESPEAK_VOICE_IDS[name];
      if (id === undefined) throw engineFailure(`espeak has no voice "${name}"`);
      this.use(id, wpm);
      // espeak-ng's Mandarin voice reads tone-numbered pinyin as written. IPA has no way in through
      // this build (its [[…]] phoneme input is not enabled), so an English pronunciation is not applied.
      const { pcm, words: spoken } = this.speak(
        run.ph?.pinyin ?? (run.lang === 'zh' ? widePunctuation(run.text) : run.text),
      );
      const first = spoken[0];
      // Words of substituted pinyin index the pinyin: the run is one word of the chunk's text.
      const words = run.ph?.pinyin && first ? [{ ...first, offset: 0, length: run.text.length }] : spoken;
      const base = starts[i] ?? 0;
      const last = i === chunk.runs.length - 1;
      const trimmed = trimSilence(pcm, sr, { keepLeadMs: i === 0 ? 20 : 0, keepTrailMs: last ? CHUNK_TAIL_MS : 0 });
      if (trimmed.length === 0) return;
      if (out.length) {
        const gap = silence(sr, RUN_GAP_MS);
        out.push(gap);
        at += gap.length;
      }
      // trimSilence returns a view: its offset into `pcm` is what was cut from the front.
      const cut = (trimmed.byteOffset - pcm.byteOffset) / Int16Array.BYTES_PER_ELEMENT;
      const toSample = (ms: number) => at + Math.min(trimmed.length, Math.max(0, Math.round((ms * sr) / 1000) - cut));
      for (const w of words) {
        marks.push({ start: toSample(w.startMs), end: toSample(w.endMs), offset: base + w.offset, length: w.length });
      }
      out.push(trimmed);
      at += trimmed.length;
    });
    return { pcm: concatPcm(out), words: marks };
  }

  /** IPA for `text` read by an espeak-ng voice id (diagnostics and tests). */
  phonemes(text: string, voiceId: string): string {
    if (!this.worker) throw engineFailure('espeak engine used before load()');
    this.use(voiceId, NORMAL_WPM);
    return this.worker.ipa(text).trim();
  }

  async health(): Promise<EngineHealth> {
    return this.worker ? { ok: true } : { ok: false, detail: 'not loaded' };
  }

  async dispose(): Promise<void> {
    this.worker = undefined;
  }
}

const WIDE: Record<string, string> = { '?': '？', '!': '！', ',': '，', ';': '；', ':': '：', '.': '。' };

/**
 * NFKC has turned "？" into "?". Glued between two Han characters, an ASCII mark makes espeak-ng's Mandarin
 * voice report one word twice and lose the next (你好吗?我 → 吗?我, 吗?我); the full-width mark it expects does
 * not. Same length, so the word positions it reports still index the run's text. Digits keep their "3.14".
 */
export function widePunctuation(text: string): string {
  return text.replace(/(?<=\p{Script=Han})[?!,;:.](?![0-9A-Za-z])/gu, (c) => WIDE[c] ?? c);
}

/**
 * espeak-ng's Mandarin voice reports every word with length 1, although its words (你好, 很好) span several
 * characters; its positions are right. A word therefore runs from its own start to the next word's start (the
 * last one to the end of the text), less the spaces and punctuation between them. For English this gives the
 * lengths espeak-ng reports itself.
 */
export function spanWords(words: SpokenWord[], text: string): SpokenWord[] {
  return words.map((w, i) => {
    const next = words[i + 1]?.offset ?? text.length;
    let end = Math.max(next, w.offset + w.length);
    while (end > w.offset + 1 && !/[\p{L}\p{N}]/u.test(text.charAt(end - 1))) end--;
    return { ...w, length: Math.max(1, Math.min(end, text.length) - w.offset) };
  });
}

export function create(): TtsEngine {
  return new EspeakEngine();
}
