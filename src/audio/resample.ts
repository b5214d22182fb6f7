/** The parts of the Speex resampler's Emscripten module we call. */
interface SpeexModule {
  HEAP16: Int16Array;
  HEAPU32: Uint32Array;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  _speex_resampler_init(channels: number, inRate: number, outRate: number, quality: number, errPtr: number): number;
  _speex_resampler_skip_zeros(st: number): number;
  _speex_resampler_get_input_latency(st: number): number;
  _speex_resampler_process_int(
    st: number,
    channel: number,
    inPtr: number,
    inLenPtr: number,
    outPtr: number,
    outLenPtr: number,
  ): number;
  _speex_resampler_destroy(st: number): void;
}

let speex: Promise<SpeexModule> | undefined;

/** The SpeexDSP resampler compiled to WebAssembly, loaded once per process (or thread). */
function speexModule(): Promise<SpeexModule> {
  speex ??= (async () => {
    type Factory = { default: () => Promise<SpeexModule> };
    // The SIMD build is about twice as fast; Node ≥ 20 has WebAssembly SIMD, the plain build is a safety net.
    const mod = (await import('@echogarden/speex-resampler-wasm/simd').catch(
      () => import('@echogarden/speex-resampler-wasm'),
    )) as Factory;
    return mod.default();
  })();
  return speex;
}

/**
 * Speex quality 5 ("desktop"): a windowed-sinc filter, band-limited like libsamplerate's medium
 * quality, at a fraction of its cost. Speech made at 22.05 or 24 kHz loses nothing audible.
 */
const QUALITY = 5;
/** Input samples per call into the resampler; larger pieces are fed in slices of this size. */
const SLICE = 16_384;

/**
 * Streaming sample-rate conversion (SpeexDSP's resampler, WebAssembly).
 * Feed 16-bit mono PCM piece by piece; `finish()` returns the tail, so the
 * output holds exactly round(input × ratio) samples, aligned with the input
 * (the filter's delay is skipped at the start and flushed at the end).
 */
export class Resampler {
  private inFrames = 0;
  private outFrames = 0;

  private constructor(
    private readonly m: SpeexModule | undefined,
    /** Resampler state, input slice, output slice, and the two length cells. */
    private readonly ptrs: { st: number; inP: number; outP: number; inLen: number; outLen: number; outCap: number },
    readonly fromRate: number,
    readonly toRate: number,
  ) {}

  static async create(fromRate: number, toRate: number): Promise<Resampler> {
    const none = { st: 0, inP: 0, outP: 0, inLen: 0, outLen: 0, outCap: 0 };
    if (fromRate === toRate) return new Resampler(undefined, none, fromRate, toRate);
    const m = await speexModule();
    const err = m._malloc(4);
    const st = m._speex_resampler_init(1, fromRate, toRate, QUALITY, err);
    const code = m.HEAPU32[err >> 2] ?? -1;
    m._free(err);
    if (!st || code !== 0) throw new Error(`speex resampler init failed (${fromRate} → ${toRate} Hz, error ${code})`);
    m._speex_resampler_skip_zeros(st);
    const outCap = Math.ceil((SLICE * toRate) / fromRate) + 64;
    const ptrs = {
      st,
      inP: m._malloc(SLICE * 2),
      outP: m._malloc(outCap * 2),
      inLen: m._malloc(4),
      outLen: m._malloc(4),
      outCap,
    };
    return new Resampler(m, ptrs, fromRate, toRate);
  }

  private get expected(): number {
    return Math.round((this.inFrames * this.toRate) / this.fromRate);
  }

  /** Run `pcm` through the filter; returns everything it produced. */
  private run(m: SpeexModule, pcm: Int16Array): Int16Array {
    const { st, inP, outP, inLen, outLen, outCap } = this.ptrs;
    const out = new Int16Array(Math.ceil((pcm.length * this.toRate) / this.fromRate) + 64);
    let produced = 0;
    let off = 0;
    while (off < pcm.length) {
      const slice = pcm.subarray(off, off + SLICE);
      // Views are re-read on every call: the heap may have grown (and been replaced) since.
      m.HEAP16.set(slice, inP >> 1);
      m.HEAPU32[inLen >> 2] = slice.length;
      m.HEAPU32[outLen >> 2] = outCap;
      m._speex_resampler_process_int(st, 0, inP, inLen, outP, outLen);
      const used = m.HEAPU32[inLen >> 2] ?? 0;
      const got = m.HEAPU32[outLen >> 2] ?? 0;
      if (used === 0 && got === 0) throw new Error('speex resampler made no progress');
      if (produced + got > out.length) throw new Error('speex resampler produced more than the ratio allows');
      out.set(m.HEAP16.subarray(outP >> 1, (outP >> 1) + got), produced);
      produced += got;
      off += used;
    }
    return out.subarray(0, produced);
  }

  write(pcm: Int16Array): Int16Array {
    const m = this.m;
    if (!m || pcm.length === 0) return pcm;
    this.inFrames += pcm.length;
    const out = this.run(m, pcm);
    // Never more than the exact total: the filter may not run ahead of the input.
    const keep = Math.min(out.length, Math.max(0, this.expected - this.outFrames));
    this.outFrames += keep;
    return out.subarray(0, keep);
  }

  /** The filter's delayed tail (zeros pushed through), then the resampler is freed. */
  finish(): Int16Array {
    const m = this.m;
    if (!m) return new Int16Array(0);
    const latency = m._speex_resampler_get_input_latency(this.ptrs.st);
    const out = this.run(m, new Int16Array(latency + 64));
    const keep = Math.min(out.length, Math.max(0, this.expected - this.outFrames));
    this.outFrames += keep;
    const { st, inP, outP, inLen, outLen } = this.ptrs;
    m._speex_resampler_destroy(st);
    for (const p of [inP, outP, inLen, outLen]) m._free(p);
    // Pad in the unlikely case the filter still held back a sample or two: the length promise holds.
    const tail = new Int16Array(keep + Math.max(0, this.expected - this.outFrames));
    tail.set(out.subarray(0, keep));
    this.outFrames += tail.length - keep;
    return tail;
  }
}
