/**
 * `npm run bench -- encoders [--quick]`: Tandem's encoders against ffmpeg on the same input, and the
 * event loop while a worker encodes.
 *
 * Input: 60 s of English speech from the espeak-ng engine (22.05 kHz, as the backup engine makes it).
 * Tandem: the worker's own resample + encode path (Transcoder), in this process, timed as wall and
 * CPU time. ffmpeg (when installed): the same raw PCM through libopus (at the rate Tandem encodes
 * Opus at, 32 kbit/s, 20 ms frames), its FLAC encoder (level 5) and libmp3lame (64 kbit/s CBR), one
 * process per run; `-benchmark` gives its CPU time, and the whole process is timed too. Ratios are
 * medians of Tandem over medians of ffmpeg. On a shared machine, CPU time is the steadier measure.
 *
 * Event loop: the same 60 s written as a worker writes it (AudioFileWriter, three 20 s chunks), once
 * through the encoder thread and once inline, with perf_hooks.monitorEventLoopDelay running.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { AudioFileWriter } from '../../src/audio/encoders/file-writer.js';
import { encodedRate } from '../../src/audio/encoders/index.js';
import { EncoderThread } from '../../src/audio/encoders/threaded-encoder.js';
import { OPUS_COMPLEXITY } from '../../src/audio/encoders/rates.js';
import { Transcoder } from '../../src/audio/encoders/transcoder.js';
import { concatPcm } from '../../src/audio/pcm.js';
import type { Format } from '../../src/domain/job.js';
import { EspeakEngine } from '../../src/engines/espeak/engine.js';
import { prepareText } from '../../src/text/index.js';
import { table, type Section, type Target } from '../lib/report.js';
import { log, runAndReport, type ModeOpts } from '../lib/run.js';
import { fmt, median } from '../lib/stats.js';
import { textOf } from '../texts.js';

const SECONDS = 60;
const MP3_KBPS = 64;
const GOALS: Record<Exclude<Format, 'wav' | 'pcm'>, number> = { opus: 1.3, flac: 2, mp3: 1.5 };
const STALL_GOAL_MS = 50;

/** 60 s of espeak-ng speech, as the backup engine hands it to the writer. */
async function speech(): Promise<{ pcm: Int16Array; rate: number }> {
  const engine = new EspeakEngine();
  await engine.load();
  const rate = engine.capabilities.sampleRate;
  const parts: Int16Array[] = [];
  let n = 0;
  const chunks = prepareText(textOf('en', 1000), { maxChunkChars: engine.capabilities.maxChunkChars });
  while (n < rate * SECONDS) {
    for (const chunk of chunks) {
      const pcm = await engine.synthesize({ chunk, voice: 'female', speed: 1 });
      parts.push(pcm);
      n += pcm.length;
    }
  }
  await engine.dispose();
  return { pcm: concatPcm(parts).subarray(0, rate * SECONDS), rate };
}

interface Timing {
  wallMs: number;
  cpuMs: number;
  bytes: number;
}

/** Resample + encode all of `pcm` in 5 s pieces, as the encoder thread does per chunk. */
async function tandemOnce(format: Format, pcm: Int16Array, rate: number): Promise<Timing> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const t = await Transcoder.create({ format, inputRate: rate, mp3Bitrate: MP3_KBPS });
  let bytes = t.start().length;
  const piece = rate * 5;
  for (let off = 0; off < pcm.length; off += piece) bytes += t.write(pcm.subarray(off, off + piece)).length;
  bytes += t.finish().tail.length;
  const cpu = process.cpuUsage(cpu0);
  return { wallMs: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000, bytes };
}

function ffmpegArgs(format: Format, inRate: number, raw: string, out: string): string[] {
  const input = ['-hide_banner', '-nostdin', '-benchmark', '-f', 's16le', '-ar', String(inRate), '-ac', '1', '-i', raw];
  const codec: Record<string, string[]> = {
    opus: [
      '-ar',
      String(encodedRate('opus', inRate)),
      '-c:a',
      'libopus',
      '-b:a',
      '32k',
      '-frame_duration',
      '20',
      // The same libopus complexity Tandem uses (OPUS_COMPLEXITY), so both do the same work.
      '-compression_level',
      String(OPUS_COMPLEXITY),
      '-f',
      'ogg',
    ],
    flac: ['-c:a', 'flac', '-compression_level', '5', '-f', 'flac'],
    mp3: ['-c:a', 'libmp3lame', '-b:a', `${MP3_KBPS}k`, '-f', 'mp3'],
  };
  return [...input, ...(codec[format] ?? []), '-y', out];
}

