/**
 * The part of speech of each word of a sentence, as misaki's part-of-speech entries are keyed:
 * the tagger's Penn tag, corrected where a rule here is surer than the tagger (a word after "the"
 * is no verb; "have read" is a participle; "he read" and "read it yesterday" are past), plus the
 * readings no tag decides, spelled out for the few words where misaki's lexicon has one reading
 * for two words: "lead" the metal (lˈɛd, as in leaded, leaden) beside "lead" the verb and the
 * first place (lˈid).
 */
import type { Entry } from './pos-keys-en.js';
import type { PosTagger, TaggerToken } from './pos-tagger.js';

export interface SentenceToken extends TaggerToken {
  kind: 'word' | 'mark';
}

/** What the sentence tells one word's lookup: its tag, and a reading of this project's own for `word` itself. */
export interface WordSense {
  tag?: string;
  /** Phonemes for exactly this word (not its pieces or stems), where no part-of-speech entry has them. */
  reading?: { word: string; phonemes: string };
}

const words = (s: string) => new Set(s.split(' '));
const DETERMINERS = words('the a an this that these those my your his her its our their every each no some any');
const MODALS = words(
  "will would can could should shall may might must do does did don't doesn't didn't won't wouldn't can't cannot couldn't shouldn't please let's",
);
const HAVE = words("have has had having 've");
const BE = words("is are was were be been being am isn't aren't wasn't weren't 's 're");
/** A word's auxiliary, its own or a contraction's ("they've", "he's"; not "'d", which is had or would). */
const auxiliary = (w: string) => /'(?:ve|s|re|ll)$/.exec(w)?.[0] ?? w;
// Words that may stand between an auxiliary and its verb ("have not read", "was well read").
const BETWEEN = words("not n't never already just ever also still well widely often once all");
const PAST_CUES = words('yesterday ago last earlier previously formerly');
// Nouns "lead" (the metal) is the first half of.
const METAL_COMPOUNDS = words(
  'poisoning pipe pipes paint paints pencil pencils mine mines shot pellets levels level exposure oxide acetate crystal weight weights bullet bullets solder sheet sheets content contamination',
);
const FISH_BEFORE = words('sea striped largemouth smallmouth black white caught catch');
const PLAY = words('play plays played playing sing sings sang singing on');
const MINUTE_ADJ_BEFORE = words('very so too quite extremely rather is are was were be seems seem seemed');
const MINUTE_ADJ_AFTER = words(
  'detail details amount amounts quantity quantities particle particles fraction trace traces difference differences change changes crack cracks fragment fragments organisms',
);
const OBJECTS = words('it them');
const PRONOUN_OBJECTS = words('it them him her me us you');
// Verbs whose object is followed by a bare infinitive ("let them live"), not an adverb.
const CAUSATIVES = words('let lets make makes made help helps helped');
const SUBJECTS = words('i you he she it we they there');
// Words that begin a clause after the conjunction "that" ("that most people…", "that everyone…").
const CLAUSE_STARTS = words(
  'most many much few several all both some any none everyone everybody everything someone somebody something nobody nothing anyone anything',
);
const GO = words('go goes went going gone');
// Entries whose readings follow the tense (misaki: VBD, VBN and VBP readings).
const TENSED = words('read reread wound');

