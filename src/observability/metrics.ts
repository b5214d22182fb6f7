import { createServer, type Server } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Logger } from 'pino';

/**
 * Prometheus metrics of one process. Each process (API, worker, monitor)
 * has its own registry and exposes it itself, since workers may run on
 * other hosts. Metric objects are created per registry, never globally.
 */
export class Metrics {
  readonly registry = new Registry();

  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly jobs: Counter<'engine' | 'outcome'>;
  readonly synthesisSeconds: Histogram<'engine'>;
  readonly realTimeFactor: Histogram<'engine'>;
  readonly queueDepth: Gauge<'queue' | 'state'>;
  readonly engineUp: Gauge<'engine' | 'role'>;
  readonly route: Gauge<'route'>;
  readonly routeSwitches: Counter<'from' | 'to' | 'reason'>;
  readonly recoveryWaitingForIdle: Gauge;
  readonly recoveryReturns: Counter<'trigger'>;
  readonly autoJobsInProgress: Gauge<'role'>;
  readonly probeSeconds: Histogram<'engine' | 'ok'>;
  readonly cacheLookups: Counter<'result'>;
  readonly webhookDeliveries: Counter<'outcome'>;

  constructor(role: string) {
    this.registry.setDefaultLabels({ role });
    collectDefaultMetrics({ register: this.registry });
    const r = [this.registry];
    this.httpRequests = new Counter({
      name: 'tts_http_requests_total',
      help: 'HTTP requests by route and status',
      labelNames: ['method', 'route', 'status'],
      registers: r,
    });
    this.httpDuration = new Histogram({
      name: 'tts_http_request_duration_seconds',
      help: 'HTTP request latency',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: r,
    });
    this.jobs = new Counter({
      name: 'tts_jobs_total',
      help: 'Synthesis jobs by engine and outcome (succeeded, failed, moved)',
      labelNames: ['engine', 'outcome'],
      registers: r,
    });
    this.synthesisSeconds = new Histogram({
      name: 'tts_synthesis_duration_seconds',
      help: 'Time to synthesize one job',
      labelNames: ['engine'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: r,
    });
    this.realTimeFactor = new Histogram({
      name: 'tts_real_time_factor',
      help: 'Synthesis time divided by audio duration (lower is faster)',
      labelNames: ['engine'],
      buckets: [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
      registers: r,
    });
    this.queueDepth = new Gauge({
      name: 'tts_queue_jobs',
      help: 'Jobs in each queue by state',
      labelNames: ['queue', 'state'],
      registers: r,
    });
    this.engineUp = new Gauge({
      name: 'tts_engine_up',
      help: '1 when the engine is up, 0 when down or not installed',
      labelNames: ['engine', 'role'],
      registers: r,
    });
    this.route = new Gauge({
      name: 'tts_route',
      help: '1 for the role currently serving auto traffic',
      labelNames: ['route'],
      registers: r,
    });
    this.routeSwitches = new Counter({
      name: 'tts_route_switches_total',
      help: 'Route switches by reason',
      labelNames: ['from', 'to', 'reason'],
      registers: r,
    });
    this.recoveryWaitingForIdle = new Gauge({
      name: 'tts_recovery_waiting_for_idle',
      help: '1 while the primary is ready but auto traffic stays on the backup until it has no auto job in progress',
      registers: r,
    });
    this.recoveryReturns = new Counter({
      name: 'tts_recovery_returns_total',
      help: 'Returns to the primary under RECOVERY_REQUIRE_IDLE, by trigger: idle (the backup went idle) or bound (RECOVERY_IDLE_MAX_WAIT_MS passed)',
      labelNames: ['trigger'],
      registers: r,
    });
    this.autoJobsInProgress = new Gauge({
      name: 'tts_auto_jobs_in_progress',
      help: 'auto jobs the workers of a role report they are synthesizing',
      labelNames: ['role'],
      registers: r,
    });
    this.probeSeconds = new Histogram({
      name: 'tts_probe_duration_seconds',
      help: 'Health probe latency by engine and result',
      labelNames: ['engine', 'ok'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: r,
    });
    this.cacheLookups = new Counter({
      name: 'tts_cache_lookups_total',
      help: 'Result cache lookups by result (hit, miss)',
      labelNames: ['result'],
      registers: r,
    });
    this.webhookDeliveries = new Counter({
      name: 'tts_webhook_deliveries_total',
      help: 'Webhook delivery attempts by outcome',
      labelNames: ['outcome'],
      registers: r,
    });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/** A switch reason without its variable parts, so label values stay few. */
export function reasonLabel(reason: string): string {
  if (/not installed/.test(reason)) return 'not_installed';
  if (/failed \d+ consecutive/.test(reason)) return 'failures';
  if (/operator confirmed/.test(reason)) return 'recovered_confirmed';
  if (/recovery window/.test(reason)) return 'recovered';
  if (/operator/.test(reason)) return 'operator';
  return 'other';
}

/**
 * Serve `/metrics` on its own port (workers and the monitor have no HTTP API).
 * A port already taken is logged, not fatal: metrics never stop synthesis.
 */
export function serveMetrics(metrics: Metrics, port: number, host: string, logger: Logger): Server | undefined {
  if (port === 0) return undefined;
  const server = createServer(async (req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"error":"Not found","code":"route_not_found"}');
      return;
    }
    const { contentType, body } = await metrics.render();
    res.writeHead(200, { 'Content-Type': contentType }).end(body);
  });
  server.on('error', (err) => logger.warn({ err: err.message, port }, 'metrics port unavailable; metrics not served'));
  server.listen(port, host, () => logger.info({ url: `http://${host}:${port}/metrics` }, 'metrics listening'));
  return server;
}
