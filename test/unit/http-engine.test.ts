import { describe, expect, it } from 'vitest';
import { createEncoder } from '../../src/audio/encoders/index.js';
import { wavHeader } from '../../src/audio/wav.js';
import { parseEnginesFile } from '../../src/config/engines-file.js';
import { isAppError } from '../../src/domain/errors.js';
import { decodeRemoteAudio, NotAudioError } from '../../src/engines/http/decode.js';
import { HttpEngine } from '../../src/engines/http/engine.js';
import { overloadedFor } from '../../src/engines/http/errors.js';
import { httpCapabilities, httpDescriptor } from '../../src/engines/http/index.js';
import { retryAfterMs } from '../../src/engines/http/protocol.js';
import type { Format } from '../../src/domain/job.js';

function tone(rate: number, ms: number): Int16Array {
  const n = Math.round((rate * ms) / 1000);
  return Int16Array.from({ length: n }, (_, i) => Math.round(Math.sin((2 * Math.PI * 440 * i) / rate) * 12000));
}

async function encode(format: Format, rate: number, pcm: Int16Array): Promise<Buffer> {
  const enc = await createEncoder(format, { sampleRate: rate, sourceRate: rate, mp3Bitrate: 64 });
  const parts = [enc.start(), enc.write(pcm)];
  const end = enc.finish();
  const buf = Buffer.concat([...parts, end.tail]);
  if (end.patch) end.patch.bytes.copy(buf, end.patch.offset);
  return buf;
}

const answer = (body: Buffer, contentType = 'audio/wav', rawPcm = false) => ({
  body,
  contentType,
  rawPcm,
  rawRate: 24000,
});

describe('decoding what a remote answers', () => {
  const cases: [Format, number, string][] = [
    ['wav', 22050, 'audio/wav'],
    ['mp3', 24000, 'audio/mpeg'],
    ['opus', 48000, 'audio/ogg'],
    ['flac', 44100, 'audio/flac'],
    // Servers often label audio application/octet-stream (or wrongly): the bytes decide.
    ['wav', 16000, 'application/octet-stream'],
    ['mp3', 24000, ''],
  ];
  for (const [format, rate, type] of cases) {
    it(`${format} at ${rate} Hz labelled "${type}" → 1 s of PCM at 24 kHz`, async () => {
      const pcm = await decodeRemoteAudio(answer(await encode(format, rate, tone(rate, 1000)), type), 24000);
      // MP3 adds encoder delay and padding; everything else is exact to a few samples.
      expect(Math.abs(pcm.length - 24000)).toBeLessThan(format === 'mp3' ? 2000 : 30);
      expect(Math.max(...pcm.subarray(2400, 4800))).toBeGreaterThan(8000);
    });
  }

  it('reads raw PCM at the protocol rate', async () => {
    const raw = Buffer.from((await encode('pcm', 24000, tone(24000, 500))).buffer);
    const pcm = await decodeRemoteAudio(answer(raw, 'audio/pcm', true), 48000);
    expect(pcm.length).toBe(24000);
  });

  it('reads float and stereo WAV, and a streamed WAV of unknown length', async () => {
    const n = 2400;
    const data = Buffer.alloc(n * 8);
    for (let i = 0; i < n; i++) {
      data.writeFloatLE(0.5, i * 8);
      data.writeFloatLE(-0.1, i * 8 + 4);
    }
    const h = wavHeader(24000, data.length, 2);
    h.writeUInt16LE(3, 20); // IEEE float
    h.writeUInt32LE(24000 * 8, 28);
    h.writeUInt16LE(8, 32);
    h.writeUInt16LE(32, 34);
    const pcm = await decodeRemoteAudio(answer(Buffer.concat([h, data])), 24000);
    expect(pcm.length).toBe(n);
    expect(pcm[100]).toBeCloseTo(0.2 * 32767, -2);
    const streamed = await encode('wav', 24000, tone(24000, 100));
    streamed.writeUInt32LE(0xffffffff, 40);
    expect((await decodeRemoteAudio(answer(streamed), 24000)).length).toBe(2400);
  });

  const refused: [string, Parameters<typeof answer>, RegExp][] = [
    ['empty', [Buffer.alloc(0)], /empty body/],
    [
      'an HTML error page',
      [Buffer.from('<html><title>502</title><body><h1>Bad Gateway</h1></body></html>'), 'text/html'],
      /text\/html instead of audio: "502 Bad Gateway"/,
    ],
    [
      'JSON labelled audio',
      [Buffer.from('{"detail":"voice not found"}'), 'audio/wav'],
      /instead of audio: "\{"detail"/,
    ],
    ['odd raw PCM', [Buffer.alloc(11), 'audio/pcm', true], /odd length/],
    ['unknown bytes', [Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9])], /not WAV, MP3, Ogg Opus or FLAC \(starting 0102/],
  ];
  for (const [what, args, error] of refused) {
    it(`refuses ${what}`, async () => {
      await expect(decodeRemoteAudio(answer(...args), 24000)).rejects.toThrow(error);
    });
  }

  it('refuses a truncated WAV, saying how much is missing', async () => {
    const wav = await encode('wav', 24000, tone(24000, 500));
    const err = await decodeRemoteAudio(answer(wav.subarray(0, 1000)), 24000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotAudioError);
    expect((err as Error).message).toMatch(/truncated WAV file: its header declares 24000 bytes of audio, 956 arrived/);
  });

  it('refuses a truncated Ogg Opus file', async () => {
    const ogg = await encode('opus', 48000, tone(48000, 500));
    await expect(decodeRemoteAudio(answer(ogg.subarray(0, 40), 'audio/ogg'), 24000)).rejects.toThrow(NotAudioError);
  });
});

