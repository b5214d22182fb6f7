import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { splitTokens } from '../../src/engines/kokoro/batches.js';
import { KokoroFrontEnd } from '../../src/engines/kokoro/frontend.js';
import { EnPhonemizer, mapEspeakIpa } from '../../src/engines/kokoro/g2p-en.js';
import { ZhPhonemizer } from '../../src/engines/kokoro/g2p-zh.js';
import { PhonemeCache } from '../../src/engines/kokoro/phoneme-cache.js';
import { pinyinToKokoro } from '../../src/engines/kokoro/pinyin-ipa.js';
import { Vocab } from '../../src/engines/kokoro/vocab.js';
import { splitLanguageRuns } from '../../src/text/index.js';
import { KOKORO_CONFIG } from '../fixtures/make-stand-in-model.js';

describe('pinyin → Kokoro symbols', () => {
  it.each([
    ['ni3', 'ni↓'],
    ['hao3', 'xau↓'],
    ['ma1', 'ma→'],
    ['ma2', 'ma↗'],
    ['ma4', 'ma↘'],
    ['ma5', 'ma'],
    ['ma0', 'ma'],
    ['tian1', 'tʰjɛ→n'],
    ['zhong4', 'ꭧʊ↘ŋ'],
    ['chi1', 'ꭧʰɨ→'],
    ['shi4', 'ʂɨ↘'],
    ['ri4', 'ɻɨ↘'],
    ['zi3', 'ʦɨ↓'],
    ['ci2', 'ʦʰɨ↗'],
    ['si1', 'sɨ→'],
    ['ji1', 'ʨi→'],
    ['qu4', 'ʨʰy↘'],
    ['xue2', 'ɕɥe↗'],
    ['juan4', 'ʨɥɛ↘n'],
    ['yun2', 'y↗n'],
    ['lü4', 'ly↘'],
    ['lv4', 'ly↘'],
    ['nüe4', 'nɥe↘'],
    ['yi1', 'i→'],
    ['ya1', 'ja→'],
    ['you3', 'jou↓'],
    ['yong3', 'jʊ↓ŋ'],
    ['wu3', 'u↓'],
    ['wo3', 'wo↓'],
    ['wei4', 'wei↘'],
    ['wen2', 'wə↗n'],
    ['liu2', 'ljou↗'],
    ['gui4', 'kwei↘'],
    ['lun4', 'lwə↘n'],
    ['bo2', 'pwo↗'],
    ['er4', 'ɚ↘'],
    ['ng4', 'ŋ↘'],
    ['xyz1', ''],
    ['hello', ''],
  ])('%s → %s', (py, expected) => expect(pinyinToKokoro(py)).toBe(expected));

  // Zero-initial syllables once mapped to "" (我爱你 → wo↓ni↓); misaki keeps the whole final.
  it.each([
    ['a4', 'a↘'],
    ['ai4', 'ai↘'],
    ['an1', 'a→n'],
    ['ang2', 'a↗ŋ'],
    ['ao4', 'au↘'],
    ['e4', 'ɤ↘'],
    ['ei1', 'ei→'],
    ['en1', 'ə→n'],
    ['eng1', 'ə→ŋ'],
    ['ou1', 'ou→'],
    ['er2', 'ɚ↗'],
    ['o4', 'ɔ↘'],
    ['ê2', 'ɛ↗'],
    ['yo1', 'wo→'],
    ['hm5', 'hm'],
    ['hng5', 'hŋ'],
  ])('zero initial %s → %s', (py, expected) => expect(pinyinToKokoro(py)).toBe(expected));
});

