/**
 * Conformance with misaki's lexicons, which are the rule: words drawn evenly across the shipped
 * gold and silver files must come out of the front-end exactly as the file writes them.
 * A word stands alone, so a part-of-speech entry gives its "None" reading (misaki's choice
 * before a pause) when it has one and its DEFAULT otherwise; flaps and glottal stops are
 * written T and t as misaki does without a version. Excluded from the draw, with cases of
 * their own in kokoro-en-sentences.test.ts: the words misaki's get_special_case reads by
 * context (a, an, am, I, in, the, to, by, used, vs) and the dotted abbreviations (Dr., etc.).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { EnPhonemizer } from '../../src/engines/kokoro/g2p-en.js';
import { LEXICON_DIR } from '../../src/engines/kokoro/lexicon-en.js';
import { KOKORO_EN_SYMBOLS } from '../fixtures/kokoro-en-symbols.js';

type Entry = string | Record<string, string | null>;
const read = (name: string) =>
  JSON.parse(gunzipSync(readFileSync(join(LEXICON_DIR, `${name}.json.gz`))).toString('utf8')) as Record<string, Entry>;

const SPECIAL = /^(?:a|an|am|i|in|the|to|by|used|vs)$/i;
// All-caps words whose entry has no primary stress get one (misaki apply_stress with stress 2).
const ALL_CAPS: Record<string, string> = {
  AS: 'ˈæz',
  BE: 'bˈi',
  DA: 'dˈə',
  HE: 'hˈi',
  IS: 'ˈɪz',
  IT: 'ˈɪt',
  LA: 'lˈɑ',
  ME: 'mˈi',
  OR: 'ˈɔɹ',
  RE: 'ɹˈA',
  US: 'ˈʌs',
  WHO: 'hˈu',
};

function alone(entry: Entry): string | null {
  if (typeof entry === 'string') return entry;
  return entry.None ?? entry.DEFAULT ?? null;
}
const written = (ps: string) => ps.replace(/ɾ/g, 'T').replace(/ʔ/g, 't');

/** `n` keys spread evenly over the file order of `keys`. */
function draw(keys: string[], n: number): string[] {
  const step = keys.length / n;
  return Array.from({ length: n }, (_, i) => keys[Math.floor(i * step)] ?? '');
}

const capitalize = (w: string) => (w[0] ?? '').toUpperCase() + w.slice(1).toLowerCase();

function samples(accent: 'us' | 'gb', goldN: number, silverN: number) {
  const gold = read(`${accent}_gold`);
  const silver = read(`${accent}_silver`);
  const goldKeys = draw(
    Object.keys(gold).filter((k) => !SPECIAL.test(k) && !k.includes('.')),
    goldN,
  );
  const inGold = (k: string) => k in gold || k.toLowerCase() in gold || capitalize(k) in gold;
  const silverKeys = draw(
    Object.keys(silver).filter((k) => !inGold(k) && !SPECIAL.test(k)),
    silverN,
  );
  const goldCases = goldKeys.map((k) => {
    const e = gold[k];
    const ps = accent === 'us' && ALL_CAPS[k] ? ALL_CAPS[k] : e === undefined ? null : alone(e);
    return [k, written(ps ?? '')] as const;
  });
  const silverCases = silverKeys.map((k) => [k, written(alone(silver[k] ?? '') ?? '')] as const);
  return { goldCases, silverCases };
}

describe('misaki lexicon conformance', () => {
  let en: EnPhonemizer;
  beforeAll(async () => {
    en = await EnPhonemizer.create();
  }, 60_000);

  const us = samples('us', 2000, 200);
  const gb = samples('gb', 500, 100);

  const agreement = (cases: readonly (readonly [string, string])[], accent: 'en-us' | 'en-gb') => {
    const wrong = cases
      .map(([w, expected]) => ({ w, expected, got: en.phonemize(w, accent) }))
      .filter((x) => x.got !== x.expected);
    return { wrong, total: cases.length };
  };

  it('draws 2,000 distinct US gold words and 200 US silver words', () => {
    expect(new Set(us.goldCases.map(([w]) => w)).size).toBe(2000);
    expect(new Set(us.silverCases.map(([w]) => w)).size).toBe(200);
    expect(us.goldCases.every(([, ps]) => ps.length > 0)).toBe(true);
  });

  it('reads every sampled US gold word exactly as the lexicon writes it', () => {
    expect(agreement(us.goldCases, 'en-us').wrong).toEqual([]);
  });

  it('reads every sampled US silver word exactly as the lexicon writes it', () => {
    expect(agreement(us.silverCases, 'en-us').wrong).toEqual([]);
  });

  it('reads every sampled British gold and silver word exactly as the lexicon writes it', () => {
    expect(agreement(gb.goldCases, 'en-gb').wrong).toEqual([]);
    expect(agreement(gb.silverCases, 'en-gb').wrong).toEqual([]);
  });

  it('emits only Kokoro English symbols for every sampled word', () => {
    const out = [
      ...us.goldCases.map(([w]) => en.phonemize(w, 'en-us')),
      ...us.silverCases.map(([w]) => en.phonemize(w, 'en-us')),
      ...gb.goldCases.map(([w]) => en.phonemize(w, 'en-gb')),
    ].join(' ');
    expect([...new Set(out)].filter((c) => !KOKORO_EN_SYMBOLS.has(c))).toEqual([]);
  });

  // The defects the lexicon-first reading fixes (issue 22), in misaki's gold spelling.
  it.each([
    ['fire', 'fˈIəɹ'],
    ['iron', 'ˈIəɹn'],
    ['science', 'sˈIəns'],
    ['diet', 'dˈIət'],
    ['quiet', 'kwˈIət'],
    ['lion', 'lˈIən'],
    ['society', 'səsˈIəTi'],
    ['violent', 'vˈIᵊlənt'],
    ['ninety', 'nˈIndi'],
  ])('%s → %s', (w, expected) => expect(en.phonemize(w, 'en-us')).toBe(expected));
});
