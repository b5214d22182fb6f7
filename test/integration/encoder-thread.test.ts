import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { AudioFileWriter } from '../../src/audio/encoders/file-writer.js';
import { EncoderThread } from '../../src/audio/encoders/threaded-encoder.js';
import type { Format } from '../../src/domain/job.js';
import { decodeAudio } from './audio-decode.js';

// The compiled thread body (global setup builds dist/), as a worker process runs it.
const thread = new EncoderThread(new URL('../../dist/audio/encoders/encoder-thread.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'enc-thread-'));
afterAll(async () => {
  await thread.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A tone with a slow vibrato, so codecs have something to work on. */
function voiceLike(rate: number, ms: number): Int16Array {
  const n = Math.round((rate * ms) / 1000);
  const pcm = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    pcm[i] = Math.round(Math.sin(2 * Math.PI * (220 + 30 * Math.sin(2 * Math.PI * 3 * t)) * t) * 9000);
  }
  return pcm;
}

async function write(format: Format, pcm: Int16Array, piece: number, encoderThread?: EncoderThread) {
  const path = join(dir, `${format}-${encoderThread ? 'thread' : 'inline'}-${pcm.length}`);
  const w = await AudioFileWriter.create(path, { format, inputRate: 22050, mp3Bitrate: 64, encoderThread });
  for (let off = 0; off < pcm.length; off += piece) await w.append(pcm.subarray(off, off + piece));
  await w.finish();
  return { buf: readFileSync(path), writer: w };
}

describe('encoder thread', () => {
  it('writes the same audio as inline encoding, for every codec', async () => {
    const pcm = voiceLike(22050, 3100);
    for (const format of ['opus', 'flac', 'mp3', 'wav'] as const) {
      const viaThread = await write(format, pcm, 9000, thread);
      const inline = await write(format, pcm, 9000);
      expect(viaThread.writer.sampleRate).toBe(inline.writer.sampleRate);
      expect(viaThread.writer.contentType).toBe(inline.writer.contentType);
      const a = await decodeAudio(format, viaThread.buf);
      const b = await decodeAudio(format, inline.buf);
      expect([format, a.sampleRate, a.samples]).toEqual([format, b.sampleRate, b.samples]);
      // Opus streams differ only in their random serial number; the others are byte for byte the same.
      if (format !== 'opus') expect(viaThread.buf.equals(inline.buf)).toBe(true);
      else expect(Math.abs(a.durationMs - 3100)).toBeLessThanOrEqual(1);
    }
  });

  it('keeps the event loop free while it encodes long chunks', async () => {
    // 30 s chunks: at libopus complexity 5 a 10 s chunk encodes in well under 100 ms.
    const pcm = voiceLike(22050, 60_000);
    const piece = 22050 * 30;
    await write('opus', voiceLike(22050, 200), piece, thread); // codecs loaded in the thread
    const watch = async (t?: EncoderThread) => {
      const h = monitorEventLoopDelay({ resolution: 5 });
      h.enable();
      await write('opus', pcm, piece, t);
      h.disable();
      return h.max / 1e6;
    };
    const viaThread = await watch(thread);
    const inline = await watch();
    // Inline, each 30 s chunk holds the loop for its whole encode; through the thread only the
    // message copies do. Relative, so a loaded machine slows both sides alike.
    expect(inline).toBeGreaterThan(100);
    expect(viaThread).toBeLessThan(inline / 3);
  });

  it('a bad request fails with a clear error, and the thread keeps serving', async () => {
    await expect(thread.open({ format: 'mp3', inputRate: 22050, sampleRate: 12345, mp3Bitrate: 64 })).rejects.toThrow(
      /MP3 cannot carry 12345 Hz/,
    );
    const ok = await write('flac', voiceLike(22050, 500), 4000, thread);
    expect((await decodeAudio('flac', ok.buf)).samples).toBe(Math.round(22050 * 0.5));
  });
});