describe('espeak IPA → Kokoro symbols', () => {
  it.each([
    ['h_ə_l_ˈoʊ', 'en-us', 'həlˈO'],
    ['h_ə_l_ˈəʊ', 'en-gb', 'həlˈQ'],
    ['ð_ɪ_s ɪ_z ɐ s_ˈæ_m_p_əl', 'en-us', 'ðɪs ɪz ə sˈæmpᵊl'],
    ['b_ɹ_ˈaʊ_n f_ˈɑː_k_s', 'en-us', 'bɹˈWn fˈɑks'],
    ['dʒ_ˈʌ_m_p_s | l_ˈeɪ_z_i', 'en-us', 'ʤˈʌmps lˈAzi'],
    ['w_ˈɜː_d', 'en-us', 'wˈɜɹd'],
    ['w_ˈɜː_d', 'en-gb', 'wˈɜːd'],
    // misaki's espeak fallback turns ʔn̩ into ʔn, and ʔ is written t (its gold "button" is bˈʌʔn).
    ['b_ˈʌ_ʔ_n̩', 'en-us', 'bˈʌtn'],
    ['b_ˈʌ_t_n̩', 'en-us', 'bˈʌtᵊn'],
    // Vowel sequences espeak writes as one unit are mapped piece by piece (fire, science, hour).
    ['f_ˈaɪɚ', 'en-us', 'fˈIəɹ'],
    ['s_ˈaɪə_n_s', 'en-us', 'sˈIəns'],
    ['ˈaʊ_ɚ', 'en-us', 'ˈWəɹ'],
    ['f_ˈaɪə', 'en-gb', 'fˈIə'],
    ['w_ˈɔː_ɾ_ɚ', 'en-us', 'wˈɔTəɹ'],
    ['h_ˈeə', 'en-gb', 'hˈɛː'],
    ['tʃ_ˈɔɪ_s', 'en-us', 'ʧˈYs'],
  ] as const)('%s (%s) → %s', (ipa, accent, expected) => expect(mapEspeakIpa(ipa, accent)).toBe(expected));
});

describe('token batches', () => {
  const vocab = Vocab.fromConfig({ vocab: { ' ': 16, ',': 3, '.': 4, a: 43, b: 44 } });

  it('keeps a short run in one call', () => {
    expect(splitTokens(vocab.encode('ab, ab.'), vocab)).toEqual([{ ids: vocab.encode('ab, ab.'), end: 'none' }]);
  });

  it('cuts long runs at sentence ends first, then clauses, then words, never above the limit', () => {
    const sentence = `${'ab '.repeat(30)}ab.`; // 92 tokens
    const ids = vocab.encode(`${sentence} ${sentence} ${sentence}`);
    const batches = splitTokens(ids, vocab, 200);
    expect(batches.map((b) => b.end)).toEqual(['sentence', 'none']);
    expect(batches.every((b) => b.ids.length <= 200)).toBe(true);
    const clauses = splitTokens(vocab.encode(`${'ab, '.repeat(60)}ab`), vocab, 100);
    expect(clauses[0]!.end).toBe('clause');
    expect(clauses.every((b) => b.ids.length <= 100)).toBe(true);
    const words = splitTokens(vocab.encode('ab '.repeat(100)), vocab, 50);
    expect(words[0]!.end).toBe('word');
    const hard = splitTokens(vocab.encode('a'.repeat(120)), vocab, 50);
    expect(hard.map((b) => b.ids.length)).toEqual([50, 50, 20]);
  });
});

describe('phoneme cache', () => {
  it('counts hits and misses and evicts the least recently used entry', () => {
    const c = new PhonemeCache(2);
    let computed = 0;
    const f = () => `v${++computed}`;
    expect(c.get('a', f)).toBe('v1');
    expect(c.get('b', f)).toBe('v2');
    expect(c.get('a', f)).toBe('v1');
    c.get('c', f); // evicts b
    expect(c.get('b', f)).toBe('v4');
    expect(c.stats()).toEqual({ hits: 1, misses: 4, size: 2, capacity: 2 });
  });
});

