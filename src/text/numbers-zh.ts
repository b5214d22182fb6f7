/**
 * Mandarin reading of numbers, as misaki's legacy front-end reads them before it
 * looks up pinyin: cn2an's `transform(text, 'an2cn')` (cn2an 0.5.22, the release
 * Kokoro v1.0's labels were made with). Dates keep 年/月/日 with the year read digit
 * by digit ("2024年1月5日" → "二零二四年一月五日"), "a/b" → "b分之a", "50%" →
 * "百分之五十", "30℃" → "三十摄氏度", "-5" → "负五", "3.14" → "三点一四", and every
 * other integer is a cardinal ("2个" → "二个", as cn2an has it).
 *
 * Before that, a few forms cn2an reads as nonsense (it would say "一,零" for
 * "1,000" and "负" for every hyphen) are rewritten to what a person reads:
 * thousands separators, currency signs, clock times, ISO dates, ranges, hyphenated digit
 * groups such as phone numbers (digit by digit), ‰,
 * °C/°F (what NFKC makes of ℃/℉) and numbers too long for a cardinal (digit by digit).
 *
 * Every pattern is a single linear regex pass, so hostile input stays fast: a pattern that
 * can fail after a run of digits starts only where the run starts ((?<!\d)), or a long run
 * would be rescanned from each of its digits.
 */

const DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
/** cn2an's place names for up to 16 integer digits. */
const PLACES = ['', '十', '百', '千', '万', '十', '百', '千', '亿', '十', '百', '千', '万', '十', '百', '千'];

/** cn2an "low" integer: "3497" → "三千四百九十七"; "10" → "十"; "1005" → "一千零五". Digit by digit past 16 digits. */
export function cardinalZh(digits: string): string {
  const d = digits.replace(/^0+(?=\d)/, '');
  if (d.length === 1) return DIGITS[d.charCodeAt(0) - 48] ?? '';
  if (d.length > PLACES.length) return digitsZh(d);
  let out = '';
  for (let i = 0; i < d.length; i++) {
    const v = d.charCodeAt(i) - 48;
    const place = d.length - i - 1;
    if (v !== 0) {
      out += (DIGITS[v] ?? '') + (PLACES[place] ?? '');
      continue;
    }
    // A zero at a 万/亿 boundary still names the boundary; any other zero is one 零 at most.
    if (place % 4 === 0) out += `零${PLACES[place] ?? ''}`;
    if (i > 0 && !out.endsWith('零')) out += '零';
  }
  if (!out.includes('零')) return out.startsWith('一十') ? out.slice(1) : out;
  out = out
    .replace(/零零/g, '零')
    .replace(/零万/g, '万')
    .replace(/零亿/g, '亿')
    .replace(/亿万/g, '亿')
    .replace(/^零+|零+$/g, '');
  if (out.startsWith('一十')) out = out.slice(1);
  return out || '零';
}

/** Digit by digit: "2026" → "二零二六". */
export function digitsZh(digits: string): string {
  let out = '';
  for (const c of digits) if (c >= '0' && c <= '9') out += DIGITS[c.charCodeAt(0) - 48] ?? '';
  return out;
}

/** cn2an "low" for a signed decimal: "-3.14" → "负三点一四". */
function numberZh(text: string): string {
  const sign = text.startsWith('-') ? '负' : '';
  const [int = '', frac] = text.replace(/^-/, '').split('.');
  return `${sign}${cardinalZh(int)}${frac ? `点${digitsZh(frac.slice(0, 16))}` : ''}`;
}

const CURRENCY: Record<string, string> = { '¥': '元', '￥': '元', $: '美元', '€': '欧元', '£': '英镑' };

/** A rewrite that runs only when its trigger character is in the text (most text has none). */
type Rule = [trigger: RegExp, pattern: RegExp, replace: (all: string, ...groups: string[]) => string];

