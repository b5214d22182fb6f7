import type { WordMark } from '../domain/timing.js';
import type { Chunk, Lang } from '../text/types.js';

export type Gender = 'female' | 'male';

/** A voice an engine offers. `name` is what clients send as `voice`. */
export interface VoiceInfo {
  name: string;
  language: Lang;
  gender: Gender;
  /** English, for logs and API clients; pages build their own words from the fields. */
  description: string;
  /** Accent as a BCP 47 tag (`zh-CN`, `en-US`, `en-GB`), when the engine knows it. */
  locale?: string;
  /** The engine's own voice this name stands for (service-wide names that are aliases). */
  alias_of?: string;
}

/** What an engine can do; static, known without loading the engine. */
export interface EngineCapabilities {
  languages: Lang[];
  voices: VoiceInfo[];
  /** Default voice name per language and gender. */
  defaults: Record<Lang, Record<Gender, string>>;
  /** Output sample rate in Hz (mono, 16-bit). */
  sampleRate: number;
  /** Longest chunk, in characters, the engine accepts in one `synthesize` call. */
  maxChunkChars: number;
  speed: { min: number; max: number };
  /**
   * Longest first chunk of a job, in the chunker's units (src/text/chunk-plan.ts), when it should differ
   * from FIRST_CHUNK_CHARS: an engine whose time per character is high makes a stream's first audio wait
   * in proportion, so it starts with a shorter clause.
   */
  firstChunkChars?: number;
}

export interface SynthesisInput {
  chunk: Chunk;
  /** `female`, `male` or one of the engine's voice names. */
  voice: string;
  /** 1.0 is the engine's natural rate. */
  speed: number;
}

/** A chunk's audio plus, from engines that report them, where its words lie in it. */
export interface SynthesisOutput {
  pcm: Int16Array;
  words?: WordMark[];
}

export interface EngineHealth {
  ok: boolean;
  detail?: string;
}

/**
 * The contract every speech engine implements. An instance is created and
 * `load`ed once per worker thread, then reused for every chunk.
 */
export interface TtsEngine {
  readonly name: string;
  readonly capabilities: EngineCapabilities;
  /** Load models/data; must be called once before `synthesize`. */
  load(): Promise<void>;
  /** Synthesize one chunk to 16-bit mono PCM at `capabilities.sampleRate`. */
  synthesize(input: SynthesisInput): Promise<Int16Array>;
  /** Like `synthesize`, with word timings, for engines that report word boundaries. */
  synthesizeTimed?(input: SynthesisInput): Promise<SynthesisOutput>;
  health(): Promise<EngineHealth>;
  dispose(): Promise<void>;
}

/**
 * Static description of an engine: capabilities plus a factory. Importing it must be cheap.
 * `S` is the engine's own slice of the settings (`engineSettings` in src/config cuts it out):
 * plain data, since it is handed to engine threads.
 */
export interface EngineDescriptor<S = unknown> {
  name: string;
  capabilities: EngineCapabilities;
  /** Make an (unloaded) engine; called inside a worker thread. */
  create(settings: S): Promise<TtsEngine>;
  /**
   * Whether the engine can run on this machine (e.g. model files present). When not,
   * `reason` says what is missing and `install` the exact command that fixes it.
   */
  installed(settings: S): Promise<{ ok: boolean; reason?: string; install?: string }>;
  /**
   * Set for engines that run no inference in this process (remote servers over HTTP): a worker runs one
   * instance on its own event loop with `concurrency` chunks in flight, and no engine threads.
   */
  inProcess?: { concurrency: number };
  /**
   * Rounds of warm-up sentences (each language, each gender) before a thread reports ready; default 4.
   * JIT-compiled engines (WebAssembly) reach full speed only after several calls; an ONNX model after one
   * call per kind of input, so more rounds only delay readiness.
   */
  warmupRounds?: number;
}
