/**
 * English text read as a person reads it, before numbers are expanded: e-mail addresses and
 * web addresses spoken part by part ("dot", "at", "slash"), phone numbers digit by digit in
 * their groups, and abbreviations whose period is not a sentence stop written out in full
 * ("St." → "Saint"/"Street", "Jr." → "Junior", "No. 5" → "number 5"). A period is kept only
 * where the abbreviation ends the text, so no false stop is left mid-sentence.
 *
 * Every pattern is a single pass of bounded or greedy classes (no nested quantifiers).
 */
import { digitsEn } from './numbers-en.js';

const EMAIL = /(?<![\w.+-])([A-Za-z0-9][\w.+-]{0,63})@([A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8})/g;
const TLDS = 'com|org|net|edu|gov|io|ai|dev|app|info|co|uk|us|de|fr|cn|jp|ca|au|ly|me|tv';
const URL = new RegExp(
  `(?<![\\w@.-])(?:(?:https?|ftp)://|www\\.)[^\\s<>"“”]{1,2000}|(?<![\\w@.-])[A-Za-z0-9-]{1,63}(?:\\.[A-Za-z0-9-]{1,63}){0,6}\\.(?:${TLDS})(?![\\w-])(?:/[^\\s<>"“”]{0,2000})?`,
  'gi',
);
// North American numbers (with optional +1 and area code) and 7-digit local numbers.
const PHONE =
  /(?<![\w+-])(?:\+?1[-. ])?(?:\(\d{3}\) ?|\d{3}[-. ])\d{3}[-. ]\d{4}(?![\w-])|(?<![\w(+-])\d{3}-\d{4}(?![\w-])/g;

/** Abbreviations whose full form is unambiguous. "Dr.", "Mr.", "Mrs.", "Ms.", "etc." are in the lexicon itself. */
const WORDS: Record<string, string> = {
  jr: 'Junior',
  sr: 'Senior',
  prof: 'Professor',
  mt: 'Mount',
  inc: 'Incorporated',
  ltd: 'Limited',
  co: 'Company',
  corp: 'Corporation',
  approx: 'approximately',
  fig: 'figure',
  figs: 'figures',
  gen: 'General',
  col: 'Colonel',
  lt: 'Lieutenant',
  sgt: 'Sergeant',
  capt: 'Captain',
  rev: 'Reverend',
  hon: 'Honorable',
  ave: 'Avenue',
  blvd: 'Boulevard',
  rd: 'Road',
  dept: 'Department',
  vs: 'versus',
  jan: 'January',
  feb: 'February',
  mar: 'March',
  apr: 'April',
  jun: 'June',
  jul: 'July',
  aug: 'August',
  sep: 'September',
  sept: 'September',
  oct: 'October',
  nov: 'November',
  dec: 'December',
};
/** Abbreviations that are only abbreviations before a number ("Vol. 3", "p. 12"); "no." and "art." are words too. */
const BEFORE_NUMBER: Record<string, string> = {
  no: 'number',
  nos: 'numbers',
  vol: 'volume',
  vols: 'volumes',
  p: 'page',
  pp: 'pages',
  ch: 'chapter',
  sec: 'section',
  art: 'article',
  ext: 'extension',
};
const ABBREV = new RegExp(
  `(?<![\\p{L}.])(St|${Object.keys(BEFORE_NUMBER).join('|')}|${Object.keys(WORDS).join('|')})\\.(?=[\\s,;:)”"]|$)`,
  'giu',
);
// "15 ft. wide": the period of a unit after a number, with the sentence going on, is no stop.
const UNIT_PERIOD = /(\d ?(?:ft|in|yd|mi|lbs?|oz|hrs?|mins?|secs?|sq))\.(?=\s+[a-z\d])/g;
const CLOSERS_TO_END = /^[\s”"')\]]*$/;
// "5pm", "10 a.m", "7 AM": the time of day, spelled like "p.m." so the lexicon reads its letters.
const AM_PM = /(\d) ?([AaPp])\.?[Mm]\.?(?![\p{L}\d])/gu;
const AM_PM_RANGE = /([ap]\.m\.) ?[-–] ?(?=\d)/g;
// "10x faster", "#1": what the symbols mean beside a number.
const TIMES = /(\d)x(?![\p{L}\d])/gu;
const NUMBER_SIGN = /#(?=\d)/g;
// "the '90s": the apostrophe of a shortened decade is not a quotation mark.
const DECADE = /['‘’](?=\d0s\b)/g;
// "3–7" with an en dash is a range like "3-7"; the number pass reads it "three to seven".
const EN_DASH_RANGE = /(\d) ?– ?(?=\d)/g;

/** Expands e-mail and web addresses, phone numbers and abbreviations in an English run. */
export function expandAbbreviationsEn(text: string): string {
  return text
    .replace(EN_DASH_RANGE, '$1-')
    .replace(AM_PM, (_all, d: string, ap: string) => `${d} ${ap.toLowerCase()}.m.`)
    .replace(AM_PM_RANGE, '$1 to ')
    .replace(TIMES, '$1 times')
    .replace(UNIT_PERIOD, '$1')
    .replace(NUMBER_SIGN, 'number ')
    .replace(DECADE, '')
    .replace(EMAIL, (_all, user: string, host: string) => `${speakParts(user)} at ${speakHost(host)}`)
    .replace(URL, (all: string) => {
      const trail = /[.,;:!?)\]]+$/.exec(all)?.[0] ?? '';
      return speakUrl(all.slice(0, all.length - trail.length)) + trail;
    })
    .replace(PHONE, (all: string) =>
      (all.match(/\d+/g) ?? [])
        .filter((g, i) => !(i === 0 && g === '1' && /^\+?1/.test(all)))
        .map((g) => digitsEn(g))
        .join(', '),
    )
    .replace(ABBREV, (all: string, word: string, offset: number, whole: string) => {
      const rest = whole.slice(offset + all.length);
      const stop = CLOSERS_TO_END.test(rest) ? '.' : '';
      const key = word.toLowerCase();
      const numbered = BEFORE_NUMBER[key];
      if (numbered) return /^\s*\d/.test(rest) ? numbered : all;
      if (key === 'st') return saintOrStreet(whole, offset) + stop;
      // "Dec." and friends only before a day or year, "Mar." would otherwise eat sentences.
      if (/^(jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)$/.test(key) && !/^\s*\d/.test(rest)) return all;
      return (WORDS[key] ?? word) + stop;
    });
}

/** "St. Louis" is Saint; "Main St." and "5th St" (a name or number right before it) are Street. */
function saintOrStreet(whole: string, offset: number): string {
  const before = whole.slice(Math.max(0, offset - 30), offset);
  return /(?:^|\s)(?:\p{Lu}[\p{L}'-]*|\d+(?:st|nd|rd|th)?) $/u.test(before) ? 'Street' : 'Saint';
}

/** "john.smith_2" → "john dot smith underscore 2" (digits are read by the number pass). */
function speakParts(s: string): string {
  return s
    .replace(/\./g, ' dot ')
    .replace(/_/g, ' underscore ')
    .replace(/-/g, ' dash ')
    .replace(/\+/g, ' plus ')
    .replace(/ +/g, ' ')
    .trim();
}

function speakHost(host: string): string {
  return host
    .split('.')
    .map((p) => (p.toLowerCase() === 'www' ? 'W W W' : speakParts(p)))
    .join(' dot ');
}

/** "https://www.example.com/a/b?x=1" → "example dot com slash a slash b question mark x equals 1". */
function speakUrl(url: string): string {
  const noScheme = url.replace(/^(?:https?|ftp):\/\//i, '');
  const cut = noScheme.search(/[/?#]/);
  const host = cut < 0 ? noScheme : noScheme.slice(0, cut);
  const path = cut < 0 ? '' : noScheme.slice(cut);
  const hostWords = speakHost(host.replace(/^www\./i, ''));
  const www = /^www\./i.test(host) ? 'W W W dot ' : '';
  const pathWords = path
    .replace(/\//g, ' slash ')
    .replace(/\?/g, ' question mark ')
    .replace(/=/g, ' equals ')
    .replace(/&/g, ' and ')
    .replace(/#/g, ' hash ')
    .replace(/\./g, ' dot ')
    .replace(/_/g, ' underscore ')
    .replace(/-/g, ' dash ');
  return `${www}${hostWords}${pathWords}`.replace(/ +/g, ' ').trim();
}
