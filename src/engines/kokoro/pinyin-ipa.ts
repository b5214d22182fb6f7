/**
 * One pinyin syllable ("zhong4") → Kokoro v1.0's Mandarin symbols ("ꭧʊ↘ŋ").
 * Kokoro's zh voices were trained on misaki's legacy front-end: pinyin read as
 * IPA (after pinyin-to-ipa), the tone contour written as an arrow right after
 * the syllable's nucleus (→ 1, ↗ 2, ↓ 3, ↘ 4, nothing for the neutral tone),
 * and the apical vowel of zhi/chi/shi/ri/zi/ci/si written ɨ.
 */

const INITIALS: Record<string, string> = {
  b: 'p',
  p: 'pʰ',
  m: 'm',
  f: 'f',
  d: 't',
  t: 'tʰ',
  n: 'n',
  l: 'l',
  g: 'k',
  k: 'kʰ',
  h: 'x',
  j: 'ʨ',
  q: 'ʨʰ',
  x: 'ɕ',
  zh: 'ꭧ',
  ch: 'ꭧʰ',
  sh: 'ʂ',
  r: 'ɻ',
  z: 'ʦ',
  c: 'ʦʰ',
  s: 's',
};

/** Finals in strict (unabbreviated) form; "0" marks where the tone goes. */
const FINALS: Record<string, string> = {
  a: 'a0',
  ai: 'ai0',
  an: 'a0n',
  ang: 'a0ŋ',
  ao: 'au0',
  e: 'ɤ0',
  ei: 'ei0',
  en: 'ə0n',
  eng: 'ə0ŋ',
  er: 'ɚ0',
  i: 'i0',
  ia: 'ja0',
  ian: 'jɛ0n',
  iang: 'ja0ŋ',
  iao: 'jau0',
  ie: 'je0',
  in: 'i0n',
  iou: 'jou0',
  ing: 'i0ŋ',
  iong: 'jʊ0ŋ',
  io: 'jɔ0',
  ong: 'ʊ0ŋ',
  ou: 'ou0',
  u: 'u0',
  ua: 'wa0',
  uai: 'wai0',
  uan: 'wa0n',
  uang: 'wa0ŋ',
  uei: 'wei0',
  uen: 'wə0n',
  ueng: 'wə0ŋ',
  uo: 'wo0',
  o: 'wo0',
  ü: 'y0',
  üe: 'ɥe0',
  üan: 'ɥɛ0n',
  ün: 'y0n',
  ê: 'ɛ0',
  // Syllabic nasals of interjections (嗯 ng, 呣 m) and hm/hng.
  m: 'm0',
  n: 'n0',
  ng: 'ŋ0',
  hm: 'xm0',
  hng: 'xŋ0',
};

const TONES = ['', '→', '↗', '↓', '↘', ''];

/** Splits a toneless syllable into its initial and strict final, or undefined when it is not pinyin. */
export function splitSyllable(syllable: string): { initial: string; final: string } | undefined {
  let s = syllable.toLowerCase().replace(/v/g, 'ü');
  if (
    s === 'm' ||
    s === 'n' ||
    s === 'ng' ||
    s === 'hm' ||
    s === 'hng' ||
    s === 'er' ||
    s === 'ê' ||
    s === 'o' ||
    s === 'e'
  ) {
    return { initial: '', final: s };
  }
  let initial = '';
  if (s[0] === 'y') {
    const rest = s.slice(1);
    s = rest.startsWith('u') ? `ü${rest.slice(1)}` : rest.startsWith('i') ? rest : `i${rest}`;
  } else if (s[0] === 'w') {
    const rest = s.slice(1);
    s = rest === 'u' ? 'u' : `u${rest}`;
  } else {
    initial = s.startsWith('zh') || s.startsWith('ch') || s.startsWith('sh') ? s.slice(0, 2) : s.charAt(0);
    if (!(initial in INITIALS)) return undefined;
    s = s.slice(initial.length);
    if ('jqx'.includes(initial) && s.startsWith('u')) s = `ü${s.slice(1)}`;
    else if (s === 'iu') s = 'iou';
    else if (s === 'ui') s = 'uei';
    else if (s === 'un') s = 'uen';
  }
  if (!(s in FINALS)) return undefined;
  return { initial, final: s };
}

/** "ni3" → "ni↓"; tone 0 or 5 is neutral. Returns "" for anything that is not a pinyin syllable. */
export function pinyinToKokoro(pinyin: string): string {
  const [, letters, toneDigit] = /^([a-zü]+)([0-5])?$/i.exec(pinyin.trim()) ?? [];
  if (letters === undefined) return '';
  const parts = splitSyllable(letters);
  if (!parts) return '';
  const tone = TONES[Number(toneDigit ?? 5)] ?? '';
  const { initial, final } = parts;
  let body = FINALS[final] ?? '';
  if (final === 'i' && ['zh', 'ch', 'sh', 'r', 'z', 'c', 's'].includes(initial)) body = 'ɨ0';
  return (INITIALS[initial] ?? '') + body.replace('0', tone);
}

/**
 * Third-tone sandhi inside a word: a third tone before another third tone is
 * said as a second tone (你好 ni3 hao3 → ni2 hao3; 展览馆 → zhan2 lan2 guan3).
 */
export function thirdToneSandhi(syllables: string[]): string[] {
  const out = [...syllables];
  for (let i = out.length - 2; i >= 0; i--) {
    const cur = out[i];
    if (cur?.endsWith('3') && syllables[i + 1]?.endsWith('3')) out[i] = `${cur.slice(0, -1)}2`;
  }
  return out;
}
