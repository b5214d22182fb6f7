/**
 * Mandarin conformance with misaki's legacy front-end (the one that made Kokoro v1.0's training
 * labels). Every expected string comes from misaki itself; see test/fixtures/zh/README.md.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { KokoroFrontEnd } from '../../src/engines/kokoro/frontend.js';
import { ZhPhonemizer } from '../../src/engines/kokoro/g2p-zh.js';
import { pinyinToKokoro, splitSyllable } from '../../src/engines/kokoro/pinyin-ipa.js';
import { Vocab } from '../../src/engines/kokoro/vocab.js';
import { normalizeText, splitLanguageRuns } from '../../src/text/index.js';
import { cpuMs } from '../support/cpu-time.js';

const FIXTURES = new URL('../fixtures/zh/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, FIXTURES), 'utf8');
const collapse = (s: string) => s.replace(/\s+/g, ' ').trim();

interface Case {
  category: string;
  text: string;
  expected: string;
  pinyin: string;
}
const SENTENCES = JSON.parse(read('misaki-legacy-sentences.json')) as Case[];
const RANDOM = JSON.parse(
  gunzipSync(readFileSync(new URL('misaki-legacy-random.json.gz', FIXTURES))).toString('utf8'),
) as [string, string][];
const SYLLABLES = JSON.parse(read('misaki-syllables.json')) as Record<string, string>;
const VOCAB = Vocab.fromConfig(
  JSON.parse(readFileSync(new URL('../fixtures/kokoro-v1.0/config.json', import.meta.url), 'utf8')),
);

/** Code points of U+4E00–U+9FFF that no source here has a Mandarin reading for (unit ligatures, recent additions). */
const NO_READING =
  '兙兡嗧桛烪瓧瓰瓱瓼甅龦龧龨龩龫龭龮龯龱龲龳龴龶龷龸龹龺龼龽龾龿鿀鿁鿂鿅鿆鿈鿉鿊鿋鿐鿑鿒鿓鿖鿗鿘鿙鿚鿛鿜鿝鿞鿟鿠鿡鿢鿣鿤鿥鿦鿧鿨鿩鿪鿮鿯鿽';

let zh: ZhPhonemizer;
beforeAll(async () => {
  zh = await ZhPhonemizer.create();
}, 60_000);

const unknownSymbols = (phonemes: string) => [...new Set([...phonemes].filter((c) => VOCAB.idOf(c) === undefined))];

describe('pinyin → Kokoro symbols, every syllable of the dictionary (source: misaki transcription.py)', () => {
  it('matches misaki for all 1,412 syllables', () => {
    const wrong = Object.entries(SYLLABLES).filter(([py, ipa]) => pinyinToKokoro(py) !== ipa);
    expect(wrong).toEqual([]);
    expect(Object.keys(SYLLABLES).length).toBe(1412);
  });

  it('maps no syllable to nothing and only to vocabulary symbols', () => {
    for (const py of Object.keys(SYLLABLES)) {
      expect(pinyinToKokoro(py), py).not.toBe('');
      expect(unknownSymbols(pinyinToKokoro(py)), py).toEqual([]);
    }
  });
});

describe('sentences (source: misaki legacy ZHG2P, see fixtures/zh/README.md)', () => {
  const categories = [...new Set(SENTENCES.map((c) => c.category))];
  it('has at least 200 sentences', () => expect(SENTENCES.length).toBeGreaterThanOrEqual(200));

  for (const category of categories) {
    describe(category, () => {
      it.each(SENTENCES.filter((c) => c.category === category).map((c) => [c.text, c.expected]))(
        '%s',
        (text, expected) => expect(zh.phonemize(text)).toBe(collapse(expected)),
      );
    });
  }

  it('covers every initial, every final and every zero-initial syllable', () => {
    const syllables = new Set(SENTENCES.flatMap((c) => c.pinyin.split(' ')).map((s) => s.replace(/[1-5]$/, '')));
    const initials = new Set<string>();
    const finals = new Set<string>();
    for (const s of syllables) {
      const parts = splitSyllable(s);
      if (!parts) continue;
      initials.add(parts.initial);
      finals.add(parts.final);
    }
    const allInitials = 'b p m f d t n l g k h j q x zh ch sh r z c s'.split(' ');
    const allFinals =
      'a ai an ang ao e ei en eng i ia ian iang iao ie in iou ing iong ong ou u ua uai uan uang uei uen ueng uo o ü üe üan ün er'.split(
        ' ',
      );
    const zeroInitial =
      'a ai an ang ao e ei en eng er o ou yi ya ye yao you yan yin yang ying yong yu yue yuan yun wu wa wo wai wei wan wen wang weng'.split(
        ' ',
      );
    expect(allInitials.filter((i) => !initials.has(i))).toEqual([]);
    expect(allFinals.filter((f) => !finals.has(f))).toEqual([]);
    expect(zeroInitial.filter((s) => !syllables.has(s))).toEqual([]);
  });
});

describe('6,000 random sentences from jieba’s dictionary (source: misaki legacy ZHG2P)', () => {
  it('all agree', () => {
    const wrong = RANDOM.filter(([text, expected]) => zh.phonemize(text) !== collapse(expected));
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(RANDOM.length).toBe(6000);
  }, 60_000);
});

