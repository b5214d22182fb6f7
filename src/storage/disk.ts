import { createReadStream, mkdirSync } from 'node:fs';
import { readdir, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import type { Storage, StoredObject } from './storage.js';

const KEY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/;

/** Storage on a local (or network-mounted) directory. */
export class DiskStorage implements Storage {
  readonly root: string;
  private readonly tmp: string;

  constructor(root: string) {
    this.root = resolve(root);
    this.tmp = join(this.root, '.tmp');
    mkdirSync(this.tmp, { recursive: true });
  }

  private path(key: string): string {
    // Keys are made by the service; this guards against a bug ever turning one into a path.
    if (!KEY.test(key) || key.includes('..')) throw new Error(`invalid storage key ${JSON.stringify(key)}`);
    return join(this.root, key);
  }

  tempPath(name: string): string {
    return join(this.tmp, name.replace(/[^A-Za-z0-9._-]/g, '_'));
  }

  async putFile(key: string, localPath: string): Promise<StoredObject> {
    const dest = this.path(key);
    await rename(localPath, dest);
    const s = await stat(dest);
    return { size: s.size, mtimeMs: s.mtimeMs };
  }

  async stat(key: string): Promise<StoredObject | null> {
    try {
      const s = await stat(this.path(key));
      return s.isFile() ? { size: s.size, mtimeMs: s.mtimeMs, links: s.nlink } : null;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  read(key: string, range?: { start: number; end: number }): Readable {
    return createReadStream(this.path(key), range);
  }

  /**
   * Remove partial files left by workers that died mid-job. Only old ones:
   * another worker sharing this directory may be writing a fresh one.
   */
  async sweepTemp(olderThanMs: number, now = Date.now()): Promise<number> {
    let removed = 0;
    for (const name of await readdir(this.tmp)) {
      const p = join(this.tmp, name);
      const s = await stat(p).catch(() => null);
      if (s && now - s.mtimeMs > olderThanMs) {
        await rm(p, { force: true });
        removed++;
      }
    }
    return removed;
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }

  async *list(): AsyncIterable<StoredObject & { key: string }> {
    for (const entry of await readdir(this.root, { withFileTypes: true })) {
      if (!entry.isFile() || !KEY.test(entry.name)) continue;
      const s = await stat(join(this.root, entry.name)).catch(() => null);
      if (s) yield { key: entry.name, size: s.size, mtimeMs: s.mtimeMs };
    }
  }
}
