import { Router } from 'express';
import type { Redis } from 'ioredis';
import type { JobService } from '../job-service.js';

/** GET /healthz (process is up) and GET /readyz (Redis reachable and an engine has a live worker). */
export function healthRouter({ redis, jobs }: { redis: Redis; jobs: JobService }): Router {
  const r = Router();
  r.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  r.get('/readyz', async (_req, res) => {
    let redisOk = false;
    let workers: Record<string, number> = {};
    try {
      redisOk = (await withTimeout(redis.ping(), 2000)) === 'PONG';
      workers = await withTimeout(jobs.liveWorkers(), 2000);
    } catch {
      redisOk = false;
    }
    const ready = redisOk && Object.values(workers).some((n) => n > 0);
    const engines = Object.fromEntries(Object.entries(workers).map(([name, n]) => [name, { live_workers: n }]));
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', redis: redisOk ? 'ok' : 'unreachable', engines });
  });
  return r;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timeout')), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e) => (clearTimeout(t), reject(e)),
    );
  });
}
