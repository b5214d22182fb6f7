import { createRequire } from 'node:module';
import type { StreamMetadata } from 'libflacjs/dist/index.d.js';
import type { AudioEncoder, EncoderEnd } from './encoder.js';

type Flac = ReturnType<typeof import('libflacjs')>;
let loaded: Promise<Flac> | undefined;

/** libflac.js, its WebAssembly build, loaded once per process (or thread). */
function libflac(): Promise<Flac> {
  loaded ??= new Promise<Flac>((resolve) => {
    const factory = createRequire(import.meta.url)('libflacjs') as typeof import('libflacjs');
    // The WebAssembly build (4–5× faster than the asm.js one) prefers fetch() for its .wasm, and Node's
    // fetch cannot open a file path; without fetch it reads the file with fs. The script decides
    // synchronously while it is required, so fetch is hidden for exactly that call.
    const realFetch = globalThis.fetch;
    let flac: Flac;
    try {
      Reflect.deleteProperty(globalThis, 'fetch');
      flac = factory('release.wasm');
    } finally {
      globalThis.fetch = realFetch;
    }
    if (flac.isReady()) resolve(flac);
    else flac.on('ready', () => resolve(flac));
  });
  return loaded;
}

/** Compression level 5 is libFLAC's default: good ratio, cheap for speech. */
const COMPRESSION = 5;

/**
 * FLAC through libFLAC (libflacjs). The STREAMINFO block is written first
 * with an unknown total length; the finished file gets the sample count and
 * MD5 patched in.
 */
export class FlacEncoder implements AudioEncoder {
  readonly contentType = 'audio/flac';
  private pending: Buffer[] = [];
  private info: StreamMetadata | undefined;
  private samples = 0;
  private started = false;
  /** libFLAC takes 32-bit samples: one buffer reused for the widening, not one per write. */
  private wide = new Int32Array(0);

  private constructor(
    private readonly flac: Flac,
    private readonly id: number,
    readonly sampleRate: number,
  ) {}

  static async create(sampleRate: number): Promise<FlacEncoder> {
    const flac = await libflac();
    const id = flac.create_libflac_encoder(sampleRate, 1, 16, COMPRESSION, 0, false);
    if (!id) throw new Error('libFLAC could not create an encoder');
    const enc = new FlacEncoder(flac, id, sampleRate);
    const status = flac.init_encoder_stream(
      id,
      (data) => void enc.pending.push(Buffer.from(data)),
      (meta) => {
        enc.info = meta;
      },
    );
    if (status !== 0) {
      flac.FLAC__stream_encoder_delete(id);
      throw new Error(`libFLAC encoder init failed (status ${status})`);
    }
    return enc;
  }

  private drain(): Buffer {
    const out = Buffer.concat(this.pending);
    this.pending = [];
    return out;
  }

  start(): Buffer {
    this.started = true;
    return this.drain(); // "fLaC" and STREAMINFO, written at init
  }

  write(pcm: Int16Array): Buffer {
    if (pcm.length > 0) {
      if (this.wide.length < pcm.length) this.wide = new Int32Array(pcm.length);
      this.wide.set(pcm);
      const ok = this.flac.FLAC__stream_encoder_process_interleaved(this.id, this.wide, pcm.length);
      if (!ok) throw new Error(`libFLAC encoding failed (state ${this.flac.FLAC__stream_encoder_get_state(this.id)})`);
      this.samples += pcm.length;
    }
    return this.drain();
  }

  finish(): EncoderEnd {
    if (!this.started) this.start();
    this.flac.FLAC__stream_encoder_finish(this.id);
    this.flac.FLAC__stream_encoder_delete(this.id);
    return {
      tail: this.drain(),
      patch: { offset: STREAMINFO_AT + 10, bytes: streamInfoTail(this.sampleRate, this.samples, this.info?.md5sum) },
    };
  }
}

/** STREAMINFO's body starts after "fLaC" and the 4-byte block header. */
const STREAMINFO_AT = 8;

/**
 * Bytes 10..33 of STREAMINFO: sample rate (20 bits), channels − 1 (3),
 * bits per sample − 1 (5), total samples (36), MD5 of the audio (128).
 */
export function streamInfoTail(sampleRate: number, totalSamples: number, md5hex?: string): Buffer {
  const b = Buffer.alloc(24);
  const channels = 1;
  const bps = 16;
  b[0] = (sampleRate >> 12) & 0xff;
  b[1] = (sampleRate >> 4) & 0xff;
  b[2] = ((sampleRate & 0x0f) << 4) | ((channels - 1) << 1) | ((bps - 1) >> 4);
  const hi = Math.floor(totalSamples / 2 ** 32) & 0x0f;
  b[3] = (((bps - 1) & 0x0f) << 4) | hi;
  b.writeUInt32BE(totalSamples >>> 0, 4);
  if (md5hex && /^[0-9a-f]{32}$/i.test(md5hex)) Buffer.from(md5hex, 'hex').copy(b, 8);
  return b;
}