function ffmpegOnce(format: Format, inRate: number, raw: string, out: string): Timing {
  const t0 = performance.now();
  const r = spawnSync('ffmpeg', ffmpegArgs(format, inRate, raw, out), { encoding: 'utf8' });
  const wallMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`ffmpeg ${format} failed: ${r.stderr.slice(-500)}`);
  // "bench: utime=1.090s stime=0.012s rtime=1.130s"
  const m = /utime=([\d.]+)s stime=([\d.]+)s/.exec(r.stderr);
  const cpuMs = m ? (Number(m[1]) + Number(m[2])) * 1000 : Number.NaN;
  return { wallMs, cpuMs, bytes: statSync(out).size };
}

const ffmpegVersion = (): string | null => {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-version'], { encoding: 'utf8' });
  return r.status === 0 ? (r.stdout.split('\n')[0] ?? 'ffmpeg') : null;
};

/** Write `pcm` as a worker does (three chunks), watching this event loop; returns its worst delay, ms. */
async function loopStall(pcm: Int16Array, rate: number, dir: string, thread?: EncoderThread): Promise<number> {
  const h = monitorEventLoopDelay({ resolution: 5 });
  const w = await AudioFileWriter.create(join(dir, `stall-${thread ? 'thread' : 'inline'}.opus`), {
    format: 'opus',
    inputRate: rate,
    mp3Bitrate: MP3_KBPS,
    encoderThread: thread,
  });
  h.enable();
  const piece = Math.ceil(pcm.length / 3);
  for (let off = 0; off < pcm.length; off += piece) await w.append(pcm.subarray(off, off + piece));
  await w.finish();
  h.disable();
  return h.max / 1e6;
}

/**
 * The same watch over an idle loop for `ms` while another thread spins on a core, as the encoder
 * thread does: the delay the machine's load and that competition cause without any of our work.
 */
async function idleStall(ms: number): Promise<number> {
  const spin = new Worker(
    'const end = Date.now() + Number(require("node:worker_threads").workerData); while (Date.now() < end);',
    {
      eval: true,
      workerData: ms,
    },
  );
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  await new Promise((r) => spin.once('exit', r));
  h.disable();
  return h.max / 1e6;
}

