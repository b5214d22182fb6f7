/**
 * Language runs: which stretches of a chunk go to the Mandarin voice and which to
 * the English one. Only Han (plus CJK punctuation) and Latin letters decide; every
 * other character rides along with a neighbour.
 */
import type { Lang, Run } from './types.js';
import { isCjkPunct, isHan, isLatinLetter, isOpener, isWhitespace } from './chars.js';

interface RawRun {
  lang: Lang;
  start: number;
  end: number;
  /** zh runs made only of CJK punctuation have nothing to say and must not stand alone. */
  hasHan: boolean;
}

/**
 * Splits text into trimmed language runs (Han → zh, Latin → en); other characters
 * join the run they sit in, and text with neither letters nor Han is one en run.
 */
export function splitLanguageRuns(text: string): Run[] {
  const raw: RawRun[] = [];
  let cur: RawRun | undefined;
  let lastStrongEnd = 0;
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i) ?? 0;
    const width = cp > 0xffff ? 2 : 1;
    const han = isHan(cp);
    const lang: Lang | undefined =
      han || isCjkPunct(cp) ? 'zh' : isLatinLetter(cp) && !isDegreeUnit(text, i) ? 'en' : undefined;
    if (lang !== undefined) {
      if (cur === undefined) {
        // Leading neutral characters go with the first real run.
        cur = { lang, start: 0, end: 0, hasHan: han };
      } else if (cur.lang !== lang) {
        const cut = neutralCut(text, lastStrongEnd, i);
        cur.end = cut;
        raw.push(cur);
        cur = { lang, start: cut, end: 0, hasHan: han };
      } else if (han) {
        cur.hasHan = true;
      }
      lastStrongEnd = i + width;
    }
    i += width;
  }
  if (cur === undefined) return wholeAsEnglish(text);
  cur.end = text.length;
  raw.push(cur);

  const merged = mergeRuns(raw);
  if (merged.length === 0) return wholeAsEnglish(text);
  const runs: Run[] = [];
  for (const r of merged) {
    const t = text.slice(r.start, r.end).trim();
    if (t.length > 0) runs.push({ lang: r.lang, text: t });
  }
  return runs;
}

/**
 * Where neutral text[from..to) between two languages is divided. It stays with the run
 * before it ("iPhone 15 很好用"), except what follows the last space ("Hello 15个") and
 * trailing opening brackets/quotes, which belong to what they open.
 */
function neutralCut(text: string, from: number, to: number): number {
  let cut = to;
  while (cut > from && isOpener(text.charAt(cut - 1))) cut--;
  for (let k = cut - 1; k >= from; k--) {
    if (isWhitespace(text.charCodeAt(k))) return k + 1;
  }
  return cut;
}

/** Attaches runs with nothing speakable to a neighbour, then merges same-language neighbours. */
function mergeRuns(raw: RawRun[]): RawRun[] {
  const out: RawRun[] = [];
  let pending = -1;
  for (const r of raw) {
    if (r.lang === 'zh' && !r.hasHan) {
      const prev = out.at(-1);
      if (prev) prev.end = r.end;
      else if (pending < 0) pending = r.start;
      continue;
    }
    if (pending >= 0) {
      r.start = pending;
      pending = -1;
    }
    const prev = out[out.length - 1];
    if (prev !== undefined && prev.lang === r.lang) {
      prev.end = r.end;
      prev.hasHan ||= r.hasHan;
    } else {
      out.push(r);
    }
  }
  return out;
}

/**
 * The C or F of "°C"/"°F" (what NFKC makes of ℃ and ℉) is part of a number, not an English word:
 * it rides with the run around it, so "气温35°C。" stays Mandarin.
 */
function isDegreeUnit(text: string, i: number): boolean {
  const c = text[i];
  return (c === 'C' || c === 'F') && text[i - 1] === '°' && !isLatinLetter(text.codePointAt(i + 1) ?? 0);
}

function wholeAsEnglish(text: string): Run[] {
  const t = text.trim();
  return t.length > 0 ? [{ lang: 'en', text: t }] : [];
}
