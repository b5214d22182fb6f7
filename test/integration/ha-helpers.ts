/** Helpers for the high-availability tests: a primary pool and a backup pool of real workers, and a monitor. */
import { Redis } from 'ioredis';
import { decode, postJson, REDIS_URL, startService, type Service } from './harness.js';

/** The primary is a separate pool of the espeak engine (its own queue and workers): `espeak@primary`. */
export const PRIMARY = 'espeak@primary';

export const HA_ENV = {
  PRIMARY_ENGINE: PRIMARY,
  BACKUP_ENGINE: 'espeak',
  PROBE_INTERVAL_MS: '300',
  PROBE_TIMEOUT_MS: '1500',
  WORKER_HEARTBEAT_MS: '100',
  JOB_LOCK_MS: '2000',
  JOB_STALLED_INTERVAL_MS: '1000',
  CHUNK_TIMEOUT_MS: '1000',
  FAILOVER_THRESHOLD: '3',
  RECOVERY_PROBES: '10',
  FAULT_INJECTION: 'true',
};

export function startHa(env: Record<string, string> = {}, monitorEnv: Record<string, string> = {}): Promise<Service> {
  return startService({ engines: [PRIMARY, 'espeak'], monitor: true, env: { ...HA_ENV, ...env }, monitorEnv });
}

export async function engines(svc: Service): Promise<any> {
  return (await decode(await fetch(`${svc.base}/api/engines`))).json;
}

export async function setFault(
  svc: Service,
  engine: string,
  fault: { mode: 'throw' | 'hang' | 'crash' | 'load' | 'slow'; rate?: number } | null,
): Promise<void> {
  const r = new Redis(REDIS_URL);
  const key = `${svc.prefix}:faults:${engine}`;
  if (fault) await r.set(key, JSON.stringify(fault));
  else await r.del(key);
  r.disconnect();
}

export async function until<T>(
  what: string,
  fn: () => Promise<T | undefined | false>,
  ms = 20_000,
  every = 100,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

export async function submit(svc: Service, body: Record<string, unknown>): Promise<string> {
  const r = await postJson(`${svc.base}/api/jobs`, body);
  if (r.status !== 202) throw new Error(`submit failed: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json.id as string;
}

export const job = async (svc: Service, id: string) => (await decode(await fetch(`${svc.base}/api/jobs/${id}`))).json;
