import type { Format } from '../../domain/job.js';
import type { AudioEncoder } from './encoder.js';
import { FlacEncoder } from './flac.js';
import { Mp3Encoder, type Mp3Bitrate } from './mp3.js';
import { OPUS_RATE, OpusEncoder } from './opus.js';
import { PcmEncoder, WavEncoder } from './wav.js';

export type { AudioEncoder, EncoderEnd, HeaderPatch } from './encoder.js';

export interface EncoderOptions {
  /** Sample rate of the PCM the encoder is given. */
  sampleRate: number;
  /** Rate the audio was made at (recorded in Opus' header). */
  sourceRate?: number;
  mp3Bitrate: Mp3Bitrate;
}

/** The rate a format is encoded at when the client asked for `requested` (or nothing). */
export function encodedRate(format: Format, engineRate: number, requested?: number): number {
  if (format === 'opus') return OPUS_RATE;
  return requested ?? engineRate;
}

/** A fresh streaming encoder for one output. */
export async function createEncoder(format: Format, opts: EncoderOptions): Promise<AudioEncoder> {
  switch (format) {
    case 'wav':
      return new WavEncoder(opts.sampleRate);
    case 'pcm':
      return new PcmEncoder(opts.sampleRate);
    case 'mp3':
      return Mp3Encoder.create(opts.sampleRate, opts.mp3Bitrate);
    case 'flac':
      return FlacEncoder.create(opts.sampleRate);
    case 'opus':
      if (opts.sampleRate !== OPUS_RATE)
        throw new RangeError(`Opus is encoded at ${OPUS_RATE} Hz, got ${opts.sampleRate}`);
      return new OpusEncoder(opts.sourceRate ?? OPUS_RATE);
  }
}
