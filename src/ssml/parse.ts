import { SaxesParser, type SaxesTag } from 'saxes';
import { AppError } from '../domain/errors.js';
import { SAY_AS, sayAs } from './say-as.js';
import { parseAnnotation, stripAnnotations } from '../text/annotations.js';
import { runGap } from '../text/run-text.js';

/** What SSML becomes: spoken text in sections (each at one rate), with the pauses asked for between them. */
export type SsmlPiece =
  | { kind: 'text'; text: string; rate: number }
  | { kind: 'break'; ms: number }
  | { kind: 'paragraph' };

export interface SsmlDocument {
  pieces: SsmlPiece[];
  /** Elements and attributes read as plain text or ignored, once each. */
  warnings: string[];
  /** Characters of spoken text (after markup), for limits and quotas. */
  chars: number;
}

export interface SsmlLimits {
  /** Longest markup accepted, in characters. */
  maxMarkupChars: number;
  /** Deepest element nesting accepted. */
  maxDepth: number;
}

export const SSML_LIMITS: SsmlLimits = { maxMarkupChars: 1_000_000, maxDepth: 64 };

/** Break strengths as SSML 1.1 orders them; the durations are this service's choice. */
const STRENGTH_MS: Record<string, number> = {
  none: 0,
  'x-weak': 100,
  weak: 200,
  medium: 400,
  strong: 700,
  'x-strong': 1200,
};
const RATE_WORDS: Record<string, number> = {
  'x-slow': 0.5,
  slow: 0.75,
  medium: 1,
  default: 1,
  fast: 1.25,
  'x-fast': 1.6,
};
/** Longest single break: longer pauses are a client error, not a reason to write minutes of silence. */
const MAX_BREAK_MS = 10_000;
const SUPPORTED = new Set(['speak', 'p', 's', 'break', 'prosody', 'phoneme', 'sub', 'say-as', 'lang']);

export const invalidSsml = (reason: string, line?: number, column?: number) =>
  new AppError('invalid_ssml', `Invalid SSML${line ? ` at line ${line}, column ${column}` : ''}: ${reason}`, {
    status: 400,
    details: { field: 'text', ...(line ? { line, column } : {}), reason },
  });

/**
 * Whether a request's text is SSML: asked for, or it starts with <speak, an XML declaration or a DOCTYPE.
 * A text that opens with XML markup is never meant to be read aloud, so it is parsed (and a DOCTYPE refused)
 * rather than spoken character by character.
 */
export function isSsml(text: string, textType: unknown): boolean {
  if (textType === 'ssml') return true;
  if (textType === 'text') return false;
  return /^\s*(<\?xml[\s?]|<!doctype[\s>]|<speak[\s>/])/iu.test(text);
}

function parseTime(raw: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s)\s*$/u.exec(raw);
  if (!m) return null;
  return Number(m[1]) * (m[2] === 's' ? 1000 : 1);
}

function parseRate(raw: string): number | null {
  const word = RATE_WORDS[raw.trim()];
  if (word !== undefined) return word;
  const pct = /^\s*\+?(\d+(?:\.\d+)?)%\s*$/u.exec(raw);
  if (pct) return Number(pct[1]) / 100;
  const n = /^\s*(\d+(?:\.\d+)?)\s*$/u.exec(raw);
  return n ? Number(n[1]) : null;
}

/**
 * Parse SSML with saxes (a strict, non-validating XML parser: it never reads a
 * DTD, so no entity is ever expanded beyond the five XML predefines). A
 * DOCTYPE is refused outright, nesting and size are bounded, and the first
 * error stops the parse with its line and column.
 */
