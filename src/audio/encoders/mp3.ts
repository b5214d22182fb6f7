import { createMp3Encoder, type WasmMediaEncoder } from 'wasm-media-encoders';
import { type AudioEncoder, type EncoderEnd, toFloat32 } from './encoder.js';

import { type Mp3Bitrate, OUTPUT_SAMPLE_RATES } from './rates.js';

export type { Mp3Bitrate } from './rates.js';

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
    const lame = await createMp3Encoder();
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