describe('retry-after', () => {
  it('reads seconds and HTTP dates, caps at an hour, ignores nonsense', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000);
    expect(retryAfterMs('999999', now)).toBe(3_600_000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});

const SPEC = (extra = '') =>
  parseEnginesFile(
    `engines:\n  gpu:\n    kind: http\n    protocol: openai\n    url: http://gpu:8000/v1?tenant=a\n    api_key_env: GPU_KEY\n    model: indextts2\n    voices: { zh: { female: xiaoyi, male: yunjian }, en: { female: alloy, male: onyx } }\n    timeout_ms: 200\n${extra}`,
    'e.yaml',
  )[0] ?? (undefined as never);

const KEY = 'sk-secret-123456';
type Call = { url: string; init: RequestInit };

function engineWith(respond: (call: Call) => Response | Promise<Response>, spec = SPEC(), key: string | null = KEY) {
  const calls: Call[] = [];
  const fake = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return respond({ url, init });
  }) as unknown as typeof fetch;
  return { engine: new HttpEngine(spec, httpCapabilities(spec), key ?? undefined, fake), calls };
}

const chunk = (runs: { lang: 'zh' | 'en'; text: string }[]) => ({
  index: 0,
  runs,
  chars: runs.reduce((n, r) => n + r.text.length, 0),
  paragraphEnd: true,
});
const okWav = async () =>
  new Response(await encode('wav', 24000, tone(24000, 200)), { headers: { 'Content-Type': 'audio/wav' } });

async function failure(p: Promise<unknown>) {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isAppError(err)) throw new Error(`expected an AppError, got ${String(err)}`);
  return err;
}

