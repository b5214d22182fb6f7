/**
 * End to end through the queue with the Kokoro code path: the real API and a
 * real `worker --engine kokoro` process whose MODELS_DIR holds the stand-in model.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWav, rms } from '../../src/audio/wav.js';
import { allVoiceFiles } from '../../src/engines/kokoro/voices.js';
import { makeStandInModelsDir } from '../fixtures/make-stand-in-model.js';
import { decode, postJson, spawnProc, startService, waitForJob, type Service } from './harness.js';

let svc: Service;
let models: string;

beforeAll(async () => {
  models = makeStandInModelsDir(mkdtempSync(join(tmpdir(), 'tandem-kokoro-q-')), { voices: allVoiceFiles() });
  const env = { MODELS_DIR: models, PRIMARY_ENGINE: 'kokoro', BACKUP_ENGINE: 'espeak', KOKORO_THREADS: '1' };
  svc = await startService({ env });
  const worker = spawnProc('worker.js', ['--engine', 'kokoro'], svc.env);
  svc.workers.push(worker);
  await worker.waitFor(/worker ready/, 60_000);
}, 120_000);

afterAll(async () => {
  await svc?.stop();
  if (models) rmSync(models, { recursive: true, force: true });
});

async function synthesize(text: string, extra: Record<string, unknown> = {}) {
  const sub = await postJson(`${svc.base}/api/jobs`, { text, engine: 'primary', voice: 'female', ...extra });
  expect(sub.status, JSON.stringify(sub.json)).toBe(202);
  const job = await waitForJob(svc.base, sub.json.id, 90_000);
  expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
  expect(job.engine).toMatchObject({ requested: 'primary', used: 'kokoro' });
  const audio = await decode(await fetch(`${svc.base}${job.links.audio}`));
  expect(audio.status).toBe(200);
  const wav = parseWav(audio.buf);
  expect(wav.sampleRate).toBe(24_000);
  expect(wav.channels).toBe(1);
  expect(rms(wav.samples)).toBeGreaterThan(0.02);
  return { job, wav };
}

describe('primary = kokoro through the queue', () => {
  it.each([
    ['English', 'Hello, this is a sample. It costs $3,497 at 14:17.', 2000],
    ['Chinese', '你好，这是一个语音示例。2026年3月20日，收入增长了100倍。', 2500],
    ['mixed', '你好，这是一个语音示例。Hello, this is a sample. 我用iPhone拍照。', 3000],
  ])('synthesizes %s text', async (_name, text, minMs) => {
    const { wav } = await synthesize(text);
    expect(wav.durationMs).toBeGreaterThan(minMs);
    expect(wav.durationMs).toBeLessThan(minMs * 10);
  });

  it('synthesizes a text long enough for several chunks, reporting progress per chunk', async () => {
    const para =
      'The engine reads long documents chunk by chunk, and each chunk is stitched to the next with a short pause. ' +
      '长文档会被分成若干段，每一段都在句子或分句的边界上切开。';
    const text = `${para.repeat(3)}\n\n${para.repeat(2)}`;
    const { job, wav } = await synthesize(text, { speed: 1.5 });
    expect(job.progress.chunks_total).toBeGreaterThan(1);
    expect(job.progress.chunks_done).toBe(job.progress.chunks_total);
    expect(wav.durationMs).toBeGreaterThan(20_000);
  });

  it('lists the Kokoro voices as the primary engine', async () => {
    const r = await decode(await fetch(`${svc.base}/api/voices`));
    expect(r.json.primary.engine).toBe('kokoro');
    expect(r.json.primary.sample_rate).toBe(24_000);
    const names = r.json.primary.voices.map((v: { name: string }) => v.name);
    expect(names).toEqual(
      expect.arrayContaining(['af_heart', 'zf_xiaoxiao', 'zm_yunxi', 'bm_george', 'zh-female', 'en-us-male']),
    );
  });
});