// Words whose reading the rules here decide though their entry has one reading, and "used" (used to).
const RULE_WORDS = words('lead used');
const STEMS = /(?:'s|s|es|ed|d|ing)$/;

/**
 * Whether any word of the sentence has readings by part of speech (beyond misaki's "None"), as
 * such or through its stem ("minutes", "closing"): only then is the sentence worth tagging, which
 * costs most of the front-end's time.
 */
export function needsTags(tokens: readonly SentenceToken[], entryOf: (word: string) => Entry | undefined): boolean {
  const keyed = (w: string) => {
    const e = entryOf(w);
    return typeof e === 'object' && Object.keys(e).some((k) => k !== 'DEFAULT' && k !== 'None');
  };
  return tokens.some((t) => {
    if (t.kind !== 'word') return false;
    const w = t.text.toLowerCase();
    if (RULE_WORDS.has(w) || keyed(w) || keyed(t.text)) return true;
    const stem = w.replace(STEMS, '');
    return (
      stem !== w &&
      (keyed(stem) || keyed(`${stem}e`) || keyed(stem.replace(/(.)\1$/, '$1')) || keyed(`${stem.slice(0, -1)}y`))
    );
  });
}

/**
 * The part of speech and any reading of each token (nothing for marks). A word standing alone
 * has no context to tag it by and keeps its DEFAULT reading; a sentence in capitals is tagged in
 * lowercase, since the tagger takes capitals for acronyms ("HELP US NOW").
 */
export function senses(tokens: readonly SentenceToken[], tagger: PosTagger): WordSense[] {
  if (tokens.filter((t) => t.kind === 'word').length < 2) return tokens.map(() => ({}));
  const shouting = !tokens.some((t) => /\p{Ll}/u.test(t.text));
  const raw = tagger.tag(shouting ? tokens.map((t) => ({ ...t, text: t.text.toLowerCase() })) : tokens);
  const lower = tokens.map((t) => (t.kind === 'word' ? t.text.toLowerCase() : ''));
  const tagAt = (i: number) => raw[i] ?? undefined;
  const isWord = (i: number) => tokens[i]?.kind === 'word';
  const wordAt = (i: number) => (isWord(i) ? (lower[i] ?? '') : '');
  const pastCue = lower.some((w) => PAST_CUES.has(w));
  // Past-tense verbs of the sentence other than "did" (which asks, as in "did you read"): how many.
  const pastVerbs = raw.filter((t, j) => t === 'VBD' && !MODALS.has(lower[j] ?? '')).length;
  return tokens.map((t, i) => {
    if (t.kind !== 'word') return {};
    const w = lower[i] ?? '';
    const prev = wordAt(i - 1);
    const next = wordAt(i + 1);
    let tag = tagAt(i);
    const determined = DETERMINERS.has(prev) || (prev !== '' && tagAt(i - 1) === 'CD');
    if (determined && tag !== undefined) tag = afterDeterminer(tag, next, tagAt(i + 1));
    // "good use", "fresh produce": an adjective is followed by a noun, not a verb.
    else if (tagAt(i - 1) === 'JJ' && isWord(i - 1) && (tag === 'VB' || tag === 'VBP')) tag = 'NN';
    if (MODALS.has(prev) || (CAUSATIVES.has(wordAt(i - 2)) && PRONOUN_OBJECTS.has(prev))) tag = 'VB';
    // "Isn't it close?", "Is it live?": after a question's be and subject, no finite verb.
    if (BE.has(wordAt(i - 2)) && SUBJECTS.has(prev) && (tag === 'VB' || tag === 'VBP' || tag === 'VBZ')) tag = 'JJ';
    // "say that the job…", "think that he…": the conjunction (ðæt), not the demonstrative (DT, ðˈæt).
    const clause = DETERMINERS.has(next) || SUBJECTS.has(next) || CLAUSE_STARTS.has(next);
    if (w === 'that' && tag === 'DT' && clause) tag = 'IN';
    if (TENSED.has(w)) tag = tense(i, tag, { wordAt, tagAt, raw, pastCue, pastVerbs });
    if (w === 'lead' && isMetal(tag, prev, next, tagAt(i + 1)))
      return { tag, reading: { word: 'lead', phonemes: 'lˈɛd' } };
    if (w === 'bass' && isMusic(prev, wordAt(i - 2), tagAt(i + 1))) tag = 'JJ';
    if (w === 'minute' && (MINUTE_ADJ_BEFORE.has(prev) || MINUTE_ADJ_AFTER.has(next))) tag = 'JJ';
    // "watch it live", "go live": the adverb, read as the adjective (misaki's DEFAULT lˈIv).
    const verbBefore = tagAt(i - 2)?.startsWith('VB') && !MODALS.has(wordAt(i - 2)) && !CAUSATIVES.has(wordAt(i - 2));
    if (w === 'live' && (GO.has(prev) || (OBJECTS.has(prev) && verbBefore))) tag = 'RB';
    return { tag };
  });
}

/** No verb follows a determiner or a number: "the record", "nine lives", "the close of day", "a learned man". */
function afterDeterminer(tag: string, next: string, nextTag: string | undefined): string {
  if (tag === 'VB' || tag === 'VBP' || tag === 'VBZ') return 'NN';
  if ((tag === 'VBD' || tag === 'VBN') && nextTag?.startsWith('NN')) return 'JJ';
  if (tag === 'JJ' && (next === 'of' || next === '')) return 'NN';
  return tag;
}

interface Sentence {
  wordAt(i: number): string;
  tagAt(i: number): string | undefined;
  raw: readonly (string | null)[];
  pastCue: boolean;
  pastVerbs: number;
}

/**
 * Present or past of "read" (and "wound", past of wind): misaki keys ɹˈɛd to VBD, VBN and VBP,
 * but a tagger's VBP is the present ("I read every day", ɹˈid), so the tense is decided here.
 */
function tense(i: number, tag: string | undefined, s: Sentence): string | undefined {
  if (tag === 'VBN' || tag === 'VBG' || tag === 'JJ' || tag?.startsWith('NN')) return tag;
  // The auxiliary before it, past adverbs and a subject in between ("did you ever read").
  for (let j = i - 1, seen = 0; j >= 0 && seen < 3; j--, seen++) {
    const w = auxiliary(s.wordAt(j));
    if (w === '') break;
    if (HAVE.has(w) || BE.has(w)) return 'VBN';
    if (MODALS.has(w) || w === "'ll" || w === 'to') return 'VB';
    if (!BETWEEN.has(w) && !s.tagAt(j)?.startsWith('PRP') && s.tagAt(j) !== 'RB') break;
  }
  if (s.wordAt(i - 1) === 'well') return 'VBN';
  if (tag === 'VBD') return tag;
  // A singular subject right before: the present would be "reads".
  const subject = s.wordAt(i - 1);
  const subjectTag = s.tagAt(i - 1);
  if (subject === 'he' || subject === 'she' || subject === 'it' || subjectTag === 'NN' || subjectTag === 'NNP')
    return 'VBD';
  const otherPast = s.pastVerbs - (s.raw[i] === 'VBD' ? 1 : 0) > 0;
  return s.pastCue || otherPast ? 'VBD' : 'VB';
}

/** "made of lead", "lead poisoning", "the lead pipes": the metal; "take the lead", "lead singer", "lead us": lˈid. */
function isMetal(tag: string | undefined, prev: string, next: string, nextTag: string | undefined): boolean {
  if (METAL_COMPOUNDS.has(next)) return true;
  if (tag === undefined || !tag.startsWith('NN')) return false;
  return !DETERMINERS.has(prev) && !nextTag?.startsWith('NN');
}

/** "bass guitar", "plays the bass", "on bass": the low voice (misaki's ADJ reading bˈAs), not the fish. */
function isMusic(prev: string, before: string, nextTag: string | undefined): boolean {
  if (FISH_BEFORE.has(prev)) return false;
  return Boolean(nextTag?.startsWith('NN')) || PLAY.has(prev) || (DETERMINERS.has(prev) && PLAY.has(before));
}
