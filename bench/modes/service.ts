/**
 * `npm run bench -- service [--quick]`: per engine and text (Chinese and English, 10/50/200/1,000
 * characters), end-to-end latency through the real service — POST /api/jobs then its event stream until the
 * audio is stored, and the synchronous POST /api/tts — against the engine's own time for the same
 * text, voice and speed, measured in this process in the same run (interleaved, so CPU noise hits
 * both alike). Overhead ratio = (e2e p50 − engine p50) / engine p50. Also submit-to-start latency.
 */
import { resolve } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import type { TtsEngine } from '../../src/engines/engine.js';
import { getEngine } from '../../src/engines/registry.js';
import { prepareText } from '../../src/text/index.js';
import { table, type Section, type Target } from '../lib/report.js';
import { log, runAndReport, type ModeOpts } from '../lib/run.js';
import { http, isoDiff, type JobJson, submitJob, withService } from '../lib/service.js';
import { jobEvents } from '../lib/sse.js';
import { fmt, summarize, type Summary } from '../lib/stats.js';
import { BENCH_TEXTS, type BenchText } from '../texts.js';

const VOICE = 'female';
const SPEED = 1;

interface EngineUnderTest {
  role: 'backup' | 'primary';
  engine: string;
  serviceEnv: Record<string, string>;
}

/** espeak as the backup always; Kokoro as the primary only when its real weights are installed. */
async function enginesUnderTest(notes: string[]): Promise<EngineUnderTest[]> {
  const list: EngineUnderTest[] = [{ role: 'backup', engine: 'espeak', serviceEnv: {} }];
  const config = loadConfig(process.env);
  const installed = await getEngine('kokoro').installed(config);
  if (installed.ok) {
    list.push({
      role: 'primary',
      engine: 'kokoro',
      serviceEnv: {
        PRIMARY_ENGINE: 'kokoro',
        BACKUP_ENGINE: 'espeak',
        MODELS_DIR: resolve(config.modelsDir),
        KOKORO_VARIANT: config.kokoroVariant,
      },
    });
  } else {
    const msg = 'kokoro: not installed — skipped';
    log(msg);
    notes.push(
      `${msg} (${installed.reason ?? 'no reason given'}). The stand-in test model is not benchmarked as if it were Kokoro.`,
    );
  }
  return list;
}

interface TextResult {
  lang: string;
  chars: number;
  chunks: number;
  audioS: number;
  e2e: Summary;
  sync: Summary;
  engineOwn: Summary;
  workerSynthesisMs: Summary;
  submitToStartMs: Summary;
  postMs: Summary;
  rtfEngine: number;
  rtfE2e: number;
  overhead: number;
  overheadSync: number;
}

