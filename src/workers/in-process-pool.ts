import { engineFailure } from '../domain/errors.js';
import type { EngineDescriptor, SynthesisInput, SynthesisOutput, TtsEngine } from '../engines/engine.js';
import type { Fault } from './faults.js';

/**
 * The pool of an engine that runs no inference here (a remote server): one
 * engine on the worker's own event loop, at most `concurrency` chunks in
 * flight. Waiting on the network never blocks lock renewal, so no threads.
 */
export class InProcessPool {
  private engine?: TtsEngine;
  private active = 0;
  private readonly waiters: (() => void)[] = [];
  private closed = false;

  constructor(
    private readonly descriptor: EngineDescriptor,
    /** The engine's own settings (`engineSettings`). */
    private readonly settings: unknown,
    private readonly concurrency: number,
  ) {
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new Error(`InProcessPool concurrency must be a positive integer, got ${concurrency}`);
  }

  async start(): Promise<void> {
    const engine = await this.descriptor.create(this.settings);
    await engine.load();
    this.engine = engine;
  }

  get readyThreads(): number {
    return this.engine ? this.concurrency : 0;
  }

  async synthesize(input: SynthesisInput, fault?: Exclude<Fault, 'load'>): Promise<SynthesisOutput> {
    const engine = this.engine;
    if (this.closed || !engine) throw engineFailure('engine pool is closed');
    if (this.active >= this.concurrency) await new Promise<void>((r) => this.waiters.push(r));
    this.active++;
    try {
      // Resilience tests: an engine with no thread cannot hang or crash it, so every other fault is an error.
      if (fault === 'slow') await new Promise((r) => setTimeout(r, 500));
      else if (fault) throw engineFailure(`injected fault: engine error (${fault})`);
      // A remote engine reports no word boundaries: captions get sentence (chunk) timings only.
      return { pcm: await engine.synthesize(input) };
    } finally {
      this.active--;
      this.waiters.shift()?.();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.engine?.dispose();
  }
}
