import { createHash } from 'node:crypto';
import { Queue } from 'bullmq';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode, postJson, REDIS_URL, startService, waitForJob, type Service } from './harness.js';
import { startReceiver, type Receiver } from './webhook-receiver.js';

const SECRET = `whsec_${Buffer.from('tandem-tts-webhook-test-secret-32b!').toString('base64')}`;
const BASE = 'https://tts.example.com';

let svc: Service;
let rx: Receiver;
let synth: Queue;
beforeAll(async () => {
  rx = await startReceiver();
  svc = await startService({
    env: {
      WEBHOOK_SECRET: SECRET,
      WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
      WEBHOOK_BACKOFF_MS: '200',
      WEBHOOK_ATTEMPTS: '4',
      PUBLIC_BASE_URL: BASE,
    },
  });
  synth = new Queue('tts-espeak', { connection: { url: REDIS_URL }, prefix: svc.prefix });
});
afterAll(async () => {
  await synth?.close();
  await svc?.stop();
  await rx?.close();
});

const submit = (text: string, path: string, extra: Record<string, unknown> = {}) =>
  postJson(`${svc.base}/api/jobs`, { text, webhook_url: rx.url(path), ...extra });

async function jobWhen(id: string, pred: (j: any) => boolean, ms = 20_000): Promise<any> {
  const end = Date.now() + ms;
  for (;;) {
    const j = (await (await fetch(`${svc.base}/api/jobs/${id}`)).json()) as any;
    if (pred(j)) return j;
    if (Date.now() > end) throw new Error(`job ${id} never matched: ${JSON.stringify(j.webhook ?? j)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('webhooks', () => {
  it('deliver a signed event that verifies with the Standard Webhooks library', async () => {
    const sub = await submit('Hello, the audio is ready.', '/ok');
    expect(sub.status).toBe(202);
    const job = await waitForJob(svc.base, sub.json.id);
    expect(job.status).toBe('succeeded');
    const [hit] = await rx.waitFor('/ok');
    if (!hit) throw new Error('no webhook arrived');

    const payload = new Webhook(SECRET).verify(hit.body, hit.headers as Record<string, string>) as any;
    expect(hit.headers['webhook-id']!).toBe(`msg_${job.id}_succeeded`);
    expect(Math.abs(Number(hit.headers['webhook-timestamp']!) - Date.now() / 1000)).toBeLessThan(60);
    expect(payload).toMatchObject({
      type: 'job.succeeded',
      data: {
        id: job.id,
        status: 'succeeded',
        engine: { requested: 'auto', used: 'espeak' },
        fell_back: false,
        audio: {
          url: `${BASE}/api/jobs/${job.id}/audio`,
          content_type: 'audio/wav',
          bytes: job.audio.bytes,
          duration_ms: job.audio.duration_ms,
        },
        error: null,
      },
    });
    const audio = await decode(await fetch(`${svc.base}${job.links.audio}`));
    expect(payload.data.audio.sha256).toBe(createHash('sha256').update(audio.buf).digest('hex'));
    expect(job.audio.sha256).toBe(payload.data.audio.sha256);
    expect(payload.data.timings.finished_at).toBeTruthy();

    const seen = await jobWhen(job.id, (j) => j.webhook?.state === 'delivered');
    expect(seen.webhook).toMatchObject({ url: rx.url('/ok'), state: 'delivered', deliveries: [{ status_code: 200 }] });
    expect(seen.webhook.deliveries[0].ms).toBeGreaterThanOrEqual(0);
    expect(Date.parse(seen.webhook.deliveries[0].at)).toBeGreaterThan(0);
  });

  it('retry a failing receiver with backoff until it takes the event', async () => {
    const path = '/flaky/2/a';
    const sub = await submit('Third time lucky.', path);
    const hits = await rx.waitFor(path, 3);
    expect(new Set(hits.map((h) => h.headers['webhook-id'])).size).toBe(1);
    // Exponential backoff with jitter: the second gap is not shorter than half the first's base.
    expect(hits[1]!.at - hits[0]!.at).toBeGreaterThanOrEqual(90);
    expect(hits[2]!.at - hits[1]!.at).toBeGreaterThanOrEqual(190);
    for (const h of hits)
      expect(() => new Webhook(SECRET).verify(h.body, h.headers as Record<string, string>)).not.toThrow();
    const job = await jobWhen(sub.json.id, (j) => j.webhook?.state === 'delivered');
    expect(job.webhook.deliveries.map((d: any) => d.status_code)).toEqual([500, 500, 200]);
  });

  it('stop at a 410', async () => {
    const path = '/gone/a';
    const sub = await submit('Nobody is listening.', path);
    await rx.waitFor(path, 1);
    const job = await jobWhen(sub.json.id, (j) => j.webhook?.state === 'failed');
    await new Promise((r) => setTimeout(r, 1500));
    expect(rx.to(path)).toHaveLength(1);
    expect(job.webhook.deliveries).toEqual([expect.objectContaining({ status_code: 410 })]);
  });

  it('dead-letter an event after the last attempt', async () => {
    const path = '/down/a';
    const sub = await submit('Always down.', path);
    await rx.waitFor(path, 4);
    const job = await jobWhen(sub.json.id, (j) => j.webhook?.state === 'dead');
    expect(job.webhook.deliveries.map((d: any) => d.status_code)).toEqual([503, 503, 503, 503]);
    await new Promise((r) => setTimeout(r, 1000));
    expect(rx.to(path)).toHaveLength(4);
    const dlq = new Queue('webhooks', { connection: { url: REDIS_URL }, prefix: svc.prefix });
    const failed = await dlq.getFailed();
    await dlq.close();
    expect(failed.map((j) => j.id)).toContain(`${sub.json.id}.succeeded`);
  });

  it('report a failed job, and a canceled one', async () => {
    const path = '/ok/canceled';
    // A long job canceled while it runs.
    const text = Array.from(
      { length: 400 },
      (_, i) => `This is sentence ${i + 1} of a long document for cancellation.`,
    ).join(' ');
    const sub = await submit(text, path);
    await jobWhen(sub.json.id, (j) => j.progress.chunks_done >= 1);
    const del = await fetch(`${svc.base}/api/jobs/${sub.json.id}`, { method: 'DELETE' });
    expect([200, 202]).toContain(del.status);
    const [hit] = await rx.waitFor(path);
    if (!hit) throw new Error('no webhook arrived');
    const payload = new Webhook(SECRET).verify(hit.body, hit.headers as Record<string, string>) as any;
    expect(payload).toMatchObject({ type: 'job.canceled', data: { id: sub.json.id, status: 'canceled', audio: null } });
  });

  it('refuse private, loopback and metadata addresses that are not allow-listed, queuing nothing', async () => {
    const before = await synth.getJobCounts();
    for (const url of [
      'http://10.0.0.5/hook',
      'http://192.168.1.20:8080/hook',
      'http://169.254.169.254/latest/meta-data/',
      'http://metadata.google.internal/computeMetadata/v1/',
      'http://[::1]:9000/',
      'http://[::ffff:127.0.0.1]/',
      'http://localhost:9000/',
      'http://[fd00:ec2::254]/',
      'ftp://example.com/',
    ]) {
      const r = await postJson(`${svc.base}/api/jobs`, { text: 'hi', webhook_url: url });
      expect(r.status, url).toBe(400);
      expect(r.json, url).toMatchObject({ field: 'webhook_url' });
      expect(r.json.code, url).toMatch(/webhook_url_refused|invalid_request/);
    }
    const bad = await postJson(`${svc.base}/api/jobs`, { text: 'hi', webhook_url: 42 });
    expect(bad).toMatchObject({ status: 400, json: { field: 'webhook_url' } });
    expect(await synth.getJobCounts()).toEqual(before);
  });
});
