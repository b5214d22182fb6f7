import { emptyText } from '../domain/errors.js';
import { type ChunkOptions, chunkAnnotated, prepareText } from '../text/index.js';
import { normalizeText } from '../text/normalize.js';
import type { Chunk } from '../text/types.js';
import { isSsml, parseSsml, type SsmlDocument } from './parse.js';

/** Chunks of parsed SSML: each text piece chunked as plain text is, carrying its rate and the pauses after it. */
export function chunkSsml(doc: SsmlDocument, opts: ChunkOptions): Chunk[] {
  const chunks: Chunk[] = [];
  for (const piece of doc.pieces) {
    const last = chunks[chunks.length - 1];
    if (piece.kind === 'break') {
      // A break before any speech has nothing to follow: silence at the very start is left out.
      if (last) last.pauseAfterMs = (last.pauseAfterMs ?? 0) + piece.ms;
      continue;
    }
    if (piece.kind === 'paragraph') {
      if (last) last.paragraphEnd = true;
      continue;
    }
    // The chunk plan runs over the whole document: the piece's first chunk is chunk number chunks.length.
    const made = chunkAnnotated(normalizeText(piece.text), { ...opts, startIndex: chunks.length });
    made.forEach((c, i) => {
      chunks.push({
        ...c,
        index: chunks.length,
        // A text piece ends where the markup changes (a break, a rate), not necessarily a paragraph.
        paragraphEnd: i === made.length - 1 ? false : c.paragraphEnd,
        ...(piece.rate !== 1 ? { rate: piece.rate } : {}),
      });
    });
  }
  if (chunks.length === 0) throw emptyText();
  return chunks;
}

/** A request's text, plain or SSML, as chunks. */
export function prepareInput(text: string, opts: ChunkOptions & { ssml?: boolean }): Chunk[] {
  return opts.ssml ? chunkSsml(parseSsml(text), opts) : prepareText(text, opts);
}

export { isSsml, parseSsml };
