/**
 * `npm run bench -- espeak [--quick]`: the espeak-ng engine (our WebAssembly build, resident in this
 * process and warmed up as an engine thread warms it) against Debian's native espeak-ng on the same
 * English texts of 200 and 1,000 characters, and beside them the JavaScript (wasm2js) build the engine
 * used before, Echogarden's, reading the same chunks with the same voice and rate (its synthesis
 * alone: the engine's own trimming and stitching are under 2 % of its time). Native: one
 * `espeak-ng -v en-us -w <file>` process per text, as a user would run it, timed whole (wall) and by
 * bash's `time` (CPU). Runs are interleaved; medians. Without the `espeak-ng` package the engine is
 * measured alone.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EspeakEngine } from '../../src/engines/espeak/engine.js';
import { ESPEAK_VOICE_IDS } from '../../src/engines/espeak/voices.js';
import { prepareText } from '../../src/text/index.js';
import { table, type Section, type Target } from '../lib/report.js';
import { log, runAndReport, type ModeOpts } from '../lib/run.js';
import { fmt, median } from '../lib/stats.js';
import { textOf } from '../texts.js';

const GOAL = 1.5;
const WARMUP = 10;

const nativeVersion = (): string | null => {
  const r = spawnSync('espeak-ng', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
};

/** One native run, whole process: wall time here, CPU time from bash's `time`. */
function nativeOnce(text: string, out: string): { wallMs: number; cpuMs: number } {
  const t0 = performance.now();
  const r = spawnSync('bash', ['-c', 'TIMEFORMAT=%3U+%3S; time espeak-ng -v en-us -w "$1" "$2"', 'bench', out, text], {
    encoding: 'utf8',
  });
  const wallMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`espeak-ng failed: ${r.stderr.slice(-300)}`);
  const cpu = (r.stderr.trim().split('\n').at(-1) ?? '').split('+').map(Number);
  return { wallMs, cpuMs: ((cpu[0] ?? Number.NaN) + (cpu[1] ?? Number.NaN)) * 1000 };
}

/** The parts of Echogarden's JavaScript build (`@echogarden/espeak-ng-emscripten`) measured here. */
interface JsWorker {
  set_voice(name: string): number;
  set_rate(wpm: number): number;
  synthesize(text: string, cb: (samples: Int16Array | null) => number): void;
}

async function loadJsBuild(): Promise<JsWorker> {
  const { default: factory } = (await import('@echogarden/espeak-ng-emscripten')) as unknown as {
    default: () => Promise<{ eSpeakNGWorker: new () => JsWorker }>;
  };
  return new (await factory()).eSpeakNGWorker();
}

export async function measure(opts: ModeOpts): Promise<Section> {
  const runs = opts.quick ? 3 : 11;
  const native = nativeVersion();
  const dir = mkdtempSync(join(tmpdir(), 'tandem-bench-espeak-'));
  const engine = new EspeakEngine();
  try {
    await engine.load();
    const js = await loadJsBuild();
    js.set_voice(ESPEAK_VOICE_IDS['en-us-female'] ?? 'en-us+f3');
    js.set_rate(175); // the engine's rate at speed 1
    const rows: (string | number)[][] = [];
    const targets: Target[] = [];
    const data: Record<string, unknown> = { native, runs };
    for (const chars of [200, 1000]) {
      const text = textOf('en', chars);
      const chunks = prepareText(text, { maxChunkChars: engine.capabilities.maxChunkChars });
      const ours = async () => {
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        let samples = 0;
        for (const chunk of chunks) samples += (await engine.synthesize({ chunk, voice: 'female', speed: 1 })).length;
        const cpu = process.cpuUsage(cpu0);
        return { wallMs: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000, samples };
      };
      const before = () => {
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        for (const chunk of chunks) {
          for (const run of chunk.runs) {
            const parts: Int16Array[] = [];
            js.synthesize(run.text, (samples) => {
              if (samples?.length) parts.push(samples);
              return 0;
            });
          }
        }
        const cpu = process.cpuUsage(cpu0);
        return { wallMs: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 };
      };
      for (let i = 0; i < WARMUP; i++) {
        await ours();
        before();
      }
      const a: { wallMs: number; cpuMs: number; samples: number }[] = [];
      const b: { wallMs: number; cpuMs: number }[] = [];
      const c: { wallMs: number; cpuMs: number }[] = [];
      for (let i = 0; i < runs; i++) {
        a.push(await ours());
        c.push(before());
        if (native) b.push(nativeOnce(text, join(dir, 'native.wav')));
      }
      const o = { wall: median(a.map((x) => x.wallMs)), cpu: median(a.map((x) => x.cpuMs)) };
      const j = { wall: median(c.map((x) => x.wallMs)), cpu: median(c.map((x) => x.cpuMs)) };
      const n = native ? { wall: median(b.map((x) => x.wallMs)), cpu: median(b.map((x) => x.cpuMs)) } : null;
      const wallRatio = n ? o.wall / n.wall : Number.NaN;
      const cpuRatio = n ? o.cpu / n.cpu : Number.NaN;
      const jsCpuRatio = n ? j.cpu / n.cpu : Number.NaN;
      log(
        `espeak: en ${chars}: engine ${fmt(o.cpu, 0)} ms CPU, JavaScript build ${fmt(j.cpu, 0)} ms, native ${fmt(n?.cpu, 0)} ms`,
      );
      data[`en${chars}`] = { engine: a, jsBuild: c, native: b, wallRatio, cpuRatio, jsCpuRatio };
      const audioS = (a[0]?.samples ?? 0) / engine.capabilities.sampleRate;
      rows.push([
        `en ${chars}`,
        fmt(audioS, 1),
        fmt(o.wall, 1),
        fmt(o.cpu, 1),
        fmt(n?.wall, 1),
        fmt(n?.cpu, 1),
        fmt(wallRatio, 2),
        fmt(cpuRatio, 2),
        fmt(j.wall, 1),
        fmt(j.cpu, 1),
        fmt(jsCpuRatio, 2),
      ]);
      targets.push({
        name: `espeak-ng engine vs native espeak-ng, English ${chars} characters (CPU time; wall ${fmt(wallRatio, 2)})`,
        goal: `≤ ${GOAL} ×`,
        measured: n ? `${fmt(cpuRatio, 2)} ×` : 'espeak-ng not installed',
        met: n ? cpuRatio <= GOAL : null,
      });
    }
    return {
      mode: 'espeak',
      title: 'espeak-ng engine vs native espeak-ng',
      data,
      markdown: table(
        [
          'text',
          'audio s',
          'engine wall ms',
          'engine CPU ms',
          'native wall ms (process)',
          'native CPU ms',
          'ratio, wall',
          'ratio, CPU',
          'before: JS build wall ms',
          'before: JS build CPU ms',
          'before: ratio, CPU',
        ],
        rows,
      ),
      targets,
      notes: native
        ? [native, `median of ${runs} interleaved runs; the engine warmed up with ${WARMUP} runs first`]
        : ['Debian espeak-ng is not installed (`apt-get install -y espeak-ng`): the engine was measured alone.'],
    };
  } finally {
    await engine.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const run = (args: string[]): Promise<void> => runAndReport('espeak', [{ mode: 'espeak', measure }], args);
