import { readFileSync } from 'node:fs';
import srtParser2 from 'srt-parser-2';
import { WebVTTParser } from 'webvtt-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWav } from '../../src/audio/wav.js';
import { decodeAudio } from './audio-decode.js';
import { postJson, startService, type Service, waitForJob } from './harness.js';

let svc: Service;
beforeAll(async () => {
  svc = await startService();
});
afterAll(async () => {
  await svc?.stop();
});

const MIXED = [
  '今天天气很好。我们去公园散步吧。',
  'The meeting starts at nine. Please bring your notes.',
  '我喜欢用 Python 写程序。',
  'See you tomorrow!',
].join('\n\n');

/**
 * Where speech starts again after a pause, from the decoded samples alone:
 * 5 ms frames, a frame is speech when its peak passes about -36 dBFS, and a
 * pause is at least 120 ms without speech.
 */
function onsetsAfterPauses(samples: Int16Array, rate: number): number[] {
  const frame = Math.round(rate / 200);
  const onsets: number[] = [];
  let quiet = Number.POSITIVE_INFINITY; // the start of the file counts as after a pause
  for (let i = 0; i + frame <= samples.length; i += frame) {
    let peak = 0;
    for (let j = i; j < i + frame; j++) peak = Math.max(peak, Math.abs(samples[j] ?? 0));
    if (peak > 500) {
      if (quiet * 5 >= 120) {
        // Refine to the first loud sample in the frame.
        let k = i;
        while (k < i + frame && Math.abs(samples[k] ?? 0) <= 500) k++;
        onsets.push((k / rate) * 1000);
      }
      quiet = 0;
    } else quiet++;
  }
  return onsets;
}

async function submit(body: Record<string, unknown>) {
  const sub = await postJson(`${svc.base}/api/jobs`, body);
  expect(sub.status).toBe(202);
  return waitForJob(svc.base, sub.json.id, 120_000);
}

