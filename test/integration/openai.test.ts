import { createHash } from 'node:crypto';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWav } from '../../src/audio/wav.js';
import { decodeAudio } from './audio-decode.js';
import { startService, type Service } from './harness.js';

const KEY = 'openai-client-test-key-0123456789';
let svc: Service;
let client: OpenAI;
beforeAll(async () => {
  const hash = createHash('sha256').update(KEY).digest('hex');
  svc = await startService({ env: { API_KEYS: `tester:${hash}` } });
  client = new OpenAI({ apiKey: KEY, baseURL: `${svc.base}/v1`, maxRetries: 0 });
});
afterAll(async () => {
  await svc?.stop();
});

describe('OpenAI-compatible endpoint, driven by the official openai client', () => {
  it('audio.speech.create returns WAV', async () => {
    const res = await client.audio.speech.create({
      model: 'tts-1',
      voice: 'alloy',
      input: 'Hello from the OpenAI client.',
      response_format: 'wav',
    });
    expect(res.headers.get('content-type')).toBe('audio/wav');
    const wav = parseWav(Buffer.from(await res.arrayBuffer()));
    expect(wav.sampleRate).toBe(22050);
    expect(wav.durationMs).toBeGreaterThan(1000);
  });

  it('WAV has the real length in its header, unless the client asks for a stream', async () => {
    const input = 'This is the first sentence. Here is a second one. A third follows it. And a fourth ends it.';
    const res = await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input, response_format: 'wav' });
    const buf = Buffer.from(await res.arrayBuffer());
    expect(Number(res.headers.get('content-length'))).toBe(buf.length);
    expect(buf.readUInt32LE(4)).toBe(buf.length - 8); // RIFF size
    expect(buf.toString('ascii', 36, 40)).toBe('data');
    expect(buf.readUInt32LE(40)).toBe(buf.length - 44); // data size
    // Asked for as a stream, it starts before the length is known: the header says so.
    const streamed = await client.audio.speech.create({
      model: 'tts-1',
      voice: 'alloy',
      input: `${input} Streamed this time.`,
      response_format: 'wav',
      stream_format: 'audio',
    });
    const sbuf = Buffer.from(await streamed.arrayBuffer());
    expect(sbuf.readUInt32LE(40)).toBe(0xffffffff);
    expect(parseWav(sbuf).durationMs).toBeGreaterThan(3000);
  });

  it('defaults to MP3; opus, flac and pcm work; speed is clamped to the engines', async () => {
    const mp3 = await client.audio.speech.create({ model: 'tts-1-hd', voice: 'onyx', input: 'Default format.' });
    expect(mp3.headers.get('content-type')).toBe('audio/mpeg');
    expect((await decodeAudio('mp3', Buffer.from(await mp3.arrayBuffer()))).durationMs).toBeGreaterThan(500);
    for (const format of ['opus', 'flac', 'pcm'] as const) {
      const r = await client.audio.speech.create({
        model: 'tts-1',
        voice: 'nova',
        input: 'Other formats.',
        response_format: format,
        speed: 4,
      });
      const d = await decodeAudio(format, Buffer.from(await r.arrayBuffer()), Number(r.headers.get('x-sample-rate')));
      expect(d.durationMs).toBeGreaterThan(300);
      expect(r.headers.get('x-job-id')).toBeTruthy();
      if (format === 'pcm') expect(r.headers.get('x-sample-rate')).toBe('24000'); // OpenAI's pcm rate
      const job = (await (
        await fetch(`${svc.base}/api/jobs/${r.headers.get('x-job-id')}`, {
          headers: { Authorization: `Bearer ${KEY}` },
        })
      ).json()) as { speed: number; voice: string };
      expect(job.speed).toBe(2); // 4.0 clamped to the engines' 2.0
      expect(job.voice).toBe('en-us-female');
    }
  });

  it('models.list names the models', async () => {
    const ids = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids).toEqual(expect.arrayContaining(['tts-1', 'tts-1-hd']));
  });

  it("errors come in OpenAI's shape and the client reads them", async () => {
    const err = await client.audio.speech
      .create({ model: 'tts-1', voice: 'nobody', input: 'x y' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.BadRequestError>).error).toMatchObject({
      type: 'invalid_request_error',
      param: 'voice',
    });
    const aac = await client.audio.speech
      .create({ model: 'tts-1', voice: 'alloy', input: 'x y', response_format: 'aac' })
      .catch((e: unknown) => e);
    expect((aac as InstanceType<typeof OpenAI.APIError>).status).toBe(400);
    const badModel = await client.audio.speech
      .create({ model: 'nope', voice: 'alloy', input: 'x y' })
      .catch((e: unknown) => e);
    expect((badModel as InstanceType<typeof OpenAI.APIError>).code).toBe('model_not_found');

    const stranger = new OpenAI({ apiKey: 'wrong-key', baseURL: `${svc.base}/v1`, maxRetries: 0 });
    const denied = await stranger.audio.speech
      .create({ model: 'tts-1', voice: 'alloy', input: 'x y' })
      .catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(OpenAI.AuthenticationError);
    const raw = await fetch(`${svc.base}/v1/audio/speech`, { method: 'POST' });
    expect(await raw.json()).toMatchObject({
      error: { type: 'authentication_error', code: 'unauthorized', param: null },
    });
  });
});
