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
