/**
 * misaki's English word lexicons (gold, then silver), the readings Kokoro v1.0 was trained on,
 * and the rules misaki uses to read a word from them: capitalisation, part-of-speech entries,
 * spelled-out initialisms, and -s / -ed / -ing / possessive endings built on a known stem.
 * Entries keyed by part of speech take the tag the sentence's tagger gave the word
 * (homographs-en.ts); misaki's "None" entries and the/to/a/an/am/in look at the next word.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { packagePath } from '../../package-root.js';
import type { WordSense } from './homographs-en.js';
import { type Entry, pick, pickFor } from './pos-keys-en.js';
import { applyStress, PRIMARY, SECONDARY } from './stress-en.js';

export type Accent = 'en-us' | 'en-gb';

/** The shipped lexicons, resolved from the package root so src/ (tests) and dist/ (built) both find them. */
export const LEXICON_DIR = packagePath('lexicons', 'en');

/**
 * What the rest of the sentence tells a word: whether a vowel, a consonant or a pause (null)
 * follows, and its part of speech ("to record" VB ɹəkˈɔɹd, "the record" NN ɹˈɛkəɹd).
 */
export interface WordContext extends WordSense {
  futureVowel: boolean | null;
  futureTo: boolean;
  /**
   * The sentence has lowercase letters, so a word in capitals is an acronym ("the US economy",
   * "IT staff") rather than shouting: misaki's tagger makes it a noun and spells it.
   */
  mixedCase?: boolean;
}

const SYMBOLS = new Map([
  ['%', 'percent'],
  ['&', 'and'],
  ['+', 'plus'],
  ['@', 'at'],
]);
const LETTERS = /^[A-Za-z]+$/;
const ALPHA = /^\p{L}+$/u;
const US_TAUS = new Set('AIOWYiuæɑəɛɪɹʊʌ');
// Capitalised function words and interjections that are emphasis, not acronyms, even in mixed case.
const EMPHATIC = new Set('AH AS BE HE HI HM HMM IS ME MM OH OR OFT OU SOB POW'.split(' '));

const lower = (w: string) => w.toLowerCase();
const upper = (w: string) => w.toUpperCase();
const capitalize = (w: string) => (w ? upper(w[0] ?? '') + lower(w.slice(1)) : w);

/**
 * One lexicon file (gzip JSON) with misaki's case variants: "fire" also answers "Fire" and
 * "Paris" also "paris", unless the file has that spelling itself. The variants are found at
 * lookup time rather than copied, which keeps loading to a gunzip and a JSON.parse.
 */
export class Dict {
  private constructor(private readonly raw: Record<string, Entry>) {}

  static read(path: string): Dict {
    return new Dict(JSON.parse(gunzipSync(readFileSync(path)).toString('utf8')) as Record<string, Entry>);
  }

  get(word: string): Entry | undefined {
    if (Object.hasOwn(this.raw, word)) return this.raw[word];
    if (word.length < 2) return undefined;
    const wl = lower(word);
    if (word === wl) {
      const cap = capitalize(word);
      return cap !== word && Object.hasOwn(this.raw, cap) ? this.raw[cap] : undefined;
    }
    if (word === capitalize(word) && wl !== capitalize(wl) && Object.hasOwn(this.raw, wl)) return this.raw[wl];
    return undefined;
  }

  has(word: string): boolean {
    return this.get(word) !== undefined;
  }

  /** The file's own keys, without the case variants. */
  keys(): string[] {
    return Object.keys(this.raw);
  }
}

export class EnLexicon {
  private constructor(
    readonly accent: Accent,
    readonly golds: Dict,
    readonly silvers: Dict,
  ) {}

  /** Loads the accent's gold and silver lexicons from `dir` (synchronously: ~0.2 s once per accent). */
  static load(accent: Accent, dir = LEXICON_DIR): EnLexicon {
    const p = accent === 'en-gb' ? 'gb' : 'us';
    return new EnLexicon(
      accent,
      Dict.read(join(dir, `${p}_gold.json.gz`)),
      Dict.read(join(dir, `${p}_silver.json.gz`)),
    );
  }

  private get british(): boolean {
    return this.accent === 'en-gb';
  }

  /** The gold entry as written (its default reading), for tests and tools. */
  gold(word: string): string | null {
    return pick(this.golds.get(word), null);
  }

  silver(word: string): string | null {
    return pick(this.silvers.get(word), null);
  }

  /** The entry a word is read from (gold, else silver), as written. */
  entry(word: string): Entry | undefined {
    return this.golds.get(word) ?? this.silvers.get(word);
  }

  /** Phonemes of one word (letters, apostrophes, dots of an initialism), or null when only espeak can read it. */
  word(text: string, ctx: WordContext): string | null {
    const word = text.normalize('NFKC').replace(/[‘’]/g, "'");
    const stress = word === lower(word) ? null : word === upper(word) ? 2 : 0.5;
    return this.getWord(word, stress, ctx);
  }

