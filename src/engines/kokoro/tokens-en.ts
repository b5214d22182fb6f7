/**
 * English text → words and punctuation marks, each with the whitespace after it, the way
 * misaki's tokens reach its lexicon: punctuation split from words, straight quotes turned into
 * opening or closing curly quotes, a spaced hyphen or en dash read as a dash, and the period
 * of an abbreviation ("Dr.", "U.S.", "p.m.") kept inside the word, where it is silent.
 */

export interface EnToken {
  text: string;
  /** A word goes to the lexicon; a mark is written as it is (already in Kokoro's symbols). */
  kind: 'word' | 'mark';
  ws: string;
}

/** Lexicon entries that include their period (misaki's gold lexicon). */
const DOTTED_WORDS = new Set(['Dr.', 'Mr.', 'Mrs.', 'Ms.', 'Esq.', 'etc.', 'Etc.']);
/** "U.S.", "a.m.", "e.g.", "Ph.D.": letters in groups of one or two, each with a period (misaki spells these). */
const INITIALISM = /^[A-Za-z]{1,2}(?:\.[A-Za-z]{1,2})+\.$/;
const LEADING = new Set(['"', '“', '‘', "'", '(', '[', '{', '«', '¡', '¿', '—', '–', '-', '…', '*', '_', '~']);
const TRAILING = new Set([
  '"',
  '”',
  '’',
  "'",
  ')',
  ']',
  '}',
  '»',
  '.',
  ',',
  ';',
  ':',
  '!',
  '?',
  '…',
  '—',
  '–',
  '*',
  '_',
  '~',
]);
// How each mark is written for the model; marks outside its vocabulary become their nearest member or nothing.
const MARK_OUT: Record<string, string> = {
  '.': '.',
  ',': ',',
  ';': ';',
  ':': ':',
  '!': '!',
  '?': '?',
  '…': '…',
  '—': '—',
  '–': '—',
  '-': '—',
  '(': '(',
  ')': ')',
  '[': '(',
  ']': ')',
  '{': '(',
  '}': ')',
  '“': '“',
  '”': '”',
  '«': '“',
  '»': '”',
  '‘': '“',
  '’': '”',
};
const DASH_RUN = /^(?:-{1,3}|–|—)$/;

/** Splits an English sentence into tokens. `isWord` says whether "'tis" or "'em" is a word with its apostrophe. */
export function tokenizeEn(text: string, isWord: (w: string) => boolean): EnToken[] {
  const out: EnToken[] = [];
  const quotes = { single: false, double: false };
  const parts = text.split(/(\s+)/);
  for (let i = 0; i < parts.length; i += 2) {
    const chunk = parts[i] ?? '';
    const ws = parts[i + 1] ?? '';
    if (chunk) splitChunk(chunk, isWord, out, quotes);
    const last = out.at(-1);
    if (last) last.ws += ws;
  }
  // The period of an abbreviation that ends the sentence is a stop after all.
  const lastWord = out.findLastIndex((t) => t.kind === 'word');
  const lw = out[lastWord];
  if (lw?.text.endsWith('.') && out.slice(lastWord + 1).every((t) => '”)'.includes(t.text))) {
    out.splice(lastWord + 1, 0, { text: '.', kind: 'mark', ws: lw.ws });
    lw.ws = '';
  }
  return out;
}

function mark(ch: string, out: EnToken[]): void {
  const m = MARK_OUT[ch];
  if (m !== undefined) out.push({ text: m, kind: 'mark', ws: '' });
}

/**
 * `quotes` says which quotation marks are open: a trailing apostrophe closes a single quotation
 * only when one is open, and a straight double quote standing alone opens or closes by turns.
 */
function splitChunk(
  chunk: string,
  isWord: (w: string) => boolean,
  out: EnToken[],
  quotes: { single: boolean; double: boolean },
): void {
  if (DASH_RUN.test(chunk)) {
    mark('—', out);
    return;
  }
  let end = chunk.length;
  while (end > 0 && TRAILING.has(chunk[end - 1] ?? '')) end--;
  // Leading marks; an apostrophe or hyphen that begins a lexicon word ("'em", "-able") stays with it.
  let a = 0;
  while (a < end && LEADING.has(chunk[a] ?? '')) {
    const c = chunk[a] ?? '';
    if ("'‘-".includes(c) && (isWord(chunk.slice(a, end)) || isWord(chunk.slice(a, end + 1)))) break;
    a++;
  }
  let core = chunk.slice(a, end);
  let tail = chunk.slice(end);
  const lead = chunk.slice(0, a);
  if (/['‘]/.test(lead)) quotes.single = true;
  // The period of an abbreviation, and the apostrophe of "dogs'" or "tootin'", stay with their word.
  if (tail.startsWith('.') && (DOTTED_WORDS.has(`${core}.`) || INITIALISM.test(`${core}.`))) {
    core += '.';
    tail = tail.slice(1);
  } else if (/^['’]/.test(tail) && core && (!quotes.single || isWord(`${core}'`))) {
    core += "'";
    tail = tail.slice(1);
  }
  if (/['’]/.test(tail)) quotes.single = false;
  // A leading hyphen ("--voice", "-able" not in the lexicon) is no dash: it is not read.
  for (const c of lead) {
    if (c === '-') continue;
    if (c === '"') quotes.double = true;
    mark(c === '"' || c === "'" ? '“' : c, out);
  }
  if (core) splitCore(core, out);
  for (const c of tail) {
    if (c !== '"') {
      mark(c === "'" ? '”' : c, out);
      continue;
    }
    const opens = !core && !lead && !quotes.double;
    mark(opens ? '“' : '”', out);
    quotes.double = opens;
  }
}

/** A word may still hold a dash ("yes--no", "then—now") or a doubled hyphen; those are marks. */
function splitCore(core: string, out: EnToken[]): void {
  const pieces = core.split(/(--+|—|–|…)/);
  pieces.forEach((p, i) => {
    if (i % 2 === 1) mark(p.startsWith('-') ? '—' : p, out);
    else if (p) out.push({ text: p.replace(/’/g, "'"), kind: 'word', ws: '' });
  });
}
