/**
 * Homographs: words of misaki's US gold lexicon whose reading depends on the part of speech
 * (read, lead, record, close, live, object, use, present, wind, tear, wound, bass, minute…),
 * read in sentences through the tagger and the rules of homographs-en.ts, each expected reading
 * holding the gold entry's reading for the key the word's use calls for.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { KokoroFrontEnd } from '../../src/engines/kokoro/frontend.js';
import { EnPhonemizer } from '../../src/engines/kokoro/g2p-en.js';
import { type SentenceToken, senses } from '../../src/engines/kokoro/homographs-en.js';
import { LEXICON_DIR } from '../../src/engines/kokoro/lexicon-en.js';
import { pennTag } from '../../src/engines/kokoro/pos-compromise.js';
import { parentTag, pickFor } from '../../src/engines/kokoro/pos-keys-en.js';
import type { PosTagger } from '../../src/engines/kokoro/pos-tagger.js';
import { DEVELOPED, HELD_OUT, HELD_OUT_2, type HomographCase } from '../fixtures/homograph-cases-en.js';

type Entry = string | Record<string, string | null>;
const gold = JSON.parse(gunzipSync(readFileSync(join(LEXICON_DIR, 'us_gold.json.gz'))).toString('utf8')) as Record<
  string,
  Entry
>;

/** The gold reading of `word` under `key` (METAL: the project's reading of lead the metal). */
function reading(word: string, key: string): string | null | undefined {
  if (key === 'METAL') return 'lˈɛd';
  const e = gold[word];
  return typeof e === 'string' ? (key === 'DEFAULT' ? e : undefined) : e?.[key];
}

const table = (cases: HomographCase[]) => cases.map(([input, expected, word, key]) => ({ input, expected, word, key }));

describe('homographs read by their part of speech', () => {
  let front: KokoroFrontEnd;
  beforeAll(async () => {
    front = new KokoroFrontEnd({ en: await EnPhonemizer.create(), zh: { phonemize: () => '' } }, 0);
  }, 60_000);

  const cases = [...table(DEVELOPED), ...table(HELD_OUT), ...table(HELD_OUT_2)];

  it('has at least 40 sentences over at least 20 homographs', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(new Set(cases.map((c) => c.word)).size).toBeGreaterThanOrEqual(20);
  });

  it.each(cases)('each expected reading holds the gold entry for its key: $word $key', ({ expected, word, key }) => {
    const ps = reading(word, key);
    expect(ps, `${word} has no ${key} reading`).toBeTruthy();
    expect(expected.split(/[ .,;:!?”“]+/)).toContain(ps);
  });

  it.each(cases)('$input', ({ input, expected }) => {
    expect(front.phonemize({ lang: 'en', text: input }, 'en-us')).toBe(expected);
  });
});

describe('homographs in British English (gb gold, same keys)', () => {
  let en: EnPhonemizer;
  beforeAll(async () => {
    en = await EnPhonemizer.create();
  }, 60_000);
  it.each([
    ['What you read yesterday was good.', 'wˌɒt juː ɹˈɛd jˈɛstədA wɒz ɡˈʊd.'],
    ['He was made of lead.', 'hˌiː wɒz mˌAd ɒv lˈɛd.'],
    ['I will record the record.', 'ˌI wɪl ɹɪkˈɔːd ðə ɹˈɛkɔːd.'],
    ['Please close the door.', 'plˈiːz klˈQz ðə dˈɔː.'],
    ['We live here.', 'wˌiː lˈɪv hˈɪə.'],
    ['The difference is minute.', 'ðə dˈɪfəɹəns ɪz mInjˈuːt.'],
  ])('en-gb: %s', (input, expected) => expect(en.phonemize(input, 'en-gb')).toBe(expected));
});

describe('the tagger is passed in', () => {
  it('with one that tags nothing, the rules alone still decide what the words around tell', async () => {
    const en = await EnPhonemizer.create({ tagger: { tag: (tokens) => tokens.map(() => null) } });
    expect(en.phonemize('What you read yesterday was good.', 'en-us')).toBe('wˌʌt ju ɹˈɛd jˈɛstəɹdˌA wʌz ɡˈʊd.');
    expect(en.phonemize('I will record the record.', 'en-us')).toBe('ˌI wɪl ɹəkˈɔɹd ðə ɹˈɛkəɹd.');
    // No tag and no rule: the DEFAULT reading.
    expect(en.phonemize('They object.', 'en-us')).toBe('ðˌA ˈɑbʤəkt.');
  }, 60_000);
});

