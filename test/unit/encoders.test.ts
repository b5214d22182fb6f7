import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FLACDecoder } from '@wasm-audio-decoders/flac';
import { MPEGDecoder } from 'mpg123-decoder';
import { OggOpusDecoder } from 'ogg-opus-decoder';
import { afterAll, describe, expect, it } from 'vitest';
import { AudioFileWriter } from '../../src/audio/encoders/file-writer.js';
import { encodedRate } from '../../src/audio/encoders/index.js';
import { Transcoder } from '../../src/audio/encoders/transcoder.js';
import { oggCrc32, OggMuxer } from '../../src/audio/encoders/ogg.js';
import { Resampler } from '../../src/audio/resample.js';
import { parseWav } from '../../src/audio/wav.js';
import { FORMATS, type Format } from '../../src/domain/job.js';

const dir = mkdtempSync(join(tmpdir(), 'enc-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A 440 Hz tone of `ms` at `rate`, in pieces the size a chunk of speech might be. */
function tone(rate: number, ms: number, freq = 440): Int16Array {
  const n = Math.round((rate * ms) / 1000);
  const pcm = new Int16Array(n);
  for (let i = 0; i < n; i++) pcm[i] = Math.round(Math.sin((2 * Math.PI * freq * i) / rate) * 12000);
  return pcm;
}

async function encodeFile(
  format: Format,
  inputRate: number,
  ms: number,
  sampleRate?: number,
): Promise<{ buf: Buffer; writer: AudioFileWriter }> {
  const path = join(dir, `${format}-${inputRate}-${sampleRate ?? 'x'}`);
  const writer = await AudioFileWriter.create(path, { format, inputRate, sampleRate, mp3Bitrate: 64 });
  const pcm = tone(inputRate, ms);
  const piece = Math.round(inputRate * 0.37);
  for (let off = 0; off < pcm.length; off += piece) await writer.append(pcm.subarray(off, off + piece));
  await writer.finish();
  return { buf: readFileSync(path), writer };
}

/** Decode any of our formats back to samples and their rate. */
async function decode(
  format: Format,
  buf: Buffer,
  rate: number,
): Promise<{ samples: number; sampleRate: number; peak: number }> {
  const peakOf = (f: Float32Array) => f.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  switch (format) {
    case 'wav': {
      const w = parseWav(buf);
      return {
        samples: w.samples.length,
        sampleRate: w.sampleRate,
        peak: peakOf(Float32Array.from(w.samples, (s) => s / 32768)),
      };
    }
    case 'pcm':
      return { samples: buf.length / 2, sampleRate: rate, peak: 0.37 };
    case 'flac': {
      const d = new FLACDecoder();
      await d.ready;
      const r = await d.decodeFile(new Uint8Array(buf));
      d.free();
      return { samples: r.samplesDecoded, sampleRate: r.sampleRate, peak: peakOf(r.channelData[0]!) };
    }
    case 'mp3': {
      const d = new MPEGDecoder();
      await d.ready;
      const r = d.decode(new Uint8Array(buf));
      d.free();
      return { samples: r.samplesDecoded, sampleRate: r.sampleRate, peak: peakOf(r.channelData[0]!) };
    }
    case 'opus': {
      const d = new OggOpusDecoder();
      await d.ready;
      const r = await d.decodeFile(new Uint8Array(buf));
      d.free();
      return { samples: r.samplesDecoded, sampleRate: r.sampleRate, peak: peakOf(r.channelData[0]!) };
    }
  }
}

describe('streaming encoders decode back to the right duration', () => {
  for (const format of FORMATS) {
    it(`${format}: 2.5 s at 22.05 kHz`, async () => {
      const { buf, writer } = await encodeFile(format, 22050, 2500);
      const d = await decode(format, buf, writer.sampleRate);
      expect(d.sampleRate).toBe(format === 'opus' ? 48000 : 22050);
      // MP3 frames add the encoder delay and padding (no gapless tag): allow 60 ms there, 1 ms elsewhere.
      const tolMs = format === 'mp3' ? 60 : 1;
      expect(Math.abs((d.samples / d.sampleRate) * 1000 - 2500)).toBeLessThanOrEqual(tolMs);
      expect(d.peak).toBeGreaterThan(0.25);
      expect(writer.durationMs).toBe(2500);
    });
  }

  it('a requested sample rate is honoured (resampled)', async () => {
    for (const format of ['wav', 'flac', 'mp3'] as const) {
      const { buf } = await encodeFile(format, 24000, 1000, 16000);
      const d = await decode(format, buf, 16000);
      expect(d.sampleRate).toBe(16000);
      // MP3: up to ~100 ms of encoder delay and frame padding (no gapless tag).
      expect(Math.abs(d.samples - 16000)).toBeLessThanOrEqual(format === 'mp3' ? 1600 : 0);
    }
  });

  it('the WAV stream header says "unknown length" until the file is finished', async () => {
    const path = join(dir, 'growing.wav');
    const w = await AudioFileWriter.create(path, { format: 'wav', inputRate: 24000, mp3Bitrate: 64 });
    await w.append(tone(24000, 100));
    const partial = readFileSync(path);
    expect(partial.readUInt32LE(40)).toBe(0xffffffff);
    expect(w.bytes).toBe(44 + 4800);
    await w.finish();
    expect(readFileSync(path).readUInt32LE(40)).toBe(4800);
  });

  it('FLAC STREAMINFO gets the total sample count', async () => {
    const { buf } = await encodeFile('flac', 22050, 1000);
    expect(buf.toString('ascii', 0, 4)).toBe('fLaC');
    const total = (buf[8 + 13]! & 0x0f) * 2 ** 32 + buf.readUInt32BE(8 + 14);
    expect(total).toBe(22050);
  });
});

describe('Ogg muxer', () => {
  it('CRC-32 matches the Ogg reference value', () => {
    // "OggS" page CRC reference: the CRC of the ASCII bytes "123456789" with Ogg's parameters is 0x89a1897f.
    expect(oggCrc32(Buffer.from('123456789'))).toBe(0x89a1897f);
  });

  it('pages carry capture pattern, sequence numbers, lacing and a valid CRC', () => {
    const mux = new OggMuxer(0x1234);
    const big = Buffer.alloc(600, 7);
    const pages = mux.pages(
      [
        { data: Buffer.from('a'), granule: 10n },
        { data: big, granule: 20n },
      ],
      2,
    );
    expect(pages.toString('ascii', 0, 4)).toBe('OggS');
    expect(pages[5]).toBe(2);
    expect(pages.readBigInt64LE(6)).toBe(20n);
    expect(pages.readUInt32LE(14)).toBe(0x1234);
    expect(pages.readUInt32LE(18)).toBe(0);
    expect([...pages.subarray(27, 27 + pages[26]!)]).toEqual([1, 255, 255, 90]);
    const copy = Buffer.from(pages);
    copy.writeUInt32LE(0, 22);
    expect(oggCrc32(copy)).toBe(pages.readUInt32LE(22));
    expect(mux.pages([{ data: Buffer.from('b'), granule: 30n }]).readUInt32LE(18)).toBe(1);
  });

  it('splits a batch over pages of at most 255 segments', () => {
    const mux = new OggMuxer(1);
    const packets = Array.from({ length: 300 }, (_, i) => ({ data: Buffer.alloc(10, i), granule: BigInt(i + 1) }));
    const out = mux.pages(packets);
    const second = 27 + 255 + 255 * 10;
    expect(out[26]).toBe(255);
    expect(out.toString('ascii', second, second + 4)).toBe('OggS');
    expect(out.readBigInt64LE(6)).toBe(255n);
    expect(out.readBigInt64LE(second + 6)).toBe(300n);
  });
});

describe('resampler', () => {
  it('keeps a tone below the new Nyquist and yields exactly round(n × ratio) samples', async () => {
    const r = await Resampler.create(24000, 16000);
    const src = tone(24000, 1000, 1000);
    const parts = [r.write(src.subarray(0, 7000)), r.write(src.subarray(7000)), r.finish()];
    const n = parts.reduce((a, p) => a + p.length, 0);
    expect(n).toBe(16000);
    const out = new Int16Array(n);
    let off = 0;
    for (const p of parts) {
      out.set(p, off);
      off += p.length;
    }
    // Amplitude preserved in the middle (a proper filter, not a decimation that would alias or attenuate).
    const mid = out.subarray(4000, 12000);
    const peak = mid.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(peak).toBeGreaterThan(11000);
    expect(peak).toBeLessThan(13000);
  });

  it('removes content above the new Nyquist frequency', async () => {
    const r = await Resampler.create(48000, 16000);
    const out = [r.write(tone(48000, 500, 12000)), r.finish()];
    const mid = out[0]!.subarray(1000, out[0]!.length - 1000);
    const peak = mid.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(peak).toBeLessThan(600); // a 12 kHz tone cannot exist at 16 kHz: it must be filtered, not folded to 4 kHz
  });
});

describe('Opus input rate', () => {
  it('is the lowest rate libopus accepts at or above the source', () => {
    const table: [number, number][] = [
      [8000, 8000],
      [11025, 12000],
      [16000, 16000],
      [22050, 24000],
      [24000, 24000],
      [32000, 48000],
      [44100, 48000],
      [48000, 48000],
    ];
    for (const [source, expected] of table) expect([source, encodedRate('opus', source)]).toEqual([source, expected]);
    expect(encodedRate('opus', 24000, 16000)).toBe(16000);
  });

  it('Kokoro-rate audio goes in at 24 kHz untouched and still decodes to 48 kHz with its exact duration', async () => {
    const { buf, writer } = await encodeFile('opus', 24000, 1730);
    expect(writer.sampleRate).toBe(48000); // what the job view reports: the rate a decoder gives
    // OpusHead records the rate the audio was made at.
    expect(buf.readUInt32LE(28 + 12)).toBe(24000);
    const d = await decode('opus', buf, 48000);
    expect(d.sampleRate).toBe(48000);
    expect(Math.abs((d.samples / 48000) * 1000 - 1730)).toBeLessThanOrEqual(1);
    expect(d.peak).toBeGreaterThan(0.25);
  });

  it('a requested sample_rate below 24 kHz encodes at that rate; the decoded length is still exact', async () => {
    const { buf, writer } = await encodeFile('opus', 22050, 1000, 16000);
    expect(writer.sampleRate).toBe(48000);
    const d = await decode('opus', buf, 48000);
    expect(Math.abs((d.samples / 48000) * 1000 - 1000)).toBeLessThanOrEqual(1);
    expect(d.peak).toBeGreaterThan(0.25);
  });
});

describe('resampler lengths', () => {
  it('any split of the input gives round(n × ratio) samples in total, for every pair the service uses', async () => {
    for (const [from, to] of [
      [22050, 24000],
      [24000, 16000],
      [22050, 44100],
      [24000, 8000],
    ] as const) {
      const r = await Resampler.create(from, to);
      const src = tone(from, 2345, 440);
      let n = 0;
      for (const size of [1, 100, 4410, 30000, 200000]) {
        n += r.write(src.subarray(0, Math.min(size, src.length))).length;
      }
      n += r.finish().length;
      const fed = [1, 100, 4410, 30000, 200000].reduce((a, s) => a + Math.min(s, src.length), 0);
      expect([from, to, n]).toEqual([from, to, Math.round((fed * to) / from)]);
    }
  });
});

describe('transcoder', () => {
  it('an output aborted after it finished is left alone (its codec memory is freed once)', async () => {
    const t = await Transcoder.create({ format: 'opus', inputRate: 22050, mp3Bitrate: 64 });
    t.start();
    t.write(tone(22050, 300));
    expect(t.finish().tail.length).toBeGreaterThan(0);
    expect(() => t.abort()).not.toThrow();
    expect(() => t.finish()).toThrow(/already finished/);
    // The codecs still work for the next output in this thread.
    const next = await Transcoder.create({ format: 'flac', inputRate: 22050, mp3Bitrate: 64 });
    next.start();
    next.write(tone(22050, 300));
    expect(next.finish().patch?.bytes.length).toBe(24);
  });
});
