import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, startService, type Service } from './harness.js';
import { lastSyllableZcr } from './speech-features.js';

let svc: Service;
beforeAll(async () => {
  svc = await startService();
});
afterAll(async () => {
  await svc?.stop();
});

async function audio(text: string): Promise<Buffer> {
  const r = await postJson(`${svc.base}/api/tts`, { text, format: 'wav' });
  expect(r.status).toBe(200);
  return r.buf;
}

async function phonemes(text: string, extra: Record<string, unknown> = {}): Promise<string> {
  const r = await postJson(`${svc.base}/api/phonemize`, { text, ...extra });
  expect(r.status).toBe(200);
  return (r.json.chunks as { runs: { phonemes: string }[] }[]).flatMap((c) => c.runs.map((x) => x.phonemes)).join('|');
}

describe('inline pronunciation', () => {
  it('[行](/xing2/) and [行](/hang2/) change what espeak-ng says and what /api/phonemize reports', {
    timeout: 60_000,
  }, async () => {
    // espeak-ng's output is not bit-identical from call to call (its noise sources), so the readings are
    // told apart by a feature: x- [ɕ] and [i] cross zero far more often than h- [χ] and [ɑ].
    const hang = lastSyllableZcr(await audio('银[行](/hang2/)'));
    const xing = lastSyllableZcr(await audio('银[行](/xing2/)'));
    const plain = lastSyllableZcr(await audio('我去银[航](/hang2/)'));
    console.info(
      `zero-crossing rate of 行: xing2 ${xing.toFixed(3)}, hang2 ${hang.toFixed(3)} (航 hang2 ${plain.toFixed(3)})`,
    );
    expect(xing).toBeGreaterThan(hang * 1.3);
    expect(Math.abs(hang - plain) / plain).toBeLessThan(0.2);

    const p = await phonemes('[行](/xing2/)');
    const h = await phonemes('[行](/hang2/)');
    expect(p).not.toBe(h);
    expect(p).toContain('ɕ'); // x-
    expect(h).toContain('x'); // h- in Kokoro's pinyin IPA
    console.info(`phonemize: xing2 → ${p}, hang2 → ${h}`);
  });

  it('[Nvidia](/ɛnˈvɪdiə/) is what /api/phonemize reports; an invalid annotation is read as text', async () => {
    expect(await phonemes('[Nvidia](/ɛnˈvɪdiə/)')).toBe('ɛnˈvɪdiə');
    const bad = await postJson(`${svc.base}/api/phonemize`, { text: '[行](/xing/)' });
    expect(bad.status).toBe(200);
    expect(bad.json.chunks[0].runs.some((r: { text: string }) => r.text.includes('[行]'))).toBe(true);
  });

  it('/api/phonemize takes text_type ssml like a job', async () => {
    const s = await phonemes('<speak><sub alias="World Wide Web">WWW</sub></speak>', { text_type: 'ssml' });
    expect(s).not.toBe(await phonemes('WWW'));
    const bad = await postJson(`${svc.base}/api/phonemize`, { text: '<speak><p></speak>' });
    expect(bad.status).toBe(400);
    expect(bad.json.code).toBe('invalid_ssml');
  });
});
