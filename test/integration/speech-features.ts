/** Coarse, noise-robust features of decoded speech, for telling two readings apart in tests. */
import { parseWav } from '../../src/audio/wav.js';

/**
 * Zero-crossing rate (crossings per sample) of the speech after the last pause of at least
 * 40 ms: the annotated syllable when it is the last run. Fricatives such as x- [ɕ] and
 * front vowels such as [i] cross zero far more often than h- [χ] and [ɑ].
 */
export function lastSyllableZcr(wav: Buffer): number {
  const { samples, sampleRate } = parseWav(wav);
  const quiet = (i: number) => Math.abs(samples[i] ?? 0) < 300;
  let end = samples.length - 1;
  while (end > 0 && quiet(end)) end--;
  const minGap = Math.round(sampleRate * 0.04);
  let start = end;
  let run = 0;
  for (let i = end; i > 0; i--) {
    run = quiet(i) ? run + 1 : 0;
    if (run >= minGap) {
      start = i + run;
      break;
    }
  }
  let crossings = 0;
  for (let i = start + 1; i <= end; i++) if ((samples[i - 1] ?? 0) < 0 !== (samples[i] ?? 0) < 0) crossings++;
  return crossings / Math.max(1, end - start);
}
