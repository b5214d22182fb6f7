import type { JobTimings, SegmentTiming, WordMark } from '../domain/timing.js';
import { joinRuns } from '../text/run-text.js';
import type { Chunk } from '../text/types.js';

/**
 * The text of a chunk as captions show it: its language runs joined as `joinRuns` joins them, each
 * whitespace character made a plain space (one for one, so engines' character offsets still hold).
 */
export const chunkText = (chunk: Chunk): string => joinRuns(chunk.runs).text.replace(/\s/gu, ' ');

/**
 * Samples a decoded MP3 holds before the first input sample: LAME's encoder
 * delay (576) plus the decoder's (529), at any rate. The files carry no
 * gapless tag, so every player plays them; timings are shifted to match.
 */
export const MP3_DELAY = 1105;

/** Below this (about -44 dBFS) a sample counts as silence when finding where speech starts. */
const ONSET_THRESHOLD = 200;

/** Index of the first sample of speech in `pcm` (its length when it is all silence). */
export function speechOnset(pcm: Int16Array): number {
  let i = 0;
  while (i < pcm.length && Math.abs(pcm[i] ?? 0) < ONSET_THRESHOLD) i++;
  return i;
}

/** Index just past the last sample of speech in `pcm` (0 when it is all silence). */
export function speechEnd(pcm: Int16Array): number {
  let i = pcm.length;
  while (i > 0 && Math.abs(pcm[i - 1] ?? 0) < ONSET_THRESHOLD) i--;
  return i;
}

/**
 * Records where each chunk lies in the output audio while the job's PCM is
 * written. Positions are counted in input (engine) samples, the same counter
 * the file's duration comes from, and mapped to the output rate exactly as
 * the resampler maps them (round(n × out / in)), so rounding never
 * accumulates: the last segment ends at the audio's last sample.
 */
export class Timeline {
  private inputSamples = 0;
  private readonly segments: SegmentTiming[] = [];
  private readonly lead: number;

  constructor(
    private readonly inputRate: number,
    private readonly outputRate: number,
    format?: string,
  ) {
    this.lead = format === 'mp3' ? MP3_DELAY : 0;
  }

  private out(n: number): number {
    return this.lead + Math.round((n * this.outputRate) / this.inputRate);
  }

  /** A chunk's PCM, in the order it is written; `words` are at the engine's rate, relative to `pcm`. */
  chunk(chunk: Chunk, pcm: Int16Array, words?: readonly WordMark[]): void {
    const base = this.inputSamples;
    this.inputSamples += pcm.length;
    if (pcm.length === 0) return;
    const segment: SegmentTiming = {
      start: this.out(base + Math.min(speechOnset(pcm), pcm.length)),
      end: this.out(this.inputSamples),
      text: chunkText(chunk),
    };
    if (words?.length) {
      segment.words = words.map((w) => {
        const start = Math.min(Math.max(0, w.start), pcm.length);
        const end = Math.min(Math.max(start, w.end), pcm.length);
        // Engines mark a word where its first phoneme begins, which may be a stop's closure or the
        // pause before it: the word is heard from the first sound inside its span.
        const heard = start + speechOnset(pcm.subarray(start, end));
        return [this.out(base + (heard < end ? heard : start)), this.out(base + end), w.offset, w.length];
      });
    }
    this.segments.push(segment);
  }

  /** A pause the service inserts (silence written between chunks). */
  pause(samples: number): void {
    this.inputSamples += samples;
  }

  result(): JobTimings {
    return { sampleRate: this.outputRate, samples: this.out(this.inputSamples), segments: this.segments };
  }
}
