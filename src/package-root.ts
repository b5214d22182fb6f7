/**
 * Files shipped with the service (assets/, models/manifest.json, lexicons/) sit at the package root.
 * Compiled code runs from dist/ (two levels below the root for a file in dist/engines/) but the
 * bench's from dist-bench/src/ (one level deeper), so a path relative to `import.meta.url` is wrong
 * in one of them: find the root by walking up to the package.json that names this service.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const NAME = 'tandem-tts';
let root: string | undefined;

export function packageRoot(): string {
  if (root) return root;
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === NAME) {
      root = dir;
      return dir;
    }
  }
  throw new Error(`the ${NAME} package.json was not found above ${fileURLToPath(import.meta.url)}`);
}

/** A path under the package root, e.g. `packagePath('assets', 'zh', 'pinyin.tsv.gz')`. */
export function packagePath(...parts: string[]): string {
  return join(packageRoot(), ...parts);
}
