import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWav } from '../../src/audio/wav.js';
import { decodeAudio } from './audio-decode.js';
import { decode, startService, waitForJob, type Service } from './harness.js';

let svc: Service;
beforeAll(async () => {
  svc = await startService();
});
afterAll(async () => {
  await svc?.stop();
});

/** A text of many different sentences (so nothing is reused) in several paragraphs. */
function longText(sentences: number): string {
  const words = ['river', 'mountain', 'library', 'engine', 'harbor', 'garden', 'lantern', 'meadow', 'signal', 'window'];
  const out: string[] = [];
  for (let i = 0; i < sentences; i++) {
    out.push(
      `The ${words[i % 10]} near the ${words[(i * 7 + 3) % 10]} was seen on day ${i + 1}, and the ${words[(i * 3 + 1) % 10]} kept its promise.`,
    );
    if (i % 12 === 11) out.push('\n\n');
  }
  return out.join(' ');
}

/** POST and read the body as it arrives, noting when the first bytes came. */
async function streamed(path: string, body: unknown) {
  const t0 = performance.now();
  const res = await fetch(`${svc.base}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const reader = res.body!.getReader();
  const parts: Buffer[] = [];
  let firstAt = 0;
  let reads = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (!firstAt) firstAt = Date.now();
    reads++;
    parts.push(Buffer.from(value));
  }
  return { res, buf: Buffer.concat(parts), firstAt, reads, ms: performance.now() - t0 };
}

describe('streaming', () => {
  it('POST /api/tts with "stream": true sends audio before the whole text is synthesized', async () => {
    const text = longText(160);
    const s = await streamed('/api/tts', { text, stream: true, format: 'wav' });
    expect(s.res.status).toBe(200);
    expect(s.res.headers.get('transfer-encoding')).toBe('chunked');
    expect(s.res.headers.get('content-type')).toBe('audio/wav');
    const id = s.res.headers.get('x-job-id')!;
    const job = await waitForJob(svc.base, id);
    expect(job.progress.chunks_total).toBeGreaterThan(5);
    // The first bytes arrived while later chunks were still being synthesized.
    const finished = Date.parse(job.timings.finished_at);
    expect(s.firstAt).toBeLessThan(finished - 200);
    expect(s.reads).toBeGreaterThan(1);
    // A streaming header ("unknown length"), then exactly the samples of the stored file.
    expect(s.buf.readUInt32LE(40)).toBe(0xffffffff);
    const stored = (await decode(await fetch(`${svc.base}${job.links.audio}`))).buf;
    expect(s.buf.length).toBe(stored.length);
    expect(s.buf.subarray(44).equals(stored.subarray(44))).toBe(true);
    expect(parseWav(stored).durationMs).toBeGreaterThan(60_000);
  });

  it('the first chunk is a short clause and later ones grow; the total the API gave never changes', async () => {
    const text = `清晨六点,小镇的第一班公交车从车站缓缓开出。${longText(40)}`;
    const s = await streamed('/api/tts', { text, stream: true, format: 'wav' });
    expect(s.res.status).toBe(200);
    const id = s.res.headers.get('x-job-id')!;
    // The API counts the chunks at submit (the progress total); the worker must make exactly those.
    const totals = new Set<number>();
    for (;;) {
      const job = (await (await fetch(`${svc.base}/api/jobs/${id}`)).json()) as {
        status: string;
        progress: { chunks_total: number };
      };
      totals.add(job.progress.chunks_total);
      if (job.status === 'succeeded') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(totals.size).toBe(1);
    const timings = (await (await fetch(`${svc.base}/api/jobs/${id}/captions?format=json`)).json()) as {
      segments: { text: string }[];
    };
    expect(timings.segments.length).toBe([...totals][0]);
    const sizes = timings.segments.map((seg) => seg.text.length);
    expect(timings.segments[0]!.text).toBe('清晨六点,');
    for (let i = 1; i < 4; i++) expect(sizes[i]).toBeGreaterThan(sizes[i - 1]!);
    expect(Math.max(...sizes)).toBeGreaterThan(300);
  });

  it('streams MP3 frames and raw PCM (sample rate in a header)', async () => {
    const text = longText(30);
    const mp3 = await streamed('/api/tts', { text, stream: true, format: 'mp3' });
    expect(mp3.res.headers.get('content-type')).toBe('audio/mpeg');
    const job = await waitForJob(svc.base, mp3.res.headers.get('x-job-id')!);
    const d = await decodeAudio('mp3', mp3.buf);
    expect(Math.abs(d.durationMs - job.audio.duration_ms)).toBeLessThan(80);

    const pcm = await streamed('/api/tts', { text: 'Raw samples, please.', stream: true, format: 'pcm' });
    expect(pcm.res.headers.get('content-type')).toBe('audio/pcm');
    expect(pcm.res.headers.get('x-sample-rate')).toBe('22050');
    expect(pcm.buf.length % 2).toBe(0);
    expect(pcm.buf.length).toBeGreaterThan(22050);
  });

  it('a bad streaming request gets an ordinary JSON error', async () => {
    const r = await fetch(`${svc.base}/api/tts`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ text: '', stream: true }),
    });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { field: string }).field).toBe('text');
  });
});
