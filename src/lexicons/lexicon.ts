import { AppError } from '../domain/errors.js';
import { parseAnnotation } from '../text/annotations.js';

/** One pronunciation: `text` read as `pinyin` (Mandarin), `ipa` (English) or as the `alias` spelling. */
export interface LexiconEntry {
  text: string;
  lang: 'zh' | 'en';
  pinyin?: string;
  ipa?: string;
  alias?: string;
}

/** What a job carries: the lexicons it used (name@version, shown in its view) and their entries (which the cache key hashes). */
export interface AppliedLexicons {
  used: string[];
  entries: LexiconEntry[];
}

export const LEXICON_LIMITS = {
  entries: 1000,
  textChars: 64,
  valueChars: 128,
  perTenant: 50,
  perJob: 5,
} as const;

export const LEXICON_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/u;

const bad = (message: string, details: Record<string, unknown> = {}) =>
  new AppError('invalid_lexicon', message, { status: 400, details });

/** Check a lexicon body `{entries: [...]}`; every problem names the entry it is in. */
export function parseLexicon(body: unknown): LexiconEntry[] {
  const entries = (body as { entries?: unknown } | null)?.entries;
  if (!Array.isArray(entries)) throw bad('The body must be {"entries": [{text, lang, pinyin | ipa | alias}, …]}');
  if (entries.length > LEXICON_LIMITS.entries)
    throw new AppError('lexicon_too_large', `A lexicon holds at most ${LEXICON_LIMITS.entries} entries`, {
      status: 413,
      details: { max_entries: LEXICON_LIMITS.entries, entries: entries.length },
    });
  return entries.map((e: unknown, i) => {
    const at = { entry: i };
    if (typeof e !== 'object' || e === null) throw bad(`entries[${i}] must be an object`, at);
    const { text, lang, pinyin, ipa, alias } = e as Record<string, unknown>;
    if (typeof text !== 'string' || !text.trim() || [...text].length > LEXICON_LIMITS.textChars)
      throw bad(`entries[${i}].text must be 1–${LEXICON_LIMITS.textChars} characters`, at);
    if (lang !== 'zh' && lang !== 'en') throw bad(`entries[${i}].lang must be "zh" or "en"`, at);
    const given = [pinyin, ipa, alias].filter((v) => v !== undefined);
    if (given.length !== 1 || typeof given[0] !== 'string' || [...given[0]].length > LEXICON_LIMITS.valueChars)
      throw bad(
        `entries[${i}] needs exactly one of pinyin, ipa or alias (a string of at most ${LEXICON_LIMITS.valueChars})`,
        at,
      );
    const word = text.trim();
    if (pinyin !== undefined) {
      const ph = lang === 'zh' ? parseAnnotation(word, String(pinyin)) : undefined;
      if (!ph?.pinyin)
        throw bad(
          `entries[${i}].pinyin must be tone-numbered pinyin, one syllable per Han character of a zh entry`,
          at,
        );
      return { text: word, lang, pinyin: ph.pinyin };
    }
    if (ipa !== undefined) {
      const ph = lang === 'en' ? parseAnnotation(word, String(ipa)) : undefined;
      if (!ph?.ipa) throw bad(`entries[${i}].ipa must be IPA for an en entry`, at);
      return { text: word, lang, ipa: ph.ipa };
    }
    const a = String(alias).trim();
    if (!a) throw bad(`entries[${i}].alias is empty`, at);
    return { text: word, lang, alias: a };
  });
}
