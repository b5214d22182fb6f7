import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createEncoder, type WasmMediaEncoder } from 'wasm-media-encoders';
import { type AudioEncoder, type EncoderEnd, toFloat32 } from './encoder.js';

import { type Mp3Bitrate, OUTPUT_SAMPLE_RATES } from './rates.js';

export type { Mp3Bitrate } from './rates.js';

/** LAME's compiled WebAssembly module, once known (the type names it without needing the DOM lib). */
let compiled: Parameters<typeof createEncoder>[1] | undefined;

/**
 * A LAME instance from a module compiled once per process (or thread): `createMp3Encoder` would
 * compile LAME's WebAssembly again for every file, 10–40 ms of CPU per job.
 */
async function lameInstance(): Promise<WasmMediaEncoder<'audio/mpeg'>> {
  if (compiled) return createEncoder('audio/mpeg', compiled);
  const bytes = await readFile(createRequire(import.meta.url).resolve('wasm-media-encoders/wasm/mp3'));
  return createEncoder('audio/mpeg', bytes, (module) => {
    compiled = module;
  });
}

/** MP3 through LAME (wasm-media-encoders): constant bitrate, mono, frames as they are made. */
export class Mp3Encoder implements AudioEncoder {
  readonly contentType = 'audio/mpeg';
  private constructor(
    private readonly lame: WasmMediaEncoder<'audio/mpeg'>,
    readonly sampleRate: number,
  ) {}

  static async create(sampleRate: number, bitrate: Mp3Bitrate): Promise<Mp3Encoder> {
    if (!(OUTPUT_SAMPLE_RATES as readonly number[]).includes(sampleRate))
      throw new RangeError(`MP3 cannot carry ${sampleRate} Hz`);
    const lame = await lameInstance();
    lame.configure({ channels: 1, sampleRate, bitrate });
    return new Mp3Encoder(lame, sampleRate);
  }

  start(): Buffer {
    return Buffer.alloc(0);
  }

  write(pcm: Int16Array): Buffer {
    // The returned view points into WASM memory that the next call reuses: copy it out.
    return Buffer.from(this.lame.encode([toFloat32(pcm)]));
  }

  finish(): EncoderEnd {
    return { tail: Buffer.from(this.lame.finalize()) };
  }
}
