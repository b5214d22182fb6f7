import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SynthesisInput } from '../../src/engines/engine.js';
import { EnginePool, type EnginePoolOptions } from '../../src/workers/engine-pool.js';

const THREAD = new URL('./fixtures/fake-engine-thread.mjs', import.meta.url);

const input = (text: string): SynthesisInput => ({
  chunk: { index: 0, runs: [{ lang: 'en', text }], chars: text.length, paragraphEnd: true },
  voice: 'female',
  speed: 1,
});

describe('EnginePool (real worker threads, stand-in engine)', () => {
  const pools: EnginePool[] = [];
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.close()));
  });

  const start = async (over: Partial<EnginePoolOptions> = {}) => {
    const pool = new EnginePool({
      engine: 'fake',
      settings: {},
      size: 1,
      chunkTimeoutMs: 2000,
      logger: pino({ level: 'silent' }),
      threadUrl: THREAD,
      ...over,
    });
    pools.push(pool);
    await pool.start();
    return pool;
  };

  it('starts every thread and returns each chunk with its words', async () => {
    const pool = await start({ size: 2 });
    expect(pool.readyThreads).toBe(2);
    const out = await pool.synthesize(input('abc'));
    expect([...out.pcm]).toEqual([1, 2, 3]);
    expect(out.words).toEqual([{ start: 0, end: 3, offset: 0, length: 3 }]);
    // No words reported: none in the output.
    expect(await pool.synthesize(input(''))).not.toHaveProperty('words');
  });

  it('queues chunks beyond its threads and runs each once a thread is free', async () => {
    const pool = await start({ size: 1 });
    const outs = await Promise.all(['a', 'bb', 'ccc', 'dddd'].map((t) => pool.synthesize(input(t))));
    expect(outs.map((o) => o.pcm.length)).toEqual([1, 2, 3, 4]);
  });

  it("passes an engine's error on as the AppError it was, and keeps the thread", async () => {
    const pool = await start();
    const err = await pool.synthesize(input('x'), 'throw').catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'AppError', code: 'engine_failure', message: 'bad chunk', retryable: true });
    expect(pool.readyThreads).toBe(1);
    expect((await pool.synthesize(input('ok'))).pcm.length).toBe(2);
  });

  it('fails a chunk that runs too long with a retryable error and replaces the hung thread', async () => {
    const pool = await start({ chunkTimeoutMs: 40 });
    // Queued behind the hung chunk: served by the replacement thread.
    const hung = pool.synthesize(input('x'), 'hang').catch((e: unknown) => e);
    const next = pool.synthesize(input('after'));
    expect(await hung).toMatchObject({
      code: 'engine_failure',
      retryable: true,
      message: 'engine fake took longer than 40 ms on one chunk',
    });
    expect((await next).pcm.length).toBe(5);
    expect(pool.readyThreads).toBe(1);
  });

  it('fails the chunk of a thread that crashed, retryably, and replaces the thread', async () => {
    const pool = await start({ size: 2 });
    const err = await pool.synthesize(input('x'), 'crash').catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'engine_failure',
      retryable: true,
      message: 'engine thread exited (code 70) during synthesis',
    });
    await vi.waitFor(() => expect(pool.readyThreads).toBe(2), { timeout: 5000, interval: 10 });
    const outs = await Promise.all([pool.synthesize(input('a')), pool.synthesize(input('b'))]);
    expect(outs.map((o) => o.pcm.length)).toEqual([1, 1]);
  });

  it('fails to start with the error the engine gave when it cannot load', async () => {
    const pool = new EnginePool({
      engine: 'fake',
      settings: {},
      size: 1,
      chunkTimeoutMs: 1000,
      logger: pino({ level: 'silent' }),
      threadUrl: THREAD,
      failLoad: true,
    });
    pools.push(pool);
    await expect(pool.start()).rejects.toMatchObject({ code: 'model_missing', retryable: false });
  });

  it('refuses work once closed, and never replaces the threads it closed', async () => {
    const pool = await start();
    await pool.close();
    await expect(pool.synthesize(input('x'))).rejects.toMatchObject({ code: 'engine_failure' });
    await new Promise((r) => setTimeout(r, 30));
    expect(pool.readyThreads).toBe(0);
  });

  it('refuses a size that is not a positive whole number', () => {
    for (const size of [0, -1, 1.5])
      expect(
        () =>
          new EnginePool({
            engine: 'fake',
            settings: {},
            size,
            chunkTimeoutMs: 1,
            logger: pino({ level: 'silent' }),
          }),
      ).toThrow(/positive integer/);
  });
});
