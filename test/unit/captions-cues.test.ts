import { describe, expect, it } from 'vitest';
import { buildCues, splitText } from '../../src/captions/cues.js';

const pieces = (text: string) => splitText(text).map(([a, b]) => text.slice(a, b).trim());

describe('caption cue splitting', () => {
  it('cuts at sentence ends, not inside numbers, addresses or initialisms', () => {
    expect(pieces('Version 1.0? Yes! It works. Really.')).toEqual(['Version 1.0?', 'Yes!', 'It works.', 'Really.']);
    expect(pieces('See example.com and the U.S. office.')).toEqual(['See example.com and the U.S.', 'office.']);
    expect(pieces('你好吗？我很好。Hello.')).toEqual(['你好吗？', '我很好。', 'Hello.']);
    expect(pieces('He said "stop." Then left.')).toEqual(['He said "stop."', 'Then left.']);
  });

  it('never lets a cue start before the one it follows, or end before it starts', () => {
    // Word timings as an engine might report them for odd text: the second piece's first word "starts" early.
    const cues = buildCues({
      sampleRate: 1000,
      segments: [
        {
          start: 500,
          end: 2000,
          text: 'Hi there. Odd words here.',
          words: [
            [500, 700, 0, 2],
            [700, 900, 3, 5],
            [300, 1200, 10, 3],
            [1200, 2000, 14, 5],
          ],
        },
      ],
    } as Parameters<typeof buildCues>[0]);
    expect(cues.map((c) => c.text)).toEqual(['Hi there.', 'Odd words here.']);
    for (const [i, c] of cues.entries()) {
      expect(c.endMs).toBeGreaterThanOrEqual(c.startMs);
      if (i > 0) expect(c.startMs).toBeGreaterThanOrEqual(cues[i - 1]?.startMs ?? 0);
    }
  });
});
