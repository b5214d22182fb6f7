import { Router } from 'express';
import type { Metrics } from '../../observability/metrics.js';
import type { JobService } from '../job-service.js';

const STATES = ['waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed'] as const;

/** GET /metrics: this API process's metrics, plus queue depth, engine state and route read at scrape time. */
export function metricsRouter({ jobs, metrics }: { jobs: JobService; metrics: Metrics }): Router {
  const r = Router();
  r.get('/metrics', async (_req, res) => {
    await Promise.all(
      jobs.allQueues().map(async (q) => {
        const counts = await q.getJobCounts(...STATES);
        for (const state of STATES) metrics.queueDepth.set({ queue: q.name, state }, counts[state] ?? 0);
      }),
    );
    for (const role of ['primary', 'backup'] as const) {
      const e = await jobs.routing.engineState(role);
      metrics.engineUp.set({ engine: jobs.engineFor(role), role }, e.state === 'up' ? 1 : 0);
    }
    const route = jobs.routing.current.route;
    metrics.route.set({ route: 'primary' }, route === 'primary' ? 1 : 0);
    metrics.route.set({ route: 'backup' }, route === 'backup' ? 1 : 0);
    const { contentType, body } = await metrics.render();
    res.type(contentType).send(body);
  });
  return r;
}
