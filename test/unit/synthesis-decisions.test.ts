import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnrecoverableError, type Job } from 'bullmq';
import pino from 'pino';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { AppError, engineFailure } from '../../src/domain/errors.js';
import type { JobData, JobOutcome, MovedResult } from '../../src/domain/job.js';
import type { EngineCapabilities, SynthesisInput } from '../../src/engines/engine.js';
import type { JobRecord } from '../../src/jobs/record.js';
import { PROBE_JOB, SYNTHESIZE_JOB } from '../../src/queue/names.js';
import { prepareInput } from '../../src/ssml/prepare.js';
import { storageFull } from '../../src/storage/free-space.js';
import { DiskStorage } from '../../src/storage/disk.js';
import type { TerminalStatus } from '../../src/webhooks/event.js';
import { LateResult, processSynthesisJob, type SynthesisDeps } from '../../src/workers/synthesis.js';
import { MemoryRecords } from './support/memory-records.js';

const CAPS: EngineCapabilities = {
  languages: ['en'],
  voices: [],
  defaults: { en: { female: 'f', male: 'm' }, zh: { female: 'f', male: 'm' } },
  sampleRate: 16000,
  maxChunkChars: 20,
  speed: { min: 0.5, max: 2 },
};
const TEXT = 'One is here. Two is here. Three is here. Four is here.';
const CHUNKS = prepareInput(TEXT, { maxChunkChars: CAPS.maxChunkChars }).length;

const data = (over: Partial<JobData> = {}): JobData => ({
  request: { text: TEXT, voice: 'female', speed: 1, format: 'wav', engine: 'auto' },
  route: 'primary',
  engine: 'prim',
  ...over,
});

const recordOf = (id: string, d: JobData, over: Partial<JobRecord> = {}): JobRecord => ({
  id,
  data: d,
  status: 'queued',
  createdAt: Date.now() - 10,
  attempts: 0,
  progress: { chunksDone: 0, chunksTotal: CHUNKS },
  ...over,
});

/** The parts of a BullMQ job the processor reads. */
const jobOf = (id: string, d: JobData, attemptsMade = 0, attempts = 3, name = SYNTHESIZE_JOB) =>
  ({ id, name, data: d, attemptsMade, opts: { attempts } }) as unknown as Job<JobData, JobOutcome>;

/** 10 ms of a tone per chunk: enough for the writer to produce a real file. */
const tone = () => Int16Array.from({ length: 160 }, (_, i) => Math.round(8000 * Math.sin(i / 3)));

