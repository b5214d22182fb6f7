/**
 * How misaki chooses among the readings of a part-of-speech entry of its lexicon (790 US gold
 * words such as read, record, close): the entry is keyed by a Penn Treebank tag (VBD, VBN, VBP, DT),
 * a coarse part of speech (VERB, NOUN, ADJ, ADV), "None" (the reading before a pause) and DEFAULT.
 */

/** A lexicon value: phonemes, or readings by part of speech (null: spell the word out). */
export type Entry = string | Record<string, string | null>;

/** misaki's get_parent_tag: the coarse key a Penn tag falls back to (VBD → VERB, NNS → NOUN, RB → ADV, JJR → ADJ). */
export function parentTag(tag: string): string {
  if (tag.startsWith('VB')) return 'VERB';
  if (tag.startsWith('NN')) return 'NOUN';
  if (tag.startsWith('RB') || tag.startsWith('ADV')) return 'ADV';
  if (tag.startsWith('JJ') || tag.startsWith('ADJ')) return 'ADJ';
  return tag;
}

/**
 * misaki's choice: before a pause the "None" reading when the entry has one, else the tag's
 * reading, else its parent's, else DEFAULT.
 */
export function pickFor(
  entry: Record<string, string | null>,
  tag: string | undefined,
  beforePause: boolean,
): string | null {
  if (beforePause && 'None' in entry) return entry.None ?? null;
  if (tag !== undefined) {
    if (tag in entry) return entry[tag] ?? null;
    const parent = parentTag(tag);
    if (parent in entry) return entry[parent] ?? null;
  }
  return entry.DEFAULT ?? null;
}

/** An entry's reading: a plain string, or the `tag` variant of a part-of-speech entry, else its default. */
export function pick(entry: Entry | undefined, tag: string | null): string | null {
  if (entry === undefined) return null;
  if (typeof entry === 'string') return entry;
  if (tag !== null && tag in entry) return entry[tag] ?? null;
  return entry.DEFAULT ?? null;
}
