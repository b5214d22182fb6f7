import { pcmBytes, wavHeader } from '../wav.js';
import type { AudioEncoder, EncoderEnd } from './encoder.js';

/**
 * 16-bit PCM WAV. The header is written first with 0xFFFFFFFF "unknown
 * length" sizes, which players accept for a stream; the file gets the real
 * sizes patched in when it is finished.
 */
export class WavEncoder implements AudioEncoder {
  readonly contentType = 'audio/wav';
  private dataBytes = 0;
  constructor(readonly sampleRate: number) {}

  start(): Buffer {
    const h = wavHeader(this.sampleRate, 0);
    h.writeUInt32LE(0xffffffff, 4);
    h.writeUInt32LE(0xffffffff, 40);
    return h;
  }

  write(pcm: Int16Array): Buffer {
    this.dataBytes += pcm.byteLength;
    return Buffer.from(pcmBytes(pcm));
  }

  finish(): EncoderEnd {
    return { tail: Buffer.alloc(0), patch: { offset: 0, bytes: wavHeader(this.sampleRate, this.dataBytes) } };
  }
}

/** Raw s16le samples, no header: the sample rate travels in a response header. */
export class PcmEncoder implements AudioEncoder {
  readonly contentType = 'audio/pcm';
  constructor(readonly sampleRate: number) {}
  start(): Buffer {
    return Buffer.alloc(0);
  }
  write(pcm: Int16Array): Buffer {
    return Buffer.from(pcmBytes(pcm));
  }
  finish(): EncoderEnd {
    return { tail: Buffer.alloc(0) };
  }
}
