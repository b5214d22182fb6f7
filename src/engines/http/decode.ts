/**
 * Whatever a remote speech server answered, as 16-bit mono PCM at a given
 * rate: WAV (16-bit or float), raw PCM, MP3, Ogg Opus or FLAC, told apart by
 * their first bytes (servers often send the wrong Content-Type for audio).
 * Anything else — an HTML error page, JSON, an empty or truncated file — is
 * refused with a `NotAudioError` saying what came instead.
 */
import { FLACDecoder } from '@wasm-audio-decoders/flac';
import { MPEGDecoder } from 'mpg123-decoder';
import { OggOpusDecoder } from 'ogg-opus-decoder';
import { toInt16 } from '../../audio/encoders/encoder.js';
import { concatPcm } from '../../audio/pcm.js';
import { Resampler } from '../../audio/resample.js';

/** The answer was not audio we can read; the message says what it was. */
export class NotAudioError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotAudioError';
  }
}

export interface RemoteAnswer {
  body: Buffer;
  /** The Content-Type header, '' when absent. */
  contentType: string;
  /** Whether raw PCM (no header) was asked for; it is read as s16le mono at `rawRate`. */
  rawPcm: boolean;
  rawRate: number;
}

interface Samples {
  channels: Float32Array[] | Int16Array;
  sampleRate: number;
}

const TEXT_TYPES = /^(text\/|application\/(json|problem\+json|xml|xhtml))/i;
const PCM_TYPES = /^audio\/(pcm|l16|raw|x-raw)/i;

