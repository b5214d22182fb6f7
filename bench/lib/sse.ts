/** A minimal server-sent-events reader for GET /api/jobs/:id/events, timestamping each event on arrival. */
import { request } from 'node:http';

export interface SseEvent {
  event: string;
  data: string;
  /** performance.now() when the blank line that ends the event arrived. */
  at: number;
}

/** Open the job's event stream; resolves with every event once the stream ends (after `end`). */
export function jobEvents(base: string, id: string, timeoutMs = 120_000): Promise<SseEvent[]> {
  return new Promise((resolve, reject) => {
    const events: SseEvent[] = [];
    // A connection of its own: a long-lived stream must not hold a socket of the shared pool.
    const req = request(`${base}/api/jobs/${id}/events`, { agent: false }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`GET /api/jobs/${id}/events answered ${res.statusCode}`));
        res.resume();
        return;
      }
      res.setEncoding('utf8');
      let buf = '';
      res.on('data', (text: string) => {
        const at = performance.now();
        buf += text;
        for (let end = buf.indexOf('\n\n'); end >= 0; end = buf.indexOf('\n\n')) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) event = line.slice(6).trim();
            else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
          }
          if (data.length) events.push({ event, data: data.join('\n'), at });
        }
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve(events);
      });
      res.on('error', reject);
    });
    const timer = setTimeout(
      () => req.destroy(new Error(`event stream of ${id} still open after ${timeoutMs} ms`)),
      timeoutMs,
    );
    req.on('error', reject);
    req.end();
  });
}
