/** `<say-as interpret-as=…>`: text rewritten so the ordinary front-end reads it as asked. */

const HAN = /\p{Script=Han}/u;

/** Letters or digits one by one (characters, spell-out, digits, telephone). */
const oneByOne = (text: string) => [...text].filter((c) => /[\p{L}\p{N}]/u.test(c)).join(HAN.test(text) ? '' : ' ');

const ORDINAL_SUFFIX = (n: number) => {
  const t = n % 100;
  if (t >= 11 && t <= 13) return 'th';
  return ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th';
};

export const SAY_AS = [
  'characters',
  'spell-out',
  'digits',
  'cardinal',
  'number',
  'ordinal',
  'date',
  'time',
  'telephone',
];

/**
 * Rewrite `text` for `interpretAs`; null when the kind is not supported (the
 * caller reads the text as it is and warns). Numbers, dates and times are
 * left to the normalizer, which already reads them in both languages; the
 * rewrite only removes what would make it read them differently.
 */
export function sayAs(interpretAs: string, text: string): string | null {
  const t = text.trim();
  switch (interpretAs) {
    case 'characters':
    case 'spell-out':
      // Spaced letters are read one by one by both engines.
      return oneByOne(t);
    case 'digits':
    case 'telephone':
      return [...t].filter((c) => /\p{N}/u.test(c)).join(' ');
    case 'cardinal':
    case 'number':
      return t.replace(/[,\s](?=\d{3}\b)/gu, '');
    case 'ordinal': {
      const n = Number.parseInt(t.replace(/\D/gu, ''), 10);
      if (!Number.isFinite(n)) return t;
      return HAN.test(t) || /^第/u.test(t) ? `第${n}` : `${n}${ORDINAL_SUFFIX(n)}`;
    }
    case 'date':
    case 'time':
      return t;
    default:
      return null;
  }
}
