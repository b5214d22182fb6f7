/**
 * `npm run models -- list`
 * `npm run models -- install kokoro [--variant fp32|quantized|q8f16] [--from DIR] [--weights FILE]`
 *
 * Online it downloads from the published location (models/manifest.json) with a progress bar and
 * resumes a broken download when run again; `--from DIR` installs from a local folder (config.json,
 * voices/ and the weights) on machines without internet. Files land in MODELS_DIR.
 */
import { fileURLToPath } from 'node:url';
import { configOrExit } from './main-helpers.js';
import { DownloadError } from './download-error.js';
import { effectiveUrl, installModel, installedVariants, progressBar, readManifest } from './model-installer.js';

const MANIFEST = fileURLToPath(new URL('../../models/manifest.json', import.meta.url));

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  if (i >= 0) return args[i + 1];
  const eq = args.find((a) => a.startsWith(`--${name}=`));
  return eq?.slice(name.length + 3);
}

const OFFLINE_HELP = `
Nothing was changed; run the same command again to resume. Other ways to install:
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
    for (const [n, m] of Object.entries(manifest)) {
      const have = installedVariants(m, config.modelsDir);
      process.stdout.write(`${n}: ${m.description} (${m.license})\n`);
      for (const [v, f] of Object.entries(m.variants)) {
        const mark = have.includes(v) ? 'installed' : 'not installed';
        process.stdout.write(
          `  --variant ${v.padEnd(10)} ${f.path.padEnd(22)} ${(f.approxSize ?? '').padEnd(8)} ${mark}\n      from ${url(f.url)}\n`,
        );
      }
      // The shared files: where the first comes from shows the host they all come from.
      const first = m.files[0];
      if (first)
        process.stdout.write(`  and ${m.files.length} shared files (config.json, voices/…), e.g. ${url(first.url)}\n`);
    }
    process.stdout.write(
      `\nDownloads from ${config.hfEndpoint ?? 'https://huggingface.co'} (set HF_ENDPOINT to use a mirror, e.g. HF_ENDPOINT=https://hf-mirror.com).\n` +
        `Models directory: ${config.modelsDir} (MODELS_DIR). Install: npm run models -- install <model> [--variant V] [--from DIR]\n`,
    );
    return 0;
  }
  if (command !== 'install' || !name) {
    process.stderr.write(
      'Usage: npm run models -- list | install <model> [--variant V] [--from DIR] [--weights FILE]\n',
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
  const tty = process.stderr.isTTY;
  let started = Date.now();
  let lastFile = '';
  let lastDraw = 0;
  const log = (line: string) => process.stderr.write(`${tty && lastDraw ? '\n' : ''}${line}\n`);
  await installModel(name, model, {
    modelsDir: config.modelsDir,
    endpoint: config.hfEndpoint,
    timeoutMs: config.modelsTimeoutMs,
    variant,
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
  process.stdout.write(`Installed ${name} (${variant}) in ${config.modelsDir}/${model.dir}\n`);
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
