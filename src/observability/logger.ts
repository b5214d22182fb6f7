import { pino, type Logger } from 'pino';

/** JSON logger for one process; `role` tags every line (api, worker, start…). */
export function createLogger(role: string, level: string): Logger {
  return pino({
    level,
    base: { role, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { err: pino.stdSerializers.err },
  });
}
