/**
 * Each engine's own slice of the settings. Engines never see the whole
 * config (keys, Redis, limits): the worker hands each engine only what it
 * reads, and the engine modules need not import the config's module.
 */
import { baseEngineName } from '../engines/registry.js';
import type { KokoroConfig } from '../engines/kokoro/settings.js';
import type { Config } from './schema.js';

const SLICES: Record<string, (c: Config) => unknown> = {
  kokoro: (c): KokoroConfig => ({
    modelsDir: c.modelsDir,
    kokoroVariant: c.kokoroVariant,
    kokoroThreads: c.kokoroThreads,
    kokoroPhonemeCache: c.kokoroPhonemeCache,
    workerConcurrency: c.workerConcurrency,
  }),
};

/**
 * The settings `engine` (or a pool of it) reads, for its descriptor's `create` and `installed`.
 * Engines with none (espeak-ng; remote engines carry their entry of the engines file) get `{}`.
 */
export function engineSettings(config: Config, engine: string): unknown {
  return SLICES[baseEngineName(engine)]?.(config) ?? {};
}
