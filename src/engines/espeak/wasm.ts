import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { engineFailure } from '../../domain/errors.js';

/**
 * espeak-ng compiled to WebAssembly by vendor/espeak-ng/build.sh, with a small C interface of ours
 * (vendor/espeak-ng/tandem_espeak.c). It runs espeak-ng's code about 3 × faster than the JavaScript
 * (wasm2js) build in @echogarden/espeak-ng-emscripten, whose compiled data (dictionaries, phonemes,
 * voices) it loads: both come from the same espeak-ng revision, so Mandarin reads the same.
 */
export interface EspeakCore {
  /** espeak-ng's output rate (22050). */
  readonly sampleRate: number;
  /** A voice by espeak-ng name and variant ("cmn+f3"); false when espeak-ng has no such voice. */
  setVoice(name: string): boolean;
  setRate(wpm: number): void;
  /** Synthesises UTF-8 text (SSML and [[phonemes]] on) into samples and events, copied out of the module. */
  synthesize(text: string): { pcm: Int16Array; events: CoreEvent[] };
  /** IPA as espeak-ng's phoneme trace writes it (phonemes joined by "_", tone numbers kept). */
  ipa(text: string): string;
}

/** One of espeak-ng's events: positions are 1-based characters and ms from the text's start. */
export interface CoreEvent {
  type: 'word' | 'sentence' | 'end' | 'msg_terminated';
  text_position: number;
  word_length: number;
  audio_position: number;
}

/** espeak_EVENT_TYPE values the C side keeps (speak_lib.h). */
const EVENT_TYPES: Record<number, CoreEvent['type']> = { 1: 'word', 2: 'sentence', 5: 'end', 6: 'msg_terminated' };

/** Where the data lives inside the module's file system. */
const DATA_DIR = '/espeak-ng-data';
/** Dictionaries of the languages the voices speak; the other 100-odd (ru_dict alone is 10 MB) are not loaded. */
const DICTS = new Set(['en_dict', 'cmn_dict']);

/**
 * vendor/espeak-ng/ at the package root: the nearest one above this file, which sits three levels
 * down in src/ and dist/ but four in the bench's dist-bench/src/.
 */
function vendorDir(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, 'vendor', 'espeak-ng');
    if (existsSync(join(candidate, 'espeak-ng-core.wasm'))) return candidate;
  }
  throw engineFailure('vendor/espeak-ng/espeak-ng-core.wasm not found above the espeak engine');
}

interface Module {
  FS: { mkdirTree(path: string): void; writeFile(path: string, data: Uint8Array): void };
  HEAP16: Int16Array;
  HEAP32: Int32Array;
  HEAPU8: Uint8Array;
  lengthBytesUTF8(s: string): number;
  stringToUTF8(s: string, ptr: number, max: number): void;
  UTF8ToString(ptr: number): string;
  _malloc(n: number): number;
  _free(ptr: number): void;
  _tandem_init(path: number): number;
  _tandem_set_voice(name: number): number;
  _tandem_set_rate(wpm: number): number;
  _tandem_synth(text: number): number;
  _tandem_pcm(): number;
  _tandem_pcm_length(): number;
  _tandem_events(): number;
  _tandem_events_length(): number;
  _tandem_ipa(text: number): number;
}

/**
 * The data files inside @echogarden/espeak-ng-emscripten's espeak-ng.data: one blob, laid out by
 * Emscripten's file packager, whose table of names and byte ranges is written into espeak-ng.js.
 */
function dataFiles(): { name: string; bytes: Uint8Array }[] {
  const js = createRequire(import.meta.url).resolve('@echogarden/espeak-ng-emscripten');
  const table = readFileSync(js, 'utf8');
  const blob = readFileSync(join(dirname(js), 'espeak-ng.data'));
  const files: { name: string; bytes: Uint8Array }[] = [];
  for (const [, name = '', start, end] of table.matchAll(
    /\{filename:"\/usr\/share\/espeak-ng-data\/([^"]+)",start:(\d+),end:(\d+)\}/g,
  )) {
    if (name.endsWith('_dict') && !DICTS.has(name)) continue;
    files.push({ name, bytes: blob.subarray(Number(start), Number(end)) });
  }
  if (!files.some((f) => f.name === 'phondata')) {
    throw engineFailure('espeak-ng data not found in @echogarden/espeak-ng-emscripten (has its layout changed?)');
  }
  return files;
}

/** A fresh module instance with the data in place and espeak-ng initialised. */
export async function loadEspeakCore(): Promise<EspeakCore> {
  const vendor = vendorDir();
  const factory = createRequire(import.meta.url)(join(vendor, 'espeak-ng-core.cjs')) as (
    opts: Record<string, unknown>,
  ) => Promise<Module>;
  // The binary is handed over: Emscripten 3.1.6 would try fetch() on a file path under Node 20.
  const m = await factory({ wasmBinary: readFileSync(join(vendor, 'espeak-ng-core.wasm')) });
  for (const f of dataFiles()) {
    const path = `${DATA_DIR}/${f.name}`;
    m.FS.mkdirTree(path.slice(0, path.lastIndexOf('/')));
    m.FS.writeFile(path, f.bytes);
  }
  /** Calls `fn` with `s` as a NUL-terminated UTF-8 string in the module's memory. */
  const withString = <T>(s: string, fn: (ptr: number) => T): T => {
    const size = m.lengthBytesUTF8(s) + 1;
    const ptr = m._malloc(size);
    try {
      m.stringToUTF8(s, ptr, size);
      return fn(ptr);
    } finally {
      m._free(ptr);
    }
  };
  const sampleRate = withString(DATA_DIR, (p) => m._tandem_init(p));
  if (sampleRate <= 0) throw engineFailure(`espeak-ng could not initialise (${sampleRate})`);
  return {
    sampleRate,
    setVoice: (name) => withString(name, (p) => m._tandem_set_voice(p)) === 0,
    setRate: (wpm) => void m._tandem_set_rate(wpm),
    synthesize(text) {
      const status = withString(text, (p) => m._tandem_synth(p));
      if (status !== 0) throw engineFailure(`espeak-ng synthesis failed (${status})`);
      // The heap may have grown during synthesis: views are read from the module afterwards.
      const at = m._tandem_pcm() >> 1;
      const pcm = m.HEAP16.slice(at, at + m._tandem_pcm_length());
      const base = m._tandem_events() >> 2;
      const events: CoreEvent[] = [];
      for (let i = 0; i < m._tandem_events_length(); i++) {
        const [type = 0, text_position = 0, word_length = 0, audio_position = 0] = m.HEAP32.subarray(
          base + 4 * i,
          base + 4 * i + 4,
        );
        const t = EVENT_TYPES[type];
        if (t) events.push({ type: t, text_position, word_length, audio_position });
      }
      return { pcm, events };
    },
    ipa: (text) => m.UTF8ToString(withString(text, (p) => m._tandem_ipa(p))),
  };
}
