import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, startService, type Service, waitForJob } from './harness.js';
import { lastSyllableZcr } from './speech-features.js';

let svc: Service;
beforeAll(async () => {
  svc = await startService();
});
afterAll(async () => {
  await svc?.stop();
});

const put = (name: string, body: unknown) =>
  fetch(`${svc.base}/api/lexicons/${name}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });

async function audio(text: string, lexicons?: string[]): Promise<Buffer> {
  const r = await postJson(`${svc.base}/api/tts`, { text, format: 'wav', ...(lexicons ? { lexicons } : {}) });
  expect(r.status).toBe(200);
  return r.buf;
}

async function phonemes(text: string, lexicons?: string[]): Promise<string> {
  const r = await postJson(`${svc.base}/api/phonemize`, { text, ...(lexicons ? { lexicons } : {}) });
  expect(r.status).toBe(200);
  return (r.json.chunks as { runs: { phonemes: string }[] }[]).flatMap((c) => c.runs.map((x) => x.phonemes)).join('|');
}

describe('pronunciation lexicons', () => {
  it('a lexicon entry for 行 and one for an English brand change /api/phonemize and the audio', {
    timeout: 90_000,
  }, async () => {
    expect((await put('hang', { entries: [{ text: '行', lang: 'zh', pinyin: 'hang2' }] })).status).toBe(200);
    expect((await put('xing', { entries: [{ text: '行', lang: 'zh', pinyin: 'xing2' }] })).status).toBe(200);
    expect(await phonemes('银行', ['xing'])).toContain('ɕ');
    expect(await phonemes('银行', ['hang'])).not.toContain('ɕ');
    // espeak-ng is not bit-identical between calls: compare a feature of the last syllable (see speech-features).
    const xing = lastSyllableZcr(await audio('银行', ['xing']));
    const hang = lastSyllableZcr(await audio('银行', ['hang']));
    console.info(`lexicon 行: zero-crossing rate xing2 ${xing.toFixed(3)}, hang2 ${hang.toFixed(3)}`);
    expect(xing).toBeGreaterThan(hang * 1.3);

    const brand = await put('brand', {
      entries: [
        { text: 'Nvidia', lang: 'en', ipa: 'ɛnˈvɪdiə' },
        { text: 'SQL', lang: 'en', alias: 'sequel' },
      ],
    });
    expect(brand.status).toBe(200);
    expect(await phonemes('I like nvidia.', ['brand'])).toContain('ɛnˈvɪdiə');
    // espeak-ng cannot take IPA here; the alias entry changes what it says.

    // A job records the lexicons it used, by version; its captions show the text as spoken.
    const sub = await postJson(`${svc.base}/api/jobs`, { text: 'We use SQL.', lexicons: ['brand'] });
    const job = await waitForJob(svc.base, sub.json.id);
    expect(job.lexicons).toEqual(['brand@1']);
    const captions = (await (await fetch(`${svc.base}/api/jobs/${job.id}/captions?format=json`)).json()) as {
      segments: { text: string }[];
    };
    expect(captions.segments.map((x) => x.text)).toEqual(['We use sequel.']);
  });

  it('listing, default, versions and delete', async () => {
    const first = (await (
      await put('names', { entries: [{ text: '重庆', lang: 'zh', pinyin: 'chong2 qing4' }] })
    ).json()) as {
      version: number;
    };
    const second = (await (
      await put('names', { entries: [{ text: '重庆', lang: 'zh', pinyin: 'chong2 qing4' }], default: true })
    ).json()) as { version: number };
    expect(second.version).toBe(first.version + 1);
    const list = (await (await fetch(`${svc.base}/api/lexicons`)).json()) as {
      default: string;
      lexicons: { name: string }[];
    };
    expect(list.default).toBe('names');
    expect(list.lexicons.map((l) => l.name)).toContain('names');
    // The default applies when a request names none.
    const sub = await postJson(`${svc.base}/api/jobs`, { text: '重庆' });
    expect((await waitForJob(svc.base, sub.json.id)).lexicons).toEqual([`names@${second.version}`]);
    expect((await fetch(`${svc.base}/api/lexicons/names`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(`${svc.base}/api/lexicons/names`)).status).toBe(404);
    expect(((await (await fetch(`${svc.base}/api/lexicons`)).json()) as { default: unknown }).default).toBe(null);
  });

  it('bad lexicons and bad references get clear 4xx', async () => {
    const many = Array.from({ length: 1001 }, (_, i) => ({ text: `w${i}`, lang: 'en', alias: 'x' }));
    expect((await put('big', { entries: many })).status).toBe(413);
    const badPinyin = await put('bad', { entries: [{ text: '行', lang: 'zh', pinyin: 'xing' }] });
    expect(badPinyin.status).toBe(400);
    expect(((await badPinyin.json()) as { entry: number }).entry).toBe(0);
    expect((await put('Bad Name', { entries: [] })).status).toBe(400);
    expect((await put('two', { entries: [{ text: 'a', lang: 'en', alias: 'b', ipa: 'c' }] })).status).toBe(400);
    const missing = await postJson(`${svc.base}/api/jobs`, { text: 'hi', lexicons: ['nope'] });
    expect(missing.status).toBe(404);
    const notList = await postJson(`${svc.base}/api/jobs`, { text: 'hi', lexicons: 'brand' });
    expect(notList.status).toBe(400);
  });
});
