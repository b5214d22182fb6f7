/** Decoders for the integration tests: every output format back to samples (MIT WASM decoders). */
import { FLACDecoder } from '@wasm-audio-decoders/flac';
import { MPEGDecoder } from 'mpg123-decoder';
import { OggOpusDecoder } from 'ogg-opus-decoder';
import { parseWav } from '../../src/audio/wav.js';

export interface Decoded {
  sampleRate: number;
  samples: number;
  durationMs: number;
  /** Root mean square of the first channel, 0..1 (silence is ~0). */
  rms: number;
  /** The first channel's samples, -1..1. */
  channel: Float32Array;
}

function rmsOf(x: ArrayLike<number>, scale: number): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += ((x[i] ?? 0) / scale) ** 2;
  return x.length ? Math.sqrt(sum / x.length) : 0;
}

export async function decodeAudio(format: string, buf: Buffer, pcmRate?: number): Promise<Decoded> {
  const done = (samples: number, sampleRate: number, rms: number, channel: Float32Array) => ({
    samples,
    sampleRate,
    durationMs: (samples / sampleRate) * 1000,
    rms,
    channel,
  });
  const float = (pcm: Int16Array) => Float32Array.from(pcm, (x) => x / 32768);
  switch (format) {
    case 'wav': {
      const w = parseWav(buf);
      return done(w.samples.length, w.sampleRate, rmsOf(w.samples, 32768), float(w.samples));
    }
    case 'pcm': {
      const pcm = new Int16Array(Buffer.from(buf).buffer, 0, buf.length >> 1);
      return done(buf.length / 2, pcmRate!, rmsOf(pcm, 32768), float(pcm));
    }
    case 'flac': {
      const d = new FLACDecoder();
      await d.ready;
      const r = await d.decodeFile(new Uint8Array(buf));
      d.free();
      return done(
        r.samplesDecoded,
        r.sampleRate,
        rmsOf(r.channelData[0] ?? [], 1),
        r.channelData[0] ?? new Float32Array(),
      );
    }
    case 'mp3': {
      const d = new MPEGDecoder();
      await d.ready;
      const r = d.decode(new Uint8Array(buf));
      d.free();
      return done(
        r.samplesDecoded,
        r.sampleRate,
        rmsOf(r.channelData[0] ?? [], 1),
        r.channelData[0] ?? new Float32Array(),
      );
    }
    case 'opus': {
      const d = new OggOpusDecoder();
      await d.ready;
      const r = await d.decodeFile(new Uint8Array(buf));
      d.free();
      return done(
        r.samplesDecoded,
        r.sampleRate,
        rmsOf(r.channelData[0] ?? [], 1),
        r.channelData[0] ?? new Float32Array(),
      );
    }
  }
  throw new Error(`no decoder for ${format}`);
}
