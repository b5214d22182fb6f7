import type { Queue } from 'bullmq';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RoutingView } from '../../src/router/routing-view.js';
import { loadConfig } from '../../src/config/load.js';
import type { EngineRoster } from '../../src/engines/roster.js';
import type { Liveness } from '../../src/queue/liveness.js';
import type { RoutingStore } from '../../src/router/state-store.js';

/** A routing view over fakes whose load reads are counted and, when `hold` is set, answered only on release(). */
function view() {
  const config = loadConfig({ PRIMARY_ENGINE: 'espeak', BACKUP_ENGINE: 'espeak' });
  let reads = 0;
  let live = 1;
  const held: (() => void)[] = [];
  const gate = { hold: false };
  const store = {
    meanDuration: async () => 1000,
    getHealth: async () => ({ consecutiveFailures: 0, consecutiveSuccesses: 0, probes: [] }),
    getInstallStatus: async () => null,
    overloadedMs: async () => 0,
  } as unknown as RoutingStore;
  const liveness = {
    count: async (engines: string[]) => {
      reads++;
      const n = live;
      if (gate.hold) await new Promise<void>((r) => held.push(r));
      return Object.fromEntries(engines.map((e) => [e, n]));
    },
  } as unknown as Liveness;
  const queue = { getJobCountByTypes: async () => 0 } as unknown as Queue;
  // One engine in both roles, as the fakes above answer for it.
  const roster = { names: ['espeak'], engineFor: () => 'espeak' } as unknown as EngineRoster;
  return {
    routing: new RoutingView(config, roster, store, liveness, queue as never),
    reads: () => reads,
    setLive: (n: number) => (live = n),
    gate,
    release: () => {
      for (const r of held.splice(0)) r();
    },
  };
}

afterEach(() => vi.useRealTimers());

describe('routing view load snapshot', () => {
  it('is read once per 250 ms under steady traffic, and no request waits for the refresh', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const v = view();
    for (let i = 0; i < 10; i++) expect((await v.routing.decide('backup')).route).toBe('backup');
    expect(v.reads()).toBe(1);
    // Stale by a little: served as it is while the next one is read, even if that read never ends.
    vi.setSystemTime(Date.now() + 300);
    v.gate.hold = true;
    v.setLive(0);
    expect((await v.routing.decide('backup')).route).toBe('backup');
    expect((await v.routing.decide('backup')).route).toBe('backup');
    expect(v.reads()).toBe(2); // one read under way, not one per request
    v.release();
    await new Promise((r) => setImmediate(r));
    // The new snapshot (no live worker) now decides.
    await expect(v.routing.decide('backup')).rejects.toMatchObject({ code: 'engine_unavailable' });
  });

  it('after a quiet spell the first request waits for a fresh snapshot', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const v = view();
    await v.routing.decide('backup');
    v.setLive(0);
    vi.setSystemTime(Date.now() + 2500);
    await expect(v.routing.decide('backup')).rejects.toMatchObject({ code: 'engine_unavailable' });
    expect(v.reads()).toBe(2);
  });

  it('never refuses a pinned request on a stale snapshot: it waits for a fresh one first', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const v = view();
    v.setLive(0);
    await expect(v.routing.decide('backup')).rejects.toMatchObject({ code: 'engine_unavailable' });
    // A worker came up; the snapshot that saw none is 300 ms old (stale, but within the serving bound).
    v.setLive(1);
    vi.setSystemTime(Date.now() + 300);
    expect((await v.routing.decide('backup')).route).toBe('backup');
  });
});
