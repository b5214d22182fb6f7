import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWav, rms } from '../../src/audio/wav.js';
import { decode, freePort, postJson, spawnProc, startService, waitForJob, type Service } from './harness.js';

let svc: Service;
beforeAll(async () => {
  svc = await startService();
});
afterAll(async () => {
  await svc?.stop();
});

/** A playable WAV of speech: 16-bit mono, long enough for the text, and not silence. */
function expectSpeech(buf: Buffer, minMs: number) {
  const wav = parseWav(buf);
  expect(wav.bitsPerSample).toBe(16);
  expect(wav.channels).toBe(1);
  expect(wav.sampleRate).toBe(22050);
  expect(wav.durationMs).toBeGreaterThan(minMs);
  expect(wav.durationMs).toBeLessThan(minMs * 10);
  expect(rms(wav.samples)).toBeGreaterThan(0.01);
  return wav;
}

const SAMPLES = [
  { name: 'English', text: 'Hello, this is a sample.', minMs: 1000 },
  { name: 'Chinese', text: '你好，这是一个语音示例。', minMs: 1500 },
  { name: 'mixed', text: '你好，这是一个语音示例。Hello, this is a sample.', minMs: 2500 },
];

describe('async jobs API', () => {
  for (const s of SAMPLES) {
    it(`turns ${s.name} text into a playable WAV`, async () => {
      const sub = await postJson(`${svc.base}/api/jobs`, {
        text: s.text,
        voice: 'female',
        speed: 1.0,
        engine: 'auto',
        format: 'wav',
      });
      expect(sub.status).toBe(202);
      expect(['queued', 'running']).toContain(sub.json.status);
      expect(sub.headers.get('location')).toBe(`/api/jobs/${sub.json.id}`);
      expect(sub.json.links).toEqual({ self: `/api/jobs/${sub.json.id}`, audio: `/api/jobs/${sub.json.id}/audio` });

      const job = await waitForJob(svc.base, sub.json.id);
      expect(job.status).toBe('succeeded');
      expect(job.engine).toMatchObject({ requested: 'auto', route: 'primary', used: 'espeak' });
      expect(job.progress.chunks_done).toBe(job.progress.chunks_total);
      expect(job.progress.chunks_total).toBeGreaterThan(0);
      expect(job.attempts).toBe(1);
      expect(Date.parse(job.timings.finished_at)).toBeGreaterThanOrEqual(Date.parse(job.timings.started_at));
      expect(Date.parse(job.timings.started_at)).toBeGreaterThanOrEqual(Date.parse(job.timings.queued_at));
      expect(job.audio).toMatchObject({ content_type: 'audio/wav', url: `/api/jobs/${job.id}/audio` });

      const audio = await decode(await fetch(`${svc.base}${job.links.audio}`));
      expect(audio.status).toBe(200);
      expect(audio.headers.get('content-type')).toBe('audio/wav');
      expect(Number(audio.headers.get('content-length'))).toBe(audio.buf.length);
      expect(audio.buf.length).toBe(job.audio.bytes);
      const wav = expectSpeech(audio.buf, s.minMs);
      expect(Math.abs(wav.durationMs - job.audio.duration_ms)).toBeLessThan(5);
    });
  }

  it('the answer to a submission has the links the job has (captions when asked for), without reading it back', async () => {
    const sub = await postJson(`${svc.base}/api/jobs`, { text: 'With captions, please.', captions: true });
    expect(sub.status).toBe(202);
    expect(sub.json).toEqual({
      id: sub.json.id,
      status: 'queued',
      links: {
        self: `/api/jobs/${sub.json.id}`,
        audio: `/api/jobs/${sub.json.id}/audio`,
        captions: `/api/jobs/${sub.json.id}/captions`,
      },
    });
    const view = (await (await fetch(`${svc.base}${sub.json.links.self}`)).json()) as { links: unknown };
    expect(view.links).toEqual(sub.json.links);
  });

  it('mixed text takes longer than either language alone', async () => {
    const durations: number[] = [];
    for (const s of SAMPLES) {
      const r = await postJson(`${svc.base}/api/tts`, { text: s.text });
      durations.push(parseWav(r.buf).durationMs);
    }
    expect(durations[2]).toBeGreaterThan(durations[0]!);
    expect(durations[2]).toBeGreaterThan(durations[1]!);
  });

  it('serves audio with ETag, conditional requests and byte ranges', async () => {
    const sub = await postJson(`${svc.base}/api/jobs`, { text: 'Range requests let players seek.' });
    const job = await waitForJob(svc.base, sub.json.id);
    const url = `${svc.base}${job.links.audio}`;
    const full = await decode(await fetch(url));
    const etag = full.headers.get('etag')!;
    expect(etag).toMatch(/^".+"$/);
    expect(full.headers.get('accept-ranges')).toBe('bytes');

    const part = await decode(await fetch(url, { headers: { Range: 'bytes=0-43' } }));
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 0-43/${full.buf.length}`);
    expect(part.buf.equals(full.buf.subarray(0, 44))).toBe(true);

    const tail = await decode(await fetch(url, { headers: { Range: 'bytes=-100' } }));
    expect(tail.status).toBe(206);
    expect(tail.buf.equals(full.buf.subarray(full.buf.length - 100))).toBe(true);

    const outside = await decode(await fetch(url, { headers: { Range: `bytes=${full.buf.length + 10}-` } }));
    expect(outside.status).toBe(416);
    expect(outside.headers.get('content-range')).toBe(`bytes */${full.buf.length}`);
    expect(outside.json.code).toBe('range_not_satisfiable');

    const cached = await fetch(url, { headers: { 'If-None-Match': etag } });
    expect(cached.status).toBe(304);
  });

  it('answers 409 for the audio of a job that is not finished', async () => {
    const long = 'This sentence is long enough to keep the worker busy for a moment. '.repeat(20);
    const sub = await postJson(`${svc.base}/api/jobs`, { text: long });
    const r = await decode(await fetch(`${svc.base}/api/jobs/${sub.json.id}/audio`));
    expect(r.status).toBe(409);
    expect(r.json.code).toBe('audio_not_ready');
    expect(['queued', 'running']).toContain(r.json.status);
    expect((await waitForJob(svc.base, sub.json.id)).status).toBe('succeeded');
  });
});

describe('synchronous /api/tts', () => {
  it('works for a client written for the original service', async () => {
    // The original client: posts {text, voice, speed, engine}, checks 200 and writes the body to a file.
    const res = await fetch(`${svc.base}/api/tts`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        text: '你好，这是一个语音示例。Hello, this is a sample.',
        voice: 'male',
        speed: 1.2,
        engine: 'auto',
      }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('audio/wav');
    expect(res.headers.get('x-job-id')).toMatch(/^[0-9a-f-]{36}$/);
    expectSpeech(Buffer.from(await res.arrayBuffer()), 2000);
  });

  it('answers 202 with the job links when the audio takes longer than the wait', async () => {
    // A second API on the same queues whose wait is shorter than any synthesis.
    const port = await freePort();
    const api = spawnProc('api.js', [], { ...svc.env, PORT: String(port), TTS_WAIT_MS: '1' });
    try {
      await api.waitFor(/API listening/);
      const text = 'A long document takes a while to read aloud, sentence after sentence. '.repeat(6);
      const r = await postJson(`http://127.0.0.1:${port}/api/tts`, { text });
      expect(r.status).toBe(202);
      expect(r.headers.get('location')).toBe(`/api/jobs/${r.json.id}`);
      expect(r.json.links.audio).toBe(`/api/jobs/${r.json.id}/audio`);
      expect(['queued', 'running']).toContain(r.json.status);
      // The job still completes and its audio can be fetched later.
      const job = await waitForJob(svc.base, r.json.id);
      expect(job.status).toBe('succeeded');
      expectSpeech((await decode(await fetch(`${svc.base}${job.links.audio}`))).buf, 3000);
    } finally {
      api.child.kill('SIGTERM');
      await api.exited;
    }
  });

  it('speaks faster at speed 2.0 than at 0.5', async () => {
    const slow = await postJson(`${svc.base}/api/tts`, {
      text: 'The quick brown fox jumps over the lazy dog.',
      speed: 0.5,
    });
    const fast = await postJson(`${svc.base}/api/tts`, {
      text: 'The quick brown fox jumps over the lazy dog.',
      speed: 2.0,
    });
    expect(parseWav(slow.buf).durationMs).toBeGreaterThan(parseWav(fast.buf).durationMs * 2);
  });
});

