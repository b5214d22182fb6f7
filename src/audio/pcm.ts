/** Small PCM helpers for 16-bit mono audio. */

/** Concatenate PCM buffers into one. */
export function concatPcm(parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Samples of silence lasting `ms` at `sampleRate`. */
export function silence(sampleRate: number, ms: number): Int16Array {
  return new Int16Array(Math.max(0, Math.round((sampleRate * ms) / 1000)));
}

/**
 * Trim leading and trailing near-silence, keeping at most `keepLeadMs` /
 * `keepTrailMs` of it, so joined segments do not stack up engine padding.
 */
export function trimSilence(
  pcm: Int16Array,
  sampleRate: number,
  opts: { keepLeadMs: number; keepTrailMs: number; threshold?: number },
): Int16Array {
  const threshold = opts.threshold ?? 200; // about -44 dBFS
  let first = 0;
  while (first < pcm.length && Math.abs(pcm[first] ?? 0) < threshold) first++;
  if (first === pcm.length) return pcm.subarray(0, 0);
  let last = pcm.length - 1;
  while (last > first && Math.abs(pcm[last] ?? 0) < threshold) last--;
  const lead = Math.round((sampleRate * opts.keepLeadMs) / 1000);
  const trail = Math.round((sampleRate * opts.keepTrailMs) / 1000);
  return pcm.subarray(Math.max(0, first - lead), Math.min(pcm.length, last + 1 + trail));
}
