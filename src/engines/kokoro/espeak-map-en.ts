/**
 * espeak-ng's English IPA rewritten into misaki's symbols, the rules of misaki's espeak
 * fallback: diphthongs and affricates as single letters (aɪ → I, eɪ → A, oʊ → O, dʒ → ʤ …),
 * r-coloured ɚ as əɹ, syllabic consonants with ᵊ, length marks only in British English.
 * espeak writes one phoneme per "_"-separated unit, but a unit may hold a whole vowel
 * sequence ("aɪɚ" in fire, "aɪə" in science): each unit is rewritten piece by piece,
 * longest piece first, so no sequence is left unmapped.
 */
import type { Accent } from './lexicon-en.js';

const COMMON: Record<string, string> = {
  aɪ: 'I',
  aʊ: 'W',
  eɪ: 'A',
  ɔɪ: 'Y',
  dʒ: 'ʤ',
  tʃ: 'ʧ',
  əl: 'ᵊl',
  ɚ: 'əɹ',
  r: 'ɹ',
  x: 'k',
  ç: 'k',
  ɐ: 'ə',
  ɬ: 'l',
  e: 'A',
  o: 'ɔ',
  ɪ̈: 'ᵻ',
  ʔ: 't',
  ɾ: 'T',
};
const US: Record<string, string> = { ...COMMON, oʊ: 'O', əʊ: 'O', ɜːɹ: 'ɜɹ', ɜː: 'ɜɹ', ɪə: 'iə', ɚː: 'əɹ' };
const GB: Record<string, string> = { ...COMMON, əʊ: 'Q', oʊ: 'Q', eə: 'ɛː', iə: 'ɪə' };
const LONGEST = (t: Record<string, string>) => Math.max(...Object.keys(t).map((k) => k.length));
const US_MAX = LONGEST(US);
const GB_MAX = LONGEST(GB);

/** Rewrites one espeak phoneme unit (stress marks already removed). */
function mapUnit(unit: string, table: Record<string, string>, max: number): string {
  let out = '';
  let i = 0;
  while (i < unit.length) {
    let n = Math.min(max, unit.length - i);
    for (; n > 0; n--) {
      const hit = table[unit.slice(i, i + n)];
      if (hit !== undefined) {
        out += hit;
        break;
      }
    }
    if (n === 0) {
      out += unit[i];
      n = 1;
    }
    i += n;
  }
  return out;
}

/**
 * espeak's IPA ("h_ə_l_ˈoʊ | w_ˈɜːld", phonemes split by "_", words by " ", clauses
 * by "|") → Kokoro symbols ("həlˈO wˈɜɹld").
 */
export function mapEspeakIpa(ipa: string, accent: Accent): string {
  const gb = accent === 'en-gb';
  const table = gb ? GB : US;
  const max = gb ? GB_MAX : US_MAX;
  const words: string[] = [];
  for (const word of ipa.split(/\s+/)) {
    if (!word || word === '|') continue;
    let w = '';
    let prev = '';
    for (const unit of word.split('_')) {
      if (!unit) continue;
      const stress = /^[ˈˌ]*/.exec(unit)?.[0] ?? '';
      let p = unit.slice(stress.length).replace(/ʲ|\u0303/g, '');
      if (p.endsWith('\u0329')) {
        // A syllabic consonant is read with a faint schwa before it, except n after a glottal stop (misaki: ʔn̩ → ʔn).
        p = prev === 'ʔ' && p === 'n\u0329' ? 'n' : `ᵊ${p.slice(0, -1)}`;
      }
      prev = p;
      let mapped = mapUnit(p, table, max);
      if (!gb) mapped = mapped.replace(/ː/g, '');
      w += stress + mapped;
    }
    // espeak sometimes writes the r of an r-coloured vowel twice once ɜː and ɚ have become ɜɹ and əɹ.
    if (w) words.push(w.replace(/([ɜə]ɹ)ɹ/g, '$1'));
  }
  return words.join(' ');
}
