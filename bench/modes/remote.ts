/**
 * `npm run bench -- remote [--quick] [--rounds N] [--rate Hz]`: the overhead of an `http` engine. A second
 * instance of this service is the remote speech server; the same texts are read (a) by the remote
 * directly, POST {remote}/v1/audio/speech, and (b) end to end through this service, POST
 * {local}/v1/audio/speech, whose primary is that remote through protocol openai. Both answer WAV
 * and are timed from send to last byte, alternating, on keep-alive connections.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startService } from '../../test/integration/harness.js';
import { enginesYaml } from '../../test/integration/remote-helpers.js';
import { table, type Section } from '../lib/report.js';
import { log, runAndReport, type ModeOpts } from '../lib/run.js';
import { ensureDist, http } from '../lib/service.js';
import { fmt, summarize } from '../lib/stats.js';
import { textOf } from '../texts.js';

const argNum = (args: string[], name: string, def: number) => {
  const i = args.indexOf(name);
  const v = i >= 0 ? Number(args[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : def;
};

async function speech(base: string, input: string, voice: string): Promise<number> {
  const r = await http('POST', `${base}/v1/audio/speech`, { model: 'tts-1', input, voice, response_format: 'wav' });
  if (r.status !== 200) throw new Error(`${base}/v1/audio/speech answered ${r.status}: ${r.body.slice(0, 300)}`);
  return r.ms;
}

export async function measure(opts: ModeOpts): Promise<Section> {
  const rounds = argNum(opts.args, '--rounds', opts.quick ? 3 : 10);
  const lengths = opts.quick ? [50, 200] : [10, 50, 200, 1000];
  ensureDist();
  const remote = await startService({ env: { TTS_MAX_CHARS: '2000' } });
  const dir = mkdtempSync(join(tmpdir(), 'bench-engines-'));
  const file = join(dir, 'engines.yaml');
  // The engine's rate set to the remote's own (espeak, 22.05 kHz), as the docs advise: no resampling pass.
  const rate = argNum(opts.args, '--rate', 22050);
  writeFileSync(file, enginesYaml(remote.base, { sampleRate: rate }));
  const local = await startService({
    engines: ['remote-openai'],
    env: { ENGINES_FILE: file, PRIMARY_ENGINE: 'remote-openai', BACKUP_ENGINE: 'remote-openai' },
  }).catch(async (err) => {
    await remote.stop();
    throw err;
  });
  try {
    // The remote's own voice `alloy` and this service's `female` name the same voices (zh-female / en-us-female).
    const direct = (text: string) => speech(remote.base, text, 'alloy');
    const through = (text: string) => speech(local.base, text, 'female');
    log('remote: warming up both paths');
    for (let i = 0; i < 3; i++) {
      await direct(textOf('en', 50));
      await through(textOf('en', 50));
    }
    const rows: (string | number)[][] = [];
    const data: Record<string, unknown>[] = [];
    for (const lang of ['zh', 'en'] as const) {
      for (const chars of lengths) {
        const text = textOf(lang, chars);
        const d: number[] = [];
        const t: number[] = [];
        for (let i = 0; i < rounds; i++) {
          // Alternate which goes first so drift in machine load hits both alike.
          if (i % 2 === 0) {
            d.push(await direct(text));
            t.push(await through(text));
          } else {
            t.push(await through(text));
            d.push(await direct(text));
          }
        }
        const sd = summarize(d);
        const st = summarize(t);
        const ratio = st.p50 / sd.p50;
        log(
          `remote: ${lang} ${chars} chars: direct p50 ${fmt(sd.p50, 0)} ms, through ${fmt(st.p50, 0)} ms, ×${fmt(ratio, 3)}`,
        );
        rows.push([
          lang,
          chars,
          fmt(sd.p50, 0),
          fmt(sd.p95, 0),
          fmt(st.p50, 0),
          fmt(st.p95, 0),
          fmt(ratio, 3),
          fmt(st.p50 - sd.p50, 0),
        ]);
        data.push({ lang, chars, rounds, directMs: sd, throughMs: st, ratioP50: ratio });
      }
    }
    const at200 = data.filter((r) => r.chars === 200).map((r) => r.ratioP50 as number);
    const worst = Math.max(...at200);
    return {
      mode: 'remote',
      title: 'Overhead of an http engine: through this service vs the remote directly',
      data: { rounds, results: data },
      markdown: table(
        [
          'lang',
          'chars',
          'direct p50 ms',
          'direct p95 ms',
          'through p50 ms',
          'through p95 ms',
          'ratio (p50)',
          'added ms (p50)',
        ],
        rows,
      ),
      targets: [
        {
          name: 'end-to-end time through the http engine ÷ the remote directly, 200 characters',
          goal: '≤ 1.10',
          measured: `×${fmt(at200[0], 3)} (zh), ×${fmt(at200[1], 3)} (en)`,
          met: worst <= 1.1,
        },
      ],
      notes: [
        `The remote is a second instance of this service (espeak, 1 worker, its own processes and Redis prefix); this service's primary is that remote through protocol openai, WAV both ways. ${rounds} rounds per text, the two paths alternating; times are from send to last byte on keep-alive connections.`,
        `The engine's sample_rate was ${rate} Hz${rate === 22050 ? " (the remote's own, so no resampling)" : ' (the remote answers 22.05 kHz: one resampling pass)'}. Through this service the audio is decoded and re-encoded, written to a file and streamed again after the last byte of the remote's answer, and passes two queues (this one and the remote's); directly it passes only the remote's and streams while it is made. Both services and the load generator share the same cores.`,
      ],
    };
  } finally {
    await local.stop();
    await remote.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(args: string[]): Promise<void> {
  await runAndReport('remote', [{ mode: 'remote', measure }], args);
}
