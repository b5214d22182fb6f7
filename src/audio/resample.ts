import { createRequire } from 'node:module';
import { toFloat32, toInt16 } from './encoders/encoder.js';

type Lsr = typeof import('@alexanderolsen/libsamplerate-js');
type Src = Awaited<ReturnType<Lsr['create']>>;
const lsr = createRequire(import.meta.url)('@alexanderolsen/libsamplerate-js') as Lsr;

/** Silence fed at the end to push libsamplerate's filter delay out (it has no end-of-input call here). */
const FLUSH_MS = 100;

/**
 * Streaming sample-rate conversion with libsamplerate's windowed-sinc filter
 * (medium quality: band-limited, no aliasing from a naive interpolation).
 * Feed 16-bit mono PCM piece by piece; `finish()` returns the tail, so the
 * output holds exactly round(input × ratio) samples.
 */
export class Resampler {
  private inFrames = 0;
  private outFrames = 0;

  private constructor(
    private readonly src: Src | undefined,
    readonly fromRate: number,
    readonly toRate: number,
  ) {}

  static async create(fromRate: number, toRate: number): Promise<Resampler> {
    if (fromRate === toRate) return new Resampler(undefined, fromRate, toRate);
    const src = await lsr.create(1, fromRate, toRate, { converterType: lsr.ConverterType.SRC_SINC_MEDIUM_QUALITY });
    return new Resampler(src, fromRate, toRate);
  }

  private get expected(): number {
    return Math.round((this.inFrames * this.toRate) / this.fromRate);
  }

  write(pcm: Int16Array): Int16Array {
    if (!this.src) return pcm;
    if (pcm.length === 0) return pcm;
    this.inFrames += pcm.length;
    const out = this.src.full(toFloat32(pcm));
    // Never more than the exact total: the filter may not run ahead of the input.
    const keep = Math.min(out.length, Math.max(0, this.expected - this.outFrames));
    this.outFrames += keep;
    return toInt16(out.subarray(0, keep));
  }

  finish(): Int16Array {
    if (!this.src) return new Int16Array(0);
    const parts: Float32Array[] = [];
    const zeros = new Float32Array(Math.ceil((this.fromRate * FLUSH_MS) / 1000));
    let missing = this.expected - this.outFrames;
    for (let i = 0; i < 20 && missing > 0; i++) {
      const out = this.src.full(zeros);
      const keep = out.subarray(0, Math.min(out.length, missing));
      parts.push(Float32Array.from(keep));
      missing -= keep.length;
    }
    this.src.destroy();
    const total = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let off = 0;
    for (const p of parts) {
      total.set(p, off);
      off += p.length;
    }
    this.outFrames += total.length;
    return toInt16(total);
  }
}