export async function measure(opts: ModeOpts): Promise<Section> {
  const runs = opts.quick ? 1 : 5;
  const dir = mkdtempSync(join(tmpdir(), 'tandem-bench-enc-'));
  try {
    log(`encoders: making ${SECONDS} s of espeak-ng speech`);
    const { pcm, rate } = await speech();
    const raw = join(dir, 'speech.raw');
    writeFileSync(raw, Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength));
    const ff = ffmpegVersion();
    const rows: (string | number)[][] = [];
    const targets: Target[] = [];
    const data: Record<string, unknown> = { seconds: SECONDS, inputRate: rate, runs, ffmpeg: ff };
    for (const format of ['opus', 'flac', 'mp3'] as const) {
      await tandemOnce(format, pcm, rate); // warm-up: codec loading and JIT
      const ours: Timing[] = [];
      const theirs: Timing[] = [];
      // Interleaved, so a change in the machine's load hits both sides alike.
      for (let i = 0; i < runs; i++) {
        ours.push(await tandemOnce(format, pcm, rate));
        if (ff) theirs.push(ffmpegOnce(format, rate, raw, join(dir, `out.${format}`)));
      }
      const o = { wallMs: median(ours.map((t) => t.wallMs)), cpuMs: median(ours.map((t) => t.cpuMs)) };
      const f = ff ? { wallMs: median(theirs.map((t) => t.wallMs)), cpuMs: median(theirs.map((t) => t.cpuMs)) } : null;
      const cpuRatio = f ? o.cpuMs / f.cpuMs : Number.NaN;
      const wallRatio = f ? o.wallMs / f.wallMs : Number.NaN;
      log(`encoders: ${format} tandem ${fmt(o.cpuMs, 0)} ms CPU, ffmpeg ${fmt(f?.cpuMs, 0)} ms CPU`);
      data[format] = { tandem: ours, ffmpeg: theirs, cpuRatio, wallRatio };
      rows.push([
        format,
        fmt(o.wallMs, 0),
        fmt(o.cpuMs, 0),
        ours[0]?.bytes ?? '–',
        fmt(f?.wallMs, 0),
        fmt(f?.cpuMs, 0),
        theirs[0]?.bytes ?? '–',
        fmt(wallRatio, 2),
        fmt(cpuRatio, 2),
      ]);
      targets.push({
        name: `${format} encode vs ffmpeg (CPU time; wall ${fmt(wallRatio, 2)})`,
        goal: `≤ ${GOALS[format]} ×`,
        measured: f ? `${fmt(cpuRatio, 2)} ×` : 'ffmpeg not installed',
        met: f ? cpuRatio <= GOALS[format] : null,
      });
    }
    log('encoders: event loop while encoding Opus (encoder thread, then inline)');
    const thread = new EncoderThread();
    await loopStall(pcm.subarray(0, rate), rate, dir, thread); // start the thread, load its codecs
    // A single worst delay on a loaded machine is mostly the scheduler: the median of several
    // watches, each beside an idle watch as long, tells the code's share from the machine's.
    const threadMaxes: number[] = [];
    const idleMaxes: number[] = [];
    let threadMs = 0;
    for (let i = 0; i < (opts.quick ? 1 : 3); i++) {
      const t0 = performance.now();
      threadMaxes.push(await loopStall(pcm, rate, dir, thread));
      threadMs = performance.now() - t0;
      idleMaxes.push(await idleStall(threadMs));
    }
    await thread.close();
    const inline = await loopStall(pcm, rate, dir);
    const viaThread = median(threadMaxes);
    const idle = median(idleMaxes);
    data.stallMs = { thread: threadMaxes, inline, idle: idleMaxes, threadMs };
    targets.push({
      name: 'longest event-loop stall while a worker encodes 60 s to Opus (encoder thread)',
      goal: `≤ ${STALL_GOAL_MS} ms`,
      measured: `${fmt(viaThread, 1)} ms (inline: ${fmt(inline, 0)} ms; idle loop beside a busy thread: ${fmt(idle, 1)} ms)`,
      met: viaThread <= STALL_GOAL_MS,
    });
    const markdown = [
      `${SECONDS} s of espeak-ng speech at ${rate} Hz; median of ${runs} run(s) each, interleaved. ` +
        `Opus: Tandem feeds libopus at ${encodedRate('opus', rate)} Hz and ffmpeg is given the same rate, both at complexity ${OPUS_COMPLEXITY}.`,
      '',
      table(
        [
          'format',
          'Tandem wall ms',
          'Tandem CPU ms',
          'Tandem bytes',
          'ffmpeg wall ms (process)',
          'ffmpeg CPU ms',
          'ffmpeg bytes',
          'ratio, wall',
          'ratio, CPU',
        ],
        rows,
      ),
      '',
      `Longest event-loop delay (monitorEventLoopDelay, 5 ms resolution) while writing the 60 s to Opus in three 20 s ` +
        `chunks, median of ${threadMaxes.length} watch(es): ${fmt(viaThread, 1)} ms through the encoder thread ` +
        `(each: ${threadMaxes.map((x) => fmt(x, 1)).join(', ')}), ${fmt(inline, 0)} ms inline. The same watch over an ` +
        `idle loop for as long (${fmt(threadMs, 0)} ms), with another thread spinning on a core, right after each: ` +
        `${idleMaxes.map((x) => fmt(x, 1)).join(', ')} ms: what the machine's load and a busy thread cause without our work.`,
    ].join('\n');
    return {
      mode: 'encoders',
      title: 'Encoders vs ffmpeg, and the event loop while encoding',
      data,
      markdown,
      targets,
      notes: ff
        ? [`${ff}`]
        : ['ffmpeg is not installed (`apt-get install -y ffmpeg`): Tandem measured alone, no ratios.'],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const run = (args: string[]): Promise<void> => runAndReport('encoders', [{ mode: 'encoders', measure }], args);
