/**
 * `npm run bench -- engine [kokoro|espeak|both] [--runs N] [--cache] [--threads N,M]`
 *
 * For texts of several lengths: the real-time factor (engine time / audio time) and request
 * latency p50/p95 of each engine, side by side; for Kokoro also how much of its time is spent inside
 * the model's own `session.run` — the rest is the front-end (normalization, phonemes, tokens),
 * chunking and stitching — and, per thread count in `--threads`, the model's load time and what a
 * worker's warm-up (the rounds its descriptor asks for) costs against it. Measured in one process on
 * the same inputs. Kokoro uses the installed model when there is one, otherwise the stand-in model of
 * the tests (whose inference is nearly free, so its ratio overstates the front-end's share). The
 * phoneme cache is off unless --cache: every sentence is phonemized, the worst case.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engineSettings } from '../src/config/engine-settings.js';
import { loadConfig } from '../src/config/load.js';
import type { Config } from '../src/config/schema.js';
import type { TtsEngine } from '../src/engines/engine.js';
import { KokoroEngine } from '../src/engines/kokoro/engine.js';
import { kokoroDescriptor } from '../src/engines/kokoro/index.js';
import { allVoiceFiles } from '../src/engines/kokoro/voices.js';
import { getEngine } from '../src/engines/registry.js';
import { prepareText } from '../src/text/index.js';
import { makeStandInModelsDir } from '../test/fixtures/make-stand-in-model.js';
import { percentile as pct } from './lib/stats.js';

const EN =
  'The quick brown fox jumps over the lazy dog. On 2026-03-20 at 14:17, the bill came to $3,497.50, about 12% more than last year. ';
const ZH = '今天天气很好，我们一起去公园散步吧。2026年3月20日，他的收入增长了100倍，大家都很高兴。';
const TEXTS: { name: string; text: string }[] = [
  { name: 'en short (24 chars)', text: 'Hello, this is a sample.' },
  { name: 'en sentence (~120)', text: EN },
  { name: 'en paragraph (~600)', text: EN.repeat(5) },
  { name: 'zh short (12)', text: '你好，这是一个语音示例。' },
  { name: 'zh paragraph (~200)', text: ZH.repeat(4) },
  { name: 'mixed (~250)', text: `${ZH}${EN}${ZH}` },
];
const WARMUP: Record<string, string> = { en: 'Hello, this is a warm-up.', zh: '你好，这是预热。' };

const flag = (args: string[], name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};

/** The warm-up a worker's engine thread does (src/workers/engine-thread.ts), timed. */
async function warmUp(engine: TtsEngine, rounds: number): Promise<number> {
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++)
    for (const lang of engine.capabilities.languages)
      for (const voice of ['female', 'male']) {
        const text = WARMUP[lang] ?? '';
        await engine.synthesize({
          chunk: { index: 0, runs: [{ lang, text }], chars: text.length, paragraphEnd: true },
          voice,
          speed: 1,
        });
      }
  return performance.now() - t0;
}

async function measure(name: string, engine: TtsEngine, runs: number, sessionMs?: () => number): Promise<void> {
  const sr = engine.capabilities.sampleRate;
  for (const { name: textName, text } of TEXTS) {
    const chunks = prepareText(text, { maxChunkChars: engine.capabilities.maxChunkChars });
    const once = async () => {
      let samples = 0;
      const t0 = performance.now();
      for (const chunk of chunks) samples += (await engine.synthesize({ chunk, voice: 'female', speed: 1 })).length;
      return { ms: performance.now() - t0, samples };
    };
    await once(); // warm-up
    const model0 = sessionMs?.() ?? 0;
    const lat: number[] = [];
    let samples = 0;
    for (let i = 0; i < runs; i++) {
      const r = await once();
      lat.push(r.ms);
      samples = r.samples;
    }
    const total = lat.reduce((a, b) => a + b, 0);
    const model = (sessionMs?.() ?? 0) - model0;
    const audioS = samples / sr;
    const ratio = sessionMs ? (total / model).toFixed(3) : '—';
    process.stdout.write(
      `| ${name} | ${textName} | ${chunks.length} | ${audioS.toFixed(1)} | ${(total / runs / 1000 / audioS).toFixed(3)} | ` +
        `${pct(lat, 50).toFixed(1)} | ${pct(lat, 95).toFixed(1)} | ${ratio} |\n`,
    );
  }
}

async function kokoro(config: Config, runs: number, threads: number[]): Promise<void> {
  let temp: string | undefined;
  const real = (await kokoroDescriptor.installed(config)).ok;
  if (!real) {
    temp = makeStandInModelsDir(mkdtempSync(join(tmpdir(), 'tandem-bench-')), { voices: allVoiceFiles() });
    config = { ...config, modelsDir: temp };
  }
  process.stdout.write(
    `kokoro: ${real ? `model ${config.kokoroVariant} from ${config.modelsDir}` : 'STAND-IN model (no weights installed)'}, ` +
      `phoneme cache ${config.kokoroPhonemeCache ? 'on' : 'off'}, ${runs} runs per text\n\n`,
  );
  for (const t of threads) {
    const engine = KokoroEngine.fromConfig({ ...config, kokoroThreads: t });
    const t0 = performance.now();
    await engine.load();
    const loadMs = performance.now() - t0;
    const warmMs = await warmUp(engine, kokoroDescriptor.warmupRounds ?? 4);
    process.stdout.write(
      `threads ${t || 'auto'}: load ${loadMs.toFixed(0)} ms, warm-up (${kokoroDescriptor.warmupRounds} round) ${warmMs.toFixed(0)} ms = ${(warmMs / loadMs).toFixed(2)} × load\n\n`,
    );
    process.stdout.write(
      '| engine | text | chunks | audio s | RTF | latency p50 ms | p95 ms | engine / session.run |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n',
    );
    await measure(`kokoro (${t || 'auto'} threads)`, engine, runs, () => engine.stats().runMs);
    await engine.dispose();
    process.stdout.write('\n');
  }
  if (temp) rmSync(temp, { recursive: true, force: true });
}

export async function run(args: string[]): Promise<void> {
  const which = args.find((a) => !a.startsWith('--') && !args[args.indexOf(a) - 1]?.startsWith('--')) ?? 'both';
  if (!['kokoro', 'espeak', 'both'].includes(which))
    throw new Error(`no engine benchmark for "${which}" (available: kokoro, espeak, both)`);
  const runs = Number(flag(args, 'runs') ?? 5);
  const threads = (flag(args, 'threads') ?? '0').split(',').map(Number);
  const config = loadConfig({
    ...process.env,
    KOKORO_PHONEME_CACHE: args.includes('--cache') ? process.env.KOKORO_PHONEME_CACHE : '0',
  });
  if (which !== 'espeak') await kokoro(config, runs, threads);
  if (which !== 'kokoro') {
    const espeak = await getEngine('espeak').create(engineSettings(config, 'espeak'));
    await espeak.load();
    process.stdout.write(
      'espeak-ng (same texts):\n\n| engine | text | chunks | audio s | RTF | latency p50 ms | p95 ms | engine / session.run |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n',
    );
    await measure('espeak-ng', espeak, runs);
    await espeak.dispose();
  }
  process.stdout.write(
    '\nTargets: Kokoro real-time factor on long text ≤ 0.4 on 2 cores; warm-up ≤ 2 × load; front-end, chunking and stitching ≤ 5 % over session.run (engine / session.run ≤ 1.05).\n',
  );
}
