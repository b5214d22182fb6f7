import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWav } from '../../src/audio/wav.js';
import { decodeAudio } from './audio-decode.js';
import { decode, postJson, startService, waitForJob, type Service } from './harness.js';

let svc: Service;
beforeAll(async () => {
  svc = await startService();
});
afterAll(async () => {
  await svc?.stop();
});

const TEXT = 'Hello, this is a sample. 你好，这是一个语音示例。\n\nA second paragraph follows the pause.';
const TYPES: Record<string, string> = {
  wav: 'audio/wav',
  mp3: 'audio/mpeg',
  opus: 'audio/ogg; codecs=opus',
  flac: 'audio/flac',
  pcm: 'audio/pcm',
};

describe('output formats', () => {
  for (const format of Object.keys(TYPES)) {
    it(`${format}: right Content-Type, decodes to the job's duration`, async () => {
      const sub = await postJson(`${svc.base}/api/jobs`, { text: TEXT, format });
      expect(sub.status).toBe(202);
      const job = await waitForJob(svc.base, sub.json.id);
      expect(job.status).toBe('succeeded');
      expect(job.audio.content_type).toBe(TYPES[format]);
      const audio = await decode(await fetch(`${svc.base}${job.links.audio}`));
      expect(audio.status).toBe(200);
      expect(audio.headers.get('content-type')).toBe(TYPES[format]);
      expect(audio.buf.length).toBe(job.audio.bytes);
      expect(Number(audio.headers.get('x-sample-rate'))).toBe(job.audio.sample_rate);
      const d = await decodeAudio(format, audio.buf, job.audio.sample_rate);
      expect(d.sampleRate).toBe(format === 'opus' ? 48000 : 22050);
      expect(job.audio.duration_ms).toBeGreaterThan(3000);
      // MP3 adds encoder delay and frame padding (no gapless tag).
      expect(Math.abs(d.durationMs - job.audio.duration_ms)).toBeLessThan(format === 'mp3' ? 80 : 3);
    });
  }

  it('resamples to a requested sample_rate', async () => {
    const sub = await postJson(`${svc.base}/api/jobs`, {
      text: 'Resample me, please.',
      format: 'wav',
      sample_rate: 16000,
    });
    const job = await waitForJob(svc.base, sub.json.id);
    expect(job.audio.sample_rate).toBe(16000);
    const wav = parseWav((await decode(await fetch(`${svc.base}${job.links.audio}`))).buf);
    expect(wav.sampleRate).toBe(16000);
    expect(Math.abs(wav.durationMs - job.audio.duration_ms)).toBeLessThan(2);
  });

  it('refuses an unknown format or sample rate before queuing', async () => {
    const f = await postJson(`${svc.base}/api/jobs`, { text: 'x y z', format: 'aac' });
    expect(f.status).toBe(400);
    expect(f.json).toMatchObject({ field: 'format', allowed: ['wav', 'mp3', 'opus', 'flac', 'pcm'] });
    const r = await postJson(`${svc.base}/api/jobs`, { text: 'x y z', sample_rate: 12345 });
    expect(r.status).toBe(400);
    expect(r.json.field).toBe('sample_rate');
  });
});