/** A short, single-line, tag-free preview of a text body, for error messages. */
export function preview(body: Buffer, max = 120): string {
  const text = body
    .subarray(0, 4096)
    .toString('utf8')
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function sniff(a: RemoteAnswer): 'wav' | 'mp3' | 'ogg' | 'flac' | 'pcm' | 'text' | 'unknown' {
  const b = a.body;
  const ascii = b.toString('latin1', 0, 4);
  if (ascii === 'RIFF' && b.toString('latin1', 8, 12) === 'WAVE') return 'wav';
  if (ascii === 'OggS') return 'ogg';
  if (ascii === 'fLaC') return 'flac';
  if (ascii.startsWith('ID3') || (b[0] === 0xff && ((b[1] ?? 0) & 0xe0) === 0xe0)) return 'mp3';
  if (TEXT_TYPES.test(a.contentType)) return 'text';
  if (a.rawPcm || PCM_TYPES.test(a.contentType)) return 'pcm';
  const head = b.subarray(0, 64).toString('utf8').trimStart();
  if (head.startsWith('<') || head.startsWith('{')) return 'text';
  return 'unknown';
}

/** Decode a remote's answer to 16-bit mono PCM at `rate`. */
export async function decodeRemoteAudio(a: RemoteAnswer, rate: number): Promise<Int16Array> {
  if (a.body.length === 0) throw new NotAudioError('answered with an empty body');
  const kind = sniff(a);
  // Audio bytes are trusted over the label; a text label on non-audio bytes is the error page it looks like.
  if (kind === 'text' || (TEXT_TYPES.test(a.contentType) && kind === 'unknown'))
    throw new NotAudioError(`answered ${a.contentType || 'text'} instead of audio: "${preview(a.body)}"`);
  let s: Samples;
  switch (kind) {
    case 'wav':
      s = readWav(a.body);
      break;
    case 'pcm':
      if (a.body.length % 2) throw new NotAudioError(`raw PCM of odd length (${a.body.length} bytes): truncated`);
      s = { channels: new Int16Array(Buffer.from(a.body).buffer, 0, a.body.length / 2), sampleRate: a.rawRate };
      break;
    case 'mp3':
      s = await decodeWith(new MPEGDecoder(), (d) => d.decode(new Uint8Array(a.body)), 'MP3');
      break;
    case 'ogg':
      s = await decodeWith(new OggOpusDecoder(), (d) => d.decodeFile(new Uint8Array(a.body)), 'Ogg Opus');
      break;
    case 'flac':
      s = await decodeWith(new FLACDecoder(), (d) => d.decodeFile(new Uint8Array(a.body)), 'FLAC');
      break;
    default:
      throw new NotAudioError(
        `answered ${a.contentType || 'no Content-Type'} with bytes that are not WAV, MP3, Ogg Opus or FLAC (starting ${a.body.subarray(0, 8).toString('hex')})`,
      );
  }
  return toRate(s, rate);
}

interface WasmDecoder {
  ready: Promise<void>;
  free(): void;
}

async function decodeWith<D extends WasmDecoder>(
  d: D,
  run: (
    d: D,
  ) =>
    | { channelData: Float32Array[]; samplesDecoded: number; sampleRate: number }
    | Promise<{ channelData: Float32Array[]; samplesDecoded: number; sampleRate: number }>,
  what: string,
): Promise<Samples> {
  await d.ready;
  try {
    const r = await run(d);
    if (!r.samplesDecoded || !r.channelData.length)
      throw new NotAudioError(`answered ${what} that holds no audio (empty or truncated)`);
    return { channels: r.channelData.map((c) => c.subarray(0, r.samplesDecoded)), sampleRate: r.sampleRate };
  } catch (err) {
    if (err instanceof NotAudioError) throw err;
    throw new NotAudioError(`answered ${what} that cannot be decoded: ${(err as Error).message}`);
  } finally {
    d.free();
  }
}

/** A streamed WAV may say 0 or 0xFFFFFFFF for "length unknown": then the data runs to the end. */
const UNKNOWN_SIZES = new Set([0, 0xffffffff, 0x7fffffff]);

function readWav(buf: Buffer): Samples {
  let off = 12;
  let fmt: { tag: number; channels: number; rate: number; bits: number } | undefined;
  while (off + 8 <= buf.length) {
    const id = buf.toString('latin1', off, off + 4);
    const size = buf.readUInt32LE(off + 4);
    const body = off + 8;
    if (id === 'fmt ') {
      if (body + 16 > buf.length) break;
      let tag = buf.readUInt16LE(body);
      // WAVE_FORMAT_EXTENSIBLE: the real format is the first two bytes of the sub-format GUID.
      if (tag === 0xfffe && size >= 26 && body + 26 <= buf.length) tag = buf.readUInt16LE(body + 24);
      fmt = {
        tag,
        channels: buf.readUInt16LE(body + 2),
        rate: buf.readUInt32LE(body + 4),
        bits: buf.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (!fmt) throw new NotAudioError('answered a WAV file with no format chunk before its data');
      const known = !UNKNOWN_SIZES.has(size);
      if (known && body + size > buf.length)
        throw new NotAudioError(
          `answered a truncated WAV file: its header declares ${size} bytes of audio, ${buf.length - body} arrived`,
        );
      const data = buf.subarray(body, known ? body + size : buf.length);
      return { channels: wavSamples(data, fmt), sampleRate: fmt.rate };
    }
    off = body + size + (size % 2);
  }
  throw new NotAudioError(`answered a truncated WAV file (${buf.length} bytes, no audio data)`);
}

function wavSamples(data: Buffer, fmt: { tag: number; channels: number; bits: number }): Float32Array[] | Int16Array {
  const { channels: n, bits, tag } = fmt;
  if (n < 1) throw new NotAudioError('answered a WAV file with 0 channels');
  const frameBytes = (bits / 8) * n;
  const frames = Math.floor(data.length / frameBytes);
  if (frames === 0) throw new NotAudioError('answered a WAV file with no audio in it');
  if (tag === 1 && bits === 16 && n === 1) {
    const copy = Buffer.from(data.subarray(0, frames * 2));
    return new Int16Array(copy.buffer, copy.byteOffset, frames);
  }
  const read =
    tag === 1 && bits === 16
      ? (o: number) => data.readInt16LE(o) / 32768
      : tag === 1 && bits === 24
        ? (o: number) => data.readIntLE(o, 3) / 8388608
        : tag === 1 && bits === 32
          ? (o: number) => data.readInt32LE(o) / 2147483648
          : tag === 3 && bits === 32
            ? (o: number) => data.readFloatLE(o)
            : undefined;
  if (!read) throw new NotAudioError(`answered a WAV file in an unsupported encoding (format ${tag}, ${bits} bits)`);
  const out = Array.from({ length: n }, () => new Float32Array(frames));
  for (let i = 0; i < frames; i++)
    for (let c = 0; c < n; c++) (out[c] as Float32Array)[i] = read(i * frameBytes + (c * bits) / 8);
  return out;
}

/** Mix down to mono, convert to 16-bit and resample to `rate`. */
async function toRate(s: Samples, rate: number): Promise<Int16Array> {
  let mono: Int16Array;
  if (s.channels instanceof Int16Array) mono = s.channels;
  else {
    const [first, ...rest] = s.channels;
    if (!first) throw new NotAudioError('answered audio with no channels');
    const mix = rest.length
      ? Float32Array.from(first, (v, i) => rest.reduce((a, c) => a + (c[i] ?? 0), v) / s.channels.length)
      : first;
    mono = toInt16(mix);
  }
  if (s.sampleRate === rate) return mono;
  const r = await Resampler.create(s.sampleRate, rate);
  return concatPcm([r.write(mono), r.finish()]);
}
