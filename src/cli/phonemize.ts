/**
 * `npm run phonemize -- [--voice V] [--json] TEXT...`
 *
 * Prints what Kokoro would be fed for TEXT (the same answer as POST /api/phonemize):
 * per chunk and language run, the normalized text, the voice, the phonemes, the token ids
 * (when config.json is installed in MODELS_DIR) and any symbol the vocabulary drops.
 * Needs no model weights and no Redis.
 */
import { AppError } from '../domain/errors.js';
import { kokoroFiles } from '../engines/kokoro/files.js';
import { KokoroPhonemize, type PhonemizeResult } from '../engines/kokoro/phonemize.js';
import { KOKORO_CAPABILITIES } from '../engines/kokoro/voices.js';
import { allowedVoices } from '../engines/voice.js';
import { configOrExit } from './main-helpers.js';

const USAGE = 'usage: npm run phonemize -- [--voice VOICE] [--json] TEXT...';

function parseArgs(args: string[]): { voice: string; json: boolean; text: string } | string {
  let voice = 'female';
  let json = false;
  const words: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if (a === '--json') json = true;
    else if (a === '--voice') {
      const v = args[++i];
      if (v === undefined) return '--voice needs a value';
      voice = v;
    } else if (a.startsWith('--voice=')) voice = a.slice('--voice='.length);
    else if (a === '--help' || a === '-h') return USAGE;
    else words.push(a);
  }
  if (words.length === 0) return `no text given\n${USAGE}`;
  if (!allowedVoices(KOKORO_CAPABILITIES).includes(voice)) {
    return `unknown voice ${JSON.stringify(voice)}; allowed: ${allowedVoices(KOKORO_CAPABILITIES).join(', ')}`;
  }
  return { voice, json, text: words.join(' ') };
}

/** The answer as a person reads it in a terminal. */
export function formatResult(r: PhonemizeResult): string {
  const lines: string[] = [];
  if (!r.vocabulary.installed) lines.push(`note: ${r.vocabulary.reason}`);
  for (const c of r.chunks) {
    lines.push(`chunk ${c.index}: ${c.text}`);
    for (const run of c.runs) {
      lines.push(`  [${run.language}] ${run.text}   (voice ${run.voice}${run.spoken ? '' : ', not spoken'})`);
      lines.push(`    phonemes: ${run.phonemes}`);
      if (run.tokens) lines.push(`    tokens (${run.tokens.length}): ${run.tokens.join(' ')}`);
      if (run.dropped?.length) lines.push(`    dropped: ${run.dropped.map((d) => JSON.stringify(d)).join(' ')}`);
    }
  }
  return lines.join('\n');
}

async function main(args: string[]): Promise<number> {
  const parsed = parseArgs(args);
  if (typeof parsed === 'string') {
    process.stderr.write(`${parsed}\n`);
    return parsed === USAGE ? 0 : 2;
  }
  const config = configOrExit();
  const tool = await KokoroPhonemize.create(kokoroFiles(config.modelsDir, config.kokoroVariant).config);
  try {
    const result = await tool.phonemize(parsed.text, parsed.voice);
    process.stdout.write(`${parsed.json ? JSON.stringify(result, null, 2) : formatResult(result)}\n`);
    return 0;
  } catch (err) {
    if (err instanceof AppError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

process.exitCode = await main(process.argv.slice(2));
