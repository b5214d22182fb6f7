/**
 * Cuts a run's token ids into model calls of at most MAX_TOKENS, preferring the
 * end of a sentence, then of a clause, then a word boundary; a hard cut only
 * inside a single over-long "word". Each batch says what kind of boundary ends
 * it so the joiner can pause accordingly.
 */
import { MAX_TOKENS, type Vocab } from './vocab.js';

export type Boundary = 'sentence' | 'clause' | 'word' | 'none';

export interface Batch {
  ids: number[];
  /** The boundary this batch ends on ('none' for the last one). */
  end: Boundary;
}

export function splitTokens(ids: number[], vocab: Vocab, max = MAX_TOKENS): Batch[] {
  const kind = boundaryKinds(vocab);
  const space = vocab.idOf(' ');
  const batches: Batch[] = [];
  let start = 0;
  while (start < ids.length) {
    while (start < ids.length && ids[start] === space) start++;
    if (start >= ids.length) break;
    if (ids.length - start <= max) {
      batches.push({ ids: trimEnd(ids.slice(start), space), end: 'none' });
      break;
    }
    const limit = start + max;
    let cut = -1;
    let cutKind: Boundary = 'none';
    // Best boundary in the window: the latest sentence end in its last two thirds, else clause, else space.
    for (const want of ['sentence', 'clause', 'word'] as const) {
      for (let k = limit; k > start; k--) {
        if (kind.get(ids[k - 1] ?? 0) === want && (want === 'word' || (k - start) * 3 >= max)) {
          cut = k;
          break;
        }
      }
      if (cut > 0) {
        cutKind = want;
        break;
      }
    }
    if (cut < 0) cut = limit;
    batches.push({ ids: trimEnd(ids.slice(start, cut), space), end: cutKind });
    start = cut;
  }
  return batches.filter((b) => b.ids.length > 0);
}

function trimEnd(ids: number[], space: number | undefined): number[] {
  let n = ids.length;
  while (n > 0 && ids[n - 1] === space) n--;
  return n === ids.length ? ids : ids.slice(0, n);
}

const KINDS: [string, Boundary][] = [
  ['.', 'sentence'],
  ['!', 'sentence'],
  ['?', 'sentence'],
  [';', 'clause'],
  [':', 'clause'],
  [',', 'clause'],
  ['—', 'clause'],
  ['…', 'clause'],
  [' ', 'word'],
];

function boundaryKinds(vocab: Vocab): Map<number, Boundary> {
  const m = new Map<number, Boundary>();
  for (const [sym, k] of KINDS) {
    const id = vocab.idOf(sym);
    if (id !== undefined) m.set(id, k);
  }
  return m;
}
