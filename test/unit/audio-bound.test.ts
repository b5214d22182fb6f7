import { describe, expect, it } from 'vitest';
import { assertAudioBound, knownAudioMs } from '../../src/domain/audio-bound.js';
import { prepareInput } from '../../src/ssml/prepare.js';

const breaks = (n: number, s: number) => `<speak>${`a<break time="${s}s"/>`.repeat(n)}</speak>`;
const chunksOf = (markup: string) => prepareInput(markup, { maxChunkChars: 300, ssml: true });

describe('the audio bound known at submission', () => {
  it('adds up the SSML breaks of a request', () => {
    expect(knownAudioMs(chunksOf(breaks(3, 2)))).toBe(6000);
    expect(knownAudioMs(prepareInput('No breaks at all.', { maxChunkChars: 300 }))).toBe(0);
  });

  it('refuses 1,000 breaks of 10 s (22 KB of markup, 10,000 s of silence) under the default 2.5-hour bound', () => {
    const markup = breaks(1000, 10);
    expect(markup.length).toBeLessThan(25_000);
    expect(() => assertAudioBound(chunksOf(markup), 9000)).toThrow(
      expect.objectContaining({
        code: 'audio_too_long',
        status: 413,
        details: { max_audio_seconds: 9000, known_seconds: 10_000 },
      }),
    );
    expect(assertAudioBound(chunksOf(breaks(10, 10)), 9000)).toBe(100_000);
  });
});