describe('captions', () => {
  it('a mixed Chinese–English job: VTT and SRT parse, and every cue starts at the speech after a pause', {
    timeout: 180_000,
  }, async () => {
    const job = await submit({ text: MIXED, format: 'wav', captions: true });
    expect(job.status).toBe('succeeded');
    expect(job.links.captions).toBe(`/api/jobs/${job.id}/captions`);

    const vttRes = await fetch(`${svc.base}${job.links.captions}?format=vtt`);
    expect(vttRes.status).toBe(200);
    expect(vttRes.headers.get('content-type')).toContain('text/vtt');
    const vtt = await vttRes.text();
    const parsed = new WebVTTParser().parse(vtt, 'subtitles');
    expect(parsed.errors).toEqual([]);

    const srt = await (await fetch(`${svc.base}${job.links.captions}?format=srt`)).text();
    const srtCues = new srtParser2().fromSrt(srt);
    expect(srtCues.length).toBe(parsed.cues.length);
    // One cue per sentence here: every sentence is short.
    expect(parsed.cues.length).toBe(6);
    const plain = (s: string) => s.replace(/<[^>]*>/g, '');
    expect(parsed.cues.map((c) => plain(c.text)).join(' ')).toContain('The meeting starts at nine.');
    expect(srtCues.map((c) => c.text)).toContain('See you tomorrow!');

    const audio = Buffer.from(await (await fetch(`${svc.base}${job.links.audio}`)).arrayBuffer());
    const wav = parseWav(audio);
    const onsets = onsetsAfterPauses(wav.samples, wav.sampleRate);
    const offsets: number[] = [];
    for (const [i, cue] of parsed.cues.entries()) {
      const srtStart = srtCues[i]?.startSeconds ?? Number.NaN;
      expect(Math.abs(srtStart * 1000 - cue.startTime * 1000)).toBeLessThan(1);
      const nearest = onsets.reduce((best, o) =>
        Math.abs(o - cue.startTime * 1000) < Math.abs(best - cue.startTime * 1000) ? o : best,
      );
      offsets.push(Math.round(nearest - cue.startTime * 1000));
    }
    console.info(`cue start → speech onset (ms): ${offsets.join(', ')}; onsets after pauses: ${onsets.length}`);
    for (const d of offsets) expect(Math.abs(d)).toBeLessThanOrEqual(50);
    // Every pause in the audio is followed by a cue: no sentence is missing from the captions.
    expect(onsets.length).toBe(parsed.cues.length);

    // JSON: segments and words in ms with their text offsets; the last segment ends at the audio's end.
    const json = (await (await fetch(`${svc.base}${job.links.captions}?format=json`)).json()) as {
      duration_ms: number;
      segments: { start_ms: number; end_ms: number; text: string; words: { text: string; offset: number }[] }[];
    };
    expect(json.segments.length).toBe(4);
    const last = json.segments.at(-1);
    expect(Math.abs((last?.end_ms ?? 0) - (wav.samples.length / wav.sampleRate) * 1000)).toBeLessThan(
      1000 / wav.sampleRate,
    );
    const words = json.segments.flatMap((s) => s.words.map((w) => w.text));
    expect(words).toEqual(expect.arrayContaining(['meeting', 'Python', 'tomorrow']));
  });

  it('timings end at the decoded audio’s end within one frame, in every format and rate', {
    timeout: 240_000,
  }, async () => {
    const text = 'One sentence. 第二句话。\n\nA new paragraph, after a pause.';
    // MP3 at 22.05 kHz and below uses 576-sample frames (MPEG-2/2.5); at 44.1 kHz 1152.
    const frames: Record<string, number> = { wav: 1, flac: 1, pcm: 1, mp3: 1152, opus: 960 };
    const cases = [
      { format: 'wav', sample_rate: 16000 },
      { format: 'flac' },
      { format: 'mp3', sample_rate: 44100 },
      { format: 'opus' },
      { format: 'pcm', sample_rate: 8000 },
    ];
    const seen: string[] = [];
    for (const c of cases) {
      const job = await submit({ text, ...c });
      expect(job.status, `${c.format}: ${JSON.stringify(job.error)}`).toBe('succeeded');
      const buf = Buffer.from(await (await fetch(`${svc.base}${job.links.audio}`)).arrayBuffer());
      const decoded = await decodeAudio(c.format, buf, job.audio.sample_rate);
      const json = (await (await fetch(`${svc.base}/api/jobs/${job.id}/captions?format=json`)).json()) as {
        sample_rate: number;
        duration_ms: number;
        segments: { end_ms: number }[];
      };
      expect(json.sample_rate).toBe(decoded.sampleRate);
      const endSamples = ((json.segments.at(-1)?.end_ms ?? 0) * json.sample_rate) / 1000;
      const diff = Math.abs(endSamples - decoded.samples);
      seen.push(`${c.format}@${decoded.sampleRate}: ${Math.round(diff)} samples`);
      expect(diff).toBeLessThanOrEqual(frames[c.format] ?? 1);
    }
    console.info(`last segment end vs decoded length: ${seen.join('; ')}`);
  });

  it('the sync endpoint names its captions; captions answer as the audio does for unknown and unfinished jobs', {
    timeout: 60_000,
  }, async () => {
    const res = await postJson(`${svc.base}/api/tts`, { text: 'Hello there. 你好。' });
    expect(res.status).toBe(200);
    const url = res.headers.get('x-captions-url');
    expect(url).toMatch(/^\/api\/jobs\/[0-9a-f-]{36}\/captions$/);
    const vtt = await fetch(`${svc.base}${url}`);
    expect(vtt.status).toBe(200);
    expect(new WebVTTParser().parse(await vtt.text(), 'subtitles').cues.length).toBe(2);

    const bad = await fetch(`${svc.base}${url}?format=ass`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { code: string }).code).toBe('invalid_request');
    const missing = await fetch(`${svc.base}/api/jobs/00000000-0000-4000-8000-000000000000/captions`);
    expect(missing.status).toBe(404);
    const notId = await fetch(`${svc.base}/api/jobs/nope/captions`);
    expect(notId.status).toBe(404);
  });

  it("docs/api.md's captions example shows what its request gives", { timeout: 60_000 }, async () => {
    const api = readFileSync('docs/api.md', 'utf8');
    const body =
      /curl -s localhost:8080\/api\/jobs -H 'Content-Type: application\/json' \\\n {2}-d '(\{[^']*"captions":true\})'/.exec(
        api,
      )?.[1];
    expect(body).toBeDefined();
    const sub = await postJson(`${svc.base}/api/jobs`, JSON.parse(body ?? '{}'));
    const job = await waitForJob(svc.base, sub.json.id);
    const json = (await (await fetch(`${svc.base}/api/jobs/${job.id}/captions?format=json`)).json()) as {
      duration_ms: number;
      cues: { end_ms: number; text: string }[];
    };
    const shown = /# \{"sample_rate":22050,"duration_ms":([\d.]+),/.exec(api)?.[1];
    expect(Math.abs(Number(shown) - json.duration_ms)).toBeLessThan(json.duration_ms * 0.05);
    const firstCue = /"cues":\[\{"start_ms":20,"end_ms":([\d.]+),"text":"([^"]+)"/.exec(api);
    expect(firstCue?.[2]).toBe(json.cues[0]?.text);
    expect(Math.abs(Number(firstCue?.[1]) - (json.cues[0]?.end_ms ?? 0))).toBeLessThan(100);
  });
});
