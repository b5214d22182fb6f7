/**
 * English sentences through the Kokoro front-end, each expected reading worked out by hand from
 * misaki's rules (hexgrad/misaki fba1236, misaki/en.py) and its lexicon entries (shipped in
 * lexicons/en). `source` names the rule a case exercises. Two conventions hold throughout,
 * both misaki's: readings are written with T for the flap ɾ and t for ʔ (G2P without a version),
 * and a capitalised word whose entry has no stress gains a secondary one (apply_stress 0.5).
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { KokoroFrontEnd } from '../../src/engines/kokoro/frontend.js';
import { EnPhonemizer } from '../../src/engines/kokoro/g2p-en.js';
import { KOKORO_CONFIG } from '../fixtures/make-stand-in-model.js';
import { KOKORO_EN_SYMBOLS } from '../fixtures/kokoro-en-symbols.js';
import { cpuMs } from '../support/cpu-time.js';

type Case = [text: string, expected: string, source: string];

const ABBREVIATIONS: Case[] = [
  ['Dr. Smith is here.', 'dˈɑktəɹ smˈɪθ ɪz hˈɪɹ.', 'gold "Dr." includes its period, which is silent; Smith from smith'],
  ['Mr. and Mrs. Brown are here.', 'mˈɪstəɹ ænd mˈɪsɪz bɹˈWn ɑɹ hˈɪɹ.', 'gold "Mr.", "Mrs."'],
  ['Ms. Lee is here.', 'mˈɪz lˈi ɪz hˈɪɹ.', 'gold "Ms." (read, not spelled)'],
  ['The U.S. economy grew.', 'ðə jˌuˈɛs ikˈɑnəmi ɡɹˈu.', 'get_NNP: dotted letters spelled, last one primary'],
  ['He moved to the U.K. last year.', 'hˌi mˈuvd tə ðə jˌukˈA lˈæst jˈɪɹ.', 'get_NNP; "to" before a consonant'],
  ['Meet me at 9 a.m. tomorrow.', 'mˈit mˌi æt nˈIn ˌAˈɛm təmˈɑɹO.', 'get_NNP for a.m.; no stop mid-sentence'],
  ['The show starts at 8 p.m.', 'ðə ʃˈO stˈɑɹts æt ˈAt pˌiˈɛm.', 'get_NNP; the final period ends the sentence'],
  ['Bring fruit, e.g. apples.', 'bɹˈɪŋ fɹˈut, ˌiʤˈi ˈæpᵊlz.', 'get_NNP for e.g.'],
  ['One language, i.e. English.', 'wˈʌn lˈæŋɡwɪʤ, ˌIˈi ˈɪŋɡlɪʃ.', 'get_NNP for i.e.'],
  ['Pens, pencils, etc. are on the desk.', 'pˈɛnz, pˈɛnsᵊlz, ɛtsˈɛTəɹə ɑɹ ˌɔn ðə dˈɛsk.', 'gold "etc."'],
  ['It was cats vs. dogs.', 'ˌɪt wʌz kˈæts vˈɜɹsəs dˈɔɡz.', 'special case: vs. → versus; dogs = dog + z'],
  ['Visit No. 10 today.', 'vˈɪzət nˈʌmbəɹ tˈɛn tədˈA.', 'gold "No." = number, before a number'],
  ['Martin Luther King Jr. spoke.', 'mˈɑɹtᵊn lˈuθəɹ kˈɪŋ ʤˈunjəɹ spˈOk.', 'Jr. read as junior'],
  [
    'We live on Main St. now.',
    'wˌi lˈɪv ˌɔn mˈAn stɹˈit nˈW.',
    'St. after a name is street; live as a verb after "we"',
  ],
  ['We visited St. Louis.', 'wˌi vˈɪzɪTᵻd sˈAnt lˈui.', 'St. before a name is saint'],
  [
    'Visit example.com today.',
    'vˈɪzət ɪɡzˈæmpəl dˈɑt kˈɑm tədˈA.',
    'ADD_SYMBOLS: the dot of a web address is read "dot"',
  ],
  ['Write to john@example.com.', 'ɹˈIt tə ʤˈɑn æt ɪɡzˈæmpəl dˈɑt kˈɑm.', 'SYMBOLS: @ → at; address dots → dot'],
  ['The box is 15 ft. wide.', 'ðə bˈɑks ɪz fˌɪftˈin fˈit wˈId.', "a unit's period mid-sentence is no stop"],
  ['See Vol. 3 now.', 'sˈi vˈɑljˌum θɹˈi nˈW.', 'Vol. before a number is volume'],
  ["The U.S.A.'s total.", 'ðə jˌuˌɛsˈAz tˈOTᵊl.', 'get_NNP, then _s for the possessive'],
  ['Call Dr. Lee at 5 p.m. today.', 'kˈɔl dˈɑktəɹ lˈi æt fˈIv pˌiˈɛm tədˈA.', 'two abbreviations, no false stop'],
];

const NUMBERS: Case[] = [
  [
    'There were 1,250 people.',
    'ðˌɛɹ wɜɹ wˈʌn θˈWzᵊnd tˈu hˈʌndɹəd fˈɪfti pˈipᵊl.',
    'num2words cardinal, "and" dropped',
  ],
  ['It is 3.14 meters.', 'ˌɪt ɪz θɹˈi pYnt wˈʌn fˈɔɹ mˈiTəɹz.', 'decimal: "point" without stress'],
  ['Only 50% agreed.', 'ˈOnli fˈɪfti pəɹsˈɛnt əɡɹˈid.', 'SYMBOLS: % → percent'],
  ['It was -5 degrees.', 'ˌɪt wʌz mˈInəs fˈIv dəɡɹˈiz.', 'leading minus → minus; degrees = degree + z'],
  ['He came 1st and she came 22nd.', 'hˌi kˈAm fˈɜɹst ænd ʃi kˈAm twˈɛnti sˈɛkənd.', 'ordinals from num2words'],
  ['Ninety days.', 'nˈIndi dˈAz.', 'ninety is nˈIndi (gold)'],
  ['The 1990s were fun.', 'ðə nˌIntˈin nˈIndiz wɜɹ fˈʌn.', 'year, plural'],
  ['Read pages 10-20.', 'ɹˈid pˈAʤᵻz tˈɛn tə twˈɛnti.', 'number range read with "to"'],
  ['Read pages 3–7.', 'ɹˈid pˈAʤᵻz θɹˈi tə sˈɛvən.', 'en-dash range'],
  ['Call 555-123-4567 now.', 'kˈɔl fˈIv fˈIv fˈIv, wˈʌn tˈu θɹˈi, fˈɔɹ fˈIv sˈɪks sˈɛvən nˈW.', 'phone: digit groups'],
  ['Dial (555) 123-4567.', 'dˈIᵊl fˈIv fˈIv fˈIv, wˈʌn tˈu θɹˈi, fˈɔɹ fˈIv sˈɪks sˈɛvən.', 'phone with area code'],
  ['In 1999 we left.', 'ɪn nˌIntˈin nˈIndi nˈIn wi lˈɛft.', 'year; "in" unstressed before a word'],
  ['In 2026 it rained.', 'ɪn twˈɛnti twˈɛnti sˈɪks ɪt ɹˈAnd.', 'year 2026'],
  ['By 2005 it was done.', 'bˌI tˈu θˈWzᵊnd fˈIv ɪt wʌz dˈʌn.', 'year 2005; By DEFAULT with capital stress'],
  ['The year 1905.', 'ðə jˈɪɹ nˌIntˈin ˈO fˈIv.', 'year with oh'],
  ['A million stars.', 'ɐ mˈɪljᵊn stˈɑɹz.', 'article a'],
  ['Page 0.5 of 12.', 'pˈAʤ zˈɪɹO pYnt fˈIv ʌv twˈɛlv.', 'decimal below one'],
  ['She turned twenty-one.', 'ʃˌi tˈɜɹnd twˌɛntiwˈʌn.', 'hyphenated number word in gold'],
  [
    'She turned thirty-four.',
    'ʃˌi tˈɜɹnd θˈɜɹTi fˈɔɹ.',
    'hyphenated number words not in gold keep their word boundary',
  ],
  ['The forty-second time.', 'ðə fˈɔɹTi sˈɛkənd tˈIm.', 'hyphenated ordinal keeps its word boundary'],
  ['Room 101.', 'ɹˈum wˈʌn hˈʌndɹəd wˈʌn.', 'cardinal'],
  ['I have 3 cats.', 'ˌI hæv θɹˈi kˈæts.', 'I → ˌI; have DEFAULT before a word'],
];

const MONEY: Case[] = [
  [
    'Pay $3,497.50 now.',
    'pˈA θɹˈi θˈWzᵊnd fˈɔɹ hˈʌndɹəd nˈIndi sˈɛvən dˈɑləɹz ænd fˈɪfti sˈɛnts nˈW.',
    'currency pairs',
  ],
  ['Only $1 left.', 'ˈOnli wˈʌn dˈɑləɹ lˈɛft.', 'singular unit'],
  ["It's £20.", 'ˌɪts twˈɛnti pˈWndz.', "pound; It's with capital stress"],
  ['Add €10.', 'ˈæd tˈɛn jˈʊɹOz.', 'euros = euro + z'],
  ['Just $0.50.', 'ʤˈʌst fˈɪfti sˈɛnts.', 'zero dollars dropped'],
  ['Pay $2.01.', 'pˈA tˈu dˈɑləɹz ænd wˈʌn sˈɛnt.', 'one cent'],
];

const UNITS: Case[] = [
  ['Run 5 km.', 'ɹˈʌn fˈIv kəlˈɑməTəɹz.', 'km → kilometers = kilometer + z'],
  ['It weighs 10 kg.', 'ˌɪt wˈAz tˈɛn kˈɪləɡɹˌæmz.', 'kg → kilograms (silver)'],
  ['Set it to 20 °C.', 'sˈɛt ɪt tə twˈɛnti dəɡɹˈiz sˈɛlsiəs.', '°C → degrees Celsius'],
  ['Drive 60 mph.', 'dɹˈIv sˈɪksti mˈIlz pɜɹ ˈWəɹ.', 'mph → miles per hour'],
  ['Wait 30 min.', 'wˈAt θˈɜɹTi mˈɪnəts.', 'min → minutes = minute + s'],
];

const DATES: Case[] = [
  ['On 2026-03-20 we met.', 'ˌɔn mˈɑɹʧ twˈɛntiəθ, twˈɛnti twˈɛnti sˈɪks wi mˈɛt.', 'ISO date'],
  ['On Jan. 5 we met.', 'ˌɔn ʤˈænjəwˌɛɹi fˈɪfθ wi mˈɛt.', 'Jan. before a day: January, an ordinal, no stop'],
  ['Born March 5, 1990.', 'bˈɔɹn mˈɑɹʧ fˈɪfθ, nˌIntˈin nˈIndi.', 'day after a month is an ordinal'],
  ['Meet at 10:30.', 'mˈit æt tˈɛn θˈɜɹTi.', 'clock time'],
  ['Meet at 10:00.', 'mˈit æt tˈɛn əklˈɑk.', "o'clock (gold)"],
  ['Due 12/25/2025.', 'dˈu disˈɛmbəɹ twˈɛnti fˈɪfθ, twˈɛnti twˈɛnti fˈIv.', 'US date'],
  ['At 9:05 we left.', 'ˌæt nˈIn ˈO fˈIv wi lˈɛft.', 'minutes below ten with oh; At gains capital stress'],
];

const CONTRACTIONS: Case[] = [
  ["I can't go.", 'ˌI kˈænt ɡˌO.', 'gold contraction'],
  ["We won't stop.", 'wˌi wOnt stˈɑp.', "won't DEFAULT before a word"],
  ["I won't.", 'ˌI wˈOnt.', 'won\'t "None" reading before a pause'],
  ["They're here.", 'ðˌɛɹ hˈɪɹ.', 'capital stress on an unstressed entry'],
  ["I've seen it.", 'ˌIv sˈin ɪt.', "gold I've"],
  ["You'll see.", 'jˌul sˈi.', "gold you'll"],
  ["Isn't it?", 'ˈɪzᵊnt ɪt?', "gold isn't"],
  ["Let's go!", 'lˈɛts ɡˌO!', "gold let's"],
  ["I'd like that.", 'ˌId lˈIk ðˈæt.', 'that alone is a demonstrative, tagged DT as spaCy does: gold DT reading'],
  ["There's more.", 'ðˌɛɹz mˈɔɹ.', "there's DEFAULT with capital stress"],
  ["Y'all ain't seen it yet.", 'jˈɔl ˈAnt sˈin ɪt jˈɛt.', "gold y'all, ain't"],
  ['I’m sure it’s fine.', 'ˌIm ʃˈʊɹ ɪts fˈIn.', 'curly apostrophes read as straight'],
];

const POSSESSIVES: Case[] = [
  ["The cat's toy.", 'ðə kˈæts tˈY.', "stem_s: 's after a voiceless stop is s"],
  ["The boss's car.", 'ðə bˈɔsᵻz kˈɑɹ.', "stem_s: 's after s is ᵻz"],
  ["The children's books.", 'ðə ʧˈɪldɹᵊnz bˈʊks.', "stem_s: 's after n is z"],
  ["James's book.", 'ʤˈAmzᵻz bˈʊk.', 'stem_s on a name'],
  ["The teachers' room.", 'ðə tˈiʧəɹz ɹˈum.', 'plural possessive: trailing apostrophe dropped'],
  ["Emma's bag.", 'ˈɛməz bˈæɡ.', 'stem_s after a vowel'],
];

const QUOTES_AND_DASHES: Case[] = [
  ['"Hello," she said.', '“həlˈO,” ʃi sˈɛd.', 'straight quotes become opening and closing quotes'],
  ['He said " hello " twice.', 'hˌi sˈɛd “ həlˈO ” twˈIs.', 'spaced straight quotes open and close by turns'],
  ['He said "yes".', 'hˌi sˈɛd “jˈɛs”.', 'closing quote before the stop'],
  ['“Stop!” he cried.', '“stˈɑp!” hi kɹˈId.', 'curly quotes kept'],
  ['(Really) fine.', '(ɹˈiᵊli) fˈIn.', 'parentheses kept'],
  ['She said ‘no’.', 'ʃˌi sˈɛd “nˈO”.', 'single quotation marks are quotes'],
  ["She said 'goodbye'.", 'ʃˌi sˈɛd “ɡˌʊdbˈI”.', 'straight single quotes around a word are quotes'],
  ['Wait - what?', 'wˈAt — wˌʌt?', 'spaced hyphen is a dash'],
  ['It was good—very good.', 'ˌɪt wʌz ɡˈʊd—vˈɛɹi ɡˈʊd.', 'em dash inside a word'],
  ['Run it with --help.', 'ɹˈʌn ɪt wɪð hˈɛlp.', 'a leading hyphen is not read'],
  ['Yes -- no.', 'jˈɛs — nˈO.', 'double hyphen is a dash'],
  ['A well-known fact.', 'ɐ wˌɛlnˈOn fˈækt.', 'compound: lighter part loses primary stress'],
  ['An X-ray.', 'ɐn ˈɛksɹˌA.', 'gold X-ray'],
];

const CONTEXT: Case[] = [
  ['The apple.', 'ði ˈæpᵊl.', 'the before a vowel is ði'],
  ['The hour is late.', 'ði ˈWəɹ ɪz lˈAt.', 'the before a vowel sound'],
  ['Go to an office.', 'ɡˌO tə ɐn ˈɔfəs.', "an is ɐn; ɐ is not in misaki's VOWELS, so the n decides: tə"],
  ['Go to each office.', 'ɡˌO tʊ ˈiʧ ˈɔfəs.', 'to before a vowel is tʊ'],
  ['I want to.', 'ˌI wˈɑnt tu.', 'to before a pause keeps its gold reading'],
  ['A cat and an owl.', 'ɐ kˈæt ænd ɐn ˈWl.', 'article a is ɐ'],
  ['Plan A.', 'plˈæn ˈA.', 'letter A before a pause is ˈA'],
  ['I am here.', 'ˌI ɐm hˈɪɹ.', 'am before a word is ɐm'],
  ['Yes, I am.', 'jˈɛs, ˌI æm.', 'am before a pause is gold æm'],
  ['Come in.', 'kˈʌm ˈɪn.', 'in before a pause is stressed'],
  ['In the end.', 'ɪn ði ˈɛnd.', 'in before a word is unstressed'],
  ['I used to run.', 'ˌI jˈust tə ɹˈʌn.', 'used before to (VBD reading)'],
  ['They used it.', 'ðˌA jˈuzd ɪt.', 'used DEFAULT'],
  [
    'I will record the record.',
    'ˌI wɪl ɹəkˈɔɹd ðə ɹˈɛkəɹd.',
    'gold record: VERB after a modal, DEFAULT (noun) after the',
  ],
  ['They object to the object.', 'ðˌA əbʤˈɛkt tə ði ˈɑbʤəkt.', 'VERB after a subject pronoun'],
  [
    'Please close the door; it is close.',
    'plˈiz klˈOz ðə dˈɔɹ; ɪt ɪz klˈOs.',
    'close: VERB after please, DEFAULT after is',
  ],
  ['I have read the book.', 'ˌI hæv ɹˈɛd ðə bˈʊk.', 'read: VBN after have'],
  ['The use of force.', 'ðə jˈus ʌv fˈɔɹs.', 'use: NOUN after the'],
  ['It is used to cut.', 'ˌɪt ɪz jˈuzd tə kˈʌt.', 'passive used before to keeps DEFAULT'],
  ['This is it.', 'ðˌɪs ɪz ɪt.', 'this DEFAULT plus capital stress'],
  ['I like this.', 'ˌI lˈIk ðˈɪs.', 'this "None" reading before a pause'],
];

const WORDS: Case[] = [
  ['The fire and the iron.', 'ðə fˈIəɹ ænd ði ˈIəɹn.', 'gold fire, iron'],
  ['Science is quiet.', 'sˈIəns ɪz kwˈIət.', 'gold science, quiet'],
  ['A diet for a lion.', 'ɐ dˈIət fɔɹ ɐ lˈIən.', 'gold diet, lion'],
  ['A violent society.', 'ɐ vˈIᵊlənt səsˈIəTi.', 'gold violent, society'],
  ['NASA launched it.', 'nˈæsə lˈɔnʧt ɪt.', 'all caps found in gold; launched = launch + t'],
  ['The FBI agent.', 'ði ˌɛfbˌiˈI ˈAʤᵊnt.', 'unknown all-caps word is spelled (get_NNP)'],
  ['FIRE!', 'fˈIəɹ!', 'all caps read as the lowercase word'],
  ['The US economy grew.', 'ðə jˌuˈɛs ikˈɑnəmi ɡɹˈu.', 'gold US has NOUN: null, so the noun is spelled (get_NNP)'],
  ['IT staff need ID cards.', 'ˌItˈi stˈæf nˈid ˌIdˈi kˈɑɹdz.', 'acronyms with NOUN: null are spelled'],
  ['HELP US NOW.', 'hˈɛlp ˈʌs nˈW.', 'an all-caps sentence is shouting: US DEFAULT with a primary stress'],
  ['THE ACT WAS PASSED.', 'ði ˈækt wˈʌz pˈæst.', 'shouting: ACT tagged a noun (NOUN: null, spell) reads its DEFAULT'],
  ['Hello World.', 'həlˈO wˈɜɹld.', 'capitalised words from the lowercase entries'],
];

const BRITISH: Case[] = [
  ['The fire is hot.', 'ðə fˈIə ɪz hˈɒt.', 'gb gold'],
  ['Dr. Smith is here.', 'dˈɒktə smˈɪθ ɪz hˈɪə.', 'gb gold "Dr."'],
  ['It costs £5.', 'ˌɪt kˈɒsts fˈIv pˈWndz.', 'gb silver costs, pounds'],
  ['Ninety days.', 'nˈInti dˈAz.', 'gb ninety'],
  ['The U.K. last year.', 'ðə jˌuːkˈA lˈɑːst jˈɪə.', 'get_NNP in gb'],
  ['Science is quiet.', 'sˈIəns ɪz kwˈIət.', 'gb gold'],
];

const US_CASES = [
  ...ABBREVIATIONS,
  ...NUMBERS,
  ...MONEY,
  ...UNITS,
  ...DATES,
  ...CONTRACTIONS,
  ...POSSESSIVES,
  ...QUOTES_AND_DASHES,
  ...CONTEXT,
  ...WORDS,
];

describe("English sentences read by misaki's rules", () => {
  let front: KokoroFrontEnd;
  beforeAll(async () => {
    const en = await EnPhonemizer.create();
    front = new KokoroFrontEnd({ en, zh: { phonemize: () => '' } }, 0);
  }, 60_000);

  it('has at least 80 sentences', () => expect(US_CASES.length + BRITISH.length).toBeGreaterThanOrEqual(80));

  it.each(US_CASES)('%s', (text, expected) => {
    expect(front.phonemize({ lang: 'en', text }, 'en-us')).toBe(expected);
  });

  it.each(BRITISH)('en-gb: %s', (text, expected) => {
    expect(front.phonemize({ lang: 'en', text }, 'en-gb')).toBe(expected);
  });

  const emitted = () =>
    [
      ...US_CASES.map(([t]) => front.phonemize({ lang: 'en', text: t }, 'en-us')),
      ...BRITISH.map(([t]) => front.phonemize({ lang: 'en', text: t }, 'en-gb')),
      // Words only espeak knows, some with vowel sequences it writes as one unit.
      front.phonemize({ lang: 'en', text: 'Zyrofire Blorpian pyreflier Kwyzzler, café naïve!' }, 'en-us'),
      front.phonemize({ lang: 'en', text: 'Zyrofire Blorpian pyreflier Kwyzzler, café naïve!' }, 'en-gb'),
    ].join(' ');

  it('emits only symbols misaki writes for English', () => {
    expect([...new Set(emitted())].filter((c) => !KOKORO_EN_SYMBOLS.has(c))).toEqual([]);
  });

  const config = KOKORO_CONFIG;
  it('emits only symbols of the v1.0 vocabulary (config.json)', () => {
    const vocab = (JSON.parse(readFileSync(config, 'utf8')) as { vocab: Record<string, number> }).vocab;
    expect([...new Set(emitted())].filter((c) => !Object.hasOwn(vocab, c))).toEqual([]);
    expect([...KOKORO_EN_SYMBOLS].filter((c) => !Object.hasOwn(vocab, c))).toEqual([]);
  });
});

// A chunk is a few hundred characters, but the front-end must stay linear past that: misaki's
// search over a word's pieces is cubic, so long hyphen or letter chains are read piece by piece.
describe('the English front-end stays linear on hostile input', () => {
  let en: EnPhonemizer;
  beforeAll(async () => {
    en = await EnPhonemizer.create();
    en.phonemize('warm up', 'en-us');
  }, 60_000);
  const N = 20_000;
  it.each([
    ['"a-" x 10k (one word of 20k pieces)', 'a-'.repeat(N / 2)],
    ['"Ab" x 10k (case changes)', 'Ab'.repeat(N / 2)],
    ['"U.S." x 5k', 'U.S.'.repeat(N / 4)],
    ['quotes x 20k', '"'.repeat(N)],
    ['"word " x 4k', 'word '.repeat(N / 5)],
    ['"read the lead " x 1.4k (all tagged)', 'read the lead '.repeat(N / 14)],
    ['20k unknown letters', 'x'.repeat(N)],
  ])('%s', (_name, input) => {
    expect(cpuMs(() => en.phonemize(input, 'en-us'))).toBeLessThan(3000);
  });
});
