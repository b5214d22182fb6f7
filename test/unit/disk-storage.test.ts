import { mkdtempSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { DiskStorage } from '../../src/storage/disk.js';

describe('DiskStorage', () => {
  const root = mkdtempSync(join(tmpdir(), 'storage-'));
  const s = new DiskStorage(root);

  it('moves a finished file under its key and reads ranges back', async () => {
    const tmp = s.tempPath('job.part');
    writeFileSync(tmp, '0123456789');
    expect(await s.putFile('abc.wav', tmp)).toMatchObject({ size: 10 });
    expect(existsSync(tmp)).toBe(false);
    expect(await text(s.read('abc.wav'))).toBe('0123456789');
    expect(await text(s.read('abc.wav', { start: 2, end: 4 }))).toBe('234');
    expect(await s.stat('missing.wav')).toBeNull();
    await s.delete('abc.wav');
    expect(await s.stat('abc.wav')).toBeNull();
  });

  it('refuses keys that could escape its directory', () => {
    for (const key of ['../x', '/etc/passwd', 'a/b', '..', '.hidden', '']) {
      expect(() => s.read(key)).toThrow(/invalid storage key/);
    }
  });

  it('sweeps only old partial files', async () => {
    const old = s.tempPath('old.part');
    const fresh = s.tempPath('fresh.part');
    writeFileSync(old, 'x');
    writeFileSync(fresh, 'x');
    const hourAgo = (Date.now() - 2 * 3600_000) / 1000;
    utimesSync(old, hourAgo, hourAgo);
    expect(await s.sweepTemp(3600_000)).toBe(1);
    expect(existsSync(old)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
  });
});
