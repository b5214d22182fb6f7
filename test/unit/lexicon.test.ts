import { describe, expect, it } from 'vitest';
import { requestKey } from '../../src/cache/key.js';
import type { SynthesisRequest } from '../../src/domain/job.js';
import { parseLexicon } from '../../src/lexicons/lexicon.js';
import { prepareText } from '../../src/text/index.js';

const config = { kokoroVariant: 'fp32', mp3Bitrate: 64 } as Parameters<typeof requestKey>[3];
const base: SynthesisRequest = { text: '银行', voice: 'female', speed: 1, format: 'wav', engine: 'auto' };

describe('lexicons', () => {
  it("the cache key follows the lexicon's entries: an edit changes it, a name or version alone does not", () => {
    const entries = [{ text: '行', lang: 'zh' as const, pinyin: 'xing2' }];
    const edited = [{ text: '行', lang: 'zh' as const, pinyin: 'hang2' }];
    const v1 = requestKey({ ...base, lexicon: { used: ['a@1'], entries } }, 'espeak', 22_050, config);
    const v2 = requestKey({ ...base, lexicon: { used: ['a@2'], entries: edited } }, 'espeak', 22_050, config);
    expect(v1).not.toBe(v2);
    expect(v1).not.toBe(requestKey(base, 'espeak', 22_050, config));
    // Same entries, same audio (another tenant's brand@1 with other entries gets another key).
    expect(requestKey({ ...base, lexicon: { used: ['b@7'], entries } }, 'espeak', 22_050, config)).toBe(v1);
  });

  it('entries apply longest first, English as whole words in any case; inline annotations win', () => {
    const lexicon = parseLexicon({
      entries: [
        { text: '行', lang: 'zh', pinyin: 'xing2' },
        { text: '银行', lang: 'zh', pinyin: 'yin2 hang2' },
        { text: 'SQL', lang: 'en', alias: 'sequel' },
      ],
    });
    const runs = prepareText('银行行不行？[行](/hang2/) sql mysql', { maxChunkChars: 200, lexicon }).flatMap(
      (c) => c.runs,
    );
    expect(runs.filter((r) => r.ph).map((r) => [r.text, r.ph?.pinyin])).toEqual([
      ['银行', 'yin2 hang2'],
      ['行', 'xing2'],
      ['行', 'xing2'],
      ['行', 'hang2'],
    ]);
    expect(runs.map((r) => r.text).join(' ')).toContain('sequel mysql');
  });

  it('entries are checked', () => {
    expect(() => parseLexicon({ entries: [{ text: '行', lang: 'en', pinyin: 'xing2' }] })).toThrow(/pinyin/);
    expect(() => parseLexicon({ entries: [{ text: 'a.b', lang: 'en', ipa: '1' }] })).toThrow(/ipa/);
    expect(() => parseLexicon({ entries: [{ text: 'x'.repeat(65), lang: 'en', alias: 'y' }] })).toThrow(/1–64/);
    expect(() => parseLexicon({})).toThrow(/entries/);
    // Regex characters in an entry are literal.
    const lexicon = parseLexicon({ entries: [{ text: 'C++', lang: 'en', alias: 'C plus plus' }] });
    expect(prepareText('I like C++ a lot.', { maxChunkChars: 200, lexicon })[0]?.runs[0]?.text).toBe(
      'I like C plus plus a lot.',
    );
  });
});
