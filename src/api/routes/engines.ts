import { Router, type RequestHandler } from 'express';
import { AppError } from '../../domain/errors.js';
import type { Route } from '../../domain/job.js';
import type { EngineRoster } from '../../engines/roster.js';
import { reasonLabel } from '../../observability/metrics.js';
import { WorkerActivity } from '../../queue/worker-activity.js';
import { isRouterMode, ROUTER_MODES, withMode } from '../../router/mode.js';
import { waitingForIdleBackup } from '../../router/policy.js';
import { reloadStatuses, requestReload } from '../../workers/reload.js';
import type { JobService } from '../job-service.js';

/** A routing reason as a stable code (the same classes the route-switch metric counts). */
const routeReasonCode = (reason: string): string => (reason === 'initial' ? 'initial' : reasonLabel(reason));
const iso = (ms: number | null) => (ms ? new Date(ms).toISOString() : null);

/**
 * GET /api/engines (state of each engine and of routing), and the operator
 * controls POST /api/router/mode and POST /api/router/confirm (admin).
 */
export function enginesRouter({
  jobs,
  roster,
  admin,
}: {
  jobs: JobService;
  roster: EngineRoster;
  admin: RequestHandler;
}): Router {
  const r = Router();
  const activity = new WorkerActivity(jobs.redis, jobs.prefix, jobs.config.heartbeatMs * 3);

  r.get('/api/engines', async (_req, res) => {
    const [state, history, live] = await Promise.all([
      jobs.store.getState(),
      jobs.store.history(20),
      jobs.liveWorkers(),
    ]);
    const describe = async (role: Route) => {
      const name = roster.engineFor(role);
      const [health, es, counts, autoJobs] = await Promise.all([
        jobs.store.getHealth(name),
        jobs.routing.engineState(role),
        jobs.queueOf(name)?.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed') ??
          ({} as Record<string, number>),
        activity.autoJobsInProgress(name),
      ]);
      return {
        name,
        state: es.state,
        detail: es.reason,
        // What the page shows, in the reader's language: a code, never the English sentence above.
        detail_code: es.code,
        ...(es.code === 'failing_checks' ? { failures: es.failures } : {}),
        ...(es.install ? { install: es.install } : {}),
        live_workers: live[name] ?? 0,
        auto_jobs_in_progress: autoJobs,
        sample_rate: roster.capabilities(name).sampleRate,
        queue: {
          waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
          active: counts.active ?? 0,
          delayed: counts.delayed ?? 0,
          completed: counts.completed ?? 0,
          failed: counts.failed ?? 0,
        },
        reloads: await reloadStatuses(jobs.redis, jobs.prefix, name),
        consecutive_failures: health.consecutiveFailures,
        consecutive_successes: health.consecutiveSuccesses,
        probes: health.probes.map((p) => ({
          at: iso(p.at),
          ok: p.ok,
          ms: p.ms,
          kind: p.kind,
          ...(p.error ? { error: p.error } : {}),
        })),
      };
    };
    const engines = { primary: await describe('primary'), backup: await describe('backup') };
    // Auto work never goes to a primary that is not installed (policy.ts decideRoute), even in the
    // seconds before the monitor's first probes move the shared route: say where it goes now.
    const bypassed = roster.distinct && state.route === 'primary' && engines.primary.state === 'not_installed';
    const reason = bypassed ? engines.primary.detail : state.reason;
    res.json({
      route: {
        current: bypassed ? 'backup' : state.route,
        mode: state.mode,
        reason,
        reason_code: routeReasonCode(reason),
        since: bypassed ? null : iso(state.since),
        failover_at: iso(state.failoverAt),
        confirmed: state.confirmed,
        // The primary meets every other recovery condition; traffic returns when the backup has no auto job running.
        recovery: {
          require_idle: jobs.config.recoveryRequireIdle,
          idle_max_wait_ms: jobs.config.recoveryIdleMaxWaitMs,
          waiting_for_idle_backup: waitingForIdleBackup(state),
          waiting_since: iso(waitingForIdleBackup(state) ? (state.idleWaitSince ?? null) : null),
        },
        history: history.map((h) => ({
          from: h.from,
          to: h.to,
          reason: h.reason,
          reason_code: routeReasonCode(h.reason),
          at: iso(h.at),
          ...(h.recovery ? { recovery: h.recovery } : {}),
        })),
      },
      engines,
    });
  });

  r.post('/api/router/mode', admin, async (req, res) => {
    const mode = (req.body as { mode?: unknown } | undefined)?.mode;
    if (!isRouterMode(mode)) {
      throw new AppError('invalid_request', `"mode" must be one of ${ROUTER_MODES.join(', ')}`, {
        status: 400,
        details: { field: 'mode', allowed: ROUTER_MODES },
      });
    }
    const { state } = await jobs.store.update((s) => withMode(s, mode, Date.now()));
    res.json({ mode: state.mode, route: state.route, reason: state.reason });
  });

  r.post('/api/engines/:name/reload', admin, async (req, res) => {
    const name = req.params.name ?? '';
    const engine =
      name === 'primary' || name === 'backup' ? roster.engineFor(name) : roster.names.find((e) => e === name);
    if (!engine) {
      throw new AppError('not_found', `No engine ${JSON.stringify(name.slice(0, 100))}`, {
        status: 404,
        details: { allowed: ['primary', 'backup', ...roster.names] },
      });
    }
    const listeners = await requestReload(jobs.redis, jobs.prefix, engine);
    res.status(202).json({
      engine,
      workers_notified: listeners,
      message:
        'Each worker finishes its current job, loads and warms the new model, then continues; they take turns. Follow it in GET /api/engines.',
    });
  });

  r.post('/api/router/confirm', admin, async (_req, res) => {
    const { state } = await jobs.store.update((s) =>
      s.route === 'backup' && !s.confirmed ? { state: { ...s, confirmed: true } } : { state: s },
    );
    res.json({
      route: state.route,
      confirmed: state.confirmed,
      message:
        state.route === 'backup'
          ? 'Confirmed: traffic returns to the primary as soon as it has passed the required consecutive probes.'
          : 'Nothing to confirm: traffic is on the primary.',
    });
  });

  return r;
}
