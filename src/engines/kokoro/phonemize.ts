/**
 * What Kokoro would be fed for a text, without the model: the text is normalized and
 * chunked as for a job, each language run phonemized through the engine's own path
 * (run-phonemes.ts), and the phonemes turned into token ids when the vocabulary
 * (config.json) is installed. Used by POST /api/phonemize and `npm run phonemize`.
 */
import { existsSync } from 'node:fs';
import type { Lang, Run } from '../../text/types.js';
import { prepareInput } from '../../ssml/prepare.js';
import { joinRuns } from '../../text/run-text.js';
import type { LexiconRule } from '../../text/annotations.js';
import { KokoroFrontEnd } from './frontend.js';
import { EnPhonemizer } from './g2p-en.js';
import { ZhPhonemizer } from './g2p-zh.js';
import { runPhonemes, runTokens } from './run-phonemes.js';
import { Vocab } from './vocab.js';
import { KOKORO_CAPABILITIES } from './voices.js';

export interface PhonemizedRun {
  language: Lang;
  /** The run's text after normalization. */
  text: string;
  /** Voice file that reads the run. */
  voice: string;
  phonemes: string;
  /** Token ids the model gets (without the 0 pad at each end), or null without a vocabulary. */
  tokens: number[] | null;
  /** Symbols of `phonemes` the vocabulary has no id for (left out of `tokens`); null without a vocabulary. */
  dropped: string[] | null;
  /** False when the engine skips the run (nothing but punctuation). */
  spoken: boolean;
}

export interface PhonemizedChunk {
  index: number;
  text: string;
  runs: PhonemizedRun[];
}

export type VocabularyState = { installed: true; path: string } | { installed: false; path: string; reason: string };

export interface PhonemizeResult {
  engine: 'kokoro';
  voice: string;
  vocabulary: VocabularyState;
  chunks: PhonemizedChunk[];
}

export class KokoroPhonemize {
  private vocab: Vocab | undefined;

  constructor(
    private readonly frontEnd: KokoroFrontEnd,
    /** Kokoro's config.json; read once it exists, so installing the model later needs no restart. */
    private readonly configPath: string,
  ) {}

  /** Loads the front-end (the vocabulary is read when first needed; the weights never are). */
  static async create(configPath: string): Promise<KokoroPhonemize> {
    const [en, zh] = await Promise.all([EnPhonemizer.create(), ZhPhonemizer.create()]);
    return new KokoroPhonemize(new KokoroFrontEnd({ en, zh }, 1000), configPath);
  }

  /** The vocabulary, once config.json is there. */
  async vocabulary(): Promise<VocabularyState> {
    const path = this.configPath;
    if (!this.vocab && existsSync(path)) this.vocab = await Vocab.load(path);
    if (this.vocab) return { installed: true, path };
    const reason = `Kokoro's config.json is not installed at ${path}: phonemes are shown, token ids need it (npm run models -- install kokoro)`;
    return { installed: false, path, reason };
  }

  /**
   * Phonemes (and token ids) per chunk and run; throws the same `empty_text` error a job would.
   * Yields to the event loop between chunks: a 100,000-character text takes a couple of seconds
   * of CPU, and the API process must keep answering other requests meanwhile.
   */
  async phonemize(
    text: string,
    voice: string,
    opts: { ssml?: boolean; lexicon?: readonly LexiconRule[] } = {},
  ): Promise<PhonemizeResult> {
    const chunks = prepareInput(text, { maxChunkChars: KOKORO_CAPABILITIES.maxChunkChars, ...opts });
    const vocabulary = await this.vocabulary();
    const out: PhonemizedChunk[] = [];
    for (const c of chunks) {
      out.push({
        index: c.index,
        text: joinRuns(c.runs).text,
        runs: c.runs.map((r) => this.run(r, voice)),
      });
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return { engine: 'kokoro', voice, vocabulary, chunks: out };
  }

  private run(run: Run, voice: string): PhonemizedRun {
    const p = runPhonemes(this.frontEnd, run, voice);
    const t = this.vocab ? runTokens(this.vocab, p.phonemes) : undefined;
    return {
      language: run.lang,
      text: run.text,
      voice: p.voice,
      phonemes: p.phonemes,
      tokens: t?.ids ?? null,
      dropped: t?.dropped ?? null,
      spoken: p.spoken,
    };
  }
}
