import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toAppError } from '../../src/api/errors.js';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('error responses', () => {
  it('are written only by errorResponse()', () => {
    const offenders = files('src/api')
      .filter((f) => !f.endsWith('errors.ts'))
      .filter((f) => /\.json\(\s*\{\s*error\b/.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('translate parser errors and hide internal ones', () => {
    expect(toAppError({ type: 'entity.parse.failed', status: 400 }, 10)).toMatchObject({
      status: 400,
      code: 'invalid_json',
    });
    expect(toAppError({ type: 'entity.too.large', status: 413 }, 10)).toMatchObject({
      status: 413,
      details: { max_bytes: 10 },
    });
    const internal = toAppError(new Error('secret path /etc/x'), 10);
    expect(internal).toMatchObject({ status: 500, code: 'internal' });
    expect(internal.message).not.toContain('secret');
  });
});
