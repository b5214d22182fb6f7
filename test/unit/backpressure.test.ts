import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { writeOrWait } from '../../src/api/backpressure.js';

describe('writeOrWait', () => {
  it('leaves no listener behind however often it waits for drain (a long stream waits thousands of times)', async () => {
    // A 1-byte buffer: every write fills it, so every write waits for 'drain'.
    const out = new Writable({ highWaterMark: 1, write: (_chunk, _enc, done) => setImmediate(done) });
    const before = { close: out.listenerCount('close'), drain: out.listenerCount('drain') };
    let warned = false;
    const onWarning = (w: Error) => {
      if (w.name === 'MaxListenersExceededWarning') warned = true;
    };
    process.on('warning', onWarning);
    for (let i = 0; i < 200; i++) await writeOrWait(out, Buffer.from('abcd'));
    process.off('warning', onWarning);
    expect(out.listenerCount('close')).toBe(before.close);
    expect(out.listenerCount('drain')).toBe(before.drain);
    expect(warned).toBe(false);
  });

  it('stops waiting when the output closes before it drains', async () => {
    const out = new Writable({ highWaterMark: 1, write: () => undefined });
    const waiting = writeOrWait(out, Buffer.from('abcd'));
    out.destroy();
    await waiting;
    expect(out.listenerCount('close')).toBe(0);
  });
});