  /** Letters read one by one ("USA" → jˌuˌɛsˈA): the last letter carries the primary stress. */
  spell(word: string): string | null {
    const parts: string[] = [];
    for (const c of word) {
      if (!/\p{L}/u.test(c)) continue;
      const p = pick(this.golds.get(upper(c)), null);
      if (p === null) return null;
      parts.push(p);
    }
    const ps = applyStress(parts.join(''), 0);
    const cut = ps.lastIndexOf(SECONDARY);
    return cut < 0 ? ps : ps.slice(0, cut) + PRIMARY + ps.slice(cut + 1);
  }

  private special(word: string, stress: number | null, ctx: WordContext): string | null {
    const symbol = SYMBOLS.get(word);
    if (symbol) return this.lookup(symbol, null, ctx);
    const inner = word.replace(/^\.+|\.+$/g, '');
    if (inner.includes('.') && LETTERS.test(word.replaceAll('.', '')) && word.split('.').every((s) => s.length < 3))
      return this.spell(word);
    // misaki reads the determiner "a" as ɐ and the letter as ˈA; a word after it (not a pause) makes it the determiner.
    if (word === 'a' || word === 'A') return ctx.futureVowel !== null ? 'ɐ' : 'ˈA';
    if (word === 'am' || word === 'Am' || word === 'AM') {
      if (ctx.futureVowel === null || word !== 'am' || (stress !== null && stress > 0)) return this.gold('am');
      return 'ɐm';
    }
    if (word === 'an' || word === 'An' || word === 'AN') return 'ɐn';
    if (word === 'I') return `${SECONDARY}I`;
    if (word === 'to' || word === 'To' || word === 'TO')
      return ctx.futureVowel === null ? this.gold('to') : ctx.futureVowel ? 'tʊ' : 'tə';
    if (word === 'in' || word === 'In' || word === 'IN') return `${ctx.futureVowel === null ? PRIMARY : ''}ɪn`;
    if (word === 'the' || word === 'The' || word === 'THE') return ctx.futureVowel === true ? 'ði' : 'ðə';
    if (/^vs\.?$/i.test(word)) return this.lookup('versus', null, ctx);
    if (word === 'used' || word === 'Used' || word === 'USED') {
      const e = this.golds.get('used');
      // "used to" is jˈust (misaki: VBD or JJ before "to"), but the passive "is used to cut" keeps jˈuzd.
      const habitual = ctx.futureTo && ctx.tag !== 'VBN';
      return typeof e === 'object' ? pick(e, habitual ? 'VBD' : null) : pick(e, null);
    }
    return null;
  }

  private isKnown(word: string): boolean {
    if (this.golds.has(word) || SYMBOLS.has(word) || this.silvers.has(word)) return true;
    if (!LETTERS.test(word)) return false;
    if (word.length === 1) return true;
    if (word === upper(word) && this.golds.has(lower(word))) return true;
    return word.slice(1) === upper(word.slice(1));
  }

  private lookup(input: string, stress: number | null, ctx: WordContext | null): string | null {
    let word = input;
    if (word === upper(word) && !this.golds.has(word)) word = lower(word);
    const entry = this.golds.get(word) ?? this.silvers.get(word);
    if (typeof entry === 'object' && ctx?.mixedCase && isAcronym(word, entry)) return this.spell(word);
    const own = ctx?.reading?.word === lower(word) ? ctx.reading.phonemes : undefined;
    // In a sentence all in capitals a word is shouted, not spelled, whatever its tag ("THE ACT").
    const shouted = (e: Record<string, string | null>) => (ctx?.mixedCase === false ? (e.DEFAULT ?? null) : null);
    const keyed = (e: Record<string, string | null>) => pickFor(e, ctx?.tag, ctx?.futureVowel === null) ?? shouted(e);
    const ps = own ?? (typeof entry === 'object' ? keyed(entry) : entry);
    if (ps === null || ps === undefined) return this.spell(word);
    return applyStress(ps, stress);
  }

