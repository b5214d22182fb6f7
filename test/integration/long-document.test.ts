import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson, startService, type Service } from './harness.js';

let svc: Service;
beforeAll(async () => {
  svc = await startService();
});
afterAll(async () => {
  await svc?.stop();
});

/** Exactly `n` characters of varied English prose in paragraphs, no sentence repeated. */
function document(n: number): string {
  const nouns = [
    'river',
    'mountain',
    'library',
    'engine',
    'harbor',
    'garden',
    'lantern',
    'meadow',
    'signal',
    'window',
    'teacher',
    'market',
  ];
  const verbs = ['watched', 'followed', 'remembered', 'painted', 'carried', 'answered', 'measured', 'opened'];
  let text = '';
  for (let i = 0; text.length < n; i++) {
    text += `The ${nouns[i % 12]} ${verbs[(i * 5) % 8]} the ${nouns[(i * 7 + 3) % 12]} on page ${i + 1}, while the ${nouns[(i * 11 + 5) % 12]} stayed quiet. `;
    if (i % 9 === 8) text += '\n\n';
  }
  return `${text.slice(0, n - 1)}.`;
}

/** Resident memory of a process, from /proc (kB → bytes). */
function rss(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

describe('long documents', () => {
  it('a 100,000-character text completes with monotonic progress and bounded worker memory', {
    timeout: 300_000,
  }, async () => {
    const text = document(100_000);
    expect([...text].length).toBe(100_000);
    const pid = svc.workers[0]!.child.pid!;
    const before = rss(pid);
    const sub = await postJson(`${svc.base}/api/jobs`, { text, format: 'wav' });
    expect(sub.status).toBe(202);

    let last = -1;
    let peak = before;
    let job: any;
    const seen = new Set<number>();
    for (const end = Date.now() + 280_000; Date.now() < end; ) {
      job = await (await fetch(`${svc.base}/api/jobs/${sub.json.id}`)).json();
      peak = Math.max(peak, rss(pid));
      expect(job.progress.chunks_done).toBeGreaterThanOrEqual(last);
      last = job.progress.chunks_done;
      seen.add(last);
      if (job.status !== 'queued' && job.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(job.status).toBe('succeeded');
    expect(job.progress.chunks_done).toBe(job.progress.chunks_total);
    expect(job.progress.chunks_total).toBeGreaterThan(250);
    expect(seen.size).toBeGreaterThan(10); // progress was reported along the way, not only at the end

    // Hours of audio: the file is far larger than the memory the worker gained, so it was never held whole.
    expect(job.audio.duration_ms).toBeGreaterThan(3_600_000);
    expect(job.audio.bytes).toBeGreaterThan(200_000_000);
    console.info(
      `100k chars: ${job.progress.chunks_total} chunks, ${Math.round(job.audio.duration_ms / 60_000)} min of audio, ${Math.round(job.audio.bytes / 2 ** 20)} MiB file, worker RSS +${Math.round((peak - before) / 2 ** 20)} MiB`,
    );
    expect(peak - before).toBeLessThan(120 * 1024 * 1024);

    // The stored WAV decodes to the reported duration (read just the header and size).
    const head = Buffer.from(
      await (await fetch(`${svc.base}${job.links.audio}`, { headers: { Range: 'bytes=0-43' } })).arrayBuffer(),
    );
    const dataBytes = head.readUInt32LE(40);
    expect(dataBytes).toBe(job.audio.bytes - 44);
    expect(Math.abs((dataBytes / 2 / 22050) * 1000 - job.audio.duration_ms)).toBeLessThan(2);

    // Timings over the whole document do not drift: the last segment ends at the audio's last sample.
    const timings = (await (await fetch(`${svc.base}/api/jobs/${job.id}/captions?format=json`)).json()) as {
      sample_rate: number;
      segments: { end_ms: number }[];
    };
    expect(timings.segments.length).toBe(job.progress.chunks_total);
    const endSample = ((timings.segments.at(-1)?.end_ms ?? 0) * timings.sample_rate) / 1000;
    console.info(
      `100k chars: last segment ends ${Math.abs(endSample - dataBytes / 2).toFixed(3)} samples from the end`,
    );
    expect(Math.abs(endSample - dataBytes / 2)).toBeLessThan(1);
  });
});
