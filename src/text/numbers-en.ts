/**
 * English reading of numbers, dates, times, money, percentages and units
 * ("$3,497.50" → "three thousand four hundred ninety-seven dollars and fifty cents").
 *
 * One linear regex finds each numeric token (greedy classes, no nested quantifiers);
 * everything else is plain string code, so hostile input stays linear.
 */

const ONES = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const SCALES = ['', 'thousand', 'million', 'billion', 'trillion'];
const ORDINAL_WORDS: Record<string, string> = {
  one: 'first',
  two: 'second',
  three: 'third',
  five: 'fifth',
  eight: 'eighth',
  nine: 'ninth',
  twelve: 'twelfth',
};
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
/** Longest digit string read as a cardinal; longer ones are read digit by digit (card and phone numbers). */
const MAX_CARDINAL_DIGITS = 15;

/** "3497" → "three thousand four hundred ninety-seven" (American style, no "and"). */
export function cardinalEn(digits: string): string {
  const d = digits.replace(/^0+(?=\d)/, '');
  if (d.length > MAX_CARDINAL_DIGITS) return digitsEn(d);
  if (d === '0') return 'zero';
  const groups: string[] = [];
  for (let end = d.length; end > 0; end -= 3) groups.unshift(d.slice(Math.max(0, end - 3), end));
  const words: string[] = [];
  groups.forEach((g, i) => {
    const n = Number(g);
    if (n === 0) return;
    const scale = SCALES[groups.length - 1 - i];
    words.push(underThousand(n) + (scale ? ` ${scale}` : ''));
  });
  return words.join(' ');
}

function underThousand(n: number): string {
  const parts: string[] = [];
  if (n >= 100) parts.push(`${ONES[Math.floor(n / 100)]} hundred`);
  const rest = n % 100;
  if (rest > 0) parts.push(underHundred(rest));
  return parts.join(' ');
}

function underHundred(n: number): string {
  if (n < 20) return ONES[n] ?? '';
  const t = TENS[Math.floor(n / 10)] ?? '';
  return n % 10 ? `${t}-${ONES[n % 10]}` : t;
}

/** "21" → "twenty-first". */
export function ordinalEn(digits: string): string {
  const words = cardinalEn(digits);
  const m = /([a-z]+)$/.exec(words);
  const last = m?.[1] ?? '';
  const head = words.slice(0, m?.index ?? words.length);
  const special = ORDINAL_WORDS[last];
  if (special) return head + special;
  if (last.endsWith('y')) return `${head}${last.slice(0, -1)}ieth`;
  return `${head}${last}th`;
}

/** Digit by digit: "0042" → "zero zero four two". */
export function digitsEn(digits: string): string {
  const out: string[] = [];
  for (const c of digits) if (c >= '0' && c <= '9') out.push(ONES[c.charCodeAt(0) - 48] ?? '');
  return out.join(' ');
}

/** Years as people say them: 1999 → "nineteen ninety-nine", 2005 → "two thousand five", 2026 → "twenty twenty-six". */
export function yearEn(digits: string): string {
  const n = Number(digits);
  if (digits.length !== 4 || n < 1000) return cardinalEn(digits);
  const hi = Math.floor(n / 100);
  const lo = n % 100;
  if (n % 1000 < 10 && lo < 10) return cardinalEn(digits); // 2000, 2005, 1000
  if (lo === 0) return `${underHundred(hi)} hundred`;
  return `${underHundred(hi)} ${lo < 10 ? `oh ${ONES[lo]}` : underHundred(lo)}`;
}

function decimalEn(intPart: string, frac: string): string {
  const head = intPart === '' ? 'zero' : cardinalEn(intPart);
  return frac ? `${head} point ${digitsEn(frac)}` : head;
}

const CURRENCIES: Record<string, [one: string, many: string, cent: string, cents: string]> = {
  $: ['dollar', 'dollars', 'cent', 'cents'],
  '£': ['pound', 'pounds', 'penny', 'pence'],
  '€': ['euro', 'euros', 'cent', 'cents'],
  '¥': ['yen', 'yen', '', ''],
  '₹': ['rupee', 'rupees', 'paisa', 'paise'],
};

