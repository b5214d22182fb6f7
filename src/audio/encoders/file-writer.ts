import { open, type FileHandle } from 'node:fs/promises';
import type { Format } from '../../domain/job.js';
import { Resampler } from '../resample.js';
import type { AudioEncoder } from './encoder.js';
import { createEncoder, encodedRate } from './index.js';
import type { Mp3Bitrate } from './mp3.js';

export interface AudioFileOptions {
  format: Format;
  /** Rate of the PCM given to `append` (the engine's). */
  inputRate: number;
  /** Rate the client asked for, if any. */
  sampleRate?: number;
  mp3Bitrate: Mp3Bitrate;
}

/**
 * Writes one audio file in any format as PCM arrives: resample, encode, append
 * the encoded bytes. Memory holds at most one chunk of audio; `bytes` is how
 * much of the file is complete, so a reader may stream it while it grows.
 */
export class AudioFileWriter {
  private written = 0;
  private inputSamples = 0;

  private constructor(
    private readonly fh: FileHandle,
    readonly path: string,
    private readonly resampler: Resampler,
    private readonly encoder: AudioEncoder,
    readonly inputRate: number,
  ) {}

  static async create(path: string, opts: AudioFileOptions): Promise<AudioFileWriter> {
    const rate = encodedRate(opts.format, opts.inputRate, opts.sampleRate);
    const resampler = await Resampler.create(opts.inputRate, rate);
    const encoder = await createEncoder(opts.format, {
      sampleRate: rate,
      sourceRate: opts.sampleRate ?? opts.inputRate,
      mp3Bitrate: opts.mp3Bitrate,
    });
    const fh = await open(path, 'w');
    const w = new AudioFileWriter(fh, path, resampler, encoder, opts.inputRate);
    await w.put(encoder.start());
    return w;
  }

  /** Sample rate of the encoded audio. */
  get sampleRate(): number {
    return this.encoder.sampleRate;
  }

  get contentType(): string {
    return this.encoder.contentType;
  }

  /** Bytes of the file written so far. */
  get bytes(): number {
    return this.written;
  }

  get durationMs(): number {
    return Math.round((this.inputSamples / this.inputRate) * 1000);
  }

  private async put(buf: Buffer): Promise<void> {
    if (buf.length === 0) return;
    await this.fh.write(buf, 0, buf.length, this.written);
    this.written += buf.length;
  }

  async append(pcm: Int16Array): Promise<void> {
    if (pcm.length === 0) return;
    this.inputSamples += pcm.length;
    await this.put(this.encoder.write(this.resampler.write(pcm)));
  }

  async appendSilence(ms: number): Promise<void> {
    await this.append(new Int16Array(Math.round((this.inputRate * ms) / 1000)));
  }

  /** Flush the encoder, patch the header with the real length, sync and close; returns the file size. */
  async finish(): Promise<number> {
    await this.put(this.encoder.write(this.resampler.finish()));
    const end = this.encoder.finish();
    await this.put(end.tail);
    if (end.patch) await this.fh.write(end.patch.bytes, 0, end.patch.bytes.length, end.patch.offset);
    await this.fh.sync();
    await this.fh.close();
    return this.written;
  }

  async abort(): Promise<void> {
    await this.fh.close().catch(() => undefined);
  }
}