describe("misaki's choice among part-of-speech readings", () => {
  const read = { ADJ: 'ɹˈɛd', DEFAULT: 'ɹˈid', VBD: 'ɹˈɛd', VBN: 'ɹˈɛd', VBP: 'ɹˈɛd' };
  const record = { DEFAULT: 'ɹˈɛkəɹd', VERB: 'ɹəkˈɔɹd' };
  it.each([
    [read, 'VBD', false, 'ɹˈɛd'],
    [read, 'VB', false, 'ɹˈid'],
    [read, undefined, false, 'ɹˈid'],
    [record, 'VBZ', false, 'ɹəkˈɔɹd'],
    [record, 'NNS', false, 'ɹˈɛkəɹd'],
    [{ DEFAULT: 'ðɪs', None: 'ðˈɪs' }, 'DT', true, 'ðˈɪs'],
    [{ DEFAULT: 'ˌʌs', NOUN: null }, 'NNP', false, null],
  ] as const)('%j tagged %s (before a pause: %s) → %s', (entry, tag, pause, expected) => {
    expect(pickFor(entry, tag, pause)).toBe(expected);
  });

  it.each([
    ['VBD', 'VERB'],
    ['NNPS', 'NOUN'],
    ['RBR', 'ADV'],
    ['JJS', 'ADJ'],
    ['DT', 'DT'],
  ])('the parent of %s is %s', (tag, parent) => expect(parentTag(tag)).toBe(parent));
});

describe("compromise's tags as Penn tags", () => {
  const term = (normal: string, ...tags: string[]) => ({ text: normal, normal, tags: new Set(tags) });
  it.each([
    [term('read', 'Verb', 'PastTense', 'Participle'), 'VBN'],
    [term('read', 'Verb', 'PastTense'), 'VBD'],
    [term('read', 'Verb', 'PresentTense', 'Infinitive'), 'VB'],
    [term('reads', 'Verb', 'PresentTense'), 'VBZ'],
    [term('will', 'Verb', 'Modal', 'Auxiliary'), 'MD'],
    [term('that', 'Noun', 'Pronoun'), 'DT'],
    [term('that', 'Connector', 'Conjunction'), 'IN'],
    [term('records', 'Noun', 'Plural'), 'NNS'],
    [term('close', 'Adjective'), 'JJ'],
    [term('to', 'Connector', 'Preposition'), 'TO'],
  ])('%j → %s', (t, penn) => expect(pennTag(t)).toBe(penn));
});

describe('the rules over the tagger', () => {
  const sentence = (text: string): SentenceToken[] =>
    text.split(' ').map((w) => ({ text: w, ws: ' ', kind: /^\p{L}/u.test(w) ? 'word' : 'mark' }));
  /** A tagger that says what it is told, so each rule is seen alone. */
  const fixed = (tags: (string | null)[]): PosTagger => ({ tag: () => tags });
  const tagOf = (text: string, tags: (string | null)[], i: number) => senses(sentence(text), fixed(tags))[i]?.tag;

  it('a word after a determiner is no verb', () => expect(tagOf('the record', ['DT', 'VB'], 1)).toBe('NN'));
  it('a word after a modal is a verb', () => expect(tagOf('will record', ['MD', 'NN'], 1)).toBe('VB'));
  it('read after have is the participle', () => expect(tagOf('I have not read it', [], 3)).toBe('VBN'));
  it('read after a singular subject is past', () => expect(tagOf('she read it', ['PRP', 'VBP', 'PRP'], 1)).toBe('VBD'));
  it('read with a past adverb is past', () =>
    expect(tagOf('you read it yesterday', ['PRP', 'VBP', 'PRP', 'NN'], 1)).toBe('VBD'));
  it('read with no sign of the past is present (not misaki’s VBP ɹˈɛd)', () =>
    expect(tagOf('we read it daily', ['PRP', 'VBP', 'PRP', 'RB'], 1)).toBe('VB'));
  it('a word alone is not tagged', () => expect(senses(sentence('read'), fixed(['VBD']))).toEqual([{}]));
  it('lead with no determiner, heading its phrase, is the metal', () => {
    const metal = { word: 'lead', phonemes: 'lˈɛd' };
    expect(senses(sentence('made of lead .'), fixed(['VBN', 'IN', 'NN', null]))[2]?.reading).toEqual(metal);
    expect(senses(sentence('took the lead .'), fixed(['VBD', 'DT', 'NN', null]))[2]?.reading).toBeUndefined();
    expect(senses(sentence('lead singer'), fixed(['NN', 'NN']))[0]?.reading).toBeUndefined();
  });
});