export function parseSsml(markup: string, limits: SsmlLimits = SSML_LIMITS): SsmlDocument {
  if (markup.length > limits.maxMarkupChars)
    throw new AppError('ssml_too_large', `SSML markup is longer than ${limits.maxMarkupChars} characters`, {
      status: 413,
      details: { field: 'text', max_markup_chars: limits.maxMarkupChars, length: markup.length },
    });
  const parser = new SaxesParser({ position: true });
  const pieces: SsmlPiece[] = [];
  const warnings = new Set<string>();
  const rates: number[] = [1];
  const stack: string[] = [];
  /** Text collected for an element that rewrites its content (say-as), or null. */
  let collect: { interpretAs: string; text: string; ph?: string } | null = null;
  /** Inside <sub>: its alias was spoken, its content is not. */
  let skip = 0;
  const fail = (reason: string): never => {
    throw invalidSsml(reason, parser.line, parser.column);
  };
  const rate = () => rates[rates.length - 1] ?? 1;
  /** A rewritten say-as ended: the next text is set apart by a space unless it is closing punctuation. */
  let padNext = false;
  const say = (raw: string) => {
    const text = padNext && raw ? `${runGap('', raw)}${raw}` : raw;
    if (raw) padNext = false;
    if (!text) return;
    const last = pieces[pieces.length - 1];
    if (last?.kind === 'text' && last.rate === rate()) last.text += text;
    else pieces.push({ kind: 'text', text, rate: rate() });
  };

  parser.on('doctype', () => fail('a DOCTYPE is not allowed (SSML needs no DTD, and entities are never expanded)'));
  parser.on('processinginstruction', () => undefined);
  parser.on('text', (t) => {
    if (stack.length === 0) {
      if (t.trim()) fail('text outside <speak>');
      return;
    }
    if (skip) return;
    if (collect) collect.text += t;
    else say(t);
  });
  parser.on('opentag', (tag: SaxesTag) => {
    const name = tag.name;
    const attr = (k: string): string | undefined => {
      const v = tag.attributes[k];
      return typeof v === 'string' ? v : v?.value;
    };
    if (stack.length === 0 && name !== 'speak') fail(`the root element must be <speak>, not <${name}>`);
    if (stack.length >= limits.maxDepth) fail(`elements are nested deeper than ${limits.maxDepth}`);
    stack.push(name);
    if (!SUPPORTED.has(name)) {
      warnings.add(`<${name}> is not supported: its text is read as it is`);
      return;
    }
    if (skip) return;
    switch (name) {
      case 'p':
        pieces.push({ kind: 'paragraph' });
        break;
      case 's':
        say(' ');
        break;
      case 'break': {
        const time = attr('time');
        const strength = attr('strength');
        let ms = STRENGTH_MS.medium ?? 400;
        if (time !== undefined) {
          const t = parseTime(time);
          if (t === null) fail(`break time "${time}" must be a number of ms or s, such as 700ms or 1.5s`);
          ms = t ?? ms;
        } else if (strength !== undefined) {
          const s = STRENGTH_MS[strength];
          if (s === undefined)
            fail(`break strength "${strength}" must be one of ${Object.keys(STRENGTH_MS).join(', ')}`);
          ms = s ?? ms;
        }
        if (ms > MAX_BREAK_MS) fail(`a break may last at most ${MAX_BREAK_MS} ms`);
        pieces.push({ kind: 'break', ms });
        break;
      }
      case 'prosody': {
        const raw = attr('rate');
        let r = 1;
        if (raw !== undefined) {
          const parsed = parseRate(raw);
          if (parsed === null || parsed < 0.25 || parsed > 4)
            fail(`prosody rate "${raw}" must be x-slow … x-fast, a percentage or a factor from 0.25 to 4`);
          r = parsed ?? 1;
        }
        for (const k of Object.keys(tag.attributes))
          if (k !== 'rate') warnings.add(`<prosody ${k}> is not supported: ignored`);
        rates.push(rate() * r);
        break;
      }
      case 'sub': {
        const alias = attr('alias');
        if (alias === undefined) fail('<sub> needs an alias attribute');
        say(alias ?? '');
        skip++;
        break;
      }
      case 'say-as': {
        const kind = attr('interpret-as') ?? '';
        if (!SAY_AS.includes(kind)) warnings.add(`<say-as interpret-as="${kind}"> is not supported: read as it is`);
        collect = { interpretAs: kind, text: '' };
        break;
      }
      case 'phoneme': {
        const alphabet = attr('alphabet') ?? 'ipa';
        if (alphabet !== 'ipa' && alphabet !== 'x-pinyin')
          warnings.add(`<phoneme alphabet="${alphabet}"> is not supported (ipa, x-pinyin): read as text`);
        else collect = { interpretAs: '', text: '', ph: attr('ph') ?? '' };
        break;
      }
    }
  });
  parser.on('closetag', (tag) => {
    const name = stack.pop();
    if (!SUPPORTED.has(tag.name)) return;
    if (name === 'sub') skip = Math.max(0, skip - 1);
    else if (skip) return;
    else if (name === 'prosody') rates.pop();
    else if (name === 'say-as' && collect) {
      const done = collect;
      collect = null;
      const last = pieces[pieces.length - 1];
      const before = last?.kind === 'text' ? last.text : '';
      // Set apart from its neighbours ("Room<say-as>12</say-as>"), but not from punctuation ("… 0 .").
      say(`${runGap(before, 'x')}${sayAs(done.interpretAs, done.text) ?? done.text}`);
      padNext = true;
    } else if (name === 'phoneme' && collect) {
      const done = collect;
      collect = null;
      // Becomes an inline annotation, which the front-end turns into a run with this pronunciation.
      const word = done.text.trim();
      if (word && done.ph && parseAnnotation(word, done.ph)) say(`[${word}](/${done.ph.trim()}/)`);
      else {
        warnings.add(
          `<phoneme ph="${done.ph ?? ''}"> is not a pronunciation of "${word}" this service reads: read as text`,
        );
        say(done.text);
      }
    } else if (name === 'p') pieces.push({ kind: 'paragraph' });
    else if (name === 's') say(' ');
  });
  try {
    parser.write(markup).close();
  } catch (err) {
    if (err instanceof AppError) throw err;
    // saxes prefixes its messages with "line:column: ".
    const reason = (err as Error).message.replace(/^\d+:\d+:\s*/u, '');
    throw invalidSsml(reason, parser.line, parser.column);
  }
  // Spoken characters: each piece's text with whitespace runs read as one space.
  let chars = 0;
  for (const p of pieces)
    if (p.kind === 'text') chars += [...stripAnnotations(p.text).replace(/\s+/gu, ' ').trim()].length;
  return { pieces, warnings: [...warnings], chars };
}
