/**
 * Statements in the docs that a new user acts on, checked against what the code does: a doc that
 * drifts from it fails here rather than misleading the next reader.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseSpeechBody } from '../../src/api/routes/openai.js';
import { parseSynthesisBody } from '../../src/api/schemas.js';
import { KokoroPhonemize } from '../../src/engines/kokoro/phonemize.js';

const read = (path: string) => readFileSync(path, 'utf8');
const api = read('docs/api.md');
/** The row of the error table whose first cell contains `needle`. */
const errorRow = (needle: string) =>
  api.split('\n').find((l) => l.startsWith('| ') && l.split('|')[1]?.includes(needle));
const thrown = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return err as { code: string; status: number };
  }
  throw new Error('did not throw');
};

describe('docs/api.md error table', () => {
  const voices = { auto: ['female'], primary: ['female'], backup: ['female'] };
  it('whitespace-only text is invalid_request, as its row says (not empty_text)', () => {
    const err = thrown(() =>
      parseSynthesisBody({ text: ' \t\n ' }, { maxChars: 100, voices, speed: { min: 0.5, max: 2 } }),
    );
    expect(err).toMatchObject({ code: 'invalid_request', status: 400 });
    expect(errorRow('whitespace-only')).toContain('`invalid_request`');
    expect(errorRow('nothing to speak')).not.toMatch(/spaces/);
  });

  it('over-long /v1 input is 400 string_above_max_length, as its row says', () => {
    const limits = { voiceMap: {}, maxChars: 10, voices, speed: { min: 0.5, max: 2 } };
    const err = thrown(() => parseSpeechBody({ model: 'tts-1', voice: 'female', input: 'x'.repeat(11) }, limits));
    expect(err).toMatchObject({ code: 'string_above_max_length', status: 400 });
    const row = errorRow('OPENAI_MAX_CHARS') ?? '';
    expect(row).toContain('`400`');
    expect(row).toContain('`string_above_max_length`');
  });
});

describe('what keys are made of', () => {
  it('operations.md gives the size npm run hash-key makes', () => {
    const bytes = Number(/randomBytes\((\d+)\)/.exec(read('src/cli/hash-key.ts'))?.[1]);
    expect(bytes).toBeGreaterThan(0);
    expect(read('docs/operations.md')).toContain(`are ${bytes * 8}-bit random`);
  });
});

describe('README and CONTRIBUTING', () => {
  it('the README says how to change the port', () => {
    expect(read('README.md')).toMatch(/`PORT=\d+ npm start`/);
  });

  it('agree on how long npm test takes', () => {
    const span = (text: string) => /(\d+) to (\d+) minutes on 2 cores/.exec(text)?.slice(1, 3);
    expect(span(read('README.md'))).toBeDefined();
    expect(span(read('README.md'))).toEqual(span(read('CONTRIBUTING.md')));
  });
});

describe('the phonemize example in docs/api.md', () => {
  let tool: KokoroPhonemize;
  beforeAll(async () => {
    tool = await KokoroPhonemize.create(new URL('../fixtures/kokoro-v1.0/config.json', import.meta.url).pathname);
  }, 60_000);

  it('shows what the phonemize path gives for its text', async () => {
    const block = /-d '(\{"text": "我爱你，iPhone 很好用。"[^']*)'\n```\n```json\n([\s\S]*?)\n```/.exec(api);
    expect(block).not.toBeNull();
    const request = JSON.parse(block?.[1] ?? '{}') as { text: string; voice: string };
    const shown = block?.[2] ?? '';
    const result = await tool.phonemize(request.text, request.voice);
    const [chunk] = result.chunks;
    expect(shown).toContain(`"text": "${chunk?.text}"`);
    for (const run of chunk?.runs ?? []) {
      expect(shown).toContain(`"text": "${run.text}", "voice": "${run.voice}", "phonemes": "${run.phonemes}"`);
    }
    expect(shown).toContain(`"tokens": [${chunk?.runs[0]?.tokens?.join(', ')}]`);
  });
});
