/**
 * `npm run bench -- frontend [--quick]`: what the part-of-speech tagger costs the English
 * front-end. The same sentences of about 200 characters go through the front-end with the tagger
 * (compromise) and with a tagger that tags nothing (every homograph then takes its DEFAULT),
 * interleaved; medians of CPU time per sentence, plus the tagger alone and its load time. Then
 * the same for the English prose of the service benchmark, where a sentence without any
 * part-of-speech word is not tagged at all. The phoneme cache is not in the way: EnPhonemizer is
 * measured directly.
 */
import { fileURLToPath } from 'node:url';
import { EnPhonemizer } from '../../src/engines/kokoro/g2p-en.js';
import { CompromiseTagger } from '../../src/engines/kokoro/pos-compromise.js';
import type { PosTagger } from '../../src/engines/kokoro/pos-tagger.js';
import { tokenizeEn } from '../../src/engines/kokoro/tokens-en.js';
import { splitSentences } from '../../src/text/segment.js';
import { table, type Section } from '../lib/report.js';
import { log, runAndReport, type ModeOpts } from '../lib/run.js';
import { fmt, median } from '../lib/stats.js';
import { textOf } from '../texts.js';

const SENTENCES = [
  'The committee will present the records it kept last year, and although the wind was strong, we read every minute detail of the project before we refused to conduct a survey of the desert near the lead mine.',
  'What you read yesterday about the old water pipes, which were made of lead, should lead the city to close the worst streets and record how many families live close to the plant that produces it.',
  'She wound the cable around the post, wiped a tear from her cheek, and said that the content of the permit was perfect, though the suspect had refused to object to the contract he signed in May.',
  'If you use this guide to separate the fresh produce from the refuse, you will see a small increase in what the farm can sell at the market each minute it stays open on a busy Saturday afternoon.',
];
// The shipped lexicons, from the repository (the compiled bench runs from dist-bench/, beside no lexicons/).
const LEXICONS = fileURLToPath(new URL('../../../lexicons/en/', import.meta.url));
const NO_TAGS: PosTagger = { tag: (tokens) => tokens.map(() => null) };

const cpuMs = (fn: () => void): number => {
  const t0 = process.cpuUsage();
  fn();
  const t = process.cpuUsage(t0);
  return (t.user + t.system) / 1000;
};

export async function measure(opts: ModeOpts): Promise<Section> {
  const rounds = opts.quick ? 20 : 200;
  const t0 = process.cpuUsage();
  const tagger = await CompromiseTagger.load();
  const load = process.cpuUsage(t0);
  const loadMs = (load.user + load.system) / 1000;
  const [tagged, untagged] = await Promise.all([
    EnPhonemizer.create({ tagger, lexiconDir: LEXICONS }),
    EnPhonemizer.create({ tagger: NO_TAGS, lexiconDir: LEXICONS }),
  ]);
  const tokens = SENTENCES.map((s) => tokenizeEn(s, () => false));
  const prose = splitSentences(textOf('en', 1800)).map((s) => s.trim());
  let calls = 0;
  const counting: PosTagger = {
    tag: (t) => {
      calls++;
      return tagger.tag(t);
    },
  };
  const proseTagged = await EnPhonemizer.create({ tagger: counting, lexiconDir: LEXICONS });
  const withTagger: number[] = [];
  const without: number[] = [];
  const alone: number[] = [];
  const proseWith: number[] = [];
  const proseWithout: number[] = [];
  const each = (list: string[], en: EnPhonemizer) =>
    cpuMs(() => {
      for (const s of list) en.phonemize(s, 'en-us');
    });
  for (let r = -10; r < rounds; r++) {
    const a = each(SENTENCES, tagged);
    const b = each(SENTENCES, untagged);
    const c = cpuMs(() => {
      for (const t of tokens) tagger.tag(t);
    });
    calls = 0;
    const d = each(prose, proseTagged);
    const e = each(prose, untagged);
    if (r < 0) continue; // warm-up
    withTagger.push(a / SENTENCES.length);
    without.push(b / SENTENCES.length);
    alone.push(c / SENTENCES.length);
    proseWith.push(d / prose.length);
    proseWithout.push(e / prose.length);
  }
  const w = median(withTagger);
  const n = median(without);
  const proseChars = Math.round(prose.reduce((sum, s) => sum + s.length, 0) / prose.length);
  const proseLabel = `bench prose: ${prose.length} sentences of ${proseChars} characters, ${calls} tagged`;
  const chars = Math.round(SENTENCES.reduce((sum, s) => sum + s.length, 0) / SENTENCES.length);
  log(`frontend: ${fmt(n, 2)} ms without the tagger, ${fmt(w, 2)} ms with it, per ${chars}-character sentence`);
  return {
    mode: 'frontend',
    title: 'English front-end: the cost of the part-of-speech tagger',
    data: { rounds, chars, loadMs, withTagger, without, alone, prose: { proseWith, proseWithout, calls } },
    markdown: table(
      ['per sentence', 'CPU ms (median)'],
      [
        ['front-end without the tagger', fmt(n, 2)],
        ['front-end with the tagger', fmt(w, 2)],
        ['added by the tagger', fmt(w - n, 2)],
        ['the tagger alone', fmt(median(alone), 2)],
        [`${proseLabel}: without the tagger`, fmt(median(proseWithout), 2)],
        [`${proseLabel}: with the tagger`, fmt(median(proseWith), 2)],
      ],
    ),
    targets: [
      {
        name: `tagger's added CPU time per ${chars}-character English sentence`,
        goal: 'report',
        measured: `${fmt(w - n, 2)} ms (${fmt(n, 2)} → ${fmt(w, 2)})`,
        met: null,
        info: true,
      },
    ],
    notes: [
      `${SENTENCES.length} sentences of ${chars} characters on average, ${rounds} interleaved rounds after 10 of warm-up`,
      `loading the tagger (importing compromise, then one sentence) took ${fmt(loadMs, 0)} ms of CPU, once per engine thread`,
    ],
  };
}

export const run = (args: string[]): Promise<void> => runAndReport('frontend', [{ mode: 'frontend', measure }], args);
