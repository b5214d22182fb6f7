/**
 * Narrowing helpers for values the types call optional but this service always has.
 * They throw a precise error instead of letting `undefined` travel on (which `!` would).
 */

/** BullMQ types a job's id as optional; every job read back from a queue has one. */
export function jobIdOf(job: { id?: string | undefined }): string {
  if (job.id === undefined) throw new Error('a queue job without an id');
  return job.id;
}

/** The entry for `key`, which the caller built the map to contain. */
export function mustGet<K, V>(map: ReadonlyMap<K, V>, key: K, what: string): V {
  const value = map.get(key);
  if (value === undefined) throw new Error(`no ${what} for ${String(key)}`);
  return value;
}

/** Milliseconds since the epoch as an ISO 8601 string. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
