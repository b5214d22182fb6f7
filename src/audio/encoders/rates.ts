/** Format constants, free of any codec import (settings and request validation read them). */

/** Sample rates a client may ask for (`sample_rate`): every rate MPEG layer III can carry. */
export const OUTPUT_SAMPLE_RATES = [8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000] as const;
/** Constant bitrates LAME accepts, kbit/s. */
export const MP3_BITRATES = [8, 16, 24, 32, 40, 48, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320] as const;
export type Mp3Bitrate = (typeof MP3_BITRATES)[number];
