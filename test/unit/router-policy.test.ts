import { describe, expect, it } from 'vitest';
import {
  decideRoute,
  engineState,
  estimatedWaitMs,
  initialRouterState,
  nextRouterState,
  type EngineHealth,
  type Policy,
  type RouterState,
  waitingForIdleBackup,
} from '../../src/router/policy.js';

const policy: Policy = {
  failureThreshold: 3,
  recoveryProbes: 10,
  recoveryWindowMs: 600_000,
  overloadWaitMs: 10_000,
  recoveryRequireIdle: true,
  recoveryIdleMaxWaitMs: 600_000,
};
const healthy: EngineHealth = { consecutiveFailures: 0, consecutiveSuccesses: 20, liveWorkers: 1 };
const failing = (n: number): EngineHealth => ({ consecutiveFailures: n, consecutiveSuccesses: 0, liveWorkers: 1 });

/** A clock the tests move by hand. */
function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('engineState', () => {
  it.each([
    [healthy, 'up'],
    [failing(2), 'up'],
    [failing(3), 'down'],
    [{ ...healthy, liveWorkers: 0 }, 'down'],
    [{ ...healthy, liveWorkers: 0, notInstalled: { reason: 'no model' } }, 'not_installed'],
  ] as const)('%j → %s', (h, s) => expect(engineState(h, policy)).toBe(s));
});

describe('nextRouterState', () => {
  it('fails over after the threshold of consecutive failures, not before', () => {
    const c = clock();
    let s = initialRouterState(c.now());
    for (const n of [1, 2]) {
      const r = nextRouterState(s, { primary: failing(n), backup: healthy }, policy, c.now());
      expect(r.switched).toBeUndefined();
      s = r.state;
    }
    const r = nextRouterState(s, { primary: failing(3), backup: healthy }, policy, c.now());
    expect(r.state.route).toBe('backup');
    expect(r.state.failoverAt).toBe(c.now());
    expect(r.switched).toMatchObject({
      from: 'primary',
      to: 'backup',
      reason: 'primary engine failed 3 consecutive checks',
    });
  });

  it('does not fail over for a worker that is merely restarting', () => {
    const s = initialRouterState(0);
    expect(
      nextRouterState(s, { primary: { ...healthy, liveWorkers: 0 }, backup: healthy }, policy, 1).switched,
    ).toBeUndefined();
  });

  it('fails over at once when the primary is not installed', () => {
    const primary = {
      consecutiveFailures: 0,
      consecutiveSuccesses: 0,
      liveWorkers: 0,
      notInstalled: { reason: 'model missing' },
    };
    const r = nextRouterState(initialRouterState(0), { primary, backup: healthy }, policy, 5);
    expect(r.state.route).toBe('backup');
    expect(r.switched?.reason).toContain('not installed');
  });

  const failedOver = (at: number): RouterState => ({
    ...initialRouterState(0),
    route: 'backup',
    reason: 'x',
    since: at,
    failoverAt: at,
  });

  it('returns only after enough good probes AND the window', () => {
    const c = clock();
    const s = failedOver(c.now());
    const probes = (n: number): EngineHealth => ({ consecutiveFailures: 0, consecutiveSuccesses: n, liveWorkers: 1 });
    // Ten good probes but inside the window: stay.
    expect(nextRouterState(s, { primary: probes(10), backup: healthy }, policy, c.now() + 60_000).state.route).toBe(
      'backup',
    );
    // Window passed but only nine probes: stay.
    c.advance(600_000);
    expect(nextRouterState(s, { primary: probes(9), backup: healthy }, policy, c.now()).state.route).toBe('backup');
    // Both: return.
    const r = nextRouterState(s, { primary: probes(10), backup: healthy }, policy, c.now());
    expect(r.switched).toMatchObject({ from: 'backup', to: 'primary' });
    expect(r.switched?.reason).toContain('recovery window');
  });

  it('returns early when an operator confirms, still after enough probes', () => {
    const s = { ...failedOver(0), confirmed: true };
    expect(
      nextRouterState(s, { primary: { ...healthy, consecutiveSuccesses: 3 }, backup: healthy }, policy, 1000).state
        .route,
    ).toBe('backup');
    const r = nextRouterState(s, { primary: { ...healthy, consecutiveSuccesses: 10 }, backup: healthy }, policy, 1000);
    expect(r.state.route).toBe('primary');
    expect(r.state.confirmed).toBe(false);
    expect(r.switched?.reason).toContain('operator confirmed');
  });

  it('an intermittently failing engine causes at most one failover per window', () => {
    const c = clock();
    let s = initialRouterState(c.now());
    let switches = 0;
    let failures = 0;
    let successes = 0;
    // 30 s probes for one hour: fail three in a row, then pass ten, over and over.
    for (let i = 0; i < 120; i++) {
      const fail = i % 13 < 3;
      failures = fail ? failures + 1 : 0;
      successes = fail ? 0 : successes + 1;
      const r = nextRouterState(
        s,
        {
          primary: { consecutiveFailures: failures, consecutiveSuccesses: successes, liveWorkers: 1 },
          backup: healthy,
        },
        policy,
        c.now(),
      );
      if (r.switched?.to === 'backup') switches++;
      s = r.state;
      c.advance(30_000);
    }
    // One hour, ten-minute window: at most one failover per window.
    expect(switches).toBeGreaterThan(0);
    expect(switches).toBeLessThanOrEqual(6);
  });

  it('follows a forced mode at once and stays there', () => {
    const s = { ...initialRouterState(0), mode: 'backup' as const };
    const r = nextRouterState(s, { primary: healthy, backup: healthy }, policy, 10);
    expect(r.state.route).toBe('backup');
    expect(r.switched?.reason).toBe('operator forced backup');
    expect(nextRouterState(r.state, { primary: healthy, backup: healthy }, policy, 20).switched).toBeUndefined();
  });
});

