import { describe, expect, it } from 'vitest';
import { countChars, JOB_ID, parseSynthesisBody } from '../../src/api/schemas.js';

const limits = {
  maxChars: 10,
  voices: {
    auto: ['female', 'male', 'zh-female'],
    primary: ['female', 'male'],
    backup: ['female', 'male', 'zh-female'],
  },
  speed: { min: 0.5, max: 2 },
};

const fail = (body: unknown) => {
  try {
    parseSynthesisBody(body, limits);
  } catch (e) {
    return e as { status: number; code: string; details: Record<string, unknown> };
  }
  throw new Error('expected a validation error');
};

describe('parseSynthesisBody', () => {
  it('fills defaults', () => {
    expect(parseSynthesisBody({ text: 'hi' }, limits)).toEqual({
      text: 'hi',
      voice: 'female',
      speed: 1,
      format: 'wav',
      engine: 'auto',
    });
  });

  it('keeps given values and ignores unknown fields', () => {
    expect(
      parseSynthesisBody({ text: 'hi', voice: 'zh-female', speed: 2, engine: 'backup', extra: 1 }, limits),
    ).toMatchObject({
      voice: 'zh-female',
      speed: 2,
      engine: 'backup',
    });
  });

  it.each([
    [{}, 400, 'text'],
    [{ text: 1 }, 400, 'text'],
    [{ text: '  ' }, 400, 'text'],
    [{ text: 'hi', speed: 0.49 }, 400, 'speed'],
    [{ text: 'hi', speed: '1' }, 400, 'speed'],
    [{ text: 'hi', engine: 'x' }, 400, 'engine'],
    [{ text: 'hi', format: 'ogg' }, 400, 'format'],
    [{ text: 'hi', voice: 'zh-female', engine: 'primary' }, 400, 'voice'],
  ])('%j → %i on %s', (body, status, field) => {
    const e = fail(body);
    expect(e.status).toBe(status);
    expect(e.details.field).toBe(field);
  });

  it('counts length in code points and answers 413 with the limit', () => {
    expect(parseSynthesisBody({ text: '😀'.repeat(10) }, limits).text).toHaveLength(20);
    const e = fail({ text: '你'.repeat(11) });
    expect(e.status).toBe(413);
    expect(e.details).toMatchObject({ max_length: 10, length: 11 });
  });

  it('rejects bodies that are not objects', () => {
    for (const b of [null, [], 'text', 3]) expect(fail(b).status).toBe(400);
  });
});

describe('helpers', () => {
  it('countChars counts surrogate pairs once and lone surrogates once', () => {
    expect(countChars('a你😀')).toBe(3);
    expect(countChars('\ud800x')).toBe(2);
  });
  it('JOB_ID accepts only UUIDs', () => {
    expect(JOB_ID.test('6f1c1f2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f')).toBe(true);
    expect(JOB_ID.test('../etc/passwd')).toBe(false);
  });
});
