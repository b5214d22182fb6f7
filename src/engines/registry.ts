import type { EngineDescriptor } from './engine.js';
import { espeakDescriptor } from './espeak/index.js';
import { kokoroDescriptor } from './kokoro/index.js';

const BUILT_IN: EngineDescriptor[] = [kokoroDescriptor, espeakDescriptor];

/** Names of the engines built into this service (the engines file may not reuse them). */
export const builtInEngines: readonly string[] = BUILT_IN.map((d) => d.name);

const known = new Map(BUILT_IN.map((d) => [d.name, d]));

/** Every engine this process knows, by name: the built-ins plus those of the engines file. */
export const engines: ReadonlyMap<string, EngineDescriptor> = known;

/**
 * Add the engines the operator defined (ENGINES_FILE). Called once by each
 * process's main before anything looks an engine up; a built-in name cannot be replaced.
 */
export function addEngines(descriptors: readonly EngineDescriptor[]): void {
  for (const d of descriptors) {
    if (builtInEngines.includes(d.name)) throw new Error(`engine "${d.name}" is built in and cannot be redefined`);
    known.set(d.name, d);
  }
}

/** The engine behind a pool name: `kokoro@fast` → `kokoro`. */
export function baseEngineName(name: string): string {
  const at = name.indexOf('@');
  return at < 0 ? name : name.slice(0, at);
}

/**
 * The descriptor behind an engine name. `name@pool` names a separate pool
 * (its own queue and workers) of the same engine — e.g. `kokoro@fast` next to
 * `kokoro`, or, in tests, `espeak@primary` playing the primary beside `espeak`.
 */
export function getEngine(name: string): EngineDescriptor {
  const d = known.get(baseEngineName(name));
  if (!d) throw new Error(`unknown engine "${name}"; known engines: ${[...known.keys()].join(', ')}`);
  return d;
}

export function isKnownEngine(name: string): boolean {
  return known.has(baseEngineName(name));
}
