/**
 * The engine roster: which engine plays which role, on which queue, with
 * which voices and limits. Built once per process from the config (and the
 * engines of ENGINES_FILE, registered before it) by the process's main and
 * handed to everything that needs it, so no other module works this out again.
 */
import { type ChunkPlan, chunkPlan } from '../text/chunk-plan.js';
import type { EngineChoice, Format, Route } from '../domain/job.js';
import { synthesisQueueName } from '../queue/names.js';
import type { EngineCapabilities, EngineDescriptor, Gender } from './engine.js';
import { getEngine } from './registry.js';
import { allowedVoices } from './voice.js';

export interface EngineRoster {
  /** The engine behind each role; both may name the same engine. */
  readonly roles: Readonly<Record<Route, string>>;
  /** Distinct engines behind the roles, the primary's first. */
  readonly names: readonly string[];
  /** Whether primary and backup are different engines (only then can a job move between them). */
  readonly distinct: boolean;
  /** Every value `voice` may take, per engine choice: `auto` accepts what either engine accepts. */
  readonly voices: Readonly<Record<EngineChoice, readonly string[]>>;
  /** The speeds every request accepts: whichever engine ends up running it must support them. */
  readonly speed: Readonly<{ min: number; max: number }>;
  engineFor(route: Route): string;
  /** The role an engine of the roster plays (primary when it plays both); undefined for another engine. */
  roleOf(engine: string): Route | undefined;
  /** `primary` or `backup` to its engine; any known engine (or pool) name as it is; undefined otherwise. */
  pick(roleOrEngine: string): string | undefined;
  /** The descriptor behind an engine (or pool) name. */
  engine(name: string): EngineDescriptor;
  capabilities(name: string): EngineCapabilities;
  queueName(engine: string): string;
  /**
   * The chunk plan a request's text is counted with before routing decides: the pinned
   * engine's, or the primary's for `auto`.
   */
  chunkPlan(choice: EngineChoice): ChunkPlan;
  /** A job's output rate: Opus is always 48 kHz, otherwise the request's or the engine's. */
  outputRate(format: Format | string, engine: string, requested?: number): number;
  /**
   * The voice to ask `engine` for: generic genders and its own voices as they are; a named voice
   * of the other engine falls back to the same gender, an unknown one to `female`.
   */
  resolveVoice(requested: string, engine: string): string;
}

/** A job's output rate from its engine's: Opus is always 48 kHz, otherwise the request's or the engine's. */
export function outputRate(format: Format | string, engineRate: number, requested?: number): number {
  return format === 'opus' ? 48_000 : (requested ?? engineRate);
}

/**
 * Build the roster of `config`'s roles. `lookup` finds an engine's descriptor (the registry,
 * which holds the built-ins and the engines file's); an unknown engine throws at once.
 */
export function createRoster(
  config: { primaryEngine: string; backupEngine: string },
  lookup: (name: string) => EngineDescriptor = getEngine,
): EngineRoster {
  const roles = { primary: config.primaryEngine, backup: config.backupEngine } as const;
  const names = [...new Set([roles.primary, roles.backup])];
  const descriptors = new Map(names.map((n) => [n, lookup(n)]));
  const engine = (name: string): EngineDescriptor => descriptors.get(name) ?? lookup(name);
  const caps = (name: string) => engine(name).capabilities;
  const primary = caps(roles.primary);
  const backup = caps(roles.backup);
  const p = allowedVoices(primary);
  const b = allowedVoices(backup);
  const gender = (voice: string): Gender | undefined => {
    for (const n of names) {
      const v = caps(n).voices.find((x) => x.name === voice);
      if (v) return v.gender;
    }
    return undefined;
  };
  return {
    roles,
    names,
    distinct: roles.primary !== roles.backup,
    voices: { primary: p, backup: b, auto: [...new Set([...p, ...b])] },
    speed: {
      min: Math.max(primary.speed.min, backup.speed.min),
      max: Math.min(primary.speed.max, backup.speed.max),
    },
    engineFor: (route) => roles[route],
    roleOf: (name) => (name === roles.primary ? 'primary' : name === roles.backup ? 'backup' : undefined),
    pick: (r) => {
      if (r === 'primary' || r === 'backup') return roles[r];
      try {
        engine(r);
        return r;
      } catch {
        return undefined;
      }
    },
    engine,
    capabilities: caps,
    queueName: synthesisQueueName,
    chunkPlan: (choice) => chunkPlan(caps(roles[choice === 'backup' ? 'backup' : 'primary'])),
    outputRate: (format, name, requested) => outputRate(format, caps(name).sampleRate, requested),
    resolveVoice: (requested, name) => {
      if (requested === 'female' || requested === 'male') return requested;
      if (caps(name).voices.some((v) => v.name === requested)) return requested;
      return gender(requested) ?? 'female';
    },
  };
}