async function measureEngine(
  ut: EngineUnderTest,
  opts: ModeOpts,
): Promise<{ results: TextResult[]; submitToStart: Summary }> {
  const reps = opts.quick ? 5 : 20;
  const config = { ...loadConfig({ ...process.env, ...ut.serviceEnv }) };
  const descriptor = getEngine(ut.engine);
  const engine: TtsEngine = await descriptor.create(config);
  await engine.load();
  const sr = engine.capabilities.sampleRate;
  try {
    return await withService({ engine: ut.engine, workers: 1, env: ut.serviceEnv }, async (svc) => {
      const samples = new Map<
        BenchText,
        {
          e2e: number[];
          sync: number[];
          own: number[];
          synth: number[];
          s2s: number[];
          post: number[];
          audioMs: number;
          chunks: number;
        }
      >();
      for (const t of BENCH_TEXTS)
        samples.set(t, { e2e: [], sync: [], own: [], synth: [], s2s: [], post: [], audioMs: 0, chunks: 0 });
      const engineOnce = async (text: string) => {
        const t0 = performance.now();
        const chunks = prepareText(text, { maxChunkChars: engine.capabilities.maxChunkChars });
        let n = 0;
        for (const chunk of chunks) n += (await engine.synthesize({ chunk, voice: VOICE, speed: SPEED })).length;
        return { ms: performance.now() - t0, samples: n, chunks: chunks.length };
      };
      const body = (text: string) => ({ text, engine: ut.role, voice: VOICE, speed: SPEED });
      for (let rep = -1; rep < reps; rep++) {
        log(`${ut.engine}: ${rep < 0 ? 'warm-up' : `rep ${rep + 1}/${reps}`}`);
        for (const t of BENCH_TEXTS) {
          const s = samples.get(t)!;
          // 1. queue path: submit, then wait on the job's event stream (pushed, no polling: a 3 ms
          // poll loop on the same 2 cores slows the engine it measures by about a tenth)
          const t0 = performance.now();
          const sub = await submitJob(svc.base, body(t.text));
          const { job, seenAt } = await waitJobEvents(svc.base, sub.id);
          // 2. synchronous path: one request, the answer is the audio
          const sync = await http('POST', `${svc.base}/api/tts`, body(t.text));
          if (sync.status !== 200) throw new Error(`POST /api/tts answered ${sync.status}: ${sync.body.slice(0, 200)}`);
          // 3. the engine alone, in this process
          const own = await engineOnce(t.text);
          if (rep < 0) continue;
          s.e2e.push(seenAt - t0);
          s.post.push(sub.ms);
          s.sync.push(sync.ms);
          s.own.push(own.ms);
          s.synth.push(job.timings.synthesis_ms ?? NaN);
          s.s2s.push(isoDiff(job.timings.queued_at, job.timings.started_at));
          s.audioMs = job.audio?.duration_ms ?? (own.samples / sr) * 1000;
          s.chunks = own.chunks;
        }
      }
      const results = BENCH_TEXTS.map((t): TextResult => {
        const s = samples.get(t)!;
        const e2e = summarize(s.e2e);
        const sync = summarize(s.sync);
        const engineOwn = summarize(s.own);
        return {
          lang: t.lang,
          chars: t.chars,
          chunks: s.chunks,
          audioS: s.audioMs / 1000,
          e2e,
          sync,
          engineOwn,
          workerSynthesisMs: summarize(s.synth),
          submitToStartMs: summarize(s.s2s),
          postMs: summarize(s.post),
          rtfEngine: engineOwn.p50 / s.audioMs,
          rtfE2e: e2e.p50 / s.audioMs,
          overhead: (e2e.p50 - engineOwn.p50) / engineOwn.p50,
          overheadSync: (sync.p50 - engineOwn.p50) / engineOwn.p50,
        };
      });
      const submitToStart = summarize(BENCH_TEXTS.flatMap((t) => samples.get(t)!.s2s));
      return { results, submitToStart };
    });
  } finally {
    await engine.dispose();
  }
}

const pct = (r: number) => `${(r * 100).toFixed(1)} %`;

