/**
 * The bound on the audio one job may make (JOB_MAX_AUDIO_SECONDS). Quotas count characters, and a
 * character is not a bound on seconds: 1,000 SSML breaks of 10 s each are 1,000 characters and
 * wrote 988 MB. The part of a job's length known before synthesis (its SSML breaks) is refused at
 * submission; the rest is enforced while the audio is written.
 */
import { AppError } from './errors.js';

/** The silence a request's chunks ask for (SSML breaks), in ms: a floor of its audio's length. */
export function knownAudioMs(chunks: readonly { pauseAfterMs?: number }[]): number {
  return chunks.reduce((ms, c) => ms + (c.pauseAfterMs ?? 0), 0);
}

/** 413 `audio_too_long`: the job would make more than `maxSeconds` of audio. Retrying cannot help. */
export function audioTooLong(
  maxSeconds: number,
  details: { known_seconds?: number; written_seconds?: number },
): AppError {
  const what =
    details.known_seconds !== undefined
      ? `its SSML breaks alone are ${details.known_seconds} s`
      : `its audio passed that while being written`;
  return new AppError(
    'audio_too_long',
    `A job may make at most ${maxSeconds} s of audio (JOB_MAX_AUDIO_SECONDS): ${what}`,
    {
      status: 413,
      retryable: false,
      details: { max_audio_seconds: maxSeconds, ...details },
    },
  );
}

/** Refuse at submission a request whose known length is over the bound. */
export function assertAudioBound(chunks: readonly { pauseAfterMs?: number }[], maxSeconds: number): number {
  const ms = knownAudioMs(chunks);
  if (ms > maxSeconds * 1000) throw audioTooLong(maxSeconds, { known_seconds: Math.round(ms / 1000) });
  return ms;
}
