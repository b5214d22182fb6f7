/**
 * Inline pronunciation: `[Nvidia](/ɛnˈvɪdiə/)` (IPA, the syntax Kokoro-FastAPI users know) and
 * `[行](/xing2/)` (tone-numbered pinyin, one syllable per Han character). Annotations are found
 * in normalized text, stood in for by one private-use character each while the text is chunked
 * (normalization would remove those, chunking keeps them), and become runs of their own that
 * carry the pronunciation. Anything that is not a valid annotation stays as it was written.
 */
import type { Pronunciation, Run } from './types.js';

/** A lexicon entry as the front-end applies it (see src/lexicons). */
export interface LexiconRule {
  text: string;
  lang: 'zh' | 'en';
  pinyin?: string;
  ipa?: string;
  alias?: string;
}

/** Bounded on both sides, and the classes exclude the delimiters, so matching stays linear. */
const ANNOTATION = /\[([^[\]\n]{1,64})\]\(\/([^/\n]{1,128})\/\)/gu;
const HAN = /\p{Script=Han}/gu;
const LATIN = /\p{Script=Latin}/u;
const PINYIN_SYLLABLE = /^(?:[a-z]|ü){1,6}[1-5]$/u;
/** IPA: letters, length and stress marks, ties and syllable dots; no digits or punctuation. */
const IPA = /^[\p{L}\p{M}ˈˌːˑ.‿ ]+$/u;
/** More annotations than this in one text are read as written. */
export const MAX_ANNOTATIONS = 4096;
const PLACEHOLDER_BASE = 0xf0000;

export interface Annotated {
  /** The text with each annotation replaced by its placeholder. */
  text: string;
  marks: { word: string; ph: Pronunciation }[];
}

/** The pronunciation an annotation asks for, or undefined when it is not a valid one. */
export function parseAnnotation(word: string, value: string): Pronunciation | undefined {
  const hanCount = word.match(HAN)?.length ?? 0;
  const v = value.trim();
  if (hanCount > 0) {
    const syllables = v.toLowerCase().replace(/v/gu, 'ü').split(/\s+/u);
    if (syllables.length === hanCount && syllables.every((s) => PINYIN_SYLLABLE.test(s)))
      return { pinyin: syllables.join(' ') };
    return undefined;
  }
  if (LATIN.test(word) && IPA.test(v) && v.trim()) return { ipa: v.replace(/\s+/gu, ' ') };
  return undefined;
}

/** The text as it is spoken: each valid annotation replaced by its word (for counting characters). */
export function stripAnnotations(text: string): string {
  return text.replace(ANNOTATION, (whole, word: string, value: string) =>
    word.trim() && parseAnnotation(word.trim(), value) ? word.trim() : whole,
  );
}

export function markAnnotations(text: string): Annotated {
  const marks: Annotated['marks'] = [];
  const out = text.replace(ANNOTATION, (whole, word: string, value: string) => {
    if (marks.length >= MAX_ANNOTATIONS) return whole;
    const ph = parseAnnotation(word.trim(), value);
    if (!ph || !word.trim()) return whole;
    marks.push({ word: word.trim(), ph });
    return String.fromCodePoint(PLACEHOLDER_BASE + marks.length - 1);
  });
  return { text: out, marks };
}

/** Runs with each placeholder made a run of its own that carries the pronunciation. */
export function splitAnnotatedRuns(runs: readonly Run[], marks: Annotated['marks']): Run[] {
  const out: Run[] = [];
  for (const run of runs) {
    let buf = '';
    const flush = () => {
      if (buf.trim()) out.push({ lang: run.lang, text: buf.trim() });
      buf = '';
    };
    for (const ch of run.text) {
      const i = (ch.codePointAt(0) ?? 0) - PLACEHOLDER_BASE;
      const mark = i >= 0 ? marks[i] : undefined;
      if (!mark) {
        buf += ch;
        continue;
      }
      flush();
      out.push({ lang: mark.ph.pinyin ? 'zh' : 'en', text: mark.word, ph: mark.ph });
    }
    flush();
  }
  return out;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/gu, '\\$&');

/**
 * Apply lexicon entries to text already holding inline placeholders (an inline annotation wins):
 * longest entry first; English entries match whole words, any case; Mandarin entries match as written.
 * A pinyin or IPA entry becomes a placeholder like an annotation; an alias replaces the text.
 */
export function markLexicon(annotated: Annotated, rules: readonly LexiconRule[]): Annotated {
  const marks = [...annotated.marks];
  let text = annotated.text;
  const sorted = [...rules].sort((a, b) => b.text.length - a.text.length);
  for (const rule of sorted) {
    // Entry text is at most 64 characters and escaped: a plain literal, no backtracking.
    const body = escapeRegExp(rule.text);
    const re =
      rule.lang === 'en' ? new RegExp(`(?<![\\p{L}\\p{N}])${body}(?![\\p{L}\\p{N}])`, 'giu') : new RegExp(body, 'gu');
    text = text.replace(re, (word: string) => {
      if (rule.alias !== undefined) return rule.alias;
      if (marks.length >= MAX_ANNOTATIONS) return word;
      marks.push({ word, ph: rule.pinyin ? { pinyin: rule.pinyin } : { ipa: rule.ipa ?? '' } });
      return String.fromCodePoint(PLACEHOLDER_BASE + marks.length - 1);
    });
  }
  return { text, marks };
}