export async function measure(opts: ModeOpts): Promise<Section> {
  const notes: string[] = [];
  const targets: Target[] = [];
  const md: string[] = [];
  const data: Record<string, unknown> = {};
  for (const ut of await enginesUnderTest(notes)) {
    const { results, submitToStart } = await measureEngine(ut, opts);
    data[ut.engine] = { role: ut.role, results, submitToStart };
    md.push(
      `### ${ut.role}: ${ut.engine} (${results[0]?.e2e.n ?? 0} runs per text after one warm-up, voice ${VOICE}, speed ${SPEED})`,
      '',
      table(
        [
          'text',
          'chunks',
          'audio s',
          'e2e p50 ms',
          'e2e p95',
          '/api/tts p50',
          '/api/tts p95',
          'engine p50',
          'engine p95',
          'worker synthesis_ms p50',
          'e2e p50 − worker p50',
          'submit→start p50',
          'RTF engine',
          'RTF e2e',
          'overhead e2e',
          'overhead /api/tts',
        ],
        results.map((r) => [
          `${r.lang} ${r.chars}`,
          r.chunks,
          fmt(r.audioS, 1),
          fmt(r.e2e.p50),
          fmt(r.e2e.p95),
          fmt(r.sync.p50),
          fmt(r.sync.p95),
          fmt(r.engineOwn.p50),
          fmt(r.engineOwn.p95),
          fmt(r.workerSynthesisMs.p50, 0),
          fmt(r.e2e.p50 - r.workerSynthesisMs.p50, 0),
          fmt(r.submitToStartMs.p50, 0),
          fmt(r.rtfEngine, 4),
          fmt(r.rtfE2e, 4),
          pct(r.overhead),
          pct(r.overheadSync),
        ]),
      ),
      '',
      `Submit-to-start (queued_at → started_at, idle queue, one worker), all texts: p50 ${fmt(submitToStart.p50, 0)} ms, p95 ${fmt(submitToStart.p95, 0)} ms, p99 ${fmt(submitToStart.p99, 0)} ms, max ${fmt(submitToStart.max, 0)} ms (n = ${submitToStart.n}).`,
      '',
    );
    const missing = results.reduce((a, r) => a + r.workerSynthesisMs.missing, 0);
    if (missing)
      notes.push(
        `${ut.engine}: ${missing} succeeded jobs showed \`timings.synthesis_ms: null\`; the worker synthesis_ms column leaves them out.`,
      );
    const zh50 = results.find((r) => r.lang === 'zh' && r.chars === 50);
    if (ut.role === 'backup' && zh50) {
      targets.push({
        name: 'backup engine, 50-char Chinese, end-to-end p50',
        goal: '≤ 100 ms',
        measured: `${fmt(zh50.e2e.p50)} ms via /api/jobs + its event stream (/api/tts: ${fmt(zh50.sync.p50)} ms; engine alone ${fmt(zh50.engineOwn.p50)} ms)`,
        met: zh50.e2e.p50 <= 100,
      });
    }
    const at200 = results.filter((r) => r.chars === 200);
    targets.push({
      name: `${ut.engine}: queue + API overhead at 200 chars`,
      goal: '≤ 5 % of synthesis time',
      measured: at200.map((r) => `${r.lang} ${pct(r.overhead)} (/api/tts ${pct(r.overheadSync)})`).join('; '),
      met: at200.every((r) => r.overhead <= 0.05),
    });
    targets.push({
      name: `${ut.engine}: submit-to-start p50 (idle queue)`,
      goal: 'no target',
      measured: `${fmt(submitToStart.p50, 0)} ms (p95 ${fmt(submitToStart.p95, 0)} ms)`,
      met: null,
      info: true,
    });
  }
  notes.push(
    'e2e = client time from POST /api/jobs to the GET /api/jobs/:id that first shows `succeeded` (polled every 3 ms: the resolution is one poll plus one GET). /api/tts = one synchronous request whose answer is the WAV.',
    'engine = prepareText + synthesize over every chunk, in the bench process, same text/voice/speed, interleaved with the service runs. The worker additionally writes the WAV, hashes it and updates Redis; that is part of the overhead.',
    '"worker synthesis_ms" is the job\'s own timing (worker: text prep, engine thread, WAV file, hash); "e2e p50 − worker p50" is then roughly the queue and API share (the bench waits on the event stream, not by polling).',
    'RTF = time / audio duration (lower is faster). Percentiles are nearest-rank over sorted samples. Timestamps in job timings have millisecond resolution.',
  );
  return {
    mode: 'service',
    title: 'Latency per engine and text length',
    data,
    markdown: md.join('\n'),
    targets,
    notes,
  };
}

export async function run(args: string[]): Promise<void> {
  await runAndReport('service', [{ mode: 'service', measure }], args);
}

/** Wait for a job's end on its event stream; `seenAt` is when the `end` event arrived. */
async function waitJobEvents(base: string, id: string): Promise<{ job: JobJson; seenAt: number }> {
  const events = await jobEvents(base, id);
  const end = events.find((e) => e.event === 'end');
  if (!end) throw new Error(`job ${id}: its event stream ended without an end event`);
  const job = JSON.parse(end.data) as JobJson;
  if (job.status !== 'succeeded') throw new Error(`job ${id} ended ${job.status}`);
  return { job, seenAt: end.at };
}
