import type { EngineDescriptor } from './engine.js';
import { espeakDescriptor } from './espeak/index.js';
import { kokoroDescriptor } from './kokoro/index.js';

const DESCRIPTORS: EngineDescriptor[] = [kokoroDescriptor, espeakDescriptor];

/** Every engine this build knows, by name. */
export const engines: ReadonlyMap<string, EngineDescriptor> = new Map(DESCRIPTORS.map((d) => [d.name, d]));

/**
 * The descriptor behind an engine name. `name@pool` names a separate pool
 * (its own queue and workers) of the same engine — e.g. `kokoro@fast` next to
 * `kokoro`, or, in tests, `espeak@primary` playing the primary beside `espeak`.
 */
/** The engine behind a pool name: `kokoro@fast` → `kokoro`. */
export function baseEngineName(name: string): string {
  const at = name.indexOf('@');
  return at < 0 ? name : name.slice(0, at);
}

export function getEngine(name: string): EngineDescriptor {
  const d = engines.get(baseEngineName(name));
  if (!d) throw new Error(`unknown engine "${name}"; known engines: ${[...engines.keys()].join(', ')}`);
  return d;
}

export function isKnownEngine(name: string): boolean {
  return engines.has(baseEngineName(name));
}
