/**
 * Body of the encoder thread: resampling and encoding (Opus, FLAC, MP3) run
 * here, so a long chunk never blocks the worker's event loop, which renews
 * BullMQ job locks. One thread serves every output of its process; each
 * output is a session with its own Transcoder.
 */
import { parentPort } from 'node:worker_threads';
import { serializeError } from '../../domain/errors.js';
import { type TranscodeInfo, type TranscodeSpec, Transcoder } from './transcoder.js';

export type ToEncoder =
  | { op: 'open'; req: number; session: number; spec: TranscodeSpec }
  | { op: 'write'; req: number; session: number; pcm: Int16Array }
  | { op: 'finish'; req: number; session: number }
  | { op: 'abort'; req: number; session: number };

/** An EncoderEnd as it crosses the thread boundary (Buffers arrive as plain Uint8Arrays). */
export interface WireEnd {
  tail: Uint8Array;
  patch?: { offset: number; bytes: Uint8Array };
}

export type EncoderReply =
  | { req: number; ok: true; info?: TranscodeInfo; bytes?: Uint8Array; end?: WireEnd }
  | { req: number; ok: false; error: ReturnType<typeof serializeError> };

if (!parentPort) throw new Error('encoder-thread.js runs only as a worker thread');
const port = parentPort;
const sessions = new Map<number, Transcoder>();

/**
 * Bytes the reply can hand over (transfer) without a second copy: an encoder's output that already
 * owns its whole buffer is sent as it is; a view into a pooled or WebAssembly buffer is copied once.
 */
const own = (b: Uint8Array): Uint8Array =>
  b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer ? b : new Uint8Array(b);

/** The buffers of a reply, to transfer rather than clone. */
function transferables(reply: EncoderReply): ArrayBuffer[] {
  if (!reply.ok) return [];
  const views = [reply.bytes, reply.end?.tail, reply.end?.patch?.bytes];
  const out = new Set<ArrayBuffer>();
  for (const v of views) if (v && v.buffer instanceof ArrayBuffer && v.byteLength > 0) out.add(v.buffer);
  return [...out];
}

function session(id: number): Transcoder {
  const t = sessions.get(id);
  if (!t) throw new Error(`encoder session ${id} is not open`);
  return t;
}

async function handle(msg: ToEncoder): Promise<EncoderReply> {
  switch (msg.op) {
    case 'open': {
      const t = await Transcoder.create(msg.spec);
      sessions.set(msg.session, t);
      return { req: msg.req, ok: true, info: t.info, bytes: own(t.start()) };
    }
    case 'write':
      return { req: msg.req, ok: true, bytes: own(session(msg.session).write(msg.pcm)) };
    case 'finish': {
      const t = session(msg.session);
      sessions.delete(msg.session);
      const { tail, patch } = t.finish();
      const end: WireEnd = { tail: own(tail), patch: patch && { offset: patch.offset, bytes: own(patch.bytes) } };
      return { req: msg.req, ok: true, end };
    }
    case 'abort':
      sessions.get(msg.session)?.abort();
      sessions.delete(msg.session);
      return { req: msg.req, ok: true };
  }
}

// Messages are handled one at a time, in order: `open` awaits codec loading, and a `write`
// that follows it must find its session.
let queue = Promise.resolve();
port.on('message', (msg: ToEncoder) => {
  queue = queue.then(async () => {
    let reply: EncoderReply;
    try {
      reply = await handle(msg);
    } catch (err) {
      if (msg.op !== 'open') sessions.delete(msg.session);
      reply = { req: msg.req, ok: false, error: serializeError(err) };
    }
    port.postMessage(reply, transferables(reply));
  });
});
