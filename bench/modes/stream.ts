/**
 * `npm run bench -- stream [--quick]`: how soon a stream's first audio arrives. A 5,000-character
 * Chinese document is streamed (`POST /api/tts` with `"stream": true`) in each format and the time
 * from sending the request to the first byte of the body is taken; the stream is then dropped and the
 * job canceled. Beside it, in the same rounds (so CPU noise hits both alike), the end-to-end time of a
 * 50-character Chinese job (POST /api/jobs, polled until stored) and of the same text via /api/tts.
 * Target (issue 19): first byte in every format ≤ 2 × the 50-character job's end-to-end p50.
 */
import { type IncomingMessage, request } from 'node:http';
import { getEngine } from '../../src/engines/registry.js';
import { chunkPlan, prepareText } from '../../src/text/index.js';
import { table, type Section, type Target } from '../lib/report.js';
import { log, runAndReport, type ModeOpts } from '../lib/run.js';
import { http, sleep, submitJob, waitJob, withService } from '../lib/service.js';
import { fmt, summarize } from '../lib/stats.js';
import { longText, textOf } from '../texts.js';

const FORMATS = ['wav', 'opus', 'mp3', 'flac'] as const;
const DOC_CHARS = 5000;

/** POST a streaming request to /api/tts; `onResponse` reads the 200 answer and settles the promise. */
function streamRequest<T>(
  base: string,
  body: unknown,
  onResponse: (res: IncomingMessage, t0: number, resolve: (v: T) => void, reject: (e: Error) => void) => void,
): Promise<T> {
  const payload = Buffer.from(JSON.stringify(body));
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}/api/tts`,
      { method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': payload.length } },
      (res) => {
        if (res.statusCode !== 200) return reject(new Error(`streaming /api/tts answered ${res.statusCode}`));
        onResponse(res, t0, resolve, reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Resolves at the first body byte (then drops the connection). */
function firstByte(base: string, body: unknown): Promise<{ ms: number; headersMs: number; id: string }> {
  return streamRequest(base, body, (res, t0, resolve) => {
    const headersMs = performance.now() - t0;
    const id = String(res.headers['x-job-id'] ?? '');
    res.once('data', () => {
      const ms = performance.now() - t0;
      res.destroy();
      resolve({ ms, headersMs, id });
    });
    res.on('error', () => undefined);
  });
}

/** Reads the stream to the end; resolves with the total time and bytes. */
function wholeStream(base: string, body: unknown): Promise<{ ms: number; bytes: number }> {
  return streamRequest(base, body, (res, t0, resolve, reject) => {
    let bytes = 0;
    res.on('data', (b: Buffer) => {
      bytes += b.length;
    });
    res.on('end', () => resolve({ ms: performance.now() - t0, bytes }));
    res.on('error', reject);
  });
}

/** Cancel a job and wait until it is final, so the next measurement has the worker to itself. */
async function settle(base: string, id: string): Promise<void> {
  await http('DELETE', `${base}/api/jobs/${id}`);
  for (const end = performance.now() + 120_000; performance.now() < end; ) {
    const r = await http('GET', `${base}/api/jobs/${id}`);
    const status = (JSON.parse(r.body) as { status: string }).status;
    if (status !== 'queued' && status !== 'running') return;
    await sleep(20);
  }
  throw new Error(`job ${id} did not stop within 120 s of being canceled`);
}

export async function measure(opts: ModeOpts): Promise<Section> {
  const reps = opts.quick ? 3 : 9;
  const doc = longText('zh', DOC_CHARS);
  const short = textOf('zh', 50);
  const plan = chunkPlan(getEngine('espeak').capabilities);
  const chunks = prepareText(doc, plan);
  const samples = {
    e2e: [] as number[],
    sync: [] as number[],
    first: new Map<string, number[]>(),
    total: new Map<string, number[]>([
      ['wav', []],
      ['opus', []],
    ]),
  };
  for (const f of FORMATS) samples.first.set(f, []);
  await withService({ engine: 'espeak', workers: 1 }, async (svc) => {
    for (let rep = -1; rep < reps; rep++) {
      log(`stream: ${rep < 0 ? 'warm-up' : `rep ${rep + 1}/${reps}`}`);
      const t0 = performance.now();
      const sub = await submitJob(svc.base, { text: short, engine: 'backup' });
      const { seenAt } = await waitJob(svc.base, sub.id);
      const sync = await http('POST', `${svc.base}/api/tts`, { text: short, engine: 'backup' });
      if (sync.status !== 200) throw new Error(`POST /api/tts answered ${sync.status}`);
      if (rep >= 0) {
        samples.e2e.push(seenAt - t0);
        samples.sync.push(sync.ms);
      }
      for (const format of FORMATS) {
        const r = await firstByte(svc.base, { text: doc, engine: 'backup', format, stream: true });
        await settle(svc.base, r.id);
        if (rep >= 0) samples.first.get(format)!.push(r.ms);
      }
    }
    // Whole streams, WAV and Opus interleaved (the result cache is off in the bench's service).
    for (let rep = 0; rep < (opts.quick ? 1 : 3); rep++) {
      for (const format of ['wav', 'opus']) {
        log(`stream: whole ${format} stream ${rep + 1}`);
        const r = await wholeStream(svc.base, { text: doc, engine: 'backup', format, stream: true });
        samples.total.get(format)!.push(r.ms);
      }
    }
  });
  const wavTotal = summarize(samples.total.get('wav')!);
  const opusTotal = summarize(samples.total.get('opus')!);
  const totalRatio = opusTotal.p50 / wavTotal.p50;
  const e2e = summarize(samples.e2e);
  const sync = summarize(samples.sync);
  const rows = FORMATS.map((f) => {
    const s = summarize(samples.first.get(f)!);
    return { format: f, s, ratio: s.p50 / e2e.p50 };
  });
  const targets: Target[] = rows.map((r) => ({
    name: `stream ${DOC_CHARS} Chinese characters, ${r.format}: first byte ÷ 50-character job end to end`,
    goal: '≤ 2',
    measured: `${fmt(r.ratio, 2)} (${fmt(r.s.p50)} ms ÷ ${fmt(e2e.p50)} ms)`,
    met: r.ratio <= 2,
  }));
  targets.push({
    name: `stream ${DOC_CHARS} Chinese characters: Opus total ÷ WAV total`,
    goal: '≤ 1.5',
    measured: `${fmt(totalRatio, 2)} (${fmt(opusTotal.p50)} ms ÷ ${fmt(wavTotal.p50)} ms)`,
    met: totalRatio <= 1.5,
  });
  const markdown = [
    `### espeak-ng, one worker, ${reps} rounds after one warm-up`,
    '',
    `The document: ${DOC_CHARS} Chinese characters in ${chunks.length} chunks; the first has ${chunks[0]?.chars} characters, the next ${chunks
      .slice(1, 5)
      .map((c) => c.chars)
      .join(', ')}.`,
    '',
    table(
      ['measure', 'p50 ms', 'p95 ms', 'ratio to the 50-character job'],
      [
        ['50-character job, POST /api/jobs + polling', fmt(e2e.p50), fmt(e2e.p95), '1'],
        ['50-character job, POST /api/tts', fmt(sync.p50), fmt(sync.p95), fmt(sync.p50 / e2e.p50, 2)],
        ...rows.map((r) => [`stream first byte, ${r.format}`, fmt(r.s.p50), fmt(r.s.p95), fmt(r.ratio, 2)]),
        ['whole stream, wav', fmt(wavTotal.p50), fmt(wavTotal.p95), fmt(wavTotal.p50 / e2e.p50, 2)],
        ['whole stream, opus', fmt(opusTotal.p50), fmt(opusTotal.p95), fmt(opusTotal.p50 / e2e.p50, 2)],
      ],
    ),
    '',
  ].join('\n');
  return {
    mode: 'stream',
    title: 'First byte of a streamed long document',
    data: { reps, chunks: chunks.map((c) => c.chars), e2e, sync, first: rows, wavTotal, opusTotal },
    markdown,
    targets,
    notes: [
      'First byte = from sending POST /api/tts {"stream": true} to the first byte of the body; the connection is then dropped and the job canceled (and waited for) before the next request.',
      'The 50-character job end to end is measured as the service mode does: POST /api/jobs, GET every 3 ms until succeeded.',
    ],
  };
}

export async function run(args: string[]): Promise<void> {
  await runAndReport('stream', [{ mode: 'stream', measure }], args);
}
