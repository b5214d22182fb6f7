/** Where the Kokoro engine finds its files, and whether they are all there. */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { KOKORO_CAPABILITIES, voiceFile } from './voices.js';

/** Model variants as published (onnx-community/Kokoro-82M-v1.0-ONNX, `onnx/`). */
export const KOKORO_VARIANTS = ['fp32', 'quantized', 'q8f16'] as const;
export type KokoroVariant = (typeof KOKORO_VARIANTS)[number];

export const INSTALL_COMMAND = 'npm run models -- install kokoro';

export interface KokoroFiles {
  dir: string;
  model: string;
  config: string;
  voices: string;
}

/** File name of a variant's weights: model.onnx for fp32, model_<variant>.onnx otherwise. */
export function modelFileName(variant: KokoroVariant): string {
  return variant === 'fp32' ? 'model.onnx' : `model_${variant}.onnx`;
}

export function kokoroFiles(modelsDir: string, variant: KokoroVariant): KokoroFiles {
  const dir = resolve(modelsDir, 'kokoro');
  return {
    dir,
    model: join(dir, modelFileName(variant)),
    config: join(dir, 'config.json'),
    voices: join(dir, 'voices'),
  };
}

/** The default voices every install must have (the other voices are loaded when asked for). */
export function requiredVoices(): string[] {
  const d = KOKORO_CAPABILITIES.defaults;
  return [...new Set([d.zh.female, d.zh.male, d.en.female, d.en.male].map(voiceFile))];
}

/** What is missing for the engine to run, or an empty list. */
export function missingFiles(files: KokoroFiles): string[] {
  const missing: string[] = [];
  if (!existsSync(files.model)) missing.push(files.model);
  if (!existsSync(files.config)) missing.push(files.config);
  const have = existsSync(files.voices) ? new Set(readdirSync(files.voices)) : new Set<string>();
  for (const v of requiredVoices()) if (!have.has(`${v}.bin`)) missing.push(join(files.voices, `${v}.bin`));
  return missing;
}