/** Forms cn2an misreads, rewritten first (see the file comment). */
const READABLE: Rule[] = [
  // ISO dates → cn2an's 年月日 form.
  [
    /[-/.]/,
    /(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?![\d.])/g,
    (all, y = '', m = '', d = '') => (+m >= 1 && +m <= 12 && +d >= 1 && +d <= 31 ? `${y}年${+m}月${+d}日` : all),
  ],
  // Clock times: 14:17 → 十四点十七分, 9:05 → 九点零五分, 10:00 → 十点.
  [
    /:/,
    /(?<![\d:])(\d{1,2}):(\d{2})(?::(\d{2}))?(?![\d:])/g,
    (all, h = '', m = '', s) => {
      if (+h > 24 || +m > 59 || (s !== undefined && +s > 59)) return all;
      const min = +m === 0 ? (s && +s > 0 ? '零分' : '') : `${+m < 10 ? '零' : ''}${cardinalZh(m)}分`;
      const sec = s !== undefined && +s > 0 ? `${cardinalZh(s)}秒` : '';
      return `${cardinalZh(h)}点${min}${sec}`;
    },
  ],
  [/,/, /(?<!\d)\d{1,3}(?:,\d{3})+(?!\d)/g, (all) => all.replace(/,/g, '')],
  // Phone and other numbers in hyphenated groups (138-0013-8000): digit by digit, group by group.
  [/-/, /(?<![\d.-])\d+(?:-\d+){2,}(?![\d.])/g, (all) => all.split('-').map(digitsZh).join(' ')],
  // Numbers that are names, not amounts: digit by digit. cn2an reads 13800138000 as 一百三十八亿…, which
  // nobody says. A mainland mobile number (11 digits from 13–19), a number after a word that names a code
  // (电话, 号码, 编号…), and any number with a leading zero (an area code, 0755).
  [
    /\d/,
    /(?<![\d.,])(?:1[3-9]\d{9}|0\d{2,})(?![\d.,])|(?<=(?:电话|号码|手机|编号|账号|卡号|单号|邮编|工号|学号|车次|房间)(?:是|为|：|:)?\s*)\d{3,}(?![\d.,])/g,
    // A mobile number in the groups people say it in (138 0013 8000), as the hyphenated form above.
    (all) =>
      (/^1[3-9]\d{9}$/.test(all) ? [all.slice(0, 3), all.slice(3, 7), all.slice(7)] : [all]).map(digitsZh).join(' '),
  ],
  // Ranges: 10-20 → 10到20 (a hyphen between two numbers is not a minus sign).
  [/[-–~～]/, /(\d)\s?[-–~～]\s?(?=\d)/g, (_all, d = '') => `${d}到`],
  [/[¥￥$€£]/, /([¥￥$€£])\s?(\d+(?:\.\d+)?)/g, (_all, c = '', n = '') => `${n}${CURRENCY[c] ?? ''}`],
  [/‰/, /(?<!\d)(-?\d+(?:\.\d+)?)‰/g, (_all, n = '') => `千分之${numberZh(n)}`],
  // NFKC turns ℃ into "°C"; cn2an reads ℃. ℉ has no cn2an reading: 华氏 N 度.
  [/°/, /(\d)\s?°C(?![A-Za-z])/g, (_all, d = '') => `${d}℃`],
  [/°/, /(?<!\d)(-?\d+(?:\.\d+)?)\s?°F(?![A-Za-z])/g, (_all, n = '') => `华氏${numberZh(n)}度`],
];

/** cn2an's an2cn transform, pass by pass in its order. */
const CN2AN: Rule[] = [
  // Dates: the year digit by digit, month and day as cardinals.
  [
    /[年月日]/,
    /\d{2,4}年(?:\d{1,2}月)?(?:\d{1,2}日)?|\d{1,2}月(?:\d{1,2}日)?|\d{1,2}日/g,
    (all) => all.replace(/\d+(?=年)/, digitsZh).replace(/\d+/g, cardinalZh),
  ],
  [/\//, /(?<!\d)(\d+)\/(\d+)/g, (_all, a = '', b = '') => `${cardinalZh(b)}分之${cardinalZh(a)}`],
  [/%/, /(?<!\d)(-?(?:\d+\.)?\d+)%/g, (_all, n = '') => `百分之${numberZh(n)}`],
  [/℃/, /(?<!\d)(\d+)℃/g, (_all, n = '') => `${cardinalZh(n)}摄氏度`],
  // cn2an leaves a minus sign or decimal before ℃ to the number pass; a lone degree sign is 度.
  [/°/, /°/g, () => '度'],
  [/./, /-?(?:\d+\.)?\d+/g, (all) => numberZh(all)],
];

function apply(text: string, rules: Rule[]): string {
  let out = text;
  for (const [trigger, pattern, replace] of rules) {
    if (trigger.test(out)) out = out.replace(pattern, replace);
  }
  return out;
}

/** Expands every number in Mandarin text into Han numerals, the way misaki's front-end does. */
export function expandNumbersZh(text: string): string {
  if (!/\d/.test(text)) return text;
  return apply(apply(text, READABLE), CN2AN);
}
