/**
 * One health probe through a real BullMQ queue on the real Redis: a fast worker finishes (and its
 * completed probe is removed) before the wait's first look more often than not, which must still
 * count as a pass; a failing worker is a failure with its reason; no worker, a timeout. Probes
 * leave nothing behind.
 */
import { randomBytes } from 'node:crypto';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobData, JobOutcome } from '../../src/domain/job.js';
import { sendProbe } from '../../src/router/probe.js';
import { REDIS_URL } from './harness.js';

const prefix = `t-${randomBytes(5).toString('hex')}`;
const connection = { url: REDIS_URL };
let queue: Queue<JobData, JobOutcome>;
let events: QueueEvents;
beforeAll(async () => {
  queue = new Queue('tts-probe-test', { connection, prefix });
  events = new QueueEvents('tts-probe-test', { connection, prefix });
  await events.waitUntilReady();
});
afterAll(async () => {
  await queue?.obliterate({ force: true }).catch(() => undefined);
  await events?.close();
  await queue?.close();
});

const probe = (timeoutMs = 5000, on: QueueEvents = events) =>
  sendProbe(queue, on, { engine: 'espeak', route: 'backup', timeoutMs });

/** Queue events whose readiness check takes a moment, as on a busy monitor: the worker then always wins the race. */
class SlowEvents extends QueueEvents {
  override async waitUntilReady() {
    await new Promise((r) => setTimeout(r, 30));
    return super.waitUntilReady();
  }
}
const left = async () => (await queue.getJobs(['waiting', 'active', 'completed', 'failed', 'prioritized'])).length;

describe('a health probe', () => {
  it('passes every time against an instant worker (a probe finished before the wait looked is a pass)', async () => {
    const worker = new Worker<JobData, JobOutcome>('tts-probe-test', async () => ({}) as JobOutcome, {
      connection,
      prefix,
    });
    const slow = new SlowEvents('tts-probe-test', { connection, prefix });
    try {
      await slow.waitUntilReady();
      const results = [];
      for (let i = 0; i < 30; i++) results.push(await probe(5000, i % 2 ? slow : events));
      expect(results.filter((r) => r.error !== undefined)).toEqual([]);
      expect(await left()).toBe(0);
    } finally {
      await slow.close();
      await worker.close();
    }
  });

  it('fails with the reason of a failing worker, and the failed probe is removed once read', async () => {
    const worker = new Worker<JobData, JobOutcome>(
      'tts-probe-test',
      async () => {
        throw new Error('engine exploded');
      },
      { connection, prefix },
    );
    try {
      for (let i = 0; i < 10; i++) expect(await probe()).toMatchObject({ error: 'engine exploded', state: 'failed' });
      expect(await left()).toBe(0);
    } finally {
      await worker.close();
    }
  });

  it('times out with no worker, and takes the waiting probe back', async () => {
    const r = await probe(300);
    expect(r.error).toMatch(/timed out/);
    expect(r.state).toBe('waiting');
    expect(await left()).toBe(0);
  });
});
