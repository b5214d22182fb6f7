import type { KokoroVariant } from './files.js';

/**
 * The part of the service's settings Kokoro reads, named as in the config so
 * the config's slice fits it as it is (cut out by `engineSettings`). Plain
 * data: it is handed to each engine thread.
 */
export interface KokoroConfig {
  /** MODELS_DIR: Kokoro's files are under `<modelsDir>/kokoro`. */
  modelsDir: string;
  kokoroVariant: KokoroVariant;
  /** Inference threads per engine; 0: the cores divided among the worker's engine threads. */
  kokoroThreads: number;
  kokoroPhonemeCache: number;
  /** Engine threads in the worker (WORKER_CONCURRENCY), for the division above. */
  workerConcurrency: number;
}
