import { createHash, type Hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { type Format, HEADER_PATCHED_FORMATS } from '../../domain/job.js';
import type { Mp3Bitrate } from './mp3.js';
import type { EncoderThread } from './threaded-encoder.js';
import { isPlainCopy, openLocal, type TranscodeSession } from './transcoder.js';

/** Read-back block for hashing a finished file. */
const READ_BLOCK = 1 << 20;

export interface AudioFileOptions {
  format: Format;
  /** Rate of the PCM given to `append` (the engine's). */
  inputRate: number;
  /** Rate the client asked for, if any. */
  sampleRate?: number;
  mp3Bitrate: Mp3Bitrate;
  /** libopus complexity, 0–10. */
  opusComplexity?: number;
  /**
   * Where resampling and encoding run. Without it they run on the calling thread, which is fine
   * for tools and tests but blocks a worker's event loop for the length of a long chunk.
   */
  encoderThread?: EncoderThread;
  /**
   * Flush the file to the disk before `finish` returns. Off by default: the finished file is renamed
   * into place atomically, so readers never see it partial; the flush only guards against power loss.
   */
  fsync?: boolean;
}

/**
 * Writes one audio file in any format as PCM arrives: resample, encode, append
 * the encoded bytes. Memory holds at most one chunk of audio; `bytes` is how
 * much of the file is complete, so a reader may stream it while it grows.
 */
export class AudioFileWriter {
  private written = 0;
  private inputSamples = 0;
  /**
   * Hash of the bytes as they are written; none for a format whose header is patched in place at the
   * end (WAV, FLAC): that hash would be thrown away, and hashing as written cost as much as hashing the
   * finished file once (a 200-character Chinese job's WAV is 2 MB: ~1.5 ms each time).
   */
  private hash: Hash | undefined;

  private constructor(
    private readonly fh: FileHandle,
    readonly path: string,
    private readonly session: TranscodeSession,
    readonly inputRate: number,
    private readonly fsync: boolean,
  ) {}

  static async create(path: string, opts: AudioFileOptions): Promise<AudioFileWriter> {
    const { encoderThread, fsync, ...spec } = opts;
    // WAV and PCM at the engine's rate are copies: a round trip to the thread would cost more.
    const session = encoderThread && !isPlainCopy(spec) ? await encoderThread.open(spec) : await openLocal(spec);
    let fh: FileHandle;
    try {
      // w+: a patched file is read back once, to hash it (hashFile).
      fh = await open(path, 'w+');
    } catch (err) {
      await session.abort();
      throw err;
    }
    const w = new AudioFileWriter(fh, path, session, opts.inputRate, fsync === true);
    if (!HEADER_PATCHED_FORMATS.has(opts.format)) w.hash = createHash('sha256');
    await w.put(session.head);
    return w;
  }

  /** Sample rate a decoder gives back (Opus: always 48 kHz, whatever rate it was encoded at). */
  get sampleRate(): number {
    return this.session.info.sampleRate;
  }

  get contentType(): string {
    return this.session.info.contentType;
  }

  /** Hex sha256 of the finished file, set by `finish`. */
  digest: string | undefined;

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
    this.hash?.update(buf);
    this.written += buf.length;
  }

  async append(pcm: Int16Array): Promise<void> {
    if (pcm.length === 0) return;
    this.inputSamples += pcm.length;
    await this.put(await this.session.write(pcm));
  }

  async appendSilence(ms: number): Promise<void> {
    await this.append(new Int16Array(Math.round((this.inputRate * ms) / 1000)));
  }

  /** Flush the encoder, patch the header with the real length, (if asked) sync, and close; returns the file size. */
  async finish(): Promise<number> {
    const end = await this.session.finish();
    await this.put(end.tail);
    if (end.patch) {
      await this.fh.write(end.patch.bytes, 0, end.patch.bytes.length, end.patch.offset);
      // Hashed as it was written before the patch (a format missing from HEADER_PATCHED_FORMATS): stale now.
      this.hash = undefined;
    }
    this.digest = this.hash ? this.hash.digest('hex') : await this.hashFile();
    if (this.fsync) await this.fh.sync();
    await this.fh.close();
    return this.written;
  }

  /**
   * sha256 of the file as it now is, read back through the open handle in large blocks: the file was
   * just written, so this reads the page cache, and few large reads cost less than a stream's 64 KiB ones.
   */
  private async hashFile(): Promise<string> {
    const hash = createHash('sha256');
    const block = Buffer.allocUnsafe(Math.min(READ_BLOCK, Math.max(1, this.written)));
    for (let at = 0; at < this.written; ) {
      const { bytesRead } = await this.fh.read(block, 0, Math.min(block.length, this.written - at), at);
      if (bytesRead === 0) break;
      hash.update(block.subarray(0, bytesRead));
      at += bytesRead;
    }
    return hash.digest('hex');
  }

  async abort(): Promise<void> {
    await this.session.abort();
    await this.fh.close().catch(() => undefined);
  }
}
