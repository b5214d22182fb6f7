import type { Redis } from 'ioredis';
import { faultKey } from '../queue/names.js';

/** Ways resilience tests can make an engine misbehave. */
/** `load` makes the next model load fail (checked when a pool is created); `slow` adds half a second to every chunk. */
export type Fault = 'throw' | 'hang' | 'crash' | 'load' | 'slow';

interface FaultSpec {
  mode: Fault;
  /** Share of chunks affected, 0..1 (default 1). */
  rate?: number;
}

/**
 * Reads the fault a test has set for an engine (only when FAULT_INJECTION
 * is on). Lives in Redis so a test can break and heal a running worker.
 */
export function faultReader(redis: Redis, prefix: string, engine: string): () => Promise<Fault | undefined> {
  return async () => {
    const raw = await redis.get(faultKey(prefix, engine));
    if (!raw) return undefined;
    const spec = JSON.parse(raw) as FaultSpec;
    return Math.random() < (spec.rate ?? 1) ? spec.mode : undefined;
  };
}
