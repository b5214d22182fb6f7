import { OPUS_COMPLEXITY } from './rates.js';
import { createRequire } from 'node:module';
import type OpusScriptType from 'opusscript';
import type { AudioEncoder, EncoderEnd } from './encoder.js';
import { HEADER_TYPE, OggMuxer } from './ogg.js';

/** Ogg Opus counts time at 48 kHz (granule positions, pre-skip), and decoders output 48 kHz. */
export const OPUS_RATE = 48_000;
/** Input rates libopus accepts. Encoding at the lowest one that holds the source saves resampling work. */
export const OPUS_INPUT_RATES = [8000, 12000, 16000, 24000, 48000] as const;
export type OpusInputRate = (typeof OPUS_INPUT_RATES)[number];
/** The lowest rate libopus accepts that keeps all of a `rate` signal's band (48 kHz above that). */
export function opusInputRate(rate: number): OpusInputRate {
  return OPUS_INPUT_RATES.find((r) => r >= rate) ?? OPUS_RATE;
}
/** 20 ms frames: the usual choice for speech. */
const FRAME_MS = 20;
/**
 * libopus' encoder lookahead, which a decoder skips (RFC 7845 pre-skip). It is 6.5 ms at every
 * input rate, and pre-skip is always counted at 48 kHz: 312.
 */
const PRE_SKIP = 312;
const BITRATE = 32_000;
/** libopus' control request that sets the encoder's complexity (opus_defines.h). */
const OPUS_SET_COMPLEXITY_REQUEST = 4010;

type OpusScript = typeof OpusScriptType;
const OpusScriptCtor = createRequire(import.meta.url)('opusscript') as OpusScript;

/**
 * Opus (libopus via opusscript) in Ogg pages, one page batch per write.
 * `sampleRate` is the rate of the PCM it is given (one of OPUS_INPUT_RATES);
 * whatever it is, a decoder gives back 48 kHz (`decodedRate`).
 */
export class OpusEncoder implements AudioEncoder {
  readonly contentType = 'audio/ogg; codecs=opus';
  readonly decodedRate = OPUS_RATE;
  private readonly opus: InstanceType<OpusScript>;
  /** Samples per frame at the input rate. */
  private readonly frame: number;
  /** 48 kHz granule units per input sample. */
  private readonly granulePerSample: bigint;
  private readonly ogg: OggMuxer;
  private rest = new Int16Array(0);
  private samples = 0n;
  private encoded = 0n;

  /** `inputRate` is only recorded in the header (the rate the audio was made at). */
  constructor(
    readonly sampleRate: OpusInputRate = OPUS_RATE,
    private readonly inputRate: number = sampleRate,
    complexity: number = OPUS_COMPLEXITY,
  ) {
    if (!OPUS_INPUT_RATES.includes(sampleRate)) throw new RangeError(`libopus cannot take ${sampleRate} Hz input`);
    this.frame = (sampleRate * FRAME_MS) / 1000;
    this.granulePerSample = BigInt(OPUS_RATE / sampleRate);
    this.opus = new OpusScriptCtor(sampleRate, 1, OpusScriptCtor.Application.AUDIO);
    this.opus.setBitrate(BITRATE);
    this.opus.encoderCTL(OPUS_SET_COMPLEXITY_REQUEST, complexity);
    this.ogg = new OggMuxer((Math.random() * 0xffffffff) >>> 0);
  }

  start(): Buffer {
    const head = Buffer.alloc(19);
    head.write('OpusHead', 0, 'ascii');
    head[8] = 1; // version
    head[9] = 1; // channels
    head.writeUInt16LE(PRE_SKIP, 10);
    head.writeUInt32LE(this.inputRate, 12);
    head.writeInt16LE(0, 16); // output gain
    head[18] = 0; // mapping family: mono/stereo
    const vendor = Buffer.from('tandem-tts (libopus via opusscript)');
    const tags = Buffer.alloc(8 + 4 + vendor.length + 4);
    tags.write('OpusTags', 0, 'ascii');
    tags.writeUInt32LE(vendor.length, 8);
    vendor.copy(tags, 12);
    tags.writeUInt32LE(0, 12 + vendor.length);
    // Each header packet on a page of its own, granule 0 (RFC 7845 §3).
    return Buffer.concat([
      this.ogg.pages([{ data: head, granule: 0n }], HEADER_TYPE.bos),
      this.ogg.pages([{ data: tags, granule: 0n }]),
    ]);
  }

  write(pcm: Int16Array): Buffer {
    this.samples += BigInt(pcm.length);
    const all = new Int16Array(this.rest.length + pcm.length);
    all.set(this.rest);
    all.set(pcm, this.rest.length);
    const whole = all.length - (all.length % this.frame);
    this.rest = all.slice(whole);
    return this.ogg.pages(this.encodeFrames(all.subarray(0, whole)));
  }

  finish(): EncoderEnd {
    // Pad the last frame, plus enough frames that the lookahead comes out too.
    const lookahead = Math.ceil(PRE_SKIP / Number(this.granulePerSample));
    const padded = new Int16Array(Math.ceil((this.rest.length + lookahead) / this.frame) * this.frame);
    padded.set(this.rest);
    const packets = this.encodeFrames(padded);
    // The last page's granule marks where the real audio ends; decoders drop the padding.
    const last = packets.at(-1);
    if (last) last.granule = BigInt(PRE_SKIP) + this.samples * this.granulePerSample;
    this.opus.delete();
    return { tail: this.ogg.pages(packets, HEADER_TYPE.eos) };
  }

  private encodeFrames(pcm: Int16Array): { data: Buffer; granule: bigint }[] {
    const out: { data: Buffer; granule: bigint }[] = [];
    const step = BigInt(this.frame) * this.granulePerSample;
    for (let off = 0; off < pcm.length; off += this.frame) {
      const frame = pcm.subarray(off, off + this.frame);
      const data = Buffer.from(
        this.opus.encode(Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength), this.frame),
      );
      this.encoded += step;
      out.push({ data, granule: this.encoded });
    }
    return out;
  }
}
