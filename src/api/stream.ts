import { open, type FileHandle } from 'node:fs/promises';
import type { Response } from 'express';
import { AppError } from '../domain/errors.js';
import { CONTENT_TYPES, type JobProgress } from '../domain/job.js';
import type { Storage } from '../storage/storage.js';
import type { JobService } from './job-service.js';
import { SAFETY_RECHECK_MS } from '../jobs/watcher.js';
import { writeOrWait } from './backpressure.js';
import { cancelJob } from './job-lifecycle.js';
import { storageFull } from '../storage/free-space.js';

const READ_BYTES = 64 * 1024;

/**
 * Stream a job's audio as it is made, with chunked transfer encoding. The
 * worker appends each chunk's encoded bytes to a partial file in shared
 * storage and reports in the job's progress how many bytes of it are
 * complete; this tails that file and, once the job succeeds, sends the rest
 * from the finished file (same bytes, past its header). Audio never passes
 * through Redis, and the worker may run on another host.
 */
export async function streamJobAudio(
  res: Response,
  jobs: JobService,
  storage: Storage,
  id: string,
  /** Send nothing until the job is done, then the finished file (whose header has the real length). */
  opts: { whole?: boolean } = {},
): Promise<void> {
  // Answered already (the Redis gate's 503 while the job was submitted): its 'close' has passed.
  let closed = res.writableEnded || res.destroyed;
  // Woken by the job's record changes (a progress update per chunk), or by the client going away.
  const gone = new AbortController();
  res.on('close', () => {
    closed = true;
    gone.abort();
  });
  let sent = 0;
  let part: string | undefined;
  let fh: FileHandle | undefined;
  const begin = (format: string, engine: string, requested?: number, length?: number) => {
    if (res.headersSent) return;
    res.status(200);
    if (length !== undefined) res.setHeader('Content-Length', String(length));
    res.setHeader('Content-Type', CONTENT_TYPES[format as keyof typeof CONTENT_TYPES] ?? 'application/octet-stream');
    res.setHeader('X-Job-Id', id);
    res.setHeader('X-Sample-Rate', String(jobs.roster.outputRate(format, engine, requested)));
    res.setHeader('Cache-Control', 'no-store');
    res.flushHeaders();
  };
  const write = async (buf: Buffer) => {
    if (buf.length === 0) return;
    await writeOrWait(res, buf);
    sent += buf.length;
  };
  try {
    while (!closed) {
      // Armed before the read, so a change between the read and the wait is not missed.
      const next = jobs.watcher.next(id, SAFETY_RECHECK_MS, gone.signal);
      const { view, record } = await jobs.get(id, undefined, { position: false }).catch((err) => {
        next.cancel();
        throw err;
      });
      // Held for disk space, it could wait for ever: the streaming client is told now, and the job ends.
      if (view.status === 'queued' && view.error?.code === 'storage_full') {
        next.cancel();
        if (res.headersSent) return void res.destroy();
        await cancelJob(jobs, id).catch(() => undefined);
        throw storageFull(view.error.message);
      }
      if (view.status === 'failed' || view.status === 'canceled') {
        if (res.headersSent) return void res.destroy();
        throw new AppError('synthesis_failed', `Synthesis ${view.status}: ${view.error?.message ?? 'no audio'}`, {
          status: 502,
          details: { id, links: view.links },
        });
      }
      const { format, sampleRate } = record.data.request;
      const engine = view.engine.used ?? view.engine.name;
      if (view.status === 'succeeded' && view.audio) {
        // Nothing sent yet: the whole finished file goes, so its length is known.
        begin(format, engine, sampleRate, sent === 0 ? view.audio.bytes : undefined);
        await fh?.close();
        fh = undefined;
        if (sent < view.audio.bytes) {
          for await (const b of storage.read(view.audio.key, { start: sent, end: view.audio.bytes - 1 })) {
            if (closed) return;
            await write(b as Buffer);
          }
        }
        next.cancel();
        res.end();
        return;
      }
      const p: Partial<JobProgress> = record.progress;
      const bytes = p.bytes ?? 0;
      if (p.part && bytes > sent && !opts.whole) {
        if (p.part !== part) {
          // A new attempt (a retry, or the backup taking over) writes a new file: what was sent no longer fits.
          if (sent > 0) return void res.destroy();
          await fh?.close();
          fh = await open(storage.tempPath(p.part), 'r').catch(() => undefined); // renamed already: the job is finishing
          part = fh ? p.part : undefined;
        }
        if (fh) {
          begin(format, engine, sampleRate);
          const buf = Buffer.alloc(READ_BYTES);
          while (sent < bytes && !closed) {
            const { bytesRead } = await fh.read(buf, 0, Math.min(READ_BYTES, bytes - sent), sent);
            if (bytesRead === 0) break;
            await write(Buffer.from(buf.subarray(0, bytesRead)));
          }
          next.cancel();
          continue;
        }
      }
      await next.wait;
    }
  } finally {
    await fh?.close();
  }
}
