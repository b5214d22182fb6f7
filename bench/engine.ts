/**
 * `npm run bench -- engine kokoro [--runs N] [--cache]`
 *
 * For texts of several lengths: the real-time factor (engine time / audio time), request latency
 * p50/p95, and how much of the engine's time is spent inside `session.run` — the rest is the
 * front-end (normalization, phonemes, tokens), chunking and stitching. Measured in one process on
 * the same inputs. Uses the installed model when there is one, otherwise the stand-in model of the
 * tests (whose inference is nearly free, so its ratio overstates the front-end's share). The
 * phoneme cache is off unless --cache: every sentence is phonemized, the worst case.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/load.js';
import { KokoroEngine } from '../src/engines/kokoro/engine.js';
import { kokoroDescriptor } from '../src/engines/kokoro/index.js';
import { allVoiceFiles } from '../src/engines/kokoro/voices.js';
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

export async function run(args: string[]): Promise<void> {
  const engineName = args.find((a) => !a.startsWith('--')) ?? 'kokoro';
  if (engineName !== 'kokoro') throw new Error(`no engine benchmark for "${engineName}" yet (available: kokoro)`);
  const runsIdx = args.indexOf('--runs');
  const runs = runsIdx >= 0 ? Number(args[runsIdx + 1]) : 5;
  let config = loadConfig({
    ...process.env,
    KOKORO_PHONEME_CACHE: args.includes('--cache') ? process.env.KOKORO_PHONEME_CACHE : '0',
  });
  let temp: string | undefined;
  const real = (await kokoroDescriptor.installed(config)).ok;
  if (!real) {
    temp = makeStandInModelsDir(mkdtempSync(join(tmpdir(), 'tandem-bench-')), { voices: allVoiceFiles() });
    config = { ...config, modelsDir: temp };
  }
  process.stdout.write(
    `engine kokoro, ${real ? `model ${config.kokoroVariant} from ${config.modelsDir}` : 'STAND-IN model (no weights installed)'}, ` +
      `threads ${config.kokoroThreads || 'auto'}, phoneme cache ${config.kokoroPhonemeCache ? 'on' : 'off'}, ${runs} runs per text\n\n`,
  );
  const engine = KokoroEngine.fromConfig(config);
  await engine.load();
  const sr = engine.capabilities.sampleRate;
  process.stdout.write(
    '| text | chunks | audio s | RTF | latency p50 ms | p95 ms | engine / session.run | overhead | outside run, ms/request |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n',
  );
  for (const { name, text } of TEXTS) {
    const chunks = prepareText(text, { maxChunkChars: engine.capabilities.maxChunkChars });
    const once = async () => {
      let samples = 0;
      const t0 = performance.now();
      for (const chunk of chunks) samples += (await engine.synthesize({ chunk, voice: 'female', speed: 1 })).length;
      return { ms: performance.now() - t0, samples };
    };
    await once(); // warm-up
    const before = engine.stats();
    const lat: number[] = [];
    let samples = 0;
    for (let i = 0; i < runs; i++) {
      const r = await once();
      lat.push(r.ms);
      samples = r.samples;
    }
    const after = engine.stats();
    const synth = after.synthMs - before.synthMs;
    const model = after.runMs - before.runMs;
    const audioS = samples / sr;
    const rtf = synth / runs / 1000 / audioS;
    const ratio = synth / model;
    process.stdout.write(
      `| ${name} | ${chunks.length} | ${audioS.toFixed(1)} | ${rtf.toFixed(3)} | ${pct(lat, 50).toFixed(1)} | ${pct(lat, 95).toFixed(1)} | ` +
        `${ratio.toFixed(3)} | ${((ratio - 1) * 100).toFixed(1)} % | ${((synth - model) / runs).toFixed(1)} |\n`,
    );
  }
  await engine.dispose();
  if (temp) rmSync(temp, { recursive: true, force: true });
  process.stdout.write(
    `\nTarget: front-end, chunking and stitching add at most 5 % to inference (engine / session.run ≤ 1.05) with the real model.\n`,
  );
}