describe('nextRouterState: waiting for an idle backup', () => {
  const failedOverAt = (at: number): RouterState => ({
    ...initialRouterState(0),
    route: 'backup',
    reason: 'x',
    since: at,
    failoverAt: at,
  });
  const ready: EngineHealth = { consecutiveFailures: 0, consecutiveSuccesses: 10, liveWorkers: 1 };
  const backup = (autoJobsInProgress: number): EngineHealth => ({ ...healthy, autoJobsInProgress });

  /** Feed the policy one health reading per step, from `start`, and return every step's result. */
  function run(
    s0: RouterState,
    steps: { after: number; primary: EngineHealth; busy: number }[],
    p: Policy = policy,
    start = 0,
  ) {
    let s = s0;
    let now = start;
    return steps.map((step) => {
      now += step.after;
      const r = nextRouterState(s, { primary: step.primary, backup: backup(step.busy) }, p, now);
      s = r.state;
      return r;
    });
  }

  it.each([
    {
      name: 'ready but the backup is busy: stays on the backup and starts waiting',
      steps: [{ after: 600_000, primary: ready, busy: 2 }],
      route: 'backup',
      waitingSince: 600_000,
    },
    {
      name: 'still busy before the bound: keeps waiting from when it started',
      steps: [
        { after: 600_000, primary: ready, busy: 1 },
        { after: 599_999, primary: ready, busy: 1 },
      ],
      route: 'backup',
      waitingSince: 600_000,
    },
    {
      name: 'busy, then idle: switches because the backup went idle',
      steps: [
        { after: 600_000, primary: ready, busy: 1 },
        { after: 30_000, primary: ready, busy: 0 },
      ],
      route: 'primary',
      recovery: 'idle',
      reason: /went idle after 30000 ms/,
    },
    {
      name: 'ready and idle at once: switches straight away',
      steps: [{ after: 600_000, primary: ready, busy: 0 }],
      route: 'primary',
      recovery: 'idle',
      reason: /recovery window and the backup is idle/,
    },
    {
      name: 'busy until the bound: switches anyway',
      steps: [
        { after: 600_000, primary: ready, busy: 3 },
        { after: 600_000, primary: ready, busy: 3 },
      ],
      route: 'primary',
      recovery: 'bound',
      reason: /still busy with 3 auto jobs after waiting 600000 ms \(the bound\)/,
    },
    {
      name: 'primary fails while waiting: stops waiting, and the bound counts again from the next readiness',
      steps: [
        { after: 600_000, primary: ready, busy: 1 },
        { after: 300_000, primary: failing(1), busy: 1 },
        { after: 1_000, primary: ready, busy: 1 },
        { after: 500_000, primary: ready, busy: 1 },
      ],
      route: 'backup',
      waitingSince: 901_000,
    },
    {
      name: 'idle backup but too few probes: no switch, no wait',
      steps: [{ after: 600_000, primary: { ...ready, consecutiveSuccesses: 9 }, busy: 0 }],
      route: 'backup',
      waitingSince: null,
    },
    {
      name: 'idle backup inside the window without confirmation: no switch, no wait',
      steps: [{ after: 1_000, primary: ready, busy: 0 }],
      route: 'backup',
      waitingSince: null,
    },
  ])('$name', ({ steps, route, waitingSince, recovery, reason }) => {
    const results = run(failedOverAt(0), steps);
    const last = results.at(-1);
    expect(last?.state.route).toBe(route);
    // Only the last step may switch.
    expect(results.slice(0, -1).every((r) => r.switched === undefined)).toBe(true);
    if (route === 'backup') {
      expect(last?.switched).toBeUndefined();
      expect(last?.state.idleWaitSince ?? null).toBe(waitingSince);
    } else {
      expect(last?.switched?.recovery).toBe(recovery);
      expect(last?.switched?.reason).toMatch(reason ?? /./);
      expect(last?.state.idleWaitSince ?? null).toBeNull();
    }
  });

  it('an operator confirmation replaces the window but not the probes or the idle condition', () => {
    const s = { ...failedOverAt(0), confirmed: true };
    // Confirmed, busy backup: waits.
    const busy = nextRouterState(s, { primary: ready, backup: backup(1) }, policy, 1000);
    expect(busy.state.route).toBe('backup');
    expect(busy.state.idleWaitSince).toBe(1000);
    expect(busy.state.confirmed).toBe(true);
    // Confirmed, idle backup, too few probes: stays.
    expect(
      nextRouterState(s, { primary: { ...ready, consecutiveSuccesses: 4 }, backup: backup(0) }, policy, 1000).state
        .route,
    ).toBe('backup');
    // Confirmed, idle, enough probes: returns.
    const r = nextRouterState(busy.state, { primary: ready, backup: backup(0) }, policy, 2000);
    expect(r.state.route).toBe('primary');
    expect(r.switched?.reason).toMatch(/operator confirmed and the backup went idle after 1000 ms/);
    expect(r.state.confirmed).toBe(false);
  });

  it('with RECOVERY_REQUIRE_IDLE=false a busy backup does not hold traffic back', () => {
    const r = nextRouterState(
      failedOverAt(0),
      { primary: ready, backup: backup(5) },
      {
        ...policy,
        recoveryRequireIdle: false,
      },
      600_000,
    );
    expect(r.state.route).toBe('primary');
    expect(r.switched?.recovery).toBeUndefined();
    expect(r.switched?.reason).not.toMatch(/idle/);
  });

  it('a bound of 0 switches at once even with a busy backup', () => {
    const r = nextRouterState(
      failedOverAt(0),
      { primary: ready, backup: backup(1) },
      {
        ...policy,
        recoveryIdleMaxWaitMs: 0,
      },
      600_000,
    );
    expect(r.switched?.recovery).toBe('bound');
  });

  it('a forced mode clears a pending wait', () => {
    const waiting = { ...failedOverAt(0), idleWaitSince: 5 };
    const r = nextRouterState({ ...waiting, mode: 'primary' }, { primary: ready, backup: backup(1) }, policy, 10);
    expect(r.state.route).toBe('primary');
    expect(r.state.idleWaitSince ?? null).toBeNull();
    expect(waitingForIdleBackup(waiting)).toBe(true);
    expect(waitingForIdleBackup(r.state)).toBe(false);
  });
});