describe('health and discovery', () => {
  it('reports liveness and readiness', async () => {
    const h = await decode(await fetch(`${svc.base}/healthz`));
    expect(h.status).toBe(200);
    expect(h.json).toEqual({ status: 'ok' });
    const r = await decode(await fetch(`${svc.base}/readyz`));
    expect(r.status).toBe(200);
    expect(r.json.redis).toBe('ok');
    expect(r.json.engines.espeak.live_workers).toBe(1);
  });

  it('lists the voices of each engine', async () => {
    const v = await decode(await fetch(`${svc.base}/api/voices`));
    expect(v.status).toBe(200);
    expect(v.json.backup.engine).toBe('espeak');
    const names = v.json.backup.voices.map((x: { name: string }) => x.name);
    expect(names).toEqual(expect.arrayContaining(['zh-female', 'zh-male', 'en-us-female', 'en-us-male']));
  });

  it('exposes Prometheus metrics', async () => {
    await postJson(`${svc.base}/api/tts`, { text: 'Counted.' });
    const r = await fetch(`${svc.base}/metrics`);
    expect(r.status).toBe(200);
    const text = await r.text();
    expect(text).toMatch(/tts_http_requests_total\{method="POST",route="\/api\/tts",status="200",role="api"\} \d+/);
    expect(text).toMatch(/tts_http_request_duration_seconds_bucket\{.*route="\/api\/tts"/);
    expect(text).toMatch(/tts_queue_jobs\{queue="tts-espeak",state="completed",role="api"\} [1-9]/);
    expect(text).toMatch(/tts_engine_up\{engine="espeak",role="backup"\} 1/);
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
  });

  it('serves Bull Board', async () => {
    const r = await fetch(`${svc.base}/admin/queues`);
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('<div id="root">');
  });
});

describe('worker metrics', () => {
  it('a worker serves its own metrics: jobs by outcome, synthesis time and real-time factor', async () => {
    const port = await freePort();
    const old = svc.workers[0]!;
    const fresh = await svc.startWorker({ METRICS_PORT: String(port) });
    old.child.kill('SIGTERM');
    await old.exited;
    const r = await postJson(`${svc.base}/api/tts`, { text: 'Measured by the worker that made it.' });
    expect(r.status).toBe(200);
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(text).toMatch(/tts_jobs_total\{engine="espeak",outcome="succeeded",role="worker"\} 1/);
    expect(text).toMatch(/tts_synthesis_duration_seconds_count\{[^}]*engine="espeak"[^}]*\} 1/);
    expect(text).toMatch(/tts_real_time_factor_count\{[^}]*engine="espeak"[^}]*\} 1/);
    expect(fresh.lines.some((l) => l.includes('metrics listening'))).toBe(true);
  });
});
