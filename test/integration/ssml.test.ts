import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWav } from '../../src/audio/wav.js';
import { postJson, startService, type Service, waitForJob } from './harness.js';

let svc: Service;
beforeAll(async () => {
  svc = await startService();
});
afterAll(async () => {
  await svc?.stop();
});

/** Synthesize `text` as a job and return its decoded WAV and job view. */
async function speak(body: Record<string, unknown>) {
  const sub = await postJson(`${svc.base}/api/jobs`, { format: 'wav', ...body });
  expect(sub.status).toBe(202);
  const job = await waitForJob(svc.base, sub.json.id, 120_000);
  expect(job.status).toBe('succeeded');
  const wav = parseWav(Buffer.from(await (await fetch(`${svc.base}${job.links.audio}`)).arrayBuffer()));
  return { job, wav };
}

/** Silent stretches (peak below about -40 dBFS) of at least 100 ms inside the audio, in ms. */
function silences(samples: Int16Array, rate: number): number[] {
  const out: number[] = [];
  let run = 0;
  let seenSpeech = false;
  for (const s of samples) {
    if (Math.abs(s) < 300) run++;
    else {
      if (seenSpeech && run >= rate / 10) out.push((run / rate) * 1000);
      run = 0;
      seenSpeech = true;
    }
  }
  return out;
}

/** Time from the first to the last sample of speech, in ms. */
function speechSpan(samples: Int16Array, rate: number): number {
  let first = 0;
  while (first < samples.length && Math.abs(samples[first] ?? 0) < 300) first++;
  let last = samples.length - 1;
  while (last > first && Math.abs(samples[last] ?? 0) < 300) last--;
  return ((last - first) / rate) * 1000;
}

describe('SSML', () => {
  it('<break time="700ms"/> is 700 ms of silence in the decoded audio', { timeout: 120_000 }, async () => {
    const { wav, job } = await speak({ text: '<speak>Good morning.<break time="700ms"/>Welcome back.</speak>' });
    const gaps = silences(wav.samples, wav.sampleRate);
    console.info(`break 700ms → silences ${gaps.map((g) => g.toFixed(1)).join(', ')} ms`);
    expect(gaps.length).toBe(1);
    expect(Math.abs((gaps[0] ?? 0) - 700)).toBeLessThanOrEqual(30);
    expect(job.chars).toBe('Good morning.Welcome back.'.length);

    const zh = await speak({ text: '<speak>你好。<break time="1.2s"/>再见。</speak>', text_type: 'ssml' });
    const zhGaps = silences(zh.wav.samples, zh.wav.sampleRate);
    console.info(`break 1.2s (zh) → silences ${zhGaps.map((g) => g.toFixed(1)).join(', ')} ms`);
    expect(zhGaps.some((g) => Math.abs(g - 1200) <= 30)).toBe(true);
  });

  it('prosody rate changes the duration in proportion', { timeout: 120_000 }, async () => {
    const sentence = 'The quick brown fox jumps over the lazy dog near the riverbank every morning.';
    const normal = await speak({ text: `<speak>${sentence}</speak>` });
    const slow = await speak({ text: `<speak><prosody rate="60%">${sentence}</prosody></speak>` });
    const fast = await speak({ text: `<speak><prosody rate="150%">${sentence}</prosody></speak>` });
    const base = speechSpan(normal.wav.samples, normal.wav.sampleRate);
    const slowRatio = speechSpan(slow.wav.samples, slow.wav.sampleRate) / base;
    const fastRatio = speechSpan(fast.wav.samples, fast.wav.sampleRate) / base;
    console.info(
      `prosody: 60% → ×${slowRatio.toFixed(3)} (ideal ${(1 / 0.6).toFixed(3)}), 150% → ×${fastRatio.toFixed(3)} (ideal ${(1 / 1.5).toFixed(3)})`,
    );
    expect(Math.abs(slowRatio * 0.6 - 1)).toBeLessThan(0.15);
    expect(Math.abs(fastRatio * 1.5 - 1)).toBeLessThan(0.15);
  });

  it('unsupported elements are read as text and listed as warnings; characters count after markup', {
    timeout: 60_000,
  }, async () => {
    const { job } = await speak({
      text: '<speak><p>We use <sub alias="World Wide Web">WWW</sub>.</p><p><emphasis>Really</emphasis> <say-as interpret-as="characters">TTS</say-as>.</p></speak>',
    });
    expect(job.warnings).toEqual(['<emphasis> is not supported: its text is read as it is']);
    // Spoken text: "We use World Wide Web." and "Really T T S." (the alias, the letters one by one).
    expect(job.chars).toBe(22 + 13);
  });

  it('invalid SSML is a 400 with line, column and reason', async () => {
    const r = await postJson(`${svc.base}/api/jobs`, { text: '<speak>\n  <p>Hello</s>\n</speak>' });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ code: 'invalid_ssml', line: 2, reason: expect.stringContaining('close tag') });
    expect(typeof r.json.column).toBe('number');
    const t = await postJson(`${svc.base}/api/jobs`, { text: '<speak><break time="soon"/>x</speak>' });
    expect(t.status).toBe(400);
    expect(t.json.reason).toContain('break time');
    const type = await postJson(`${svc.base}/api/jobs`, { text: 'hi', text_type: 'html' });
    expect(type.status).toBe(400);
    expect(type.json).toMatchObject({ field: 'text_type', allowed: ['text', 'ssml'] });
  });

  it('hostile SSML gets a clear 4xx, quickly', { timeout: 60_000 }, async () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from(
      { length: 9 },
      (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`,
    ).join('')}]><speak>&lol9;</speak>`;
    const external = '<!DOCTYPE speak [<!ENTITY x SYSTEM "file:///etc/passwd">]><speak>&x;</speak>';
    const deep = `<speak>${'<s>'.repeat(10_000)}deep${'</s>'.repeat(10_000)}</speak>`;
    const huge = `<speak>${'<s>word</s>'.repeat(210_000)}</speak>`; // 2.1 MB of markup
    const undefinedEntity = '<speak>&lol;</speak>';
    const timings: string[] = [];
    for (const [name, text, status] of [
      ['billion laughs', laughs, 400],
      ['external entity', external, 400],
      ['10,000-deep nesting', deep, 400],
      ['undefined entity', undefinedEntity, 400],
      ['2 MB of markup', huge, 413],
    ] as const) {
      const t0 = performance.now();
      const r = await postJson(`${svc.base}/api/jobs`, { text, text_type: 'ssml' });
      const ms = performance.now() - t0;
      timings.push(`${name}: ${r.status} in ${ms.toFixed(0)} ms`);
      expect(r.status, name).toBe(status);
      expect(typeof r.json.error, name).toBe('string');
      expect(ms, name).toBeLessThan(2000);
    }
    console.info(`hostile SSML: ${timings.join('; ')}`);
    // Without text_type, markup that opens with an XML declaration or a DOCTYPE is still parsed and refused,
    // never read aloud as text.
    for (const text of [laughs, external]) {
      const r = await postJson(`${svc.base}/api/jobs`, { text });
      expect(r.status).toBe(400);
      expect(r.json.code).toBe('invalid_ssml');
    }
  });
});
