/**
 * The routing policy as pure functions of (request, health, load, policy,
 * clock). Everything with I/O lives in state-store.ts and monitor.ts.
 */
import type { EngineChoice, Route } from '../domain/job.js';

export type RouterMode = 'auto' | 'primary' | 'backup';
export type EngineStateName = 'up' | 'down' | 'not_installed';

export interface Policy {
  /** Consecutive failed checks that flip `auto` traffic to the backup. */
  failureThreshold: number;
  /** Consecutive good probes the primary needs before traffic returns. */
  recoveryProbes: number;
  /** Time after a failover before traffic may return without an operator's confirmation. */
  recoveryWindowMs: number;
  /** Estimated primary wait above which new `auto` work goes to the backup. */
  overloadWaitMs: number;
}

/** Shared routing state for `auto` traffic (kept in Redis). */
export interface RouterState {
  route: Route;
  mode: RouterMode;
  reason: string;
  since: number;
  /** When the last failover happened (null if none yet). */
  failoverAt: number | null;
  /** An operator confirmed the primary may take traffic again. */
  confirmed: boolean;
}

export const initialRouterState = (now: number): RouterState => ({
  route: 'primary',
  mode: 'auto',
  reason: 'initial',
  since: now,
  failoverAt: null,
  confirmed: false,
});

/** What the monitor knows of one engine. */
export interface EngineHealth {
  consecutiveFailures: number;
  consecutiveSuccesses: number;
  liveWorkers: number;
  /** Set when the engine's workers report its model is missing. */
  notInstalled?: { reason: string; install?: string };
}

export interface Switch {
  from: Route;
  to: Route;
  reason: string;
  at: number;
}

/** Up, down or not installed, as operators and pinned requests see it. */
export function engineState(h: EngineHealth, policy: Policy): EngineStateName {
  if (h.liveWorkers === 0 && h.notInstalled) return 'not_installed';
  if (h.liveWorkers === 0 || h.consecutiveFailures >= policy.failureThreshold) return 'down';
  return 'up';
}

/**
 * The next routing state after a health update. Fails over once the primary
 * is down; returns only after `recoveryProbes` good probes and either the
 * recovery window or an operator's confirmation — so an engine that fails
 * intermittently causes at most one failover per window.
 */
export function nextRouterState(
  state: RouterState,
  health: { primary: EngineHealth; backup: EngineHealth },
  policy: Policy,
  now: number,
): { state: RouterState; switched?: Switch } {
  if (state.mode !== 'auto') {
    if (state.route === state.mode) return { state };
    return flip(state, state.mode, `operator forced ${state.mode}`, now);
  }
  const primary = engineState(health.primary, policy);
  const p = health.primary;
  if (state.route === 'primary') {
    // A missing model is definitive; anything else must fail `failureThreshold` checks in a row
    // (a worker restarting or still loading its model is not a failure yet).
    const notInstalled = primary === 'not_installed';
    if (!notInstalled && p.consecutiveFailures < policy.failureThreshold) return { state };
    const why = notInstalled
      ? `primary engine not installed: ${p.notInstalled?.reason ?? ''}`.trim()
      : `primary engine failed ${p.consecutiveFailures} consecutive checks`;
    const out = flip(state, 'backup', why, now);
    out.state.failoverAt = now;
    out.state.confirmed = false;
    return out;
  }
  // On the backup: come back only when observed healthy for long enough.
  if (primary !== 'up' || p.consecutiveSuccesses < policy.recoveryProbes) return { state };
  const windowPassed = state.failoverAt === null || now - state.failoverAt >= policy.recoveryWindowMs;
  if (!windowPassed && !state.confirmed) return { state };
  const why = `primary passed ${p.consecutiveSuccesses} consecutive probes${windowPassed ? ' and the recovery window' : ' and an operator confirmed'}`;
  const out = flip(state, 'primary', why, now);
  out.state.confirmed = false;
  return out;
}

function flip(state: RouterState, to: Route, reason: string, now: number): { state: RouterState; switched: Switch } {
  return {
    state: { ...state, route: to, reason, since: now },
    switched: { from: state.route, to, reason, at: now },
  };
}

/** Load of the primary as the API sees it when a request arrives. */
export interface PrimaryLoad {
  waiting: number;
  meanSynthesisMs: number;
  liveWorkers: number;
  /** Pause the primary's remote server asked for (429/503 with Retry-After), ms left; 0 or unset: none. */
  overloadedMs?: number;
}

/** Estimated wait for new work on the primary: waiting jobs × mean synthesis time ÷ live workers. */
export function estimatedWaitMs(load: PrimaryLoad): number {
  if (load.liveWorkers <= 0) return Infinity;
  return (load.waiting * load.meanSynthesisMs) / load.liveWorkers;
}

export interface RouteDecision {
  route: Route;
  reason: string;
}

/**
 * Which role serves one request. Pinned requests stay pinned. `auto` follows
 * the shared route, and goes to the backup while the primary has no live
 * worker or is overloaded (a long estimated wait, or its remote server asked for a pause).
 */
export function decideRoute(input: {
  requested: EngineChoice;
  state: RouterState;
  primary: PrimaryLoad;
  backupLiveWorkers: number;
  policy: Policy;
}): RouteDecision {
  const { requested, state, primary, policy } = input;
  if (requested === 'primary' || requested === 'backup') return { route: requested, reason: 'pinned' };
  if (state.route === 'backup') return { route: 'backup', reason: state.reason };
  if (primary.liveWorkers === 0 && input.backupLiveWorkers > 0)
    return { route: 'backup', reason: 'primary engine has no live worker' };
  const pause = primary.overloadedMs ?? 0;
  if (pause > 0 && input.backupLiveWorkers > 0)
    return {
      route: 'backup',
      reason: `primary overloaded: its server asked to retry after ${Math.ceil(pause / 1000)} s`,
    };
  const wait = estimatedWaitMs(primary);
  if (wait > policy.overloadWaitMs && input.backupLiveWorkers > 0) {
    return { route: 'backup', reason: `primary overloaded: estimated wait ${Math.round(wait)} ms` };
  }
  return { route: 'primary', reason: state.reason };
}
