/**
 * The routing policy as pure functions of (request, health, load, policy,
 * clock). Everything with I/O lives in state-store.ts and monitor.ts.
 */
import type { Config } from '../config/schema.js';
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
  /** Return only while no `auto` job is being synthesized on the backup (so a voice does not change mid-text). */
  recoveryRequireIdle: boolean;
  /** Longest a ready primary waits for the backup to go idle before traffic returns anyway. */
  recoveryIdleMaxWaitMs: number;
}

/** The policy's numbers, from the settings. */
export const policyFrom = (
  c: Pick<
    Config,
    | 'failoverThreshold'
    | 'recoveryProbes'
    | 'recoveryWindowMs'
    | 'overloadWaitMs'
    | 'recoveryRequireIdle'
    | 'recoveryIdleMaxWaitMs'
  >,
): Policy => ({
  failureThreshold: c.failoverThreshold,
  recoveryProbes: c.recoveryProbes,
  recoveryWindowMs: c.recoveryWindowMs,
  overloadWaitMs: c.overloadWaitMs,
  recoveryRequireIdle: c.recoveryRequireIdle,
  recoveryIdleMaxWaitMs: c.recoveryIdleMaxWaitMs,
});

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
  /**
   * Since when the primary has met every other recovery condition while the
   * backup is still busy with `auto` work (null or absent: not waiting).
   */
  idleWaitSince?: number | null;
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
  /** `auto` jobs the engine's live workers report they are synthesizing (probes excluded). */
  autoJobsInProgress?: number;
}

export interface Switch {
  from: Route;
  to: Route;
  reason: string;
  at: number;
  /** For a return to the primary under RECOVERY_REQUIRE_IDLE: the backup went idle, or the wait hit its bound. */
  recovery?: 'idle' | 'bound';
}

/** Up, down or not installed, as operators and pinned requests see it. */
export function engineState(h: EngineHealth, policy: Policy): EngineStateName {
  if (h.liveWorkers === 0 && h.notInstalled) return 'not_installed';
  if (h.liveWorkers === 0 || h.consecutiveFailures >= policy.failureThreshold) return 'down';
  return 'up';
}

/**
 * The next routing state after a health update. Fails over once the primary
 * is down. Returns only when three conditions hold at once: `recoveryProbes`
 * good probes; the recovery window passed or an operator confirmed (so an
 * engine that fails intermittently causes at most one failover per window);
 * and, with `recoveryRequireIdle`, no `auto` job in progress on the backup —
 * waited for at most `recoveryIdleMaxWaitMs`. Running jobs keep their engine.
 */
export function nextRouterState(
  state: RouterState,
  health: { primary: EngineHealth; backup: EngineHealth },
  policy: Policy,
  now: number,
): { state: RouterState; switched?: Switch } {
  if (state.mode !== 'auto') {
    if (state.route === state.mode) return notWaiting(state);
    return flip(notWaiting(state).state, state.mode, `operator forced ${state.mode}`, now);
  }
  const primary = engineState(health.primary, policy);
  const p = health.primary;
  if (state.route === 'primary') {
    // A missing model is definitive; anything else must fail `failureThreshold` checks in a row
    // (a worker restarting or still loading its model is not a failure yet).
    const notInstalled = primary === 'not_installed';
    if (!notInstalled && p.consecutiveFailures < policy.failureThreshold) return notWaiting(state);
    const why = notInstalled
      ? `primary engine not installed: ${p.notInstalled?.reason ?? ''}`.trim()
      : `primary engine failed ${p.consecutiveFailures} consecutive checks`;
    const out = flip(notWaiting(state).state, 'backup', why, now);
    out.state.failoverAt = now;
    out.state.confirmed = false;
    return out;
  }
  // On the backup: come back only when observed healthy for long enough.
  if (primary !== 'up' || p.consecutiveSuccesses < policy.recoveryProbes) return notWaiting(state);
  const windowPassed = state.failoverAt === null || now - state.failoverAt >= policy.recoveryWindowMs;
  if (!windowPassed && !state.confirmed) return notWaiting(state);
  let why = `primary passed ${p.consecutiveSuccesses} consecutive probes${windowPassed ? ' and the recovery window' : ' and an operator confirmed'}`;
  let recovery: Switch['recovery'];
  if (policy.recoveryRequireIdle) {
    const busy = health.backup.autoJobsInProgress ?? 0;
    const since = state.idleWaitSince ?? null;
    if (busy > 0) {
      const waited = since === null ? 0 : now - since;
      if (waited < policy.recoveryIdleMaxWaitMs)
        return since === null ? { state: { ...state, idleWaitSince: now } } : { state };
      why += `; the backup was still busy with ${busy} auto job${busy === 1 ? '' : 's'} after waiting ${waited} ms (the bound)`;
      recovery = 'bound';
    } else {
      why += since === null ? ' and the backup is idle' : ` and the backup went idle after ${now - since} ms`;
      recovery = 'idle';
    }
  }
  const out = flip(notWaiting(state).state, 'primary', why, now);
  out.state.confirmed = false;
  if (recovery) out.switched.recovery = recovery;
  return out;
}

/** The state with no wait for an idle backup pending (unchanged object when there was none). */
function notWaiting(state: RouterState): { state: RouterState } {
  if (state.idleWaitSince === undefined || state.idleWaitSince === null) return { state };
  return { state: { ...state, idleWaitSince: null } };
}

/** Whether the primary is ready and traffic is held on the backup until it goes idle. */
export function waitingForIdleBackup(state: RouterState): boolean {
  return state.mode === 'auto' && state.route === 'backup' && typeof state.idleWaitSince === 'number';
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
  /** Its workers report the engine is not installed: it cannot take work, whoever else can. */
  notInstalled?: boolean;
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
  // Never to a primary known not to be installed, even before a backup worker is up (a fresh start):
  // the job waits on the backup's queue for it, not on the primary's for the monitor's first move.
  if (primary.notInstalled) return { route: 'backup', reason: 'primary engine is not installed' };
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
