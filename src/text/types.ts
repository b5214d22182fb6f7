/** Languages the text front-end tells apart. `zh` is Mandarin (Han script), `en` is English (Latin script). */
export type Lang = 'zh' | 'en';

/** A pronunciation given by the client (inline annotation, SSML phoneme, lexicon). */
export interface Pronunciation {
  /** Tone-numbered pinyin, one syllable per Han character, space-separated ("xing2"). */
  pinyin?: string;
  /** IPA for an English word. */
  ipa?: string;
}

/** A stretch of text in one language. */
export interface Run {
  lang: Lang;
  text: string;
  /** Read with this pronunciation instead of the engine's own. */
  ph?: Pronunciation;
}

/** The unit of synthesis and of progress: one or more language runs, at most the engine's chunk size. */
export interface Chunk {
  index: number;
  /** Runs in reading order; together they hold the chunk's text. */
  runs: Run[];
  /** Total characters of the chunk's runs. */
  chars: number;
  /** Whether a paragraph break follows this chunk (engines/joiners may pause longer). */
  paragraphEnd: boolean;
  /** Speaking-rate factor on top of the request's speed (SSML prosody rate). */
  rate?: number;
  /** Silence after this chunk, in place of the paragraph pause (SSML break): exact, engine padding trimmed. */
  pauseAfterMs?: number;
}
