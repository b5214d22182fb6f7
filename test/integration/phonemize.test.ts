/**
 * POST /api/phonemize through real HTTP on the real API process: client key, the Kokoro
 * front-end without model weights, token ids from an installed config.json, and the same
 * bad-input errors as /api/jobs.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKey } from '../../src/api/auth.js';
import { postJson, startService, type Service } from './harness.js';

const CLIENT = 'phonemize-client-key';
const AUTH = { Authorization: `Bearer ${CLIENT}` };
const CONFIG = new URL('../fixtures/kokoro-v1.0/config.json', import.meta.url);
const VOCAB = (JSON.parse(readFileSync(CONFIG, 'utf8')) as { vocab: Record<string, number> }).vocab;
const ids = (phonemes: string) => [...phonemes].map((c) => VOCAB[c]).filter((x) => x !== undefined);

describe('POST /api/phonemize with the vocabulary installed', () => {
  let svc: Service;
  let models: string;
  beforeAll(async () => {
    // Only config.json: no weights, no voices.
    models = mkdtempSync(join(tmpdir(), 'phonemize-models-'));
    mkdirSync(join(models, 'kokoro'));
    copyFileSync(CONFIG, join(models, 'kokoro', 'config.json'));
    svc = await startService({
      workers: 0,
      env: { API_KEYS: `alice:${hashKey(CLIENT)}`, MODELS_DIR: models, JOBS_MAX_CHARS: '2000' },
    });
  });
  afterAll(async () => {
    await svc?.stop();
    rmSync(models, { recursive: true, force: true });
  });

  const phonemize = (body: unknown, headers: Record<string, string> = AUTH) =>
    postJson(`${svc.base}/api/phonemize`, body, headers);

  it('needs a client key', async () => {
    const r = await phonemize({ text: '你好' }, {});
    expect(r.status).toBe(401);
    expect(typeof r.json.error).toBe('string');
  });

  it('reads Mandarin as misaki legacy does, with token ids and nothing dropped', async () => {
    const r = await phonemize({ text: '我爱你。按照答案，你好！' });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ engine: 'kokoro', voice: 'female', vocabulary: { installed: true } });
    const [run] = r.json.chunks[0].runs;
    expect(run).toMatchObject({ language: 'zh', voice: 'zf_xiaoxiao', spoken: true, dropped: [] });
    // misaki legacy: wo3 ai4 ni3 / an4 zhao4 da2 an4 / ni3 hao3 (no sandhi).
    expect(run.phonemes).toBe('wo↓ai↘ni↓. a↘nꭧau↘ ta↗a↘n, ni↓xau↓!');
    expect(run.tokens).toEqual(ids(run.phonemes));
  });

  it('answers per chunk and language run, with the voice that reads each run', async () => {
    const r = await phonemize({ text: '今天的meeting推迟了。', voice: 'zh-male', engine: 'kokoro' });
    expect(r.status).toBe(200);
    const runs = r.json.chunks[0].runs;
    expect(runs.map((x: { language: string }) => x.language)).toEqual(['zh', 'en', 'zh']);
    expect(runs.map((x: { voice: string }) => x.voice)).toEqual(['zm_yunxi', 'am_michael', 'zm_yunxi']);
    expect(runs[0].phonemes).toBe('ʨi→ntʰjɛ→n tɤ');
    expect(runs[2].phonemes).toBe('tʰwei→ꭧʰɨ↗ lɤ.');
    expect(r.json.chunks[0].text).toContain('meeting');
  });

  it('shows the normalized text and the symbols the vocabulary drops', async () => {
    const r = await phonemize({ text: '你好……\u200b世界@#' });
    const [run] = r.json.chunks[0].runs;
    expect(run.text).toBe('你好......世界@#');
    // "……" is one pause (misaki: "……", no space after it either).
    expect(run.phonemes).toBe('ni↓xau↓…ʂɨ↘ʨje↘@#');
    expect(run.dropped).toEqual(['@', '#']);
    expect(run.tokens).toEqual(ids('ni↓xau↓…ʂɨ↘ʨje↘'));
  });

  it('splits long text into the chunks a job would have', async () => {
    const text = '这是一个很长的句子，用来测试分段。'.repeat(40);
    const r = await phonemize({ text });
    expect(r.status).toBe(200);
    expect(r.json.chunks.length).toBeGreaterThan(1);
    expect(r.json.chunks.map((c: { index: number }) => c.index)).toEqual(
      r.json.chunks.map((_: unknown, i: number) => i),
    );
  });

  // The same bodies /api/jobs rejects, with the same status and code.
  const BAD: [string, unknown, number, Record<string, unknown>, string?][] = [
    ['missing text', { voice: 'female' }, 400, { code: 'invalid_request', field: 'text' }],
    ['null text', { text: null }, 400, { code: 'invalid_request', field: 'text' }],
    ['empty text', { text: '' }, 400, { code: 'invalid_request', field: 'text', error: '"text" is empty' }],
    ['blank text', { text: '  \n ' }, 400, { code: 'invalid_request', field: 'text' }],
    ['text empty after normalization', { text: '\u200b\u200d\u0007' }, 400, { code: 'empty_text' }],
    ['only punctuation', { text: '...!!!，。' }, 400, { code: 'empty_text' }],
    ['text not a string', { text: 42 }, 400, { code: 'invalid_request', field: 'text' }],
    ['text over the /api/jobs limit', { text: '你'.repeat(2001) }, 413, { code: 'text_too_long', max_length: 2000 }],
    ['unknown voice', { text: 'hi', voice: 'robot' }, 400, { code: 'invalid_request', field: 'voice' }],
    ['voice not a string', { text: 'hi', voice: 7 }, 400, { code: 'invalid_request', field: 'voice' }],
    ['body an array', [{ text: 'hi' }], 400, { code: 'invalid_request' }],
    ['body a bare string', '"hello"', 400, { code: 'invalid_request' }],
    ['malformed JSON', '{"text": "hi",', 400, { code: 'invalid_json' }],
    ['wrong content type', 'text=hi', 400, { code: 'unsupported_content_type' }, 'application/x-www-form-urlencoded'],
  ];
  it.each(BAD)('%s: the same error as /api/jobs', async (_name, body, status, json, contentType) => {
    const headers = { ...AUTH, ...(contentType ? { 'Content-Type': contentType } : {}) };
    const r = await phonemize(body, headers);
    expect(r.status).toBe(status);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    expect(r.json).toMatchObject(json);
    expect(r.buf.toString()).not.toMatch(/at .*\.js:\d+/);
    const jobs = await postJson(`${svc.base}/api/jobs`, body, headers);
    expect(jobs.status).toBe(status);
    expect(jobs.json.code).toBe(r.json.code);
  });

  it('rejects an engine it cannot phonemize for, naming the allowed ones', async () => {
    const r = await phonemize({ text: '你好', engine: 'espeak' });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ code: 'invalid_request', field: 'engine', allowed: ['kokoro'] });
  });
});

describe('POST /api/phonemize without config.json', () => {
  let svc: Service;
  let models: string;
  beforeAll(async () => {
    models = mkdtempSync(join(tmpdir(), 'phonemize-empty-'));
    svc = await startService({ workers: 0, env: { MODELS_DIR: models } });
  });
  afterAll(async () => {
    await svc?.stop();
    rmSync(models, { recursive: true, force: true });
  });

  it('still gives phonemes, and says why there are no token ids', async () => {
    const r = await postJson(`${svc.base}/api/phonemize`, { text: '我爱你' });
    expect(r.status).toBe(200);
    expect(r.json.vocabulary).toMatchObject({ installed: false });
    expect(r.json.vocabulary.reason).toMatch(/config\.json/);
    expect(r.json.chunks[0].runs[0]).toMatchObject({ phonemes: 'wo↓ai↘ni↓', tokens: null, dropped: null });
  });

  it('gives token ids as soon as config.json is installed, without a restart', async () => {
    mkdirSync(join(models, 'kokoro'));
    copyFileSync(CONFIG, join(models, 'kokoro', 'config.json'));
    const r = await postJson(`${svc.base}/api/phonemize`, { text: '我爱你' });
    expect(r.json.vocabulary).toMatchObject({ installed: true });
    expect(r.json.chunks[0].runs[0]).toMatchObject({ tokens: ids('wo↓ai↘ni↓'), dropped: [] });
  });
});
