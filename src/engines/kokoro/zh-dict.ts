/**
 * Pinyin of a Mandarin word, looked up the way pypinyin does it inside misaki's
 * legacy front-end: the word (already cut by jieba) is cut again by forward
 * maximum matching over pypinyin's phrase list; a piece that is a phrase takes the
 * phrase's readings, any other character its default reading. No tone sandhi is
 * applied: Kokoro v1.0 was trained on dictionary tones (你好 → ni3 hao3).
 * The data file is pypinyin 0.53.0's (assets/zh/PROVENANCE.md).
 */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { packagePath } from '../../package-root.js';

/** Where the reading list ships (found from src/, dist/ and the bench's dist-bench/ alike). */
export const ZH_PINYIN_FILE = packagePath('assets', 'zh', 'pinyin.tsv.gz');

export class PinyinDict {
  private constructor(
    /** Word (one or more characters) → numbered syllables, one per character. */
    private readonly readings: ReadonlyMap<string, readonly string[]>,
    /** Every prefix of every phrase, for the forward matching. */
    private readonly prefixes: ReadonlySet<string>,
  ) {}

  /** Parses the `word<TAB>syllables` list. */
  static fromTsv(text: string): PinyinDict {
    const readings = new Map<string, string[]>();
    const prefixes = new Set<string>();
    for (const line of text.split('\n')) {
      const tab = line.indexOf('\t');
      if (tab <= 0) continue;
      const word = line.slice(0, tab);
      const syllables = line.slice(tab + 1).split(' ');
      const chars = [...word];
      if (syllables.length !== chars.length)
        throw new Error(`zh pinyin list: ${word} has ${syllables.length} readings`);
      readings.set(word, syllables);
      if (chars.length > 1) {
        let p = '';
        for (const c of chars) {
          p += c;
          prefixes.add(p);
        }
      }
    }
    return new PinyinDict(readings, prefixes);
  }

  static async load(file: URL | string = ZH_PINYIN_FILE): Promise<PinyinDict> {
    return PinyinDict.fromTsv(gunzipSync(await readFile(file)).toString('utf8'));
  }

  /** Default reading of one character, or undefined when the list has none. */
  charReading(ch: string): string | undefined {
    return this.readings.get(ch)?.[0];
  }

  /**
   * Numbered syllables of a word, one per character; a character with no reading
   * gives undefined in its place.
   */
  word(word: string): (string | undefined)[] {
    const out: (string | undefined)[] = [];
    for (const piece of this.cut([...word])) {
      const phrase = piece.length > 1 ? this.readings.get(piece.join('')) : undefined;
      if (phrase) out.push(...phrase);
      else for (const c of piece) out.push(this.charReading(c));
    }
    return out;
  }

  /**
   * pypinyin's forward maximum matching (strict: a matched prefix that is not itself a
   * phrase gives up only its first character; a remainder that is all prefix but not a
   * phrase falls apart into characters).
   */
  private *cut(chars: string[]): Generator<string[]> {
    let rest = chars;
    while (rest.length > 0) {
      let matched = 0;
      let word = '';
      let broke = false;
      for (let i = 0; i < rest.length; i++) {
        word += rest[i];
        if (this.prefixes.has(word)) {
          matched = i + 1;
          continue;
        }
        if (matched > 0 && this.isPhrase(rest.slice(0, matched))) {
          yield rest.slice(0, matched);
          rest = rest.slice(matched);
        } else {
          yield rest.slice(0, 1);
          rest = rest.slice(1);
        }
        broke = true;
        break;
      }
      if (broke) continue;
      if (this.isPhrase(rest)) yield rest;
      else for (const c of rest) yield [c];
      break;
    }
  }

  private isPhrase(chars: string[]): boolean {
    return chars.length > 1 && this.readings.has(chars.join(''));
  }
}
