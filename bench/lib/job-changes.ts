/**
 * The bench's own subscriber to the job store's change channel (`<id> <status>` per record write),
 * timestamped on arrival in this process's clock: a wait for a job's final status that costs the
 * service no Redis command (pub/sub deliveries are not commands), and the moment a worker's write
 * was published, to compare with what an SSE client sees.
 */
import { Redis } from 'ioredis';
import { jobChangesChannel } from '../../src/queue/names.js';

export interface Change {
  status: string;
  at: number;
}

const FINAL = new Set(['succeeded', 'failed', 'canceled']);

export class JobChanges {
  private readonly seen = new Map<string, Change[]>();
  private readonly wakes = new Set<() => void>();

  private constructor(private readonly sub: Redis) {
    sub.on('message', (_ch: string, msg: string) => {
      const at = performance.now();
      const space = msg.indexOf(' ');
      const id = msg.slice(0, space);
      const list = this.seen.get(id) ?? [];
      list.push({ status: msg.slice(space + 1), at });
      this.seen.set(id, list);
      for (const w of [...this.wakes]) w();
    });
  }

  static async open(url: string, prefix: string): Promise<JobChanges> {
    const sub = new Redis(url);
    await sub.subscribe(jobChangesChannel(prefix));
    return new JobChanges(sub);
  }

  /** Every change of `id` seen so far, in arrival order. */
  of(id: string): Change[] {
    return this.seen.get(id) ?? [];
  }

  /** Resolves with the first final change of `id` (already seen or still to come). */
  final(id: string, timeoutMs = 120_000): Promise<Change> {
    const find = () => this.of(id).find((c) => FINAL.has(c.status));
    const hit = find();
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.wakes.delete(wake);
        reject(new Error(`job ${id}: no final status published within ${timeoutMs} ms`));
      }, timeoutMs);
      const wake = () => {
        const c = find();
        if (!c) return;
        clearTimeout(t);
        this.wakes.delete(wake);
        resolve(c);
      };
      this.wakes.add(wake);
    });
  }

  /** Forget what was seen (between measurements, to keep memory flat). */
  clear(): void {
    this.seen.clear();
  }

  async close(): Promise<void> {
    await this.sub.quit().catch(() => undefined);
  }
}
