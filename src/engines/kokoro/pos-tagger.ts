/**
 * The part-of-speech tagger the English front-end reads homographs with ("what you read
 * yesterday" ɹˈɛd, "to record" ɹəkˈɔɹd): misaki, whose readings Kokoro v1.0 learned, picks its
 * part-of-speech entries by spaCy's Penn Treebank tags, so a tagger here speaks those tags.
 */

/** A token of a sentence as the front-end splits it: its text and the whitespace after it. */
export interface TaggerToken {
  text: string;
  ws: string;
}

export interface PosTagger {
  /**
   * One Penn Treebank tag per token (NN, NNS, NNP, VB, VBD, VBG, VBN, VBP, VBZ, MD, JJ, RB, DT, IN,
   * PRP, TO, CD, UH…), or null where the tagger has none (punctuation). Pure: the same tokens
   * always get the same tags.
   */
  tag(tokens: readonly TaggerToken[]): (string | null)[];
}