const UNITS: Record<string, [one: string, many: string]> = {
  km: ['kilometer', 'kilometers'],
  m: ['meter', 'meters'],
  cm: ['centimeter', 'centimeters'],
  mm: ['millimeter', 'millimeters'],
  kg: ['kilogram', 'kilograms'],
  g: ['gram', 'grams'],
  mg: ['milligram', 'milligrams'],
  lb: ['pound', 'pounds'],
  lbs: ['pound', 'pounds'],
  oz: ['ounce', 'ounces'],
  mi: ['mile', 'miles'],
  ft: ['foot', 'feet'],
  h: ['hour', 'hours'],
  hr: ['hour', 'hours'],
  hrs: ['hours', 'hours'],
  min: ['minute', 'minutes'],
  s: ['second', 'seconds'],
  sec: ['second', 'seconds'],
  ms: ['millisecond', 'milliseconds'],
  kb: ['kilobyte', 'kilobytes'],
  mb: ['megabyte', 'megabytes'],
  gb: ['gigabyte', 'gigabytes'],
  tb: ['terabyte', 'terabytes'],
  hz: ['hertz', 'hertz'],
  khz: ['kilohertz', 'kilohertz'],
  mhz: ['megahertz', 'megahertz'],
  ghz: ['gigahertz', 'gigahertz'],
  'km/h': ['kilometer per hour', 'kilometers per hour'],
  mph: ['mile per hour', 'miles per hour'],
  l: ['liter', 'liters'],
  ml: ['milliliter', 'milliliters'],
  kw: ['kilowatt', 'kilowatts'],
  w: ['watt', 'watts'],
  v: ['volt', 'volts'],
  mah: ['milliamp hour', 'milliamp hours'],
  '°c': ['degree Celsius', 'degrees Celsius'],
  '°f': ['degree Fahrenheit', 'degrees Fahrenheit'],
  '°': ['degree', 'degrees'],
};
// Longest first so "km/h" wins over "km", "ms" over "m". Units must end at a word boundary.
const UNIT_ALT = Object.keys(UNITS)
  .sort((a, b) => b.length - a.length)
  .map((u) => u.replace(/[/]/g, '\\/'))
  .join('|');
const SCALE_WORDS = 'hundred|thousand|million|billion|trillion';

/**
 * A numeric token: optional sign or currency, digits with "," "." ":" "/" "-" separators,
 * then an optional ordinal suffix, percent, scale word or unit. Every part is a
 * greedy class or a bounded literal alternation, so matching never backtracks far.
 */
const TOKEN = new RegExp(
  `([$£€¥₹])?(-)?(\\d[\\d,.:/-]*\\d|\\d)(st|nd|rd|th|s)?(?:(\\s?%)|\\s(${SCALE_WORDS})\\b|\\s?(${UNIT_ALT})(?![\\p{L}\\p{N}]))?`,
  'giu',
);
const MONTH_BEFORE = new RegExp(`\\b(${MONTHS.join('|')}|${MONTHS.map((m) => m.slice(0, 3)).join('|')})\\.? $`, 'i');
const WORD_BEFORE = /[\p{L}]$/u;

/**
 * Expands every number in English text into words. `hyphens: false` writes "ninety seven"
 * instead of "ninety-seven", keeping each number word a word of its own (as misaki reads digits).
 */
export function expandNumbersEn(text: string, opts: { hyphens?: boolean } = {}): string {
  const join = opts.hyphens === false ? (w: string) => w.replace(/-/g, ' ') : (w: string) => w;
  return text.replace(
    TOKEN,
    (all, cur: string | undefined, minus, body: string, suffix, pct, scale, unit, offset: number) => {
      const before = text.slice(Math.max(0, offset - 12), offset);
      // A digit glued to a word ("mp3", "B2B") is a name, not a quantity: read the digits plainly.
      const glued = /\p{L}/u.test(text.charAt(offset + all.length));
      if (WORD_BEFORE.test(before) && !cur) {
        const rest = all.slice(all.indexOf(body) + body.length);
        return ` ${join(digitsOrCardinal(body))}${rest ? ` ${rest}` : ''}${glued ? ' ' : ''}`;
      }
      const sign = minus ? (cur || /\d$/.test(before) ? ' to ' : 'minus ') : '';
      let words = readBody(body, suffix, MONTH_BEFORE.test(before));
      if (pct) words += ' percent';
      if (scale) words += ` ${scale}`;
      if (cur) words = money(cur, body, words, scale);
      if (unit) words += ` ${unitWord(unit, body)}`;
      // A word glued to the number ("5pm", "10am") stays a word of its own.
      return sign + join(words) + (glued ? ' ' : '');
    },
  );
}

/** A number in a name ("v1.0", "B2B"): short ones as numbers, others digit by digit; separators as said. */
function digitsOrCardinal(body: string): string {
  return /^\d{1,4}$/.test(body)
    ? cardinalEn(body)
    : body
        .replace(/\d+/g, (d) => ` ${digitsEn(d)} `)
        .replace(/[.,:/-]/g, (sep) => ` ${NAME_SEPARATORS[sep] ?? ''} `)
        .replace(/ +/g, ' ')
        .trim();
}
const NAME_SEPARATORS: Record<string, string> = { '.': 'point', '/': 'slash' };

