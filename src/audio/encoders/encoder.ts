/** The streaming encoder contract shared by every output format. */

/** Bytes to write over the start of the finished file once the total length is known (WAV sizes, FLAC STREAMINFO). */
export interface HeaderPatch {
  offset: number;
  bytes: Buffer;
}

export interface EncoderEnd {
  /** The last encoded bytes (flushed frames, the final Ogg page). */
  tail: Buffer;
  /** Applied to a seekable file only; a streaming client keeps the "unknown length" header it already has. */
  patch?: HeaderPatch;
}

/**
 * One output file or stream: `start()` once, `write()` for every piece of
 * 16-bit mono PCM at `sampleRate`, `finish()` once. Each call returns the
 * bytes that are complete at that point, so a caller can append them to a
 * file (or a response) at once and never holds the whole audio.
 */
export interface AudioEncoder {
  /** Rate of the PCM `write` takes. */
  readonly sampleRate: number;
  /** Rate a decoder gives back when it differs from `sampleRate` (Opus: always 48 kHz). */
  readonly decodedRate?: number;
  readonly contentType: string;
  start(): Buffer;
  write(pcm: Int16Array): Buffer;
  finish(): EncoderEnd;
}

/** 16-bit samples → floats in [-1, 1). */
export function toFloat32(pcm: Int16Array): Float32Array {
  const out = new Float32Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = (pcm[i] ?? 0) / 32768;
  return out;
}

/** Floats → 16-bit samples, clipped. */
export function toInt16(f: Float32Array): Int16Array {
  const out = new Int16Array(f.length);
  for (let i = 0; i < f.length; i++) {
    const v = Math.round((f[i] ?? 0) * 32768);
    out[i] = Math.min(32767, Math.max(-32768, v));
  }
  return out;
}

export const EMPTY = Buffer.alloc(0);
