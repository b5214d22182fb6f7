/**
 * Replicated acceptance (REDIS_MIN_REPLICAS_ACK): with a real master and
 * replica, measure what confirming each job on the replica costs a
 * submission, and show that when the replica cannot confirm, the submission
 * is refused (503) within the timeout and leaves nothing behind.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobsIndexKey, synthesisQueueName } from '../../src/queue/names.js';
import { postJson, type Service, startService, waitForJob } from '../integration/harness.js';
import { until } from '../integration/ha-helpers.js';
import { connectedReplicas, type RedisNode, startDataNode, stopAll } from './redis-nodes.js';

const ACK_TIMEOUT_MS = 400;
let master: RedisNode;
let replica: RedisNode;
let plain: Service | undefined;
let acked: Service | undefined;

beforeAll(async () => {
  master = await startDataNode();
  replica = await startDataNode({ replicaOf: master.port });
  await until('the replica to connect', async () => (await connectedReplicas(master.port)) === 1);
  // Connected is not yet in sync: wait until the replica acknowledges a write, as every measured submission needs.
  const probe = new Redis(master.port, '127.0.0.1');
  await until('the replica to acknowledge writes', async () => {
    await probe.set('replica-ack-probe', String(Date.now()));
    return (await probe.wait(1, 1000)) === 1;
  });
  probe.disconnect();
  const url = `redis://127.0.0.1:${master.port}`;
  plain = await startService({ workers: 1, env: { REDIS_URL: url } });
  acked = await startService({
    workers: 1,
    env: { REDIS_URL: url, REDIS_MIN_REPLICAS_ACK: '1', REDIS_REPLICA_ACK_TIMEOUT_MS: String(ACK_TIMEOUT_MS) },
  });
}, 120_000);

afterAll(async () => {
  if (replica?.child.exitCode === null) replica.child.kill('SIGCONT');
  await plain?.stop().catch(() => undefined);
  await acked?.stop().catch(() => undefined);
  await stopAll();
});

async function submitMs(svc: Service, i: number): Promise<{ ms: number; id: string }> {
  const t = performance.now();
  const r = await postJson(`${svc.base}/api/jobs`, { text: `Latency sample ${i}.` });
  const ms = performance.now() - t;
  expect(r.status).toBe(202);
  return { ms, id: r.json.id as string };
}

const quantile = (v: number[], q: number) => {
  const s = [...v].sort((a, b) => a - b);
  return Math.round((s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0) * 10) / 10;
};

describe('REDIS_MIN_REPLICAS_ACK=1', () => {
  it('costs a submission one WAIT round trip, and every acknowledged job runs', async () => {
    const p = plain as Service;
    const a = acked as Service;
    // Queues paused, so no synthesis competes with the submissions for the CPU; alternated, so both see the same load.
    const queues = [p, a].map(
      (s) => new Queue(synthesisQueueName('espeak'), { connection: s.redis, prefix: s.prefix }),
    );
    for (const q of queues) await q.pause();
    const ms = { plain: [] as number[], acked: [] as number[] };
    const ids: string[] = [];
    for (let i = 0; i < 65; i++) {
      const x = await submitMs(p, i);
      const y = await submitMs(a, i);
      if (i < 5) continue; // warm-up
      ms.plain.push(x.ms);
      ms.acked.push(y.ms);
      ids.push(y.id);
    }
    for (const q of queues) await q.resume();
    const report = {
      samples: ms.plain.length,
      plain: { p50: quantile(ms.plain, 0.5), p95: quantile(ms.plain, 0.95) },
      acked: { p50: quantile(ms.acked, 0.5), p95: quantile(ms.acked, 0.95) },
    };
    console.log(`replica ack latency (ms): ${JSON.stringify(report)}`);
    for (const id of ids.slice(-5)) expect((await waitForJob(a.base, id, 60_000)).status).toBe('succeeded');
    await Promise.all(queues.map((q) => q.close()));
  });

  it('refuses with 503 within the timeout when no replica confirms, and leaves nothing behind', async () => {
    const a = acked as Service;
    const queue = new Queue(synthesisQueueName('espeak'), { connection: a.redis, prefix: a.prefix });
    const before = await queue.getJobCounts('completed', 'waiting', 'active', 'delayed', 'failed');
    const indexed = await a.redis.zcard(jobsIndexKey(a.prefix));
    replica.child.kill('SIGSTOP'); // connected but silent: WAIT cannot be satisfied
    const t = performance.now();
    const r = await postJson(`${a.base}/api/jobs`, { text: 'Nobody confirms this one.' });
    const ms = performance.now() - t;
    replica.child.kill('SIGCONT');
    const after = await queue.getJobCounts('completed', 'waiting', 'active', 'delayed', 'failed');
    await queue.close();
    console.log(`replica ack refused: ${JSON.stringify({ status: r.status, code: r.json?.code, ms: Math.round(ms) })}`);
    expect(r.status).toBe(503);
    expect(r.json.code).toBe('replication_unconfirmed');
    expect(r.headers.get('retry-after')).toBeTruthy();
    expect(ms).toBeLessThan(ACK_TIMEOUT_MS + 1000);
    // Nothing half-accepted: no new job in any state, nothing new in the listing.
    expect(after).toEqual(before);
    expect(await a.redis.zcard(jobsIndexKey(a.prefix))).toBe(indexed);
    // And acceptance resumes once the replica answers again.
    await until(
      'a confirmed submission',
      async () => (await postJson(`${a.base}/api/jobs`, { text: 'Back.' })).status === 202,
    );
  });
});
