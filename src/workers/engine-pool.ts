import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { deserializeError, engineFailure } from '../domain/errors.js';
import type { SynthesisInput, SynthesisOutput } from '../engines/engine.js';
import type { FromThread, ToThread } from './engine-thread.js';
import type { Fault } from './faults.js';

export interface EnginePoolOptions {
  engine: string;
  /** The engine's own settings (`engineSettings`), handed to its `create` inside each thread. */
  settings: unknown;
  /** Number of threads, each holding its own loaded engine. */
  size: number;
  /** A chunk running longer is abandoned and its thread replaced. */
  chunkTimeoutMs: number;
  logger: Logger;
  /** Overridable for tests; defaults to the compiled engine-thread next to this file. */
  threadUrl?: URL;
  /** Resilience tests only: make loading fail, as a broken model file would. */
  failLoad?: boolean;
}

interface Pending {
  resolve(out: SynthesisOutput): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

interface Slot {
  thread: Worker;
  ready: boolean;
  busy: boolean;
  pending?: Pending;
}

/**
 * A fixed set of engine threads. Each thread loads the engine once and keeps
 * it resident; a thread that crashes or hangs is replaced, and the chunk it
 * held fails with a retryable error.
 */
export class EnginePool {
  private readonly slots: Slot[] = [];
  private readonly waiters: ((slot: Slot) => void)[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly opts: EnginePoolOptions) {
    if (!Number.isInteger(opts.size) || opts.size < 1)
      throw new Error(`EnginePool size must be a positive integer, got ${opts.size}`);
  }

  /** Start every thread and resolve once all are loaded and warmed up. */
  async start(): Promise<void> {
    await Promise.all(Array.from({ length: this.opts.size }, () => this.spawn()));
  }

  get readyThreads(): number {
    return this.slots.filter((s) => s.ready).length;
  }

  private spawn(): Promise<Slot> {
    const url = this.opts.threadUrl ?? new URL('./engine-thread.js', import.meta.url);
    const thread = new Worker(url, {
      workerData: { engine: this.opts.engine, settings: this.opts.settings, failLoad: this.opts.failLoad },
    });
    const slot: Slot = { thread, ready: false, busy: false };
    this.slots.push(slot);
    return new Promise<Slot>((resolve, reject) => {
      thread.on('message', (msg: FromThread) => {
        if (msg.type === 'ready') {
          slot.ready = true;
          this.opts.logger.info(
            { loadMs: Math.round(msg.loadMs), warmupMs: Math.round(msg.warmupMs) },
            'engine thread ready',
          );
          resolve(slot);
          this.release(slot);
        } else if (msg.type === 'fatal') {
          reject(deserializeError(msg.error));
          void thread.terminate();
        } else {
          this.settle(slot, msg);
        }
      });
      thread.on('error', (err) => {
        this.opts.logger.error({ err, engine: this.opts.engine }, 'engine thread crashed');
        reject(err);
      });
      thread.on('exit', (code) => {
        this.remove(slot);
        if (slot.pending) {
          clearTimeout(slot.pending.timer);
          slot.pending.reject(engineFailure(`engine thread exited (code ${code}) during synthesis`));
          slot.pending = undefined;
        }
        if (!slot.ready) reject(new Error(`engine thread exited (code ${code}) before it was ready`));
        else if (!this.closed) {
          this.opts.logger.warn({ engine: this.opts.engine, code }, 'replacing engine thread');
          this.spawn().catch((err) => this.opts.logger.error({ err }, 'could not replace engine thread'));
        }
      });
    });
  }

  private remove(slot: Slot): void {
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
  }

  private settle(slot: Slot, msg: Extract<FromThread, { type: 'result' | 'error' }>): void {
    const p = slot.pending;
    if (!p) return;
    clearTimeout(p.timer);
    slot.pending = undefined;
    if (msg.type === 'result') p.resolve({ pcm: msg.pcm, ...(msg.words?.length ? { words: msg.words } : {}) });
    else p.reject(deserializeError(msg.error));
    this.release(slot);
  }

  private release(slot: Slot): void {
    slot.busy = false;
    const next = this.waiters.shift();
    if (next) {
      slot.busy = true;
      next(slot);
    }
  }

  private acquire(): Promise<Slot> {
    const free = this.slots.find((s) => s.ready && !s.busy);
    if (free) {
      free.busy = true;
      return Promise.resolve(free);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Synthesize one chunk on the next free thread. */
  async synthesize(input: SynthesisInput, fault?: Exclude<Fault, 'load'>): Promise<SynthesisOutput> {
    if (this.closed) throw engineFailure('engine pool is closed');
    const slot = await this.acquire();
    const id = this.nextId++;
    return new Promise<SynthesisOutput>((resolve, reject) => {
      const timer = setTimeout(() => {
        slot.pending = undefined;
        reject(
          engineFailure(`engine ${this.opts.engine} took longer than ${this.opts.chunkTimeoutMs} ms on one chunk`),
        );
        // A hung engine cannot be interrupted from outside: replace its thread.
        void slot.thread.terminate();
      }, this.opts.chunkTimeoutMs);
      slot.pending = { resolve, reject, timer };
      slot.thread.postMessage({ type: 'synth', id, input, fault } satisfies ToThread);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.thread.terminate()));
  }
}
