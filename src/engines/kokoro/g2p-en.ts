/**
 * English front-end for Kokoro, lexicon first as misaki (the labeller of Kokoro v1.0's
 * training data) does it: text read as a person reads it (addresses, phone numbers,
 * abbreviations, then numbers as words), split into words and marks, each word looked up
 * in misaki's gold then silver lexicon with its rules for stress, capitals and endings
 * (a homograph's reading chosen by the part of speech a tagger gives it, as misaki does with
 * spaCy's), and only a word neither knows goes to espeak-ng (the same WASM build as the backup
 * engine), its IPA mapped to misaki's symbols. Words are read right to left because a word
 * depends on the next one ("the apple" ði, "to go" tə).
 */
import { normalizeEn } from '../../text/normalize-en.js';
import { mapEspeakIpa } from './espeak-map-en.js';
import { needsTags, senses } from './homographs-en.js';
import { type Accent, EnLexicon, LEXICON_DIR, type WordContext } from './lexicon-en.js';
import { CompromiseTagger } from './pos-compromise.js';
import type { PosTagger } from './pos-tagger.js';
import { applyStress, CONSONANTS, PRIMARY, stressWeight, VOWELS } from './stress-en.js';
import { tokenizeEn } from './tokens-en.js';

export type { Accent } from './lexicon-en.js';
export { mapEspeakIpa } from './espeak-map-en.js';

/** The parts of the Emscripten module we use. */
interface EspeakModule {
  eSpeakNGWorker: new () => EspeakWorker;
  HEAPU8: Uint8Array;
}
interface EspeakWorker {
  set_voice(name: string): number;
  convert_to_phonemes(text: string, ipa: boolean): { ptr: number };
}

const PAUSES = new Set(';:,.!?—…');
// Pieces of a word as misaki splits it: a leading apostrophe, capitals before a capitalised word,
// digits, hyphens, letters with inner apostrophes, a lower→upper change, any other character.
const SUBTOKEN =
  /^['‘’]+|\p{Lu}(?=\p{Lu}\p{Ll})|(?:^-)?(?:\d?[,.]?\d)+|[-_]+|['‘’]{2,}|\p{L}*?(?:['‘’]\p{L})*?\p{Ll}(?=\p{Lu})|\p{L}+(?:['‘’]\p{L})*|[^-_\p{L}'‘’\d]|['‘’]+$/gu;
const JUNK = new Set("',-._‘’/");
// misaki's search over a word's pieces is cubic in their number; past this many (hostile input,
// not language) each piece is read on its own.
const MAX_PIECES = 16;
const NUMBER_WORD =
  /^(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\w+teen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion|trillion)$/;
const NUMBER_PART = new RegExp(
  `${NUMBER_WORD.source.slice(0, -2)}|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|\\w+teenth|\\w+ieth|hundredth|thousandth|millionth)$`,
  'i',
);

export class EnPhonemizer {
  private voice = '';
  private readonly lexicons = new Map<Accent, EnLexicon>();

  private constructor(
    private readonly mod: EspeakModule,
    private readonly worker: EspeakWorker,
    private readonly lexiconDir: string,
    private readonly tagger: PosTagger,
  ) {}

  /**
   * Starts espeak-ng and the part-of-speech tagger (compromise unless `tagger` is given); the
   * lexicons of an accent are read the first time that accent is asked for.
   */
  static async create(opts: { lexiconDir?: string; tagger?: PosTagger } = {}): Promise<EnPhonemizer> {
    const { default: factory } = (await import('@echogarden/espeak-ng-emscripten')) as unknown as {
      default: () => Promise<EspeakModule>;
    };
    const [mod, tagger] = await Promise.all([factory(), opts.tagger ?? CompromiseTagger.load()]);
    return new EnPhonemizer(mod, new mod.eSpeakNGWorker(), opts.lexiconDir ?? LEXICON_DIR, tagger);
  }

  /** The accent's lexicon, read on first use. */
  lexicon(accent: Accent): EnLexicon {
    let lex = this.lexicons.get(accent);
    if (!lex) {
      lex = EnLexicon.load(accent, this.lexiconDir);
      this.lexicons.set(accent, lex);
    }
    return lex;
  }

  /** Kokoro phoneme string for an English run. */
  phonemize(text: string, accent: Accent): string {
    const lex = this.lexicon(accent);
    const words = normalizeEn(text);
    const known = (w: string) => lex.gold(w) !== null || lex.silver(w) !== null;
    const tokens = tokenizeEn(words, (w) => known(w) || known(w.toLowerCase()));
    const phonemes: string[] = new Array(tokens.length).fill('');
    const sense = needsTags(tokens, (w) => lex.entry(w)) ? senses(tokens, this.tagger) : [];
    const mixedCase = /\p{Ll}/u.test(words);
    let ctx: WordContext = { futureVowel: null, futureTo: false, mixedCase };
    for (let i = tokens.length - 1; i >= 0; i--) {
      const t = tokens[i];
      if (!t) continue;
      if (t.kind === 'mark') {
        phonemes[i] = t.text;
        ctx = nextContext(ctx, t.text, t.text);
        continue;
      }
      const [ps, after] = this.word(t.text, { ...ctx, ...sense[i] }, lex, accent);
      // misaki reads the "point" of a decimal number without stress.
      const decimal =
        t.text === 'point' &&
        NUMBER_WORD.test(tokens[i - 1]?.text ?? '') &&
        NUMBER_WORD.test(tokens[i + 1]?.text ?? '');
      phonemes[i] = decimal ? applyStress(ps, -2) : ps;
      ctx = after;
    }
    let out = '';
    tokens.forEach((t, i) => {
      out += (phonemes[i] ?? '') + (t.ws ? ' ' : '');
    });
    // Kokoro v1.0's labels came from misaki without a version, which writes the flap as T and the glottal stop as t.
    return out.replace(/ɾ/g, 'T').replace(/ʔ/g, 't').replace(/ +/g, ' ').trim();
  }

