/**
 * Scoring what the recognizer heard against what a person would say: word error rate for
 * English, character error rate for Mandarin, and tokens of both (Chinese characters and English
 * words) for mixed text. The recognizer writes numbers as digits ("$42.50", "100倍"); they are
 * read as spoken with the service's own readers before comparing, and the reference is written
 * by hand (sentences.ts), so a misreading by the service still counts as an error.
 */
import { digitsZh, expandNumbersZh, normalizeEn } from '../../src/text/index.js';

export type ScoreLang = 'en' | 'zh' | 'mixed';

/** Levenshtein distance between two token lists. */
export function editDistance(a: readonly string[], b: readonly string[]): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(
        (prev[j] ?? 0) + 1,
        (cur[j - 1] ?? 0) + 1,
        (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

const HAN = /\p{Script=Han}/u;

/** Lower-case words and single Chinese characters, punctuation dropped. */
export function tokens(text: string): string[] {
  const out: string[] = [];
  for (const m of text.toLowerCase().matchAll(/\p{Script=Han}|(?:(?!\p{Script=Han})[\p{L}\p{N}'])+/gu)) {
    const t = m[0].replace(/^'+|'+$/g, '');
    if (t) out.push(t);
  }
  return out;
}

/** The recognizer's words read as spoken: digits, money, percentages, abbreviations. */
export function spokenForm(heard: string, lang: ScoreLang): string {
  // Latin runs are read as English, Han runs as Mandarin (mixed text has both).
  const runs = heard.split(/(\p{Script=Han}[\p{Script=Han}\d%％.,，:：年月日号点]*)/u);
  return runs
    .map((run) => {
      if (!run) return '';
      // Digits the recognizer writes in groups or runs of five or more are a code said digit by digit.
      if (HAN.test(run) || (lang === 'zh' && /\d/.test(run)))
        return expandNumbersZh(run.replace(/\d{5,}(?: \d+)*|\d+(?: \d+)+/g, (d) => digitsZh(d)));
      // The recognizer writes a time as "9.30" as often as "9:30".
      const times = run.replace(
        /(?<![$€£¥\d.,])\b(\d{1,2})\.(\d{2})\b(?!\.\d)(?=\s*(?:a\.?m|p\.?m|tomorrow|today|tonight|in the|this|o'clock|[.,!?]|$))/gi,
        '$1:$2',
      );
      return ` ${normalizeEn(times).replace(/-/g, ' ')} `;
    })
    .join('');
}

/** Ways the recognizer writes a word that the reference spells out. */
const WRITTEN_AS: Record<string, string> = {
  dr: 'doctor',
  mr: 'mister',
  mrs: 'missus',
  ok: 'okay',
  st: 'street',
  // 两千 and 二千 are both "two thousand"; the recognizer writes 2000 for either.
  两: '二',
  // 他, 她 and 它 are one sound (tā): no listener can tell them apart.
  她: '他',
  它: '他',
};

export interface Score {
  errors: number;
  length: number;
}

/** Errors of `heard` against the hand-written `spoken` reference. */
export function score(spoken: string, heard: string, lang: ScoreLang): Score {
  const ref = tokens(spoken.replace(/-/g, ' ')).map((t) => WRITTEN_AS[t] ?? t);
  const hyp = tokens(spokenForm(heard, lang).replace(/\b([ap])\.? ?m\b\.?/gi, '$1 m')).map((t) => WRITTEN_AS[t] ?? t);
  return { errors: editDistance(ref, hyp), length: ref.length };
}

/** Error rate over several sentences: the errors added up over the reference tokens added up. */
export function rate(scores: readonly Score[]): number {
  const length = scores.reduce((n, s) => n + s.length, 0);
  return length ? scores.reduce((n, s) => n + s.errors, 0) / length : 0;
}
