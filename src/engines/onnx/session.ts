/**
 * The one owner of onnxruntime-node. Engines describe inputs as plain typed
 * arrays; this module turns them into tensors, runs the session and keeps the
 * time spent inside `session.run` so callers can tell model time from their own.
 */
import type { InferenceSession as OrtSession, Tensor as OrtTensor } from 'onnxruntime-node';

export type Feed =
  | { type: 'int64'; data: BigInt64Array; dims: number[] }
  | { type: 'float32'; data: Float32Array; dims: number[] }
  | { type: 'int32'; data: Int32Array; dims: number[] };

export interface OnnxSessionOptions {
  /** Threads one operator may use; 0 lets onnxruntime decide. */
  intraOpThreads: number;
}

export interface InputInfo {
  name: string;
  /** Element type when the model declares it (e.g. "int64", "float32"). */
  type?: string;
}

/** Cumulative time inside `session.run`. */
export interface RunStats {
  runs: number;
  runMs: number;
}

export class OnnxSession {
  private readonly stats: RunStats = { runs: 0, runMs: 0 };

  private constructor(
    private readonly session: OrtSession,
    private readonly Tensor: typeof OrtTensor,
    readonly inputs: InputInfo[],
    readonly outputNames: readonly string[],
  ) {}

  /** Load a model file; onnxruntime-node is imported here, lazily, so descriptors stay cheap to import. */
  static async open(path: string, opts: OnnxSessionOptions): Promise<OnnxSession> {
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(path, {
      intraOpNumThreads: opts.intraOpThreads,
      // Sequential execution: one request per thread, so inter-op parallelism only contends.
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
    const meta = (session as { inputMetadata?: readonly { name: string; isTensor: boolean; type?: string }[] })
      .inputMetadata;
    const inputs = session.inputNames.map((name, i) => {
      const m = meta?.[i];
      return { name, type: m?.isTensor ? m.type : undefined };
    });
    return new OnnxSession(session, ort.Tensor, inputs, session.outputNames);
  }

  /** Run the model and return the first output's data as float32. */
  async runFirstFloat(feeds: Record<string, Feed>): Promise<Float32Array> {
    const ortFeeds: Record<string, OrtTensor> = {};
    for (const [name, f] of Object.entries(feeds)) ortFeeds[name] = new this.Tensor(f.type, f.data, f.dims);
    const t0 = performance.now();
    const out = await this.session.run(ortFeeds);
    this.stats.runMs += performance.now() - t0;
    this.stats.runs++;
    const firstName = this.outputNames[0];
    if (firstName === undefined) throw new Error('the model declares no outputs');
    const first = out[firstName] as OrtTensor;
    const data = first.data;
    if (data instanceof Float32Array) return data;
    return Float32Array.from(data as ArrayLike<number>);
  }

  runStats(): RunStats {
    return { ...this.stats };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