/** Reads the digits-and-separators part of a token. */
function readBody(input: string, suffix: string | undefined, afterMonth: boolean): string {
  let body = input;
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(body);
  if (iso?.[1] && iso[2] && iso[3] && validDate(+iso[2], +iso[3]))
    return `${MONTHS[+iso[2] - 1]} ${ordinalEn(iso[3])}, ${yearEn(iso[1])}`;
  const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(body);
  if (us?.[1] && us[2] && us[3] && validDate(+us[1], +us[2]))
    return `${MONTHS[+us[1] - 1]} ${ordinalEn(us[2])}, ${yearEn(us[3])}`;
  const time = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(body);
  if (time?.[1] && time[2] && +time[1] < 25 && +time[2] < 60) return timeEn(time[1], time[2], time[3]);
  const frac = /^(\d+)\/(\d+)$/.exec(body);
  if (frac?.[1] && frac[2]) return fractionEn(frac[1], frac[2]);
  const grouped = /^\d{1,3}(,\d{3})+(\.\d+)?$/.test(body);
  if (grouped) body = body.replace(/,/g, '');
  const dec = /^(\d*)\.(\d+)$/.exec(body);
  if (dec) return decimalEn(dec[1] ?? '', dec[2] ?? '');
  if (/^\d+$/.test(body)) {
    if (suffix && /^(st|nd|rd|th)$/i.test(suffix)) return ordinalEn(body);
    if (afterMonth && +body >= 1 && +body <= 31) return ordinalEn(body);
    const year = !grouped && body.length === 4 && +body >= 1100 && +body <= 2099;
    if (suffix?.toLowerCase() === 's') return plural(year ? yearEn(body) : cardinalEn(body));
    return year ? yearEn(body) : cardinalEn(body);
  }
  // Ranges ("10-20"), versions ("1.2.3"), lists ("1,2,3") and anything else: read piece by piece.
  return body
    .split(/([-,.:/])/)
    .map((p) =>
      /^\d+$/.test(p) ? (p.length > 4 && p.startsWith('0') ? digitsEn(p) : cardinalEn(p)) : (SEPARATOR_WORDS[p] ?? ''),
    )
    .join(' ')
    .replace(/ +/g, ' ')
    .trim();
}

/** "1/2" → "one half", "3/4" → "three quarters", "2/3" → "two thirds"; "24/7" as said; other pairs "a over b". */
function fractionEn(num: string, den: string): string {
  const n = Number(num);
  const d = Number(den);
  if (num === '24' && den === '7') return 'twenty-four seven';
  if (n < 1 || n >= d || d > 10) return `${cardinalEn(num)} over ${cardinalEn(den)}`;
  const unit = d === 2 ? 'half' : d === 4 ? 'quarter' : ordinalEn(den);
  if (n === 1) return `one ${unit}`;
  return `${cardinalEn(num)} ${d === 2 ? 'halves' : `${unit}s`}`;
}

const SEPARATOR_WORDS: Record<string, string> = { '-': 'to', ',': ',', '.': 'point', ':': '', '/': 'slash' };

function validDate(month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

function timeEn(h: string, m: string, s?: string): string {
  const hours = cardinalEn(h);
  let out =
    +m === 0
      ? +h <= 12
        ? `${hours} o'clock`
        : `${hours} hundred`
      : `${hours} ${+m < 10 ? `oh ${ONES[+m]}` : underHundred(+m)}`;
  if (s !== undefined && +s > 0) out += ` and ${cardinalEn(s)} seconds`;
  return out;
}

function plural(words: string): string {
  return words.endsWith('y') ? `${words.slice(0, -1)}ies` : words.endsWith('x') ? `${words}es` : `${words}s`;
}

function money(cur: string, body: string, words: string, scale: string | undefined): string {
  const [one, many, cent, cents] = CURRENCIES[cur] ?? ['', '', '', ''];
  if (scale) return `${words} ${many}`;
  const m = /^([\d,]+)\.(\d{1,2})$/.exec(body);
  if (m?.[1] && m[2] && cent) {
    const whole = m[1].replace(/,/g, '');
    const c = Number(m[2].padEnd(2, '0'));
    const head = `${cardinalEn(whole)} ${whole === '1' ? one : many}`;
    const change = `${cardinalEn(String(c))} ${c === 1 ? cent : cents}`;
    // "$0.50" is fifty cents and "$5.00" five dollars, as misaki drops a zero part.
    if (Number(whole) === 0 && c > 0) return change;
    return c === 0 ? head : `${head} and ${change}`;
  }
  return `${words} ${body === '1' ? one : many}`;
}

function unitWord(unit: string, body: string): string {
  // "82M users": a capital M after a number is million; meters are written m.
  if (unit === 'M') return 'million';
  const u = UNITS[unit.toLowerCase()] ?? UNITS[unit.toLowerCase().replace(/\s/g, '')];
  if (!u) return unit;
  return body === '1' ? u[0] : u[1];
}
