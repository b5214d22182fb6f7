/**
 * Mandarin reading of numbers, dates, times, money, percentages and units
 * ("100倍" → "一百倍", "2026年3月20日" → "二零二六年三月二十日", "14:17" → "十四点十七分").
 *
 * Same shape as numbers-en: one linear token regex, the rest plain string code.
 */

const DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
const SMALL_UNITS = ['', '十', '百', '千'];
const BIG_UNITS = ['', '万', '亿', '万亿'];
/** Longest digit string read as a cardinal (up to 千万亿); longer ones are read digit by digit. */
const MAX_CARDINAL_DIGITS = 16;

/** "3497" → "三千四百九十七"; "10" → "十"; "1005" → "一千零五". */
export function cardinalZh(digits: string): string {
  const d = digits.replace(/^0+(?=\d)/, '');
  if (d.length > MAX_CARDINAL_DIGITS) return digitsZh(d);
  if (d === '0') return '零';
  const groups: string[] = [];
  for (let end = d.length; end > 0; end -= 4) groups.unshift(d.slice(Math.max(0, end - 4), end));
  let out = '';
  let zeroPending = false;
  groups.forEach((g, i) => {
    const n = Number(g);
    if (n === 0) {
      zeroPending = out !== '';
      return;
    }
    // A gap of zeros before this group (一万零五, 一亿零三百万) is read as one 零.
    if (out !== '' && (zeroPending || g.startsWith('0'))) out += '零';
    out += underTenThousand(g.padStart(4, '0'), out === '') + BIG_UNITS[groups.length - 1 - i];
    zeroPending = false;
  });
  return out;
}

/** A 4-digit group; "leading" drops the 一 of 一十 (十五, not 一十五) at the very start. */
function underTenThousand(g: string, leading: boolean): string {
  let out = '';
  let zero = false;
  let started = false;
  for (let k = 0; k < 4; k++) {
    const v = g.charCodeAt(k) - 48;
    const unit = SMALL_UNITS[3 - k];
    if (v === 0) {
      if (started) zero = true;
      continue;
    }
    if (zero) out += '零';
    zero = false;
    out += leading && !started && v === 1 && unit === '十' ? '十' : `${DIGITS[v] ?? ''}${unit ?? ''}`;
    started = true;
  }
  return out;
}

/** Digit by digit: "2026" → "二零二六". */
export function digitsZh(digits: string): string {
  let out = '';
  for (const c of digits) if (c >= '0' && c <= '9') out += DIGITS[c.charCodeAt(0) - 48] ?? '';
  return out;
}

function decimalZh(intPart: string, frac: string): string {
  return `${intPart === '' ? '零' : cardinalZh(intPart)}点${digitsZh(frac)}`;
}

// After 2, these measure words take 两 (两个, 两倍), not 二.
const LIANG_BEFORE = new Set('个位只本次张条件种块台辆家天周倍名层节杯瓶篇首部项份岁对双把间所架'.split(''));
const CURRENCY: Record<string, string> = { '¥': '元', '￥': '元', $: '美元', '€': '欧元', '£': '英镑', '₹': '卢比' };
const UNITS: Record<string, string> = {
  km: '公里',
  m: '米',
  cm: '厘米',
  mm: '毫米',
  kg: '公斤',
  g: '克',
  mg: '毫克',
  t: '吨',
  l: '升',
  ml: '毫升',
  'km/h': '公里每小时',
  '°c': '摄氏度',
  '°f': '华氏度',
  '°': '度',
  kb: 'KB',
  mb: 'MB',
  gb: 'GB',
  tb: 'TB',
  h: '小时',
  min: '分钟',
  s: '秒',
  ms: '毫秒',
  hz: '赫兹',
  khz: '千赫',
  mhz: '兆赫',
  ghz: '吉赫',
  kw: '千瓦',
  w: '瓦',
  v: '伏',
};
const UNIT_ALT = Object.keys(UNITS)
  .sort((a, b) => b.length - a.length)
  .map((u) => u.replace(/[/]/g, '\\/'))
  .join('|');

const TOKEN = new RegExp(`([¥￥$€£₹])?(-)?(\\d[\\d,.:/-]*\\d|\\d)(?:(\\s?[%‰])|\\s?(${UNIT_ALT})(?![A-Za-z]))?`, 'giu');

/** Expands every number in Mandarin text into Han numerals. */
export function expandNumbersZh(text: string): string {
  return text.replace(
    TOKEN,
    (_all, cur: string | undefined, minus, body: string, pct, unit, offset: number, whole: string) => {
      const next = whole.charAt(offset + _all.length);
      const before = whole.charAt(offset - 1);
      const sign = minus ? (/\d/.test(before) ? '到' : '负') : '';
      let words = readBody(body, next);
      if (pct) words = `${pct.trim() === '‰' ? '千分之' : '百分之'}${words}`;
      if (unit) words += UNITS[unit.toLowerCase()] ?? unit;
      if (cur) words += CURRENCY[cur];
      return sign + words;
    },
  );
}

function readBody(body: string, next: string): string {
  const date = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(body);
  if (date) {
    const [, year = '', month = '', day = ''] = date;
    if (+month >= 1 && +month <= 12 && +day >= 1 && +day <= 31) {
      return `${digitsZh(year)}年${cardinalZh(month)}月${cardinalZh(day)}日`;
    }
  }
  const time = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(body);
  if (time) {
    const [, h = '', min = '', sec] = time;
    if (+h < 25 && +min < 60) {
      const minutes = +min === 0 ? '' : `${+min < 10 ? '零' : ''}${cardinalZh(min)}分`;
      const seconds = sec !== undefined && +sec > 0 ? `${cardinalZh(sec)}秒` : '';
      return `${cardinalZh(h)}点${minutes || (seconds ? '零分' : '')}${seconds}`;
    }
  }
  const fraction = /^(\d+)\/(\d+)$/.exec(body);
  if (fraction) return `${cardinalZh(fraction[2] ?? '')}分之${cardinalZh(fraction[1] ?? '')}`;
  if (/^\d{1,3}(,\d{3})+(\.\d+)?$/.test(body)) body = body.replace(/,/g, '');
  const decimal = /^(\d*)\.(\d+)$/.exec(body);
  if (decimal) return decimalZh(decimal[1] ?? '', decimal[2] ?? '');
  if (/^\d+$/.test(body)) {
    // Years are read digit by digit; so are long codes with a leading zero (phone numbers).
    if (next === '年' && (body.length === 4 || body.length === 3)) return digitsZh(body);
    if (body.length >= 11 || (body.length > 2 && body.startsWith('0'))) return digitsZh(body);
    if (body === '2' && LIANG_BEFORE.has(next)) return '两';
    return cardinalZh(body);
  }
  if (/^0\d{2,3}-\d{7,8}$/.test(body)) return digitsZh(body); // landline with area code
  return body
    .split(/([-,.:/])/)
    .map((p) =>
      /^\d+$/.test(p) ? (p.length > 2 && p.startsWith('0') ? digitsZh(p) : cardinalZh(p)) : (SEPARATOR_WORDS[p] ?? ''),
    )
    .join('');
}

const SEPARATOR_WORDS: Record<string, string> = { '-': '到', ',': '，', '.': '点', ':': '比', '/': '每' };
