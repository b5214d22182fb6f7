import { join } from 'node:path';
import { pino, type Logger } from 'pino';

export interface LogOptions {
  level: string;
  /** When set, lines also go to daily/size-rotated files here, named after `file`. */
  dir?: string;
  /** Base name of the log file (e.g. `api`, `worker-espeak`). */
  file?: string;
  /** Rotated files kept. */
  keep?: number;
}

/** JSON logger for one process; `role` tags every line (api, worker, monitor, start). */
export function createLogger(role: string, opts: LogOptions | string): Logger {
  const o: LogOptions = typeof opts === 'string' ? { level: opts } : opts;
  const base = {
    level: o.level,
    base: { role, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { err: pino.stdSerializers.err },
  };
  // Asynchronous stdout: a line no longer costs a write system call of its own (under load, lines
  // written while one write is in flight go out together); pino flushes what is left when the process exits.
  if (!o.dir) return pino(base, pino.destination({ dest: 1, sync: false }));
  // stdout for the terminal and supervisors; rotated files that survive restarts for the record.
  const transport = pino.transport({
    targets: [
      { target: 'pino/file', level: o.level, options: { destination: 1 } },
      {
        target: 'pino-roll',
        level: o.level,
        options: {
          file: join(o.dir, o.file ?? role),
          frequency: 'daily',
          size: '50m',
          mkdir: true,
          limit: { count: o.keep ?? 14 },
        },
      },
    ],
  });
  return pino(base, transport);
}
