import { Worker } from 'node:worker_threads';
import { deserializeError, engineFailure } from '../../domain/errors.js';
import type { EncoderEnd } from './encoder.js';
import type { EncoderReply, ToEncoder, WireEnd } from './encoder-thread.js';
import type { TranscodeSession, TranscodeSpec } from './transcoder.js';

type Payload = Extract<EncoderReply, { ok: true }>;

const asBuffer = (u: Uint8Array | undefined): Buffer =>
  u ? Buffer.from(u.buffer, u.byteOffset, u.byteLength) : Buffer.alloc(0);
const asEnd = (w: WireEnd | undefined): EncoderEnd => ({
  tail: asBuffer(w?.tail),
  patch: w?.patch && { offset: w.patch.offset, bytes: asBuffer(w.patch.bytes) },
});

/**
 * The process's encoder thread: resampling and encoding of every output
 * runs there, off the event loop that renews job locks and serves HTTP.
 * Started on first use; a thread that dies fails what it held (retryable)
 * and the next output starts a new one.
 */
export class EncoderThread {
  private thread: Worker | undefined;
  private readonly pending = new Map<number, { resolve(p: Payload): void; reject(e: Error): void }>();
  private nextReq = 1;
  private nextSession = 1;
  private closed = false;

  /** `url` is overridable for tests; defaults to the compiled encoder-thread next to this file. */
  constructor(private readonly url: URL = new URL('./encoder-thread.js', import.meta.url)) {}

  private worker(): Worker {
    if (this.thread) return this.thread;
    const thread = new Worker(this.url);
    // An idle encoder thread must not keep a finished process alive.
    thread.unref();
    thread.on('message', (reply: EncoderReply) => {
      const p = this.pending.get(reply.req);
      if (!p) return;
      this.pending.delete(reply.req);
      if (reply.ok) p.resolve(reply);
      else p.reject(deserializeError(reply.error));
    });
    const fail = (why: string) => {
      if (this.thread === thread) this.thread = undefined;
      for (const p of this.pending.values()) p.reject(engineFailure(`encoder thread ${why}`));
      this.pending.clear();
    };
    thread.on('error', (err) => fail(`crashed: ${err.message}`));
    thread.on('exit', (code) => fail(`exited (code ${code})`));
    this.thread = thread;
    return thread;
  }

  private call(msg: ToEncoder, transfer: ArrayBuffer[] = []): Promise<Payload> {
    if (this.closed) return Promise.reject(engineFailure('encoder thread is closed'));
    const thread = this.worker();
    return new Promise<Payload>((resolve, reject) => {
      this.pending.set(msg.req, { resolve, reject });
      thread.postMessage(msg, transfer);
    });
  }

  /**
   * Send a copy of exactly these samples, handed over rather than cloned again. The caller keeps its
   * own (a repeated chunk is reused), and a clone of a view would copy its whole underlying buffer.
   */
  private send(session: number, pcm: Int16Array): Promise<Payload> {
    const copy = pcm.slice();
    return this.call({ op: 'write', req: this.nextReq++, session, pcm: copy }, [copy.buffer as ArrayBuffer]);
  }

  /** Open an output on the thread: loads its codec there (once per thread) and returns its headers. */
  async open(spec: TranscodeSpec): Promise<TranscodeSession> {
    const session = this.nextSession++;
    const opened = await this.call({ op: 'open', req: this.nextReq++, session, spec });
    const info = opened.info;
    if (!info) throw new Error('encoder thread answered open without stream info');
    return {
      info,
      head: asBuffer(opened.bytes),
      write: async (pcm) => asBuffer((await this.send(session, pcm)).bytes),
      finish: async () => asEnd((await this.call({ op: 'finish', req: this.nextReq++, session })).end),
      abort: async () => {
        await this.call({ op: 'abort', req: this.nextReq++, session }).catch(() => undefined);
      },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    const t = this.thread;
    this.thread = undefined;
    await t?.terminate();
  }
}
