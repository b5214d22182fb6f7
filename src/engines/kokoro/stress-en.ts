/**
 * Stress marks in misaki's English phonemes, as its `apply_stress` moves them. Stress levels:
 * null leaves a word alone; below −1 strips every mark; −1 (and 0 or −0.5 on a word with a
 * primary) demotes to secondary; 0, 0.5 and 1 give an unmarked word a secondary; from 1 up a
 * secondary becomes primary; above 1 an unmarked word gets a primary.
 */

export const PRIMARY = 'ˈ';
export const SECONDARY = 'ˌ';
export const VOWELS = new Set('AIOQWYaiuæɑɒɔəɛɜɪʊʌᵻ');
export const CONSONANTS = new Set('bdfhjklmnpstvwzðŋɡɹɾʃʒʤʧθ');
const DIPHTHONGS = new Set('AIOQWYʤʧ');

const hasMark = (ps: string) => ps.includes(PRIMARY) || ps.includes(SECONDARY);
const hasVowel = (ps: string) => [...ps].some((c) => VOWELS.has(c));

/** Moves each stress mark to just before the next vowel (a mark is written before its syllable's vowel). */
function restress(ps: string): string {
  const chars = [...ps];
  const placed = chars.map((c, i) => {
    if (c !== PRIMARY && c !== SECONDARY) return { c, at: i };
    const v = chars.findIndex((d, j) => j >= i && VOWELS.has(d));
    return { c, at: v < 0 ? i : v - 0.5 };
  });
  return placed
    .sort((a, b) => a.at - b.at)
    .map((p) => p.c)
    .join('');
}

export function applyStress(ps: string, stress: number | null): string {
  if (stress === null) return ps;
  if (stress < -1) return ps.replaceAll(PRIMARY, '').replaceAll(SECONDARY, '');
  if (stress === -1 || ((stress === 0 || stress === -0.5) && ps.includes(PRIMARY)))
    return ps.replaceAll(SECONDARY, '').replaceAll(PRIMARY, SECONDARY);
  if ((stress === 0 || stress === 0.5 || stress === 1) && !hasMark(ps))
    return hasVowel(ps) ? restress(SECONDARY + ps) : ps;
  if (stress >= 1 && !ps.includes(PRIMARY) && ps.includes(SECONDARY)) return ps.replaceAll(SECONDARY, PRIMARY);
  if (stress > 1 && !hasMark(ps)) return hasVowel(ps) ? restress(PRIMARY + ps) : ps;
  return ps;
}

/** How heavy a word is when deciding which parts of a compound keep their primary stress. */
export function stressWeight(ps: string): number {
  let w = 0;
  for (const c of ps) w += DIPHTHONGS.has(c) ? 2 : 1;
  return w;
}
