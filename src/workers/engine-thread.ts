/**
 * Body of an engine worker thread: loads one engine, warms it up, then
 * synthesizes chunks on request. Inference runs here so the worker's main
 * event loop stays free to renew BullMQ job locks.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { engineFailure, serializeError } from '../domain/errors.js';
import { getEngine } from '../engines/registry.js';
import type { SynthesisInput, TtsEngine } from '../engines/engine.js';
import type { Lang } from '../text/types.js';
import type { WordMark } from '../domain/timing.js';

import type { Fault } from './faults.js';

export type ToThread = { type: 'synth'; id: number; input: SynthesisInput; fault?: Exclude<Fault, 'load'> };
export type FromThread =
  | { type: 'ready'; loadMs: number; warmupMs: number }
  | { type: 'fatal'; error: ReturnType<typeof serializeError> }
  | { type: 'result'; id: number; pcm: Int16Array; words?: WordMark[]; ms: number }
  | { type: 'error'; id: number; error: ReturnType<typeof serializeError> };

const WARMUP: Record<Lang, string> = { en: 'Hello, this is a warm-up.', zh: '你好，这是预热。' };

/** Unless the engine's descriptor says otherwise (see EngineDescriptor.warmupRounds). */
const WARMUP_ROUNDS = 4;
if (!parentPort) throw new Error('engine-thread.js runs only as a worker thread');
const port = parentPort;
const post = (m: FromThread, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

async function main(): Promise<void> {
  let engine: TtsEngine;
  let rounds = WARMUP_ROUNDS;
  const t0 = performance.now();
  try {
    const {
      engine: name,
      settings,
      failLoad,
    } = workerData as { engine: string; settings: unknown; failLoad?: boolean };
    if (failLoad) throw engineFailure('injected fault: the model failed to load');
    const descriptor = getEngine(name);
    rounds = descriptor.warmupRounds ?? WARMUP_ROUNDS;
    engine = await descriptor.create(settings);
    await engine.load();
  } catch (err) {
    post({ type: 'fatal', error: serializeError(err) });
    return;
  }
  const t1 = performance.now();
  try {
    // Several rounds: JIT tiers (and WASM-to-JS engines especially) reach full speed only after a few calls.
    for (let round = 0; round < rounds; round++) {
      for (const lang of engine.capabilities.languages) {
        const text = WARMUP[lang];
        for (const voice of ['female', 'male']) {
          await engine.synthesize({
            chunk: { index: 0, runs: [{ lang, text }], chars: text.length, paragraphEnd: true },
            voice,
            speed: 1,
          });
        }
      }
    }
  } catch (err) {
    post({ type: 'fatal', error: serializeError(err) });
    return;
  }
  post({ type: 'ready', loadMs: t1 - t0, warmupMs: performance.now() - t1 });

  port.on('message', async (msg: ToThread) => {
    if (msg.type !== 'synth') return;
    const start = performance.now();
    try {
      if (msg.fault) injectFault(msg.fault);
      const { pcm, words } = engine.synthesizeTimed
        ? await engine.synthesizeTimed(msg.input)
        : { pcm: await engine.synthesize(msg.input), words: undefined };
      // Copy into a buffer of its own so the transfer never detaches engine-owned memory.
      const own = new Int16Array(pcm);
      post({ type: 'result', id: msg.id, pcm: own, words, ms: performance.now() - start }, [own.buffer as ArrayBuffer]);
    } catch (err) {
      post({ type: 'error', id: msg.id, error: serializeError(err) });
    }
  });
}

const SLOW_FAULT_MS = 500;

/** Resilience tests only (FAULT_INJECTION): misbehave the way a broken engine would. */
function injectFault(fault: Exclude<Fault, 'load'>): void {
  if (fault === 'throw') throw engineFailure('injected fault: engine error');
  // In a worker thread this ends the thread, as a native crash of the engine would.
  if (fault === 'crash') process.exit(70);
  // slow: a busy engine that still answers, so a job holds its worker for a known while
  if (fault === 'slow') return void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, SLOW_FAULT_MS);
  // hang: block this thread the way a stuck native call would
  for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
}

void main();