describe('decideRoute', () => {
  const state = initialRouterState(0);
  const load = { waiting: 0, meanSynthesisMs: 500, liveWorkers: 2 };
  const base = { state, primary: load, backupLiveWorkers: 1, policy };

  it('keeps pinned requests pinned whatever the state', () => {
    expect(decideRoute({ ...base, requested: 'primary', state: { ...state, route: 'backup' } }).route).toBe('primary');
    expect(decideRoute({ ...base, requested: 'backup' }).route).toBe('backup');
  });

  it('sends auto to the shared route', () => {
    expect(decideRoute({ ...base, requested: 'auto' }).route).toBe('primary');
    expect(decideRoute({ ...base, requested: 'auto', state: { ...state, route: 'backup', reason: 'failed' } })).toEqual(
      { route: 'backup', reason: 'failed' },
    );
  });

  it('sends auto to the backup when the primary is not installed, even before a backup worker is up', () => {
    const missing = { ...load, liveWorkers: 0, notInstalled: true };
    expect(decideRoute({ ...base, requested: 'auto', primary: missing, backupLiveWorkers: 0 })).toEqual({
      route: 'backup',
      reason: 'primary engine is not installed',
    });
    // Pinned work is not moved by it (the API refuses it as not installed instead).
    expect(decideRoute({ ...base, requested: 'primary', primary: missing }).route).toBe('primary');
  });

  it('sends auto to the backup while the primary has no live worker', () => {
    expect(decideRoute({ ...base, requested: 'auto', primary: { ...load, liveWorkers: 0 } }).route).toBe('backup');
    // …unless the backup has none either: then the job waits for the primary.
    expect(
      decideRoute({ ...base, requested: 'auto', primary: { ...load, liveWorkers: 0 }, backupLiveWorkers: 0 }).route,
    ).toBe('primary');
  });

  it('sends auto to the backup while the primary is overloaded, and back when the backlog clears', () => {
    expect(estimatedWaitMs({ waiting: 50, meanSynthesisMs: 500, liveWorkers: 2 })).toBe(12_500);
    const busy = decideRoute({ ...base, requested: 'auto', primary: { ...load, waiting: 50 } });
    expect(busy.route).toBe('backup');
    expect(busy.reason).toMatch(/overloaded/);
    expect(decideRoute({ ...base, requested: 'auto', primary: { ...load, waiting: 30 } }).route).toBe('primary');
  });

  it("sends auto to the backup while the primary's remote asked for a pause (429/503 with Retry-After)", () => {
    const paused = decideRoute({ ...base, requested: 'auto', primary: { ...load, overloadedMs: 4200 } });
    expect(paused).toEqual({ route: 'backup', reason: 'primary overloaded: its server asked to retry after 5 s' });
    // Pinned work still goes where it was pinned, and with no backup worker auto work waits for the primary.
    expect(decideRoute({ ...base, requested: 'primary', primary: { ...load, overloadedMs: 4200 } }).route).toBe(
      'primary',
    );
    expect(
      decideRoute({ ...base, requested: 'auto', primary: { ...load, overloadedMs: 4200 }, backupLiveWorkers: 0 }).route,
    ).toBe('primary');
    expect(decideRoute({ ...base, requested: 'auto', primary: { ...load, overloadedMs: 0 } }).route).toBe('primary');
  });
});
