/**
 * The operator's mode switch (POST /api/router/mode) as a pure change of the
 * routing state: forcing a route takes effect at once; back to `auto`, the
 * route stays where it is and the monitor decides from health.
 */
import type { RouterMode, RouterState, Switch } from './policy.js';

export const ROUTER_MODES: readonly RouterMode[] = ['auto', 'primary', 'backup'];

export function isRouterMode(value: unknown): value is RouterMode {
  return typeof value === 'string' && (ROUTER_MODES as readonly string[]).includes(value);
}

/** The state after an operator set `mode` at `now`, and the switch it caused if the route changed. */
export function withMode(s: RouterState, mode: RouterMode, now: number): { state: RouterState; switched?: Switch } {
  if (s.mode === mode) return { state: s };
  const route = mode === 'auto' ? s.route : mode;
  const reason = `operator set mode ${mode}`;
  const switched = route !== s.route ? { from: s.route, to: route, reason, at: now } : undefined;
  return { state: { ...s, mode, route, reason, since: switched ? now : s.since }, switched };
}
