/** Health checks polled by supervisors and load balancers, and Prometheus scrapes. */
const POLLED = new Set(['/healthz', '/readyz', '/metrics']);
/** Files of the page and of Bull Board's app: fetched with every page load, nothing to act on. */
const ASSET = /^\/(?:assets\/|admin\/queues\/static\/|favicon)/;

/**
 * The level of a request's log line: info is for what an operator may act on. Health checks and
 * scrapes are debug whatever they answer (a 503 from /readyz while starting is expected, and health
 * changes are logged by the processes themselves); static files at debug unless they failed.
 */
export function requestLogLevel(method: string, path: string, status: number): 'debug' | 'info' {
  if (POLLED.has(path)) return 'debug';
  if (status >= 400) return 'info';
  if ((method === 'GET' || method === 'HEAD') && ASSET.test(path)) return 'debug';
  return 'info';
}
