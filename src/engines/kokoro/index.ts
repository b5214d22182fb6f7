import { existsSync } from 'node:fs';
import type { EngineDescriptor } from '../engine.js';
import { INSTALL_COMMAND, kokoroFiles, missingFiles } from './files.js';
import type { KokoroConfig } from './settings.js';
import { KOKORO_CAPABILITIES } from './voices.js';

/**
 * The primary engine: Kokoro-82M v1.0. Its weights are not in the repository;
 * without them the engine reports itself not installed (with the command that
 * installs it) instead of failing.
 */
export const kokoroDescriptor: EngineDescriptor<KokoroConfig> = {
  name: 'kokoro',
  capabilities: KOKORO_CAPABILITIES,
  // onnxruntime plans its memory on the first run; the rounds after it are as fast as any later call.
  warmupRounds: 1,
  create: async (config) => (await import('./engine.js')).KokoroEngine.fromConfig(config),
  installed: async (config) => {
    const files = kokoroFiles(config.modelsDir, config.kokoroVariant);
    const missing = missingFiles(files);
    if (missing.length === 0) return { ok: true };
    const what = existsSync(files.dir)
      ? `missing ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ` and ${missing.length - 3} more` : ''}`
      : `${files.dir} does not exist`;
    return {
      ok: false,
      reason:
        `Kokoro model (${config.kokoroVariant}) not installed: ${what}. ` +
        `Offline: npm run models -- install kokoro --from DIR (a folder with config.json, voices/ and the .onnx file)`,
      install: INSTALL_COMMAND,
    };
  },
};
