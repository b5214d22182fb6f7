import { statfs } from 'node:fs/promises';
import { AppError } from '../domain/errors.js';

/** How long the API reuses one measurement: statfs is cheap, but not per request on a busy API. */
const FRESH_MS = 1000;

/** The error of a full disk: `storage_full`, 507, retryable once space is back. */
export const storageFull = (message: string, details: Record<string, unknown> = {}) =>
  new AppError('storage_full', message, { status: 507, retryable: true, details });

/** Whether an error is the filesystem saying it is out of space (or out of quota). */
export const isNoSpace = (err: unknown): boolean => {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
};

/**
 * Free space on the filesystem under a directory, against the MIN_FREE_BYTES
 * floor. Space available to this (unprivileged) process counts, not the
 * blocks only root may use.
 */
export class FreeSpace {
  private last?: { at: number; free: number; total: number };

  constructor(
    readonly dir: string,
    readonly minFreeBytes: number,
    /** Frees what it can (the result cache) until `enough()`; called when space is short. */
    private readonly reclaim?: (enough: () => Promise<boolean>) => Promise<unknown>,
    /** How long a measurement is reused; a worker measures before every job (0). */
    private readonly freshMs = FRESH_MS,
  ) {}

  private async above(): Promise<boolean> {
    this.invalidate();
    return (await this.measure()).free >= this.minFreeBytes;
  }

  /** Free space now, after asking `reclaim` to make room when it is under the floor. */
  async check(): Promise<{ free: number; total: number; ok: boolean }> {
    let m = await this.measure();
    if (this.minFreeBytes > 0 && m.free < this.minFreeBytes && this.reclaim) {
      await this.reclaim(() => this.above()).catch(() => undefined);
      this.invalidate();
      m = await this.measure();
    }
    return { ...m, ok: this.minFreeBytes === 0 || m.free >= this.minFreeBytes };
  }

  async measure(now = Date.now()): Promise<{ free: number; total: number }> {
    if (this.last && now - this.last.at < this.freshMs) return this.last;
    const s = await statfs(this.dir);
    this.last = { at: now, free: s.bavail * s.bsize, total: s.blocks * s.bsize };
    return this.last;
  }

  /** Forget the last measurement (after freeing space). */
  invalidate(): void {
    this.last = undefined;
  }

  /** True when the floor is off or free space is at or above it. */
  async hasRoom(): Promise<boolean> {
    if (this.minFreeBytes === 0) return true;
    return (await this.check()).ok;
  }

  /** Throw `storage_full` (507) when free space is under the floor (after reclaiming what can be). */
  async assertRoom(): Promise<void> {
    if (this.minFreeBytes === 0) return;
    const { free, ok } = await this.check();
    if (!ok) {
      throw storageFull(
        `The audio storage is full: ${free} bytes free under OUTPUT_DIR, below MIN_FREE_BYTES (${this.minFreeBytes}). Jobs submitted to /api/jobs are kept and run once space is freed.`,
        { free_bytes: free, min_free_bytes: this.minFreeBytes },
      );
    }
  }
}
