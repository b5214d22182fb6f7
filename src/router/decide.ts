import type { EngineChoice, Route } from '../domain/job.js';

/** What the router knows when a request arrives. */
export interface RoutingInput {
  requested: EngineChoice;
  /** Live workers behind each role. */
  live: Record<Route, number>;
}

/**
 * Which role serves a request. Pinned requests go where they were pinned;
 * `auto` goes to the primary while it has a live worker and to the backup
 * otherwise (the health monitor refines this with failures and load).
 */
export function decideRoute({ requested, live }: RoutingInput): Route {
  if (requested === 'primary' || requested === 'backup') return requested;
  if (live.primary > 0) return 'primary';
  return live.backup > 0 ? 'backup' : 'primary';
}