  private getWord(input: string, stress: number | null, ctx: WordContext): string | null {
    const special = this.special(input, stress, ctx);
    if (special !== null) return special;
    let word = input;
    const wl = lower(word);
    if (
      word.length > 1 &&
      ALPHA.test(word.replaceAll("'", '')) &&
      word !== wl &&
      !this.golds.has(word) &&
      !this.silvers.has(word) &&
      (word === upper(word) || word.slice(1) === lower(word.slice(1))) &&
      (this.golds.has(wl) ||
        this.silvers.has(wl) ||
        this.stemS(wl, stress, ctx) ||
        this.stemEd(wl, stress, ctx) ||
        this.stemIng(wl, stress, ctx))
    )
      word = wl;
    if (this.isKnown(word)) return this.lookup(word, stress, ctx);
    // "U.S.A.'s": the possessive of a spelled initialism.
    const initialism = /^((?:[A-Za-z]{1,2}\.){2,})'s$/.exec(word)?.[1];
    const spelled = initialism ? this.spell(initialism) : null;
    if (spelled) return this.suffixS(spelled);
    if (word.endsWith("s'") && this.isKnown(`${word.slice(0, -2)}'s`))
      return this.lookup(`${word.slice(0, -2)}'s`, stress, ctx);
    if (word.endsWith("'") && this.isKnown(word.slice(0, -1))) return this.lookup(word.slice(0, -1), stress, ctx);
    return this.stemS(word, stress, ctx) ?? this.stemEd(word, stress, ctx) ?? this.stemIng(word, stress ?? 0.5, ctx);
  }

  // Endings, after https://en.wiktionary.org/wiki/-s, -ed and -ing as misaki applies them.
  /** Adds a plural / possessive / third-person -s to a phoneme string. */
  suffixS(stem: string): string {
    const last = stem.at(-1) ?? '';
    if ('ptkfθ'.includes(last)) return `${stem}s`;
    if ('szʃʒʧʤ'.includes(last)) return `${stem}${this.british ? 'ɪ' : 'ᵻ'}z`;
    return `${stem}z`;
  }

  private stemS(word: string, stress: number | null, ctx: WordContext): string | null {
    if (word.length < 3 || !word.endsWith('s')) return null;
    let stem: string;
    if (!word.endsWith('ss') && this.isKnown(word.slice(0, -1))) stem = word.slice(0, -1);
    else if (
      (word.endsWith("'s") || (word.length > 4 && word.endsWith('es') && !word.endsWith('ies'))) &&
      this.isKnown(word.slice(0, -2))
    )
      stem = word.slice(0, -2);
    else if (word.length > 4 && word.endsWith('ies') && this.isKnown(`${word.slice(0, -3)}y`))
      stem = `${word.slice(0, -3)}y`;
    else return null;
    const ps = this.lookup(stem, stress, ctx);
    return ps ? this.suffixS(ps) : null;
  }

  private suffixEd(stem: string): string {
    const last = stem.at(-1) ?? '';
    if ('pkfθʃsʧ'.includes(last)) return `${stem}t`;
    if (last === 'd') return `${stem}${this.british ? 'ɪ' : 'ᵻ'}d`;
    if (last !== 't') return `${stem}d`;
    if (this.british || stem.length < 2) return `${stem}ɪd`;
    if (US_TAUS.has(stem.at(-2) ?? '')) return `${stem.slice(0, -1)}ɾᵻd`;
    return `${stem}ᵻd`;
  }

  private stemEd(word: string, stress: number | null, ctx: WordContext): string | null {
    if (word.length < 4 || !word.endsWith('d')) return null;
    let stem: string;
    if (!word.endsWith('dd') && this.isKnown(word.slice(0, -1))) stem = word.slice(0, -1);
    else if (word.length > 4 && word.endsWith('ed') && !word.endsWith('eed') && this.isKnown(word.slice(0, -2)))
      stem = word.slice(0, -2);
    else return null;
    const ps = this.lookup(stem, stress, ctx);
    return ps ? this.suffixEd(ps) : null;
  }

  private suffixIng(stem: string): string | null {
    const last = stem.at(-1) ?? '';
    if (this.british) return 'əː'.includes(last) ? null : `${stem}ɪŋ`;
    if (stem.length > 1 && last === 't' && US_TAUS.has(stem.at(-2) ?? '')) return `${stem.slice(0, -1)}ɾɪŋ`;
    return `${stem}ɪŋ`;
  }

  private stemIng(word: string, stress: number | null, ctx: WordContext): string | null {
    if (word.length < 5 || !word.endsWith('ing')) return null;
    let stem: string;
    if (word.length > 5 && this.isKnown(word.slice(0, -3))) stem = word.slice(0, -3);
    else if (this.isKnown(`${word.slice(0, -3)}e`)) stem = `${word.slice(0, -3)}e`;
    else if (word.length > 5 && /([bcdgklmnprstvxz])\1ing$|cking$/.test(word) && this.isKnown(word.slice(0, -4)))
      stem = word.slice(0, -4);
    else return null;
    const ps = this.lookup(stem, stress, ctx);
    return ps ? this.suffixIng(ps) : null;
  }
}

/** An all-caps entry whose noun reading is "spell it" (US, IT, ID, LED, WHO …), outside the emphatic words. */
function isAcronym(word: string, entry: Record<string, string | null>): boolean {
  return word.length > 1 && word === upper(word) && 'NOUN' in entry && entry.NOUN === null && !EMPHATIC.has(word);
}
