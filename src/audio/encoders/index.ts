import type { Format } from '../../domain/job.js';
import type { AudioEncoder } from './encoder.js';
import { FlacEncoder } from './flac.js';
import { Mp3Encoder, type Mp3Bitrate } from './mp3.js';
import { OPUS_INPUT_RATES, type OpusInputRate, OpusEncoder, opusInputRate } from './opus.js';
import { PcmEncoder, WavEncoder } from './wav.js';

export type { AudioEncoder, EncoderEnd, HeaderPatch } from './encoder.js';

export interface EncoderOptions {
  /** Sample rate of the PCM the encoder is given. */
  sampleRate: number;
  /** Rate the audio was made at (recorded in Opus' header). */
  sourceRate?: number;
  mp3Bitrate: Mp3Bitrate;
  /** libopus complexity, 0–10 (OPUS_COMPLEXITY; default 5). */
  opusComplexity?: number;
}

/**
 * The rate PCM is fed to a format's encoder when the client asked for `requested` (or nothing).
 * Opus takes the lowest input rate it accepts at or above that (24 kHz for Kokoro and espeak-ng),
 * not 48 kHz: resampling 22.05 → 24 kHz costs half as much, and a decoder still gives 48 kHz.
 */
export function encodedRate(format: Format, engineRate: number, requested?: number): number {
  if (format === 'opus') return opusInputRate(requested ?? engineRate);
  return requested ?? engineRate;
}

const isOpusRate = (r: number): r is OpusInputRate => (OPUS_INPUT_RATES as readonly number[]).includes(r);

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
      if (!isOpusRate(opts.sampleRate))
        throw new RangeError(`libopus takes ${OPUS_INPUT_RATES.join(', ')} Hz input, got ${opts.sampleRate}`);
      return new OpusEncoder(opts.sampleRate, opts.sourceRate ?? opts.sampleRate, opts.opusComplexity);
  }
}
