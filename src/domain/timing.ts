/** Where speech sits in a job's audio; positions are sample indices of the stored audio (exact, no rounding drift). */

/** A word the engine reported: [start sample, end sample, offset in the segment text, length in characters]. */
export type WordTiming = [start: number, end: number, offset: number, length: number];

/** One synthesized chunk (one or more sentences) as it lies in the output audio. */
export interface SegmentTiming {
  /** First sample of speech (after any pause before it). */
  start: number;
  /** End of the chunk's audio, including the engine's trailing silence but not pauses the service adds. */
  end: number;
  /** The text as it was spoken (after normalization). */
  text: string;
  words?: WordTiming[];
}

/** Timings of a whole job; `sampleRate` is the stored audio's, so `samples / sampleRate` is its duration. */
export interface JobTimings {
  sampleRate: number;
  samples: number;
  segments: SegmentTiming[];
}

/** A word an engine reports inside one chunk's PCM: sample offsets at the engine's rate. */
export interface WordMark {
  start: number;
  end: number;
  /** Character offset into the chunk's text (runs joined as `chunkText` joins them) and length. */
  offset: number;
  length: number;
}
