/**
 * Engines of kind `http` against a real remote: a second instance of this
 * service (its own processes, prefix and port) is the speech server, reached
 * through its /v1 endpoint (protocol openai) and its /api/tts (protocol seed).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWav } from '../../src/audio/wav.js';
import { parseEnginesFile } from '../../src/config/engines-file.js';
import { HttpEngine } from '../../src/engines/http/engine.js';
import { httpCapabilities } from '../../src/engines/http/index.js';
import { decodeAudio } from './audio-decode.js';
import { decode, postJson, startService, waitForJob, type Service } from './harness.js';
import { enginesYaml } from './remote-helpers.js';

const KEY = `sk-remote-${randomBytes(12).toString('hex')}`;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const auth = { Authorization: `Bearer ${KEY}` };

let remote: Service;
let local: Service;
let dir: string;

beforeAll(async () => {
  // The remote demands a key: every answer below proves the key was sent.
  remote = await startService({ env: { API_KEYS: sha256(KEY) } });
  dir = mkdtempSync(join(tmpdir(), 'tandem-engines-'));
  const file = join(dir, 'engines.yaml');
  writeFileSync(file, enginesYaml(remote.base, { keyEnv: 'REMOTE_TTS_KEY' }));
  local = await startService({
    engines: ['remote-openai', 'remote-seed'],
    env: {
      ENGINES_FILE: file,
      REMOTE_TTS_KEY: KEY,
      PRIMARY_ENGINE: 'remote-openai',
      BACKUP_ENGINE: 'remote-seed',
    },
  });
}, 120_000);

afterAll(async () => {
  await local?.stop();
  await remote?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const TEXT = 'The quick brown fox jumps over the lazy dog, and then it runs into the quiet forest.';
const FORMATS = ['wav', 'mp3', 'opus', 'flac', 'pcm'] as const;

/** Duration of the same text synthesized by the remote directly (WAV from its /v1). */
async function directMs(text: string, voice: string): Promise<number> {
  const r = await postJson(
    `${remote.base}/v1/audio/speech`,
    { model: 'tts-1', input: text, voice, response_format: 'wav' },
    auth,
  );
  expect(r.status).toBe(200);
  return parseWav(r.buf).durationMs;
}

describe('http engines through a second instance of this service', () => {
  let reference: number;
  beforeAll(async () => {
    reference = await directMs(TEXT, 'alloy');
  });

  for (const role of ['primary', 'backup'] as const) {
    for (const format of FORMATS) {
      it(`${role === 'primary' ? 'openai' : 'seed'} protocol, ${format}: the remote's speech at the job's rate`, async () => {
        const rate = format === 'wav' ? 16000 : format === 'flac' ? 44100 : undefined;
        const sub = await postJson(`${local.base}/api/jobs`, {
          text: TEXT,
          format,
          engine: role,
          ...(rate ? { sample_rate: rate } : {}),
        });
        expect(sub.status).toBe(202);
        const job = await waitForJob(local.base, sub.json.id, 60_000);
        expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
        expect(job.engine.used).toBe(role === 'primary' ? 'remote-openai' : 'remote-seed');
        const audio = await decode(await fetch(`${local.base}${job.links.audio}`));
        expect(audio.status).toBe(200);
        const d = await decodeAudio(format, audio.buf, job.audio.sample_rate);
        // Opus is always 48 kHz; otherwise the requested rate or the engine's (24 kHz from the file's default).
        expect(d.sampleRate).toBe(format === 'opus' ? 48000 : (rate ?? 24000));
        expect(job.audio.sample_rate).toBe(d.sampleRate);
        // Same text, same remote engine: the same length of speech, give or take resampling and MP3 padding.
        expect(Math.abs(d.durationMs - reference), `${d.durationMs} vs ${reference}`).toBeLessThan(
          reference * 0.03 + 60,
        );
        expect(d.rms).toBeGreaterThan(0.02);
      });
    }
  }

  for (const fmt of FORMATS) {
    it(`decodes a remote answering ${fmt} to PCM at the engine's rate`, async () => {
      const [spec] = parseEnginesFile(
        `engines:\n  r:\n    kind: http\n    protocol: openai\n    url: ${remote.base}/v1\n    response_format: ${fmt}\n    sample_rate: 32000\n`,
        'inline.yaml',
      );
      if (!spec) throw new Error('no engine parsed');
      const engine = new HttpEngine(spec, httpCapabilities(spec), KEY);
      const pcm = await engine.synthesize({
        chunk: { index: 0, runs: [{ lang: 'en', text: TEXT }], chars: TEXT.length, paragraphEnd: true },
        voice: 'female',
        speed: 1,
      });
      const ms = (pcm.length / 32000) * 1000;
      // Raw PCM carries no rate: it is read at the protocol's 24 kHz and then resampled like the rest.
      expect(Math.abs(ms - reference), `${ms} vs ${reference}`).toBeLessThan(reference * 0.03 + 60);
      let sum = 0;
      for (const v of pcm) sum += (v / 32768) ** 2;
      expect(Math.sqrt(sum / pcm.length)).toBeGreaterThan(0.02);
    });
  }

  it('reads mixed Chinese and English with the voices of each language', async () => {
    const sub = await postJson(`${local.base}/api/jobs`, {
      text: '你好，这是一个语音示例。Hello, this is a sample.',
      format: 'wav',
      voice: 'male',
    });
    const job = await waitForJob(local.base, sub.json.id);
    expect(job.status).toBe('succeeded');
    const wav = parseWav((await decode(await fetch(`${local.base}${job.links.audio}`))).buf);
    const zh = await directMs('你好，这是一个语音示例。', 'zh-male');
    const en = await directMs('Hello, this is a sample.', 'onyx');
    expect(Math.abs(wav.durationMs - (zh + en))).toBeLessThan((zh + en) * 0.03 + 60);
  });

  it('lists the remote voices, and refuses one it does not have before queuing', async () => {
    const v = await decode(await fetch(`${local.base}/api/voices`));
    expect(JSON.stringify(v.json)).toContain('alloy');
    const bad = await postJson(`${local.base}/api/jobs`, { text: 'Hello.', voice: 'nobody' });
    expect(bad.status).toBe(400);
    expect(bad.json.field).toBe('voice');
  });

  it('never shows the remote API key in logs, job views, metrics or engine views', async () => {
    const sub = await postJson(`${local.base}/api/jobs`, { text: 'Is my key safe?' });
    const job = await waitForJob(local.base, sub.json.id);
    expect(job.status).toBe('succeeded');
    const pages = await Promise.all(
      [`/api/jobs/${job.id}`, '/api/jobs', '/api/engines', '/api/voices', '/metrics', '/api/health'].map(async (p) =>
        (await fetch(`${local.base}${p}`)).text(),
      ),
    );
    const logs = [...local.api.lines, ...local.workers.flatMap((w) => w.lines)];
    expect(logs.length).toBeGreaterThan(5);
    for (const text of [...pages, ...logs]) expect(text).not.toContain(KEY);
  });
});
