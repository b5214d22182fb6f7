import { describe, expect, it } from 'vitest';
import { chunkText } from '../../src/captions/timeline.js';
import { prepareInput } from '../../src/ssml/prepare.js';
import { chunkPlan } from '../../src/text/index.js';
import { joinRuns, runGap } from '../../src/text/run-text.js';

const lexicon = [{ text: 'Nvidia', lang: 'en' as const, ipa: 'ɛnˈvɪdiə' }];
const captionText = (text: string, ssml = false) =>
  prepareInput(text, { ...chunkPlan({ maxChunkChars: 400 }), lexicon, ssml }).map(chunkText);

describe("joining a chunk's runs", () => {
  it.each([
    ['I like', 'nvidia', ' '],
    ['nvidia', '.', ''],
    ['nvidia', ', really.', ''],
    ['nvidia', '!', ''],
    ['and (', 'Nvidia', ''],
    ['Nvidia', ').', ''],
    ['Hello "', 'Nvidia', ''],
    ['Nvidia', '" and', ''],
    ['我爱你,', 'iPhone', ' '],
    ['iPhone', '很好用。', ' '],
    ['行', '。', ''],
    ['5"', 'tall', ' '],
  ])('%j + %j: %j', (prev, next, gap) => {
    expect(runGap(prev, next)).toBe(gap);
  });

  it('gives where each run starts in the joined text', () => {
    expect(joinRuns([{ text: 'I like' }, { text: 'nvidia' }, { text: '.' }])).toEqual({
      text: 'I like nvidia.',
      starts: [0, 7, 13],
    });
    expect(joinRuns([])).toEqual({ text: '', starts: [] });
  });

  it('captions have no space before a final period after an annotated or lexicon word, or a say-as', () => {
    expect(captionText('I like nvidia.')).toEqual(['I like nvidia.']);
    expect(captionText('I like [Nvidia](/ɛnˈvɪdiə/), and "[Nvidia](/ɛnˈvɪdiə/)".')).toEqual([
      'I like Nvidia, and "Nvidia".',
    ]);
    expect(captionText('<speak>Count <say-as interpret-as="cardinal">0</say-as>.</speak>', true)).toEqual(['Count 0.']);
  });
});