describe('where the project deliberately differs from misaki', () => {
  it('reads "……" as one pause (NFKC makes it six full stops; misaki keeps two ellipsis symbols)', () => {
    expect(zh.phonemize(normalizeText('你好……我很好'))).toBe('ni↓xau↓…wo↓ xə↓n xau↓');
    expect(zh.phonemize('等等...')).toBe('tə↓ŋtə↓ŋ…');
  });

  it('reads ASCII punctuation (what NFKC makes of full-width marks) as misaki reads the full-width ones', () => {
    expect(zh.phonemize(normalizeText('你好，世界！你呢？'))).toBe(zh.phonemize('你好，世界！你呢？'));
  });

  it('reads a character pypinyin lacks with a later reading instead of failing (misaki raises)', () => {
    expect(zh.phonemize('鿰')).not.toBe('鿰');
  });
});

describe('every character U+4E00–U+9FFF', () => {
  it('reads each one (except those no source has a reading for) with vocabulary symbols only, fast', () => {
    const t0 = performance.now();
    const empty: string[] = [];
    const symbols = new Set<string>();
    for (let cp = 0x4e00; cp <= 0x9fff; cp++) {
      const ch = String.fromCodePoint(cp);
      const p = zh.phonemize(ch);
      if (p === '' || p === ch) empty.push(ch);
      for (const s of p) symbols.add(s);
    }
    const ms = performance.now() - t0;
    expect(empty.join('')).toBe(NO_READING);
    const unreadable = new Set(NO_READING);
    expect([...symbols].filter((s) => VOCAB.idOf(s) === undefined && !unreadable.has(s))).toEqual([]);
    expect(ms).toBeLessThan(20_000);
  }, 60_000);
});

describe('every symbol the suites produce is in the v1.0 vocabulary', () => {
  it('sentences and random sentences', () => {
    const all = [...SENTENCES.map((c) => c.text), ...RANDOM.map(([t]) => t)];
    const unknown = new Set<string>();
    // Raw Latin letters of the mixed sentences are not Mandarin: the front-end sends them to English.
    for (const t of all) for (const s of unknownSymbols(zh.phonemize(t.replace(/[A-Za-z]+/g, '')))) unknown.add(s);
    expect([...unknown]).toEqual([]);
  }, 60_000);
});

describe('sentence by sentence, spaced as misaki spaces one pass over the text', () => {
  it.each([
    // misaki legacy on the whole text.
    ['“你怎么又迟到了？”老师生气地问。', '“ni↓ ʦə↓nmɤ jou↘ ꭧʰɨ↗tau↘ lɤ? ”lau↓ʂɨ→ ʂə→ŋʨʰi↘ ti↘wə↘n.'],
    ['比分是3:2。', 'pi↓fə→n ʂɨ↘ sa→n:ɚ↘.'],
    ['你好。我很好！', 'ni↓xau↓. wo↓ xə↓n xau↓!'],
  ])('%s', (text, expected) => {
    const front = new KokoroFrontEnd({ en: { phonemize: () => '' }, zh }, 10);
    expect(front.phonemize({ lang: 'zh', text: normalizeText(text) }, 'en-us')).toBe(expected);
  });
});

describe('mixed Chinese–English through the front-end', () => {
  it('keeps "°C" (what NFKC makes of ℃) in the Mandarin run, read as misaki reads ℃', () => {
    const runs = splitLanguageRuns(normalizeText('今天最高气温35℃。'));
    expect(runs).toEqual([{ lang: 'zh', text: '今天最高气温35°C。' }]);
    // misaki legacy on 今天最高气温35℃。
    expect(zh.phonemize(runs[0]?.text ?? '')).toBe('ʨi→ntʰjɛ→n ʦwei↘kau→ ʨʰi↘wə→n sa→nʂɨ↗u↓ ʂɤ↘ʂɨ↘tu↘.');
    expect(splitLanguageRuns('It is 20°C today.')).toEqual([{ lang: 'en', text: 'It is 20°C today.' }]);
  });

  it('sends Latin words to the English phonemizer and reads the Mandarin runs as misaki does', () => {
    const front = new KokoroFrontEnd({ en: { phonemize: (t) => `<en:${t}>` }, zh }, 10);
    const runs = splitLanguageRuns('我喜欢用iPhone拍照。');
    expect(runs.map((r) => front.phonemize(r, 'en-us'))).toEqual(['wo↓ ɕi↓xwa→n jʊ↘ŋ', '<en:iPhone>', 'pʰai→ꭧau↘.']);
  });
});

describe('hostile input stays fast', () => {
  const N = 50_000;
  it.each([
    ['Han x 50k', '中'.repeat(N)],
    ['a phrase prefix that never completes x 10k', '中华人民共和'.repeat(N / 5)],
    ['"……" x 25k', '……'.repeat(N / 2)],
    ['"1," x 25k', '1,'.repeat(N / 2)],
    ['digits and Han', '1中'.repeat(N / 2)],
    ['punctuation x 50k', '，。！？《》'.repeat(N / 6)],
  ])('%s', (_name, input) => {
    expect(cpuMs(() => zh.phonemize(input))).toBeLessThan(3000);
  });
});
