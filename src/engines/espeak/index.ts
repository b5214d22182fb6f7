import type { EngineDescriptor } from '../engine.js';
import { ESPEAK_CAPABILITIES } from './voices.js';

/** The backup engine: espeak-ng, always installed (it ships inside an npm package). */
export const espeakDescriptor: EngineDescriptor = {
  name: 'espeak',
  capabilities: ESPEAK_CAPABILITIES,
  create: async () => (await import('./engine.js')).create(),
  installed: async () => ({ ok: true }),
};
