/**
 * One numbered pinyin syllable ("zhong4", "lv3", "ang2", "er4", "hm5") → Kokoro v1.0's
 * Mandarin symbols ("ꭧʊ↘ŋ", "ly↓", "a↗ŋ", "ɚ↘", "hm").
 *
 * Kokoro's zh voices were trained on misaki's legacy front-end, which reads pinyin
 * as IPA with the table of pinyin-to-ipa (misaki/transcription.py): the first
 * variant of each sound, the tone contour turned into one arrow right after the
 * syllable's nucleus (→ 1, ↗ 2, ↓ 3, ↘ 4, nothing for the neutral tone 5), the
 * apical vowel of zhi/chi/shi/ri/zi/ci/si written ɨ, and no diphthong marks.
 * Syllables are split the way pypinyin's strict mode does: y and w are not
 * initials, so every zero-initial syllable keeps its whole final.
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

/** Strict (unabbreviated) finals; "0" marks where the tone arrow goes. */
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
  // misaki reads o after b/p/m/f (and lo, yo) as uo.
  o: 'wo0',
  ü: 'y0',
  üe: 'ɥe0',
  üan: 'ɥɛ0n',
  ün: 'y0n',
};

/** Whole syllables read as they stand: interjections and syllabic nasals (h is h here, not x). */
const WHOLE: Record<string, string> = {
  o: 'ɔ0',
  io: 'jɔ0',
  ê: 'ɛ0',
  er: 'ɚ0',
  m: 'm0',
  n: 'n0',
  ng: 'ŋ0',
  hm: 'hm0',
  hng: 'hŋ0',
};

const TONES = ['', '→', '↗', '↓', '↘', ''];
const APICAL = new Set(['zh', 'ch', 'sh', 'r', 'z', 'c', 's']);

/** y-forms in strict spelling: the y is dropped or stands for i/ü. */
const Y_FINALS: Record<string, string> = {
  yi: 'i',
  ya: 'ia',
  ye: 'ie',
  yao: 'iao',
  you: 'iou',
  yan: 'ian',
  yin: 'in',
  yang: 'iang',
  ying: 'ing',
  yong: 'iong',
  yo: 'uo',
  yu: 'ü',
  yue: 'üe',
  yuan: 'üan',
  yun: 'ün',
};

/** Splits a toneless syllable into its initial and strict final, or undefined when it is not pinyin. */
export function splitSyllable(syllable: string): { initial: string; final: string } | undefined {
  const s = syllable.toLowerCase().replace(/v/g, 'ü');
  if (s in WHOLE) return { initial: '', final: s };
  if (s.startsWith('y')) {
    const f = Y_FINALS[s.replace(/^yü/, 'yu')];
    return f === undefined ? undefined : { initial: '', final: f };
  }
  if (s.startsWith('w')) {
    const f = s === 'wu' ? 'u' : `u${s.slice(1)}`;
    return f in FINALS ? { initial: '', final: f } : undefined;
  }
  const two = s.slice(0, 2);
  const initial = two === 'zh' || two === 'ch' || two === 'sh' ? two : s.slice(0, 1);
  let final = s.slice(initial.length);
  if (!(initial in INITIALS)) return s in FINALS ? { initial: '', final: s } : undefined;
  if ('jqx'.includes(initial) && final.startsWith('u')) final = `ü${final.slice(1)}`;
  else if (final === 'iu') final = 'iou';
  else if (final === 'ui') final = 'uei';
  else if (final === 'un') final = 'uen';
  return final in FINALS ? { initial, final } : undefined;
}

/** "ni3" → "ni↓"; tone 5, 0 or none is neutral. Returns "" for anything that is not a pinyin syllable. */
export function pinyinToKokoro(pinyin: string): string {
  const m = /^([a-zêü]+)([0-5])?$/i.exec(pinyin.trim());
  if (!m?.[1]) return '';
  const tone = TONES[Number(m[2] ?? 5)] ?? '';
  const plain = m[1].toLowerCase();
  const whole = WHOLE[plain.replace(/v/g, 'ü')];
  if (whole !== undefined) return whole.replace('0', tone);
  const parts = splitSyllable(plain);
  if (!parts) return '';
  const { initial, final } = parts;
  const body = final === 'i' && APICAL.has(initial) ? 'ɨ0' : (FINALS[final] ?? '');
  return (INITIALS[initial] ?? '') + body.replace('0', tone);
}
