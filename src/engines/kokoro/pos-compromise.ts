/**
 * The part-of-speech tagger on compromise (MIT, pure JavaScript, its lexicon and rules in the
 * package: no file or network I/O), its tags translated into Penn Treebank tags. Chosen over
 * wink-pos-tagger (Penn tags natively and ten times faster, but wrong more often on the
 * homographs that matter here: "it is close", "she is content", "wind the clock") and pos
 * (LGPL, weaker); wink-nlp's model tags only coarse parts of speech, without tense.
 */
import type { PosTagger, TaggerToken } from './pos-tagger.js';

/** The parts of compromise's document we read. */
interface Term {
  text: string;
  normal: string;
  tags?: Set<string>;
  offset?: { start: number; length: number };
}
interface Doc {
  compute(what: string): unknown;
  docs: Term[][];
}
type Nlp = (text: string) => Doc;

// Sentences longer than this many tokens (hostile input, not language) are tagged in windows, so
// the cost stays linear whatever compromise does with one huge sentence.
const WINDOW = 256;
const WARM_UP = 'They will record what you read yesterday about the lead in the water.';

export class CompromiseTagger implements PosTagger {
  private constructor(private readonly nlp: Nlp) {}

  /**
   * Imports compromise's tagger and tags one sentence: about 0.75 s of CPU once, most of it
   * unpacking its lexicon; its first sentence costs another 0.15 s (it builds its rules on first
   * use), which should not fall on a request.
   */
  static async load(): Promise<CompromiseTagger> {
    const mod = (await import('compromise/two')) as unknown as { default: Nlp };
    const tagger = new CompromiseTagger(mod.default);
    tagger.tag(WARM_UP.split(' ').map((text) => ({ text, ws: ' ' })));
    return tagger;
  }

  tag(tokens: readonly TaggerToken[]): (string | null)[] {
    const out: (string | null)[] = [];
    for (let i = 0; i < tokens.length; i += WINDOW) out.push(...this.window(tokens.slice(i, i + WINDOW)));
    return out;
  }

  private window(tokens: readonly TaggerToken[]): (string | null)[] {
    const starts: number[] = [];
    let text = '';
    for (const t of tokens) {
      starts.push(text.length);
      text += t.text + (t.ws || ' ');
    }
    const tags: (string | null)[] = tokens.map(() => null);
    const doc = this.nlp(text);
    doc.compute('offset');
    let k = 0;
    for (const sentence of doc.docs) {
      for (const term of sentence) {
        const at = term.offset;
        // A contraction's second half ("can't" → can + not) has no text of its own.
        if (!at || at.length === 0) continue;
        while (k + 1 < tokens.length && (starts[k + 1] ?? Infinity) <= at.start) k++;
        // A token split into several terms ("well-known") takes the first one's tag.
        if (tags[k] === null && (starts[k] ?? 0) <= at.start) tags[k] = pennTag(term);
      }
    }
    return tags;
  }
}

/** compromise's tags of one term as a Penn Treebank tag, spaCy's way where they differ ("that" alone is DT). */
export function pennTag(term: Term): string | null {
  const tags = term.tags ?? new Set<string>();
  const has = (t: string) => tags.has(t);
  const word = term.normal;
  if (word === 'to') return 'TO';
  if (word === 'there' && !has('Adverb')) return 'EX';
  if (has('Verb')) {
    if (has('Modal')) return 'MD';
    if (has('Gerund')) return 'VBG';
    if (has('Participle') || has('Passive')) return 'VBN';
    if (has('PastTense')) return 'VBD';
    if (has('Infinitive') || has('Imperative')) return 'VB';
    if (has('PresentTense')) return /s$/.test(word) ? 'VBZ' : 'VBP';
    if (has('Auxiliary')) return word === 'used' ? 'VBD' : 'MD';
    return 'VB';
  }
  if (has('Pronoun')) {
    if (word === 'that' || word === 'this' || word === 'these' || word === 'those') return 'DT';
    return has('Possessive') ? 'PRP$' : 'PRP';
  }
  if (has('Adjective')) return has('Comparative') ? 'JJR' : has('Superlative') ? 'JJS' : 'JJ';
  if (has('Adverb')) return has('QuestionWord') ? 'WRB' : 'RB';
  if (has('Determiner')) return 'DT';
  if (has('Preposition')) return 'IN';
  if (has('Conjunction')) return word === 'that' ? 'IN' : 'CC';
  if (has('QuestionWord')) return 'WP';
  if (has('Value') || has('Cardinal')) return 'CD';
  if (has('Expression')) return 'UH';
  if (has('Particle')) return 'RP';
  if (has('ProperNoun') || has('Acronym')) return has('Plural') ? 'NNPS' : 'NNP';
  if (has('Noun') || has('Date') || has('Unit')) return has('Plural') ? 'NNS' : 'NN';
  return null;
}
