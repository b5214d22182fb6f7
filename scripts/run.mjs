// Runs a compiled entry point of dist/cli, compiling the TypeScript first only when dist/ is missing
// or older than the sources. Plain JavaScript because it must run before anything is compiled.
//
//   node scripts/run.mjs start [args]   (npm start, npm run api, npm run models -- list, …)
//   node scripts/run.mjs --build        (npm's `prepare`: compile at install time when possible)
//
// The entry point is imported into this process rather than spawned, so signals sent to the npm
// command reach the service itself (npm's shell execs a single command).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const stamp = join(dist, '.built');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

/** Newest modification time of the files under `dir` whose names pass `keep`. */
function newest(dir, keep) {
  let t = 0;
  if (!existsSync(dir)) return t;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(p, keep));
    else if (keep(e.name)) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

/** Why dist/ must be (re)built, or null when it is current. */
function staleReason() {
  if (!existsSync(join(dist, 'cli', 'start.js'))) return 'first run: nothing compiled yet';
  const sources = Math.max(
    newest(join(root, 'src'), (n) => n.endsWith('.ts')),
    ...['tsconfig.json', 'tsconfig.build.json'].map((f) =>
      existsSync(join(root, f)) ? statSync(join(root, f)).mtimeMs : 0,
    ),
  );
  const built = Math.max(
    existsSync(stamp) ? statSync(stamp).mtimeMs : 0,
    newest(dist, (n) => n.endsWith('.js')),
  );
  return sources > built ? 'the sources changed since the last build' : null;
}

/** Compile when needed; returns false when it cannot (no sources or no TypeScript, as in `npm ci --omit=dev`). */
function build(quietIfCurrent) {
  const reason = staleReason();
  if (!reason) {
    if (!quietIfCurrent) process.stderr.write('tandem: dist/ is up to date\n');
    return true;
  }
  if (!existsSync(join(root, 'src')) || !existsSync(tsc)) {
    process.stderr.write(`tandem: not compiling (${existsSync(tsc) ? 'no src/' : 'TypeScript is not installed'})\n`);
    return false;
  }
  process.stderr.write(`tandem: compiling TypeScript into dist/ (${reason}); this takes a few seconds…\n`);
  const started = Date.now();
  const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write('tandem: the TypeScript build failed (errors above)\n');
    process.exit(r.status ?? 1);
  }
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
  process.stderr.write(`tandem: compiled in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return true;
}

const [entry, ...rest] = process.argv.slice(2);
if (!entry) {
  process.stderr.write('usage: node scripts/run.mjs <start|api|worker|monitor|models|…> [args] | --build\n');
  process.exit(2);
}
if (entry === '--build') {
  build(false);
} else {
  const known = [join(root, 'src', 'cli', `${entry}.ts`), join(dist, 'cli', `${entry}.js`)];
  if (!/^[a-z-]+$/.test(entry) || !known.some((f) => existsSync(f))) {
    process.stderr.write(`tandem: no command "${entry}" (src/cli/${entry}.ts)\n`);
    process.exit(2);
  }
  if (!build(true) && !existsSync(join(dist, 'cli', `${entry}.js`))) process.exit(1);
  // The entry point reads its own arguments from process.argv, as if it had been run directly.
  const script = join(dist, 'cli', `${entry}.js`);
  process.argv = [process.argv[0] ?? process.execPath, script, ...rest];
  await import(pathToFileURL(script).href);
}
