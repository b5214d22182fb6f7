import { Router } from 'express';
import { callerOf } from '../caller.js';
import type { Quotas } from '../quotas.js';

/** GET /api/usage: the caller's own usage today and its limits (null = unlimited). */
export function usageRouter({ quotas }: { quotas: Quotas }): Router {
  const r = Router();
  r.get('/api/usage', async (req, res) => {
    res.json(await quotas.usage(callerOf(req)));
  });
  return r;
}
