/**
 * The one path from a language run to what Kokoro is fed: the voice that reads the run,
 * its phonemes (accent from that voice) and token ids. The engine and /api/phonemize both
 * go through it, so phonemize shows exactly what synthesis would send to the model.
 */
import type { Run } from '../../text/types.js';
import { resolveVoice } from '../voice.js';
import type { KokoroFrontEnd } from './frontend.js';
import type { Vocab } from './vocab.js';
import { KOKORO_CAPABILITIES, accentOf, voiceFile } from './voices.js';
import { pinyinToKokoro } from './pinyin-ipa.js';

export interface RunPhonemes {
  /** Voice file that reads the run (e.g. zf_xiaoxiao). */
  voice: string;
  phonemes: string;
  /** Whether the model is called at all: a run with no letter among its phonemes is skipped. */
  spoken: boolean;
}

export function runPhonemes(frontEnd: KokoroFrontEnd, run: Run, requestedVoice: string): RunPhonemes {
  const voice = voiceFile(resolveVoice(KOKORO_CAPABILITIES, requestedVoice, run.lang));
  const phonemes = given(run) || frontEnd.phonemize(run, accentOf(voice));
  // A run of only punctuation has nothing to say; the model would only invent noise.
  return { voice, phonemes, spoken: /\p{L}/u.test(phonemes) };
}

/** Phonemes the client gave for the run (pinyin or IPA), or '' to use the front-end. */
function given(run: Run): string {
  if (run.ph?.ipa) return run.ph.ipa.replace(/\s+/gu, ' ');
  if (!run.ph?.pinyin) return '';
  const syllables = run.ph.pinyin.split(' ').map(pinyinToKokoro);
  return syllables.every((x) => x) ? syllables.join('') : '';
}

/** Token ids of a run's phonemes (without the 0 pad the model call adds at each end). */
export function runTokens(vocab: Vocab, phonemes: string): { ids: number[]; dropped: string[] } {
  return vocab.encodeReport(phonemes);
}

/** English runs of at most this many words inside Chinese text are read by the Chinese voice. */
export const EMBEDDED_EN_WORDS = 4;

/** Which runs of a chunk are short English inside Chinese (see chunkPhonemes). */
export function embeddedEnglish(runs: readonly Run[]): (run: Run) => boolean {
  const hasZh = runs.some((r) => r.lang === 'zh');
  return (r) => hasZh && r.lang === 'en' && !r.ph && (r.text.match(/\p{L}+/gu)?.length ?? 0) <= EMBEDDED_EN_WORDS;
}

/**
 * What one chunk sends to the model, call by call: each run with its own voice, except that a short
 * English run in a chunk with Chinese in it ("这个project的deadline是下周五") joins the Chinese around it
 * and is read by the Chinese voice in the same call, as misaki's Mandarin front-end does (its English
 * callback writes the English phonemes into the Mandarin string). Read apart, one English word was a
 * call of its own in another voice, and the recognizer often heard nothing there ("deadline" → 嗯).
 */
export function chunkPhonemes(frontEnd: KokoroFrontEnd, runs: readonly Run[], requestedVoice: string): RunPhonemes[] {
  const embedded = embeddedEnglish(runs);
  const zhVoice = voiceFile(resolveVoice(KOKORO_CAPABILITIES, requestedVoice, 'zh'));
  const out: RunPhonemes[] = [];
  let group: RunPhonemes | undefined;
  for (const run of runs) {
    const joins = run.lang === 'zh' || embedded(run);
    const p = joins
      ? { ...runPhonemes(frontEnd, run, requestedVoice), voice: zhVoice }
      : runPhonemes(frontEnd, run, requestedVoice);
    if (!joins) {
      group = undefined;
      out.push(p);
      continue;
    }
    if (!group) {
      group = { ...p };
      out.push(group);
      continue;
    }
    group.phonemes = `${group.phonemes} ${p.phonemes}`.replace(/ {2,}/g, ' ');
    group.spoken ||= p.spoken;
  }
  return out;
}
