/** Format constants, free of any codec import (settings and request validation read them). */

/** Sample rates a client may ask for (`sample_rate`): every rate MPEG layer III can carry. */
export const OUTPUT_SAMPLE_RATES = [8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000] as const;
/** Constant bitrates LAME accepts, kbit/s. */
export const MP3_BITRATES = [8, 16, 24, 32, 40, 48, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320] as const;
export type Mp3Bitrate = (typeof MP3_BITRATES)[number];

/**
 * libopus' default complexity is 10, its slowest. At 5 it encodes speech about three times as fast
 * (measured with opusscript: 47× real time at 10, 133× at 5, on 24 kHz mono at 32 kbit/s) for a
 * loss a listener of speech at this bitrate hardly hears; with a fast engine (espeak-ng is over
 * 1,000× real time) the encoder is otherwise what a long Opus stream waits for. OPUS_COMPLEXITY sets it.
 */
export const OPUS_COMPLEXITY = 5;