  /** Phonemes of one whitespace-free word and the context it leaves for the word before it. */
  private word(text: string, ctx: WordContext, lex: EnLexicon, accent: Accent): [string, WordContext] {
    const whole = lex.word(text, ctx);
    if (whole !== null) return [whole, nextContext(ctx, whole, text)];
    const subs = text.match(SUBTOKEN) ?? [text];
    if (subs.length < 2) {
      const ps = this.espeak(text, accent);
      return [ps, nextContext(ctx, ps, text)];
    }
    if (subs.length > MAX_PIECES) return this.pieceByPiece(subs, ctx, lex, accent);
    // misaki's search: the longest run of pieces ending at the right edge that the lexicon knows, then leftwards.
    const parts: (string | null)[] = subs.map(() => null);
    let c = ctx;
    let left = 0;
    let right = subs.length;
    while (left < right) {
      const piece = subs.slice(left, right).join('');
      const ps = parts.slice(left, right).some((p) => p !== null) ? null : lex.word(piece, c);
      if (ps !== null) {
        parts[left] = ps;
        for (let k = left + 1; k < right; k++) parts[k] = '';
        c = nextContext(c, ps, piece);
        right = left;
        left = 0;
      } else if (left + 1 < right) left++;
      else {
        right--;
        const sub = subs[right] ?? '';
        if (parts[right] === null) {
          if (![...sub].every((ch) => JUNK.has(ch))) {
            const ps = this.espeak(text, accent);
            return [ps, nextContext(ctx, ps, text)];
          }
          parts[right] = '';
        }
        left = 0;
      }
    }
    return [
      joinPieces(
        text,
        subs,
        parts.map((p) => p ?? ''),
      ),
      c,
    ];
  }

  private pieceByPiece(subs: string[], ctx: WordContext, lex: EnLexicon, accent: Accent): [string, WordContext] {
    let c = ctx;
    const out: string[] = [];
    for (let k = subs.length - 1; k >= 0; k--) {
      const sub = subs[k] ?? '';
      if ([...sub].every((ch) => JUNK.has(ch))) continue;
      const ps = lex.word(sub, c) ?? this.espeak(sub, accent);
      out.push(ps);
      c = nextContext(c, ps, sub);
    }
    return [out.reverse().join(' '), c];
  }

  /** espeak IPA for punctuation-free text, mapped onto Kokoro's symbols. */
  private espeak(text: string, accent: Accent): string {
    if (this.voice !== accent) {
      if (this.worker.set_voice(accent === 'en-gb' ? 'en' : 'en-us') !== 0)
        throw new Error(`espeak-ng has no voice ${accent}`);
      this.voice = accent;
    }
    const ptr = this.worker.convert_to_phonemes(text, true).ptr;
    return mapEspeakIpa(readCString(this.mod.HEAPU8, ptr), accent);
  }
}

/**
 * Joins the pieces of one word. Pieces of different kinds ("R&D", "a/b") are spoken as separate
 * words; a compound of letters ("well-known") is one word that keeps about half its primary
 * stresses, the heaviest ones (misaki's resolve_tokens).
 */
function joinPieces(text: string, subs: string[], parts: string[]): string {
  const kinds = new Set<number>();
  for (const ch of text) if (!JUNK.has(ch)) kinds.add(/\p{L}/u.test(ch) ? 0 : /\d/.test(ch) ? 1 : 2);
  if (text.includes(' ') || text.includes('/') || kinds.size > 1) return parts.filter((p) => p).join(' ');
  // "thirty-four" written out (when the lexicon has no entry for it) keeps its number words apart,
  // as digits are read: a number compound is words, not one word.
  const words = subs.filter((w) => !JUNK.has(w[0] ?? ''));
  if (words.length > 1 && words.every((w) => NUMBER_PART.test(w))) return parts.filter((p) => p).join(' ');
  const spoken = parts
    .map((p, i) => ({ primary: p.includes(PRIMARY), weight: stressWeight(p), i }))
    .filter((x) => parts[x.i]);
  const first = spoken[0];
  const second = spoken[1];
  if (spoken.length === 2 && first && second && (subs[first.i] ?? '').length === 1) {
    parts[second.i] = applyStress(parts[second.i] ?? '', -0.5);
  } else if (spoken.length >= 2 && spoken.filter((x) => x.primary).length > Math.floor((spoken.length + 1) / 2)) {
    const ranked = [...spoken].sort(
      (a, b) => Number(a.primary) - Number(b.primary) || a.weight - b.weight || a.i - b.i,
    );
    for (const x of ranked.slice(0, Math.floor(spoken.length / 2))) parts[x.i] = applyStress(parts[x.i] ?? '', -0.5);
  }
  return parts.join('');
}

/** What a word's phonemes tell the word before it: whether it starts with a vowel, or a pause comes first. */
function nextContext(ctx: WordContext, ps: string, text: string): WordContext {
  let futureVowel = ctx.futureVowel;
  for (const ch of ps) {
    if (PAUSES.has(ch)) {
      futureVowel = null;
      break;
    }
    if (VOWELS.has(ch) || CONSONANTS.has(ch)) {
      futureVowel = VOWELS.has(ch);
      break;
    }
  }
  return { mixedCase: ctx.mixedCase, futureVowel, futureTo: text === 'to' || text === 'To' || text === 'TO' };
}

function readCString(heap: Uint8Array, ptr: number): string {
  let end = ptr;
  while (heap[end] !== 0) end++;
  return Buffer.from(heap.buffer, heap.byteOffset + ptr, end - ptr).toString('utf8');
}
