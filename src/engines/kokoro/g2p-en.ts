/**
 * English front-end for Kokoro: numbers read out, then espeak-ng (the same
 * WASM build as the backup engine, resident in this thread) phonemizes the text
 * between punctuation marks, and its IPA is rewritten into the symbol set
 * Kokoro was trained on (misaki's): diphthongs and affricates as single
 * letters (aɪ → I, eɪ → A, oʊ → O, dʒ → ʤ …), syllabic consonants with ᵊ,
 * American flaps as T, length marks only in British English. Punctuation is
 * kept: the model renders it as pauses and intonation.
 */
import { expandNumbersEn } from '../../text/numbers-en.js';

export type Accent = 'en-us' | 'en-gb';

/** The parts of the Emscripten module we use. */
interface EspeakModule {
  eSpeakNGWorker: new () => EspeakWorker;
  HEAPU8: Uint8Array;
}
interface EspeakWorker {
  set_voice(name: string): number;
  convert_to_phonemes(text: string, ipa: boolean): { ptr: number };
}

// Whole espeak phonemes (espeak separates phonemes with "_"), mapped as units.
const COMMON: Record<string, string> = {
  aɪ: 'I',
  aʊ: 'W',
  eɪ: 'A',
  ɔɪ: 'Y',
  dʒ: 'ʤ',
  tʃ: 'ʧ',
  əl: 'ᵊl',
  ɚ: 'əɹ',
  r: 'ɹ',
  x: 'k',
  ç: 'k',
  ɐ: 'ə',
  ɬ: 'l',
  e: 'A',
  ʔ: 't',
  o: 'ɔ',
  ɪ̈: 'ᵻ',
};
const US: Record<string, string> = { ...COMMON, oʊ: 'O', əʊ: 'O', ɜː: 'ɜɹ', ɜːɹ: 'ɜɹ', ɪə: 'iə', ɾ: 'T', ɚː: 'əɹ' };
const GB: Record<string, string> = { ...COMMON, əʊ: 'Q', oʊ: 'Q', eə: 'ɛː', iə: 'ɪə', ɾ: 'T' };

const PUNCTUATION = new Set([
  ';',
  ':',
  ',',
  '.',
  '!',
  '?',
  '—',
  '…',
  '"',
  '(',
  ')',
  '“',
  '”',
  '¡',
  '¿',
  '«',
  '»',
  '[',
  ']',
  '{',
  '}',
]);
// How each mark is written for the model; marks outside its vocabulary become their nearest member.
const PUNCT_OUT: Record<string, string> = {
  '«': '“',
  '»': '”',
  '[': '(',
  ']': ')',
  '{': '(',
  '}': ')',
  '¡': '',
  '¿': '',
};

export class EnPhonemizer {
  private voice = '';

  private constructor(
    private readonly mod: EspeakModule,
    private readonly worker: EspeakWorker,
  ) {}

  static async create(): Promise<EnPhonemizer> {
    const { default: factory } = (await import('@echogarden/espeak-ng-emscripten')) as unknown as {
      default: () => Promise<EspeakModule>;
    };
    const mod = await factory();
    return new EnPhonemizer(mod, new mod.eSpeakNGWorker());
  }

  /** Kokoro phoneme string for an English run. */
  phonemize(text: string, accent: Accent): string {
    const expanded = expandNumbersEn(text).replace(/[‘’]/g, "'");
    let out = '';
    let words = '';
    const flush = () => {
      if (words.trim()) out += this.words(words, accent);
      words = '';
    };
    for (const ch of expanded) {
      if (PUNCTUATION.has(ch)) {
        flush();
        out += PUNCT_OUT[ch] ?? ch;
      } else if (/\s/.test(ch)) {
        if (words.trim()) words += ' ';
        else out += ' ';
      } else {
        if (words === '' && out !== '' && !/[\s“(]$/.test(out)) out += ' ';
        words += ch;
      }
    }
    flush();
    return out
      .replace(/\s+/g, ' ')
      .replace(/ ([,.!?;:…”)])/g, '$1')
      .trim();
  }

  /** espeak IPA for punctuation-free text, mapped onto Kokoro's symbols. */
  private words(text: string, accent: Accent): string {
    if (this.voice !== accent) {
      if (this.worker.set_voice(accent === 'en-gb' ? 'en' : 'en-us') !== 0)
        throw new Error(`espeak-ng has no voice ${accent}`);
      this.voice = accent;
    }
    const ptr = this.worker.convert_to_phonemes(text, true).ptr;
    return mapEspeakIpa(readCString(this.mod.HEAPU8, ptr), accent);
  }
}

function readCString(heap: Uint8Array, ptr: number): string {
  let end = ptr;
  while (heap[end] !== 0) end++;
  return Buffer.from(heap.buffer, heap.byteOffset + ptr, end - ptr).toString('utf8');
}

/**
 * espeak's IPA ("h_ə_l_ˈoʊ | w_ˈɜːld", phonemes split by "_", words by " ", clauses
 * by "|") → Kokoro symbols ("həlˈO wˈɜɹld").
 */
export function mapEspeakIpa(ipa: string, accent: Accent): string {
  const table = accent === 'en-gb' ? GB : US;
  const words: string[] = [];
  for (const word of ipa.split(/\s+/)) {
    if (!word || word === '|') continue;
    let w = '';
    for (const unit of word.split('_')) {
      if (!unit) continue;
      const stress = /^[ˈˌ]*/.exec(unit)?.[0] ?? '';
      let p = unit.slice(stress.length).replace(/ʲ|\u0303/g, '');
      // A syllabic consonant (n̩, l̩) is read with a faint schwa before it.
      if (p.endsWith('\u0329')) p = `ᵊ${p.slice(0, -1)}`;
      p = table[p] ?? table[p.replace(/ː$/, '')] ?? p;
      if (accent === 'en-us') p = p.replace(/ː/g, '');
      w += stress + p;
    }
    // espeak sometimes writes the r of an r-coloured vowel twice once ɜː and ɚ have become ɜɹ and əɹ.
    if (w) words.push(w.replace(/([ɜə]ɹ)ɹ/g, '$1'));
  }
  return words.join(' ');
}
