import type { Format } from '../../domain/job.js';
import { Resampler } from '../resample.js';
import type { AudioEncoder, EncoderEnd } from './encoder.js';
import { createEncoder, encodedRate } from './index.js';
import type { Mp3Bitrate } from './rates.js';

/** What one output needs: its format, the engine's rate, the rate the client asked for. */
export interface TranscodeSpec {
  format: Format;
  /** Rate of the PCM given to `write` (the engine's). */
  inputRate: number;
  /** Rate the client asked for, if any. */
  sampleRate?: number;
  mp3Bitrate: Mp3Bitrate;
  /** libopus complexity, 0–10. */
  opusComplexity?: number;
}

/** What a reader of the finished file gets: its content type and the rate a decoder gives back. */
export interface TranscodeInfo {
  contentType: string;
  sampleRate: number;
}

/** One output being encoded, wherever the work runs (this thread or the encoder thread). */
export interface TranscodeSession {
  readonly info: TranscodeInfo;
  /** The bytes that open the file (headers). */
  readonly head: Buffer;
  write(pcm: Int16Array): Promise<Buffer>;
  finish(): Promise<EncoderEnd>;
  abort(): Promise<void>;
}

/** A session that encodes on the calling thread: for plain copies (WAV, PCM), tests and tools. */
export async function openLocal(spec: TranscodeSpec): Promise<TranscodeSession> {
  const t = await Transcoder.create(spec);
  return {
    info: t.info,
    head: t.start(),
    write: async (pcm) => t.write(pcm),
    finish: async () => t.finish(),
    abort: async () => t.abort(),
  };
}

/**
 * Engine PCM in, encoded bytes out: resample to the rate the format is
 * encoded at, then encode. Synchronous and CPU-bound; it runs on the
 * encoder thread (or in-process for WAV and PCM, which are only copies).
 */
export class Transcoder {
  /** Finished (or abandoned): the codec's memory is freed, and freeing it twice would corrupt the heap. */
  private done = false;

  private constructor(
    private readonly resampler: Resampler,
    private readonly encoder: AudioEncoder,
  ) {}

  static async create(spec: TranscodeSpec): Promise<Transcoder> {
    const rate = encodedRate(spec.format, spec.inputRate, spec.sampleRate);
    const resampler = await Resampler.create(spec.inputRate, rate);
    const encoder = await createEncoder(spec.format, {
      sampleRate: rate,
      sourceRate: spec.sampleRate ?? spec.inputRate,
      mp3Bitrate: spec.mp3Bitrate,
      opusComplexity: spec.opusComplexity,
    });
    return new Transcoder(resampler, encoder);
  }

  get info(): TranscodeInfo {
    return { contentType: this.encoder.contentType, sampleRate: this.encoder.decodedRate ?? this.encoder.sampleRate };
  }

  start(): Buffer {
    return this.encoder.start();
  }

  write(pcm: Int16Array): Buffer {
    return this.encoder.write(this.resampler.write(pcm));
  }

  /** The resampler's tail, the encoder's last frames, and the header patch for a seekable file. */
  finish(): EncoderEnd {
    if (this.done) throw new Error('this output is already finished');
    this.done = true;
    const rest = this.encoder.write(this.resampler.finish());
    const end = this.encoder.finish();
    return { ...end, tail: rest.length ? Buffer.concat([rest, end.tail]) : end.tail };
  }

  /** Give back the codec's and resampler's WebAssembly memory when the output is abandoned. */
  abort(): void {
    if (this.done) return;
    try {
      this.finish();
    } catch {
      // Already finished or broken: nothing left to free.
    }
  }
}

/** Whether a spec is only a copy (no codec, no resampling): not worth a trip to another thread. */
export const isPlainCopy = (spec: TranscodeSpec): boolean =>
  (spec.format === 'wav' || spec.format === 'pcm') &&
  encodedRate(spec.format, spec.inputRate, spec.sampleRate) === spec.inputRate;
