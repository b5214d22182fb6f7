import type { Writable } from 'node:stream';

/**
 * Write `buf`; when the socket's buffer is full, wait until it drains or the response closes.
 * Each wait removes both of its listeners, whichever fired: a long stream waits thousands of times,
 * and a `close` listener left behind per wait grew past Node's warning limit.
 */
export async function writeOrWait(out: Writable, buf: Buffer): Promise<void> {
  if (out.write(buf)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('close', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
  });
}