describe('Kokoro front-end with the real phonemizers', () => {
  let front: KokoroFrontEnd;
  beforeAll(async () => {
    front = new KokoroFrontEnd({ en: await EnPhonemizer.create(), zh: await ZhPhonemizer.create() }, 100);
  }, 30_000);

  const phonemize = (text: string, accent: 'en-us' | 'en-gb' = 'en-us') =>
    splitLanguageRuns(text).map((r) => front.phonemize(r, accent));

  it.each([
    // Lexicon readings (misaki's gold): the article "a" is ɐ; "It" capitalised gains a secondary stress.
    ['Hello, this is a sample.', 'en-us', 'həlˈO, ðɪs ɪz ɐ sˈæmpᵊl.'],
    ['The quick brown fox!', 'en-us', 'ðə kwˈɪk bɹˈWn fˈɑks!'],
    ['Hello, this is a sample.', 'en-gb', 'həlˈQ, ðɪs ɪz ɐ sˈɑːmpᵊl.'],
    ['It costs $5.', 'en-us', 'ˌɪt kˈɔsts fˈIv dˈɑləɹz.'],
    // Number words from digits stay separate words, each from the lexicon (ninety nˈIndi).
    ['3,497', 'en-us', 'θɹˈi θˈWzᵊnd fˈɔɹ hˈʌndɹəd nˈIndi sˈɛvən'],
  ] as const)('English: %s (%s)', (text, accent, expected) => {
    expect(phonemize(text, accent)).toEqual([expected]);
  });

  it.each([
    // misaki legacy (zh.py@fba1236 with pypinyin 0.53, jieba 0.42.1): dictionary tones, no
    // third-tone sandhi (the old expectations had ni↗xau↓ and ꭧa↗nla↗nkwa↓n), jieba with HMM.
    ['你好，这是一个语音示例。', 'ni↓xau↓, ꭧɤ↘ʂɨ↘ i↗kɤ↘ y↓i→n ʂɨ↘li↘.'],
    ['展览馆里有很多人？', 'ꭧa↓nla↓nkwa↓n li↓ jou↓ xə↓ntwo→ ɻə↗n?'],
    ['他的收入增长了100倍！', 'tʰa→ tɤ ʂou→ɻu↘ ʦə→ŋꭧa↓ŋ lɤ i↘pai↓pei↘!'],
    ['《好书》', '“xau↓ʂu→”'],
  ])('Mandarin: %s', (text, expected) => {
    expect(phonemize(text)).toEqual([expected]);
  });

  it('phonemizes mixed text run by run (the number goes with the run after the space)', () => {
    expect(phonemize('我用iPhone 15拍照。Hello!')).toEqual(['wo↓jʊ↘ŋ', 'ˈIfˌOn', 'ʂɨ↗u↓ pʰai→ꭧau↘.', 'həlˈO!']);
  });

  it('answers repeated sentences from the cache', () => {
    const before = front.cacheStats();
    front.phonemize({ lang: 'en', text: 'Cache me. Cache me.' }, 'en-us');
    const after = front.cacheStats();
    expect(after.misses - before.misses).toBe(1);
    expect(after.hits - before.hits).toBe(1);
  });

  it('pre-warms with common phrases without counting them', () => {
    const f = new KokoroFrontEnd({ en: { phonemize: () => 'x' }, zh: { phonemize: () => 'y' } }, 1000);
    f.prewarm();
    expect(f.cacheStats()).toMatchObject({ hits: 0, misses: 0 });
    expect(f.cacheStats().size).toBeGreaterThan(20);
    f.phonemize({ lang: 'zh', text: '谢谢。' }, 'en-us');
    expect(f.cacheStats().hits).toBe(1);
  });

  const config = KOKORO_CONFIG;
  it('maps phonemes to the token ids of the real vocabulary', () => {
    const vocab = Vocab.fromConfig(JSON.parse(readFileSync(config, 'utf8')));
    expect(vocab.encode('həlˈO, ðɪs.')).toEqual([50, 83, 54, 156, 31, 3, 16, 81, 102, 61, 4]);
    expect(vocab.encode('ni↓xau↓')).toEqual([56, 51, 169, 66, 43, 63, 169]);
    expect(vocab.encode('ꭧʰɨ→')).toEqual([23, 162, 101, 171]);
    // Every symbol the front-end produces for a varied sample is in the vocabulary.
    const sample = phonemize(
      '你好，世界！The year 2026 was 100倍 better: “quite” (really) good… 绿色的女儿去学校。',
    ).join(' ');
    expect([...sample].filter((ch) => vocab.idOf(ch) === undefined)).toEqual([]);
  });
});
