import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from 'node:fs/promises';
import { describe, expect, it, vi } from 'vitest';
import { concatPcm, silence, trimSilence } from '../../src/audio/pcm.js';
import { AudioFileWriter } from '../../src/audio/encoders/file-writer.js';
import { parseWav, rms, wavHeader } from '../../src/audio/wav.js';

const tone = (n: number, amp = 10000) => Int16Array.from({ length: n }, (_, i) => Math.round(amp * Math.sin(i / 5)));

describe('wav', () => {
  it('writes a header that parses back', () => {
    const pcm = tone(100);
    const buf = Buffer.concat([wavHeader(22050, pcm.byteLength), Buffer.from(pcm.buffer)]);
    const w = parseWav(buf);
    expect(w).toMatchObject({ sampleRate: 22050, channels: 1, bitsPerSample: 16 });
    expect(Array.from(w.samples)).toEqual(Array.from(pcm));
  });

  it('streams chunks to a file and patches the sizes at the end', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wav-'));
    const w = await AudioFileWriter.create(join(dir, 'a.wav'), { format: 'wav', inputRate: 16000, mp3Bitrate: 64 });
    await w.append(tone(16000));
    await w.appendSilence(500);
    await w.append(new Int16Array(0));
    expect(w.durationMs).toBe(1500);
    const size = await w.finish();
    const buf = readFileSync(join(dir, 'a.wav'));
    expect(buf.length).toBe(size);
    expect(buf.readUInt32LE(4)).toBe(size - 8);
    expect(parseWav(buf).durationMs).toBe(1500);
  });

  it('flushes the file to the disk only when asked (AUDIO_FSYNC)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wav-'));
    // FileHandle is not exported: its prototype is reached through an open handle.
    const probe = await open(join(dir, 'probe'), 'w');
    const sync = vi.spyOn(Object.getPrototypeOf(probe) as { sync(): Promise<void> }, 'sync');
    await probe.close();
    try {
      for (const fsync of [undefined, false, true]) {
        const w = await AudioFileWriter.create(join(dir, `${fsync}.wav`), {
          format: 'wav',
          inputRate: 16000,
          mp3Bitrate: 64,
          fsync,
        });
        await w.append(tone(160));
        await w.finish();
      }
      expect(sync).toHaveBeenCalledTimes(1);
    } finally {
      sync.mockRestore();
    }
  });

  it('rejects what is not 16-bit PCM WAV', () => {
    expect(() => parseWav(Buffer.from('not a wav file at all, just some text here......'))).toThrow(/RIFF/);
  });

  it('rms is 0 for silence and grows with amplitude', () => {
    expect(rms(new Int16Array(10))).toBe(0);
    expect(rms(tone(1000, 20000))).toBeGreaterThan(rms(tone(1000, 1000)));
  });
});

describe('pcm', () => {
  it('concatenates and makes silence', () => {
    expect(Array.from(concatPcm([Int16Array.of(1, 2), Int16Array.of(3)]))).toEqual([1, 2, 3]);
    expect(silence(1000, 250)).toHaveLength(250);
  });

  it('trims silence at both ends, keeping the asked-for margins', () => {
    const pcm = concatPcm([silence(1000, 500), tone(100), silence(1000, 500)]);
    const t = trimSilence(pcm, 1000, { keepLeadMs: 10, keepTrailMs: 20 });
    expect(t.length).toBeGreaterThanOrEqual(100 + 10 + 20 - 2);
    expect(t.length).toBeLessThanOrEqual(100 + 10 + 20 + 2);
    expect(trimSilence(silence(1000, 100), 1000, { keepLeadMs: 10, keepTrailMs: 10 })).toHaveLength(0);
  });
});
