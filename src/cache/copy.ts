import { createWriteStream } from 'node:fs';
import { copyFile, link, rm, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import { DiskStorage } from '../storage/disk.js';
import type { Storage, StoredObject } from '../storage/storage.js';

/**
 * Copy a stored object into another Storage under `toKey`. On disk it is a
 * hard link (no bytes copied; each name lives and is removed on its own),
 * with a fresh mtime so the copy's age-based expiry starts now; elsewhere a
 * streamed copy.
 */
export async function copyObject(from: Storage, fromKey: string, to: Storage, toKey: string): Promise<StoredObject> {
  const tmp = to.tempPath(`${toKey}.${randomBytes(6).toString('hex')}.copy`);
  try {
    if (from instanceof DiskStorage && to instanceof DiskStorage) {
      const src = join(from.root, fromKey);
      await link(src, tmp).catch(() => copyFile(src, tmp));
      const now = new Date();
      await utimes(tmp, now, now);
    } else {
      await pipeline(from.read(fromKey), createWriteStream(tmp));
    }
    return await to.putFile(toKey, tmp);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