describe('HttpEngine', () => {
  it('speaks the openai protocol: one request per voice, the key as a bearer token', async () => {
    const { engine, calls } = engineWith(okWav);
    const pcm = await engine.synthesize({
      chunk: chunk([
        { lang: 'zh', text: '你好。' },
        { lang: 'en', text: 'Hello.' },
      ]),
      voice: 'male',
      speed: 1.2,
    });
    expect(pcm.length).toBe(2 * 4800);
    expect(calls.map((c) => c.url)).toEqual([
      'http://gpu:8000/v1/audio/speech?tenant=a',
      'http://gpu:8000/v1/audio/speech?tenant=a',
    ]);
    expect(calls.map((c) => JSON.parse(String(c.init.body)))).toEqual([
      { model: 'indextts2', input: '你好。', voice: 'yunjian', response_format: 'wav', speed: 1.2 },
      { model: 'indextts2', input: 'Hello.', voice: 'onyx', response_format: 'wav', speed: 1.2 },
    ]);
    expect(new Headers(calls[0]?.init.headers).get('authorization')).toBe(`Bearer ${KEY}`);
  });

  it('speaks the seed protocol: {text, voice, speed} to the URL as given', async () => {
    const [seed] = parseEnginesFile(
      'engines:\n  old:\n    kind: http\n    protocol: seed\n    url: http://legacy:8080/api/tts\n',
      'e.yaml',
    );
    if (!seed) throw new Error('no spec');
    const { engine, calls } = engineWith(okWav, seed, null);
    await engine.synthesize({ chunk: chunk([{ lang: 'en', text: 'Hi there.' }]), voice: 'female', speed: 1 });
    expect(calls[0]?.url).toBe('http://legacy:8080/api/tts');
    expect(JSON.parse(String(calls[0]?.init.body))).toEqual({ text: 'Hi there.', voice: 'female', speed: 1 });
    expect(new Headers(calls[0]?.init.headers).get('authorization')).toBeNull();
  });

  const statuses: [string, () => Response, string, boolean][] = [
    [
      '429 with Retry-After',
      () => new Response('slow down', { status: 429, headers: { 'Retry-After': '7' } }),
      'remote_overloaded',
      true,
    ],
    [
      '503 with Retry-After',
      () => new Response('', { status: 503, headers: { 'Retry-After': '2' } }),
      'remote_overloaded',
      true,
    ],
    ['503 without Retry-After', () => new Response('down', { status: 503 }), 'remote_http_error', true],
    ['500', () => new Response('boom', { status: 500 }), 'remote_http_error', true],
    ['400', () => new Response('{"detail":"unknown voice"}', { status: 400 }), 'remote_rejected', false],
  ];
  for (const [what, respond, code, retryable] of statuses) {
    it(`${what} → ${code}`, async () => {
      const { engine } = engineWith(respond);
      const err = await failure(
        engine.synthesize({ chunk: chunk([{ lang: 'en', text: 'x' }]), voice: 'female', speed: 1 }),
      );
      expect(err.code).toBe(code);
      expect(err.retryable).toBe(retryable);
      expect(err.message).toMatch(/^remote engine gpu \(http:\/\/gpu:8000\/v1\) /);
    });
  }

  it('an overload carries the pause asked for', async () => {
    const { engine } = engineWith(() => new Response('', { status: 429, headers: { 'Retry-After': '7' } }));
    const err = await failure(
      engine.synthesize({ chunk: chunk([{ lang: 'en', text: 'x' }]), voice: 'female', speed: 1 }),
    );
    expect(overloadedFor(err)).toBe(7000);
    expect(overloadedFor(new Error('other'))).toBeUndefined();
  });

  it('never lets the key out, even when the remote echoes it, and hides the query string', async () => {
    const { engine } = engineWith(() => new Response(`invalid api key ${KEY}`, { status: 500 }));
    const err = await failure(
      engine.synthesize({ chunk: chunk([{ lang: 'en', text: 'x' }]), voice: 'female', speed: 1 }),
    );
    expect(err.message).toContain('invalid api key [redacted]');
    expect(JSON.stringify({ ...err, message: err.message })).not.toContain(KEY);
    expect(err.message).not.toContain('tenant=a');
    expect(JSON.stringify(engine)).not.toContain(KEY);
  });

  it('a remote that does not answer in time → remote_timeout; one that cannot be reached → remote_unreachable', async () => {
    const hang = engineWith(
      (c) =>
        new Promise<Response>((_, reject) =>
          c.init.signal?.addEventListener('abort', () => reject(c.init.signal?.reason)),
        ),
    );
    const t = await failure(
      hang.engine.synthesize({ chunk: chunk([{ lang: 'en', text: 'x' }]), voice: 'female', speed: 1 }),
    );
    expect(t.code).toBe('remote_timeout');
    expect(t.message).toMatch(/did not answer within 200 ms/);
    const refused = engineWith(() => {
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    });
    const r = await failure(
      refused.engine.synthesize({ chunk: chunk([{ lang: 'en', text: 'x' }]), voice: 'female', speed: 1 }),
    );
    expect(r.code).toBe('remote_unreachable');
    expect(r.message).toMatch(/cannot reach remote engine gpu \(http:\/\/gpu:8000\/v1\): ECONNREFUSED/);
  });

  it('is not installed while its key variable is unset, with the fix', async () => {
    const spec = SPEC();
    expect(await httpDescriptor(spec, undefined).installed({} as never)).toEqual({
      ok: false,
      reason: 'GPU_KEY (the API key of remote engine gpu) is not set',
      install: 'set GPU_KEY in the environment of the gpu workers',
    });
    expect((await httpDescriptor(spec, KEY).installed({} as never)).ok).toBe(true);
    expect(JSON.stringify(httpDescriptor(spec, KEY))).not.toContain(KEY);
  });

  it('offers the file’s voices; a language left out borrows the other’s', () => {
    const [only] = parseEnginesFile(
      'engines:\n  k:\n    kind: http\n    protocol: openai\n    url: http://k/v1\n    voices: { en: { female: af_heart, male: am_adam } }\n',
      'e.yaml',
    );
    if (!only) throw new Error('no spec');
    const caps = httpCapabilities(only);
    expect(caps.defaults).toEqual({
      zh: { female: 'af_heart', male: 'am_adam' },
      en: { female: 'af_heart', male: 'am_adam' },
    });
    expect(caps.voices.map((v) => v.name)).toEqual(['af_heart', 'am_adam']);
    expect(caps.sampleRate).toBe(24000);
    expect(caps.maxChunkChars).toBe(400);
  });
});
