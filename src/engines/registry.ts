import type { EngineDescriptor } from './engine.js';
import { espeakDescriptor } from './espeak/index.js';

const DESCRIPTORS: EngineDescriptor[] = [espeakDescriptor];

/** Every engine this build knows, by name. */
export const engines: ReadonlyMap<string, EngineDescriptor> = new Map(DESCRIPTORS.map((d) => [d.name, d]));

export function getEngine(name: string): EngineDescriptor {
  const d = engines.get(name);
  if (!d) throw new Error(`unknown engine "${name}"; known engines: ${[...engines.keys()].join(', ')}`);
  return d;
}
