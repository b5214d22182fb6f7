import { Router } from 'express';
import type { Redis } from 'ioredis';
import type { FreeSpace } from '../../storage/free-space.js';
import type { JobService } from '../job-service.js';

/**
 * GET /healthz (process is up) and GET /readyz (Redis reachable, an engine has
 * a live worker, and OUTPUT_DIR has at least MIN_FREE_BYTES free).
 */
export function healthRouter({ redis, jobs, space }: { redis: Redis; jobs: JobService; space?: FreeSpace }): Router {
  const r = Router();
  r.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  r.get('/readyz', async (_req, res) => {
    let redisOk = false;
    let workers: Record<string, number> = {};
    const engines: Record<
      string,
      { role: string[]; live_workers: number; state?: string; detail?: string; install?: string }
    > = {};
    try {
      redisOk = (await withTimeout(redis.ping(), 2000)) === 'PONG';
      workers = await withTimeout(jobs.liveWorkers(), 2000);
      for (const role of ['primary', 'backup'] as const) {
        const name = jobs.engineFor(role);
        const e = await withTimeout(jobs.routing.engineState(role), 2000);
        engines[name] ??= {
          role: [],
          live_workers: workers[name] ?? 0,
          state: e.state,
          ...(e.state !== 'up' ? { detail: e.reason } : {}),
          ...(e.install ? { install: e.install } : {}),
        };
        engines[name].role.push(role);
      }
    } catch {
      redisOk = false;
    }
    let storage: { state: 'ok' | 'full' | 'unknown'; free_bytes?: number; min_free_bytes?: number } = { state: 'ok' };
    if (space && space.minFreeBytes > 0) {
      // A fresh reading: probes come every few seconds, and a stale one would hide a disk that just filled.
      space.invalidate();
      const m = await space.check().catch(() => undefined);
      storage = m
        ? { state: m.ok ? 'ok' : 'full', free_bytes: m.free, min_free_bytes: space.minFreeBytes }
        : { state: 'unknown', min_free_bytes: space.minFreeBytes };
    }
    const ready = redisOk && Object.values(workers).some((n) => n > 0) && storage.state !== 'full';
    res.status(ready ? 200 : 503).json({
      status: ready ? 'ready' : 'not_ready',
      redis: redisOk ? 'ok' : 'unreachable',
      engines,
      storage,
    });
  });
  return r;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timeout')), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}
