/** Health checks polled by supervisors and load balancers, and Prometheus scrapes. */
const POLLED = new Set(['/healthz', '/readyz', '/metrics']);
/** Files of the page and of Bull Board's app: fetched with every page load, nothing to act on. */
const ASSET = /^\/(?:assets\/|admin\/queues\/static\/|favicon)/;

/**
 * The level of a request's log line: info is for what an operator may act on, so polls and static
 * files that went well are logged at debug; anything that failed stays at info.
 */
export function requestLogLevel(method: string, path: string, status: number): 'debug' | 'info' {
  if (status >= 400) return 'info';
  if (POLLED.has(path)) return 'debug';
  if ((method === 'GET' || method === 'HEAD') && ASSET.test(path)) return 'debug';
  return 'info';
}