describe('processSynthesisJob decisions', () => {
  let root: string;
  let storage: DiskStorage;
  let records: MemoryRecords;
  let notified: { status: TerminalStatus; record: JobRecord }[];
  let calls: SynthesisInput[];
  let n = 0;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'synthesis-'));
    storage = new DiskStorage(root);
    records = new MemoryRecords();
    notified = [];
    calls = [];
  });

  const deps = (over: Partial<SynthesisDeps> = {}): SynthesisDeps => ({
    engine: 'prim',
    capabilities: CAPS,
    synthesize: async (input) => {
      calls.push(input);
      return { pcm: tone() };
    },
    storage,
    logger: pino({ level: 'silent' }),
    workerId: 'w1',
    records,
    mp3Bitrate: 64,
    notify: async (record, status) => void notified.push({ record, status }),
    ...over,
  });

  const seed = (d = data(), over: Partial<JobRecord> = {}) => {
    const id = `job-${++n}`;
    records.put(recordOf(id, d, over));
    return id;
  };
  const partials = () => readdirSync(join(root, '.tmp'));
  const stored = () => readdirSync(root).filter((f) => f !== '.tmp');

  it('synthesizes every chunk, stores the audio and records success once', async () => {
    const id = seed();
    const out = await processSynthesisJob(jobOf(id, data()), deps());
    expect(calls).toHaveLength(CHUNKS);
    expect(CHUNKS).toBeGreaterThan(2);
    expect(out).toMatchObject({
      audio: { key: `${id}.wav`, contentType: 'audio/wav' },
      engine: 'prim',
      chunks: CHUNKS,
    });
    // BullMQ keeps the outcome without timings; the record has them.
    expect(out).not.toHaveProperty('timings');
    expect((await records.get(id))?.result?.timings).toBeDefined();
    // One progress write per chunk but the last, whose progress is the success write.
    expect(records.ops()).toEqual(['begin', ...Array(CHUNKS - 1).fill('progress'), 'succeed']);
    expect(records.writes.filter((w) => w.op === 'progress').map((w) => w.progress?.chunksDone)).toEqual(
      Array.from({ length: CHUNKS - 1 }, (_, i) => i + 1),
    );
    expect(stored()).toEqual([`${id}.wav`]);
    expect(partials()).toEqual([]);
    expect(notified.map((x) => x.status)).toEqual(['succeeded']);
    expect(notified[0]?.record.progress).toEqual({ chunksDone: CHUNKS, chunksTotal: CHUNKS });
  });

  it('skips a record that is gone, final, or whose work moved to another engine', async () => {
    const gone = await processSynthesisJob(jobOf('nobody', data()), deps());
    expect(gone).toEqual({ skipped: 'no record' });
    const done = seed(data(), { status: 'canceled', cancelAt: 1, finishedAt: 2 });
    expect(await processSynthesisJob(jobOf(done, data()), deps())).toEqual({ skipped: 'already canceled' });
    const moved = seed(data({ engine: 'back', route: 'backup' }));
    // The copy still on the primary's queue finds its record belongs to the backup now.
    expect(await processSynthesisJob(jobOf(moved, data()), deps())).toEqual({ skipped: 'moved' });
    expect(calls).toHaveLength(0);
    expect(records.writes).toEqual([]);
    // The final record's event is queued again, in case the attempt that ended it could not (a copy
    // already queued has the same id and is dropped by the outbox).
    expect(notified.map((x) => [x.status, x.record.id])).toEqual([['canceled', done]]);
  });

  it('skips when its start is refused (the work moved between the read and the write)', async () => {
    const id = seed();
    const r = records.records.get(id);
    if (r) r.queue = 'back';
    expect(await processSynthesisJob(jobOf(id, data()), deps())).toEqual({ skipped: 'moved' });
    expect(calls).toHaveLength(0);
  });

  it('lets the result cache serve or share the work, and records what it returns', async () => {
    const served = seed();
    const finished: string[] = [];
    // A job waiting on an identical one in flight was canceled: the cache hands back a cancel, no synthesis.
    const share = async () => ({ canceled: { at: Date.now(), chunksDone: 0 } });
    expect(await processSynthesisJob(jobOf(served, data()), deps({ share }))).toMatchObject({ canceled: {} });
    expect(calls).toHaveLength(0);
    expect((await records.get(served))?.status).toBe('canceled');
    const made = seed();
    const out = await processSynthesisJob(
      jobOf(made, data()),
      deps({
        share: (_job, make) => make(),
        onFinished: async (r) => void finished.push(r.audio.key),
      }),
    );
    expect(out).toMatchObject({ audio: { key: `${made}.wav` } });
    expect(finished).toEqual([`${made}.wav`]);
    expect(notified.map((x) => x.status)).toEqual(['canceled', 'succeeded']);
  });

  it('stops at the chunk boundary a cancel is learnt at, removes the partial file and records it', async () => {
    const id = seed();
    records.onProgress = (r) => {
      if (r.progress.attemptChunksDone === 2) r.cancelAt = Date.now();
    };
    const out = await processSynthesisJob(jobOf(id, data()), deps());
    expect(out).toMatchObject({ canceled: { chunksDone: 2 } });
    expect(calls).toHaveLength(2);
    expect(partials()).toEqual([]);
    expect(stored()).toEqual([]);
    expect(records.ops()).toEqual(['begin', 'progress', 'progress', 'canceled']);
    const rec = await records.get(id);
    expect(rec?.status).toBe('canceled');
    expect(rec?.progress).toMatchObject({ chunksDone: 2, chunksTotal: CHUNKS });
    expect(notified.map((x) => x.status)).toEqual(['canceled']);
  });

  it('does no work for a job canceled before its attempt began', async () => {
    const id = seed(data(), { status: 'running', cancelAt: Date.now() });
    const out = await processSynthesisJob(jobOf(id, data()), deps());
    expect(out).toMatchObject({ canceled: { chunksDone: 0 } });
    expect(calls).toHaveLength(0);
    expect(records.ops()).toEqual(['begin', 'canceled']);
    expect(notified.map((x) => x.status)).toEqual(['canceled']);
  });

  it('moves a failing auto job on the primary to the backup instead of failing it', async () => {
    const id = seed();
    const moved: MovedResult = { moved: { to: 'backup', engine: 'back', reason: 'x' } };
    const fallback = vi.fn(async (_job: Job<JobData, JobOutcome>, _reason: string) => moved);
    const out = await processSynthesisJob(
      jobOf(id, data()),
      deps({ synthesize: () => Promise.reject(engineFailure('engine crashed')), fallback }),
    );
    expect(out).toBe(moved);
    expect(fallback).toHaveBeenCalledOnce();
    expect(fallback.mock.calls[0]?.[1]).toBe('primary engine prim failed: engine crashed');
    // Neither a retry nor a failure is recorded: the backup's attempt owns the record now.
    expect(records.ops()).toEqual(['begin']);
    expect(notified).toEqual([]);
    expect(partials()).toEqual([]);
  });

  it('falls back only for auto jobs on the primary, never on a full disk', async () => {
    const fallback = vi.fn(
      async (): Promise<MovedResult | null> => ({
        moved: { to: 'backup', engine: 'back', reason: 'x' },
      }),
    );
    const cases: [JobData, Error][] = [
      [data({ request: { ...data().request, engine: 'primary' } }), engineFailure('boom')],
      [data({ route: 'backup' }), engineFailure('boom')],
      [data(), storageFull('storage_full: disk is full')],
    ];
    for (const [d, err] of cases) {
      const id = seed(d);
      await expect(
        processSynthesisJob(jobOf(id, d), deps({ synthesize: () => Promise.reject(err), fallback })),
      ).rejects.toBe(err);
      expect((await records.get(id))?.status).toBe('queued'); // recorded as a retry
    }
    expect(fallback).not.toHaveBeenCalled();
  });

  it('holds a job whose audio did not fit the disk, even on its last attempt, saying so', async () => {
    const id = seed(data(), { attempts: 2, status: 'queued' });
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const held = new Error('held');
    const holdForSpace = vi.fn(() => Promise.reject(held));
    await expect(
      processSynthesisJob(
        jobOf(id, data(), 2, 3),
        deps({ synthesize: () => Promise.reject(enospc), holdForSpace: holdForSpace as () => Promise<never> }),
      ),
    ).rejects.toBe(held);
    expect(holdForSpace).toHaveBeenCalledOnce();
    expect(records.ops()).toEqual(['begin', 'retry']);
    const rec = await records.get(id);
    expect(rec?.status).toBe('queued');
    expect(rec?.error).toMatch(/^storage_full: .*held and tried again every STORAGE_RETRY_MS until space is freed/);
    expect(notified).toEqual([]);
    expect(partials()).toEqual([]);
  });

  it('fails a job whose audio grows past JOB_MAX_AUDIO_SECONDS, for good, leaving no partial file and no fallback', async () => {
    const id = seed();
    const fallback = vi.fn(async (): Promise<MovedResult | null> => null);
    // 10 ms a chunk: the third chunk passes 20 ms.
    const run = processSynthesisJob(jobOf(id, data(), 0, 3), deps({ maxAudioSeconds: 0.02, fallback }));
    await expect(run).rejects.toBeInstanceOf(UnrecoverableError);
    await expect(run).rejects.toThrow(/^audio_too_long: A job may make at most 0.02 s of audio/);
    expect(calls).toHaveLength(3);
    expect(fallback).not.toHaveBeenCalled();
    expect((await records.get(id))?.status).toBe('failed');
    expect(partials()).toEqual([]);
    expect(stored()).toEqual([]);
  });

  it('records a retry, not a failure, while attempts remain', async () => {
    const id = seed();
    const err = engineFailure('took too long');
    await expect(
      processSynthesisJob(jobOf(id, data(), 0, 3), deps({ synthesize: () => Promise.reject(err) })),
    ).rejects.toBe(err);
    expect(records.ops()).toEqual(['begin', 'retry']);
    expect(records.writes[1]?.error).toBe('took too long');
    expect((await records.get(id))?.status).toBe('queued');
    expect(notified).toEqual([]);
  });

  it('fails the job and notifies once when the last attempt fails', async () => {
    const id = seed(data(), { attempts: 2, status: 'queued' });
    const err = engineFailure('took too long');
    await expect(
      processSynthesisJob(jobOf(id, data(), 2, 3), deps({ synthesize: () => Promise.reject(err) })),
    ).rejects.toBe(err);
    expect(records.ops()).toEqual(['begin', 'fail']);
    const rec = await records.get(id);
    expect(rec).toMatchObject({ status: 'failed', error: 'took too long', attempts: 3 });
    expect(notified.map((x) => [x.status, x.record.error])).toEqual([['failed', 'took too long']]);
  });

  it('turns an error no retry can fix into UnrecoverableError, recording its code', async () => {
    const id = seed();
    const err = new AppError('voice_unavailable', 'no such voice', { status: 400 });
    const fallback = vi.fn(async () => null);
    const thrown = await processSynthesisJob(
      jobOf(id, data(), 0, 3),
      deps({ synthesize: () => Promise.reject(err), fallback }),
    ).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(UnrecoverableError);
    expect((thrown as Error).message).toBe('voice_unavailable: no such voice');
    // The backup was asked first (it could not take the job), then the job failed on its first attempt.
    expect(fallback).toHaveBeenCalledOnce();
    expect(records.ops()).toEqual(['begin', 'fail']);
    expect((await records.get(id))?.error).toBe('voice_unavailable: no such voice');
    expect(notified).toHaveLength(1);
  });

  it('still fails the job when its webhook event cannot be queued', async () => {
    const id = seed();
    const err = new AppError('bad_input', 'nope');
    const thrown = await processSynthesisJob(
      jobOf(id, data({ request: { ...data().request, engine: 'primary' } })),
      deps({ synthesize: () => Promise.reject(err), notify: () => Promise.reject(new Error('redis down')) }),
    ).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(UnrecoverableError);
    expect((await records.get(id))?.status).toBe('failed');
  });

  it('never notifies a failure the record did not take (it ended meanwhile)', async () => {
    const id = seed();
    const err = new AppError('bad_input', 'nope');
    await expect(
      processSynthesisJob(
        jobOf(id, data({ request: { ...data().request, engine: 'primary' } })),
        deps({
          synthesize: async () => {
            const r = records.records.get(id);
            if (r) Object.assign(r, { status: 'canceled', cancelAt: 1 });
            throw err;
          },
        }),
      ),
    ).rejects.toBeInstanceOf(UnrecoverableError);
    expect(records.ops()).toEqual(['begin']);
    expect(notified).toEqual([]);
  });

  it('retries a job whose terminal event could not be queued, and the retry queues it', async () => {
    const id = seed();
    let down = true;
    const notify = vi.fn(async (record: JobRecord, status: TerminalStatus) => {
      if (down) throw new Error('webhook outbox unavailable');
      notified.push({ record, status });
    });
    const fallback = vi.fn(async () => null);
    // Not handed to the backup: the audio is made, only the event is missing.
    await expect(processSynthesisJob(jobOf(id, data()), deps({ notify, fallback }))).rejects.toThrow(
      'webhook outbox unavailable',
    );
    expect(fallback).not.toHaveBeenCalled();
    expect((await records.get(id))?.status).toBe('succeeded');
    down = false;
    expect(await processSynthesisJob(jobOf(id, data(), 1), deps({ notify }))).toEqual({ skipped: 'already succeeded' });
    expect(calls).toHaveLength(CHUNKS); // no second synthesis
    expect(notified.map((x) => [x.status, x.record.result?.audio.key])).toEqual([['succeeded', `${id}.wav`]]);
  });

  it('keeps progress from going backwards on a retry', async () => {
    // The first attempt reached chunk 2 before it died.
    const id = seed(data(), { attempts: 1, progress: { chunksDone: 2, chunksTotal: CHUNKS, attempt: 1 } });
    await processSynthesisJob(jobOf(id, data(), 1, 3), deps());
    const progress = records.writes.filter((w) => w.op === 'progress').map((w) => w.progress);
    expect(progress.map((p) => p?.chunksDone)).toEqual(
      Array.from({ length: CHUNKS - 1 }, (_, i) => Math.max(2, i + 1)),
    );
    expect(progress.map((p) => p?.attemptChunksDone)).toEqual(Array.from({ length: CHUNKS - 1 }, (_, i) => i + 1));
    expect(progress.every((p) => p?.attempt === 2)).toBe(true);
    // The attempt starts from what the record held (begin reads it back), not from zero.
    expect(records.writes[0]?.op).toBe('begin');
  });

  it('corrects a chunk total counted at submit before the first chunk', async () => {
    const id = seed(data(), { progress: { chunksDone: 0, chunksTotal: 1 } });
    await processSynthesisJob(jobOf(id, data()), deps());
    expect(records.writes[1]).toMatchObject({ op: 'progress', progress: { chunksDone: 0, chunksTotal: CHUNKS } });
  });

  it('reports the canceled chunk count against the corrected total', async () => {
    // Counted with another engine's limit at submit: the attempt corrects the total, and the canceled
    // record must keep the corrected one (never "3 of 1").
    const id = seed(data(), { progress: { chunksDone: 0, chunksTotal: 1 } });
    records.onProgress = (r) => {
      if (r.progress.attemptChunksDone === 3) r.cancelAt = Date.now();
    };
    await processSynthesisJob(jobOf(id, data()), deps());
    expect((await records.get(id))?.progress).toMatchObject({ chunksDone: 3, chunksTotal: CHUNKS });
  });

  it('discards its audio without a trace when the job moved away mid-attempt', async () => {
    const id = seed();
    records.onProgress = (r) => {
      if (r.progress.attemptChunksDone === 1) records.move(id, data({ engine: 'back', route: 'backup' }));
    };
    await expect(processSynthesisJob(jobOf(id, data()), deps())).rejects.toBeInstanceOf(LateResult);
    expect(records.ops()).toEqual(['begin', 'progress']);
    expect(partials()).toEqual([]);
    expect(stored()).toEqual([]);
    expect(notified).toEqual([]);
  });

  it('does not publish audio once it no longer owns the job', async () => {
    const id = seed();
    await expect(processSynthesisJob(jobOf(id, data()), deps({ stillOwns: async () => false }))).rejects.toBeInstanceOf(
      LateResult,
    );
    expect(stored()).toEqual([]);
    expect(partials()).toEqual([]);
    expect(records.ops()).not.toContain('succeed');
    expect(records.ops()).not.toContain('retry');
  });

  it('answers a health probe without touching any record', async () => {
    const out = await processSynthesisJob(jobOf('probe-1', data(), 0, 1, PROBE_JOB), deps());
    expect(out).toMatchObject({ probe: true, samples: CHUNKS * 160 });
    expect(records.writes).toEqual([]);
  });
});
