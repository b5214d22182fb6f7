/** Decoders for the integration tests: every output format back to samples (MIT WASM decoders). */
import { FLACDecoder } from '@wasm-audio-decoders/flac';
import { MPEGDecoder } from 'mpg123-decoder';
import { OggOpusDecoder } from 'ogg-opus-decoder';
import { parseWav } from '../../src/audio/wav.js';

export interface Decoded {
  sampleRate: number;
  samples: number;
  durationMs: number;
}

export async function decodeAudio(format: string, buf: Buffer, pcmRate?: number): Promise<Decoded> {
  const done = (samples: number, sampleRate: number) => ({
    samples,
    sampleRate,
    durationMs: (samples / sampleRate) * 1000,
  });
  switch (format) {
    case 'wav': {
      const w = parseWav(buf);
      return done(w.samples.length, w.sampleRate);
    }
    case 'pcm':
      return done(buf.length / 2, pcmRate!);
    case 'flac': {
      const d = new FLACDecoder();
      await d.ready;
      const r = await d.decodeFile(new Uint8Array(buf));
      d.free();
      return done(r.samplesDecoded, r.sampleRate);
    }
    case 'mp3': {
      const d = new MPEGDecoder();
      await d.ready;
      const r = d.decode(new Uint8Array(buf));
      d.free();
      return done(r.samplesDecoded, r.sampleRate);
    }
    case 'opus': {
      const d = new OggOpusDecoder();
      await d.ready;
      const r = await d.decodeFile(new Uint8Array(buf));
      d.free();
      return done(r.samplesDecoded, r.sampleRate);
    }
  }
  throw new Error(`no decoder for ${format}`);
}
