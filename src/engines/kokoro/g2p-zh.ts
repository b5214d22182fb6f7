/**
 * Mandarin front-end for Kokoro, the way misaki's legacy mode (misaki/zh.py with no
 * version) made Kokoro v1.0's training labels: numbers read out (cn2an rules), Chinese
 * punctuation turned into the model's ASCII marks, each stretch of U+4E00–U+9FFF cut
 * into words by jieba (HMM on), each word's pinyin looked up as pypinyin does
 * (zh-dict.ts: dictionary tones, no 一/不 or third-tone sandhi, neutral tones only
 * where the dictionary has them), each syllable mapped to Kokoro's symbols, words
 * separated by one space. Anything that is not Han passes through as misaki passes
 * it; the vocabulary step drops what the model has no symbol for.
 */
import { pinyin as pinyinPro } from 'pinyin-pro';
import { isHan } from '../../text/chars.js';
import { expandNumbersZh } from '../../text/numbers-zh.js';
import { pinyinToKokoro } from './pinyin-ipa.js';
import { PinyinDict } from './zh-dict.js';

/** The part of @node-rs/jieba we use. */
export interface Segmenter {
  cut(text: string, hmm?: boolean): string[];
}

/**
 * misaki's punctuation map (full-width → ASCII mark and a space), plus the ASCII marks
 * NFKC has already made of the full-width ones, so "你好，世界" and "你好,世界" read alike.
 */
const PUNCT: Record<string, string> = {
  '、': ', ',
  '，': ', ',
  ',': ', ',
  '。': '. ',
  '．': '. ',
  '.': '. ',
  '！': '! ',
  '!': '! ',
  '：': ': ',
  ':': ': ',
  '；': '; ',
  ';': '; ',
  '？': '? ',
  '?': '? ',
  '«': ' “',
  '»': '” ',
  '《': ' “',
  '》': '” ',
  '「': ' “',
  '」': '” ',
  '【': ' “',
  '】': '” ',
  '（': ' (',
  '）': ') ',
  '(': ' (',
  ')': ') ',
};

/** misaki's Han class: only these reach jieba and pypinyin. */
const HAN_SPAN = /[\u4e00-\u9fff]+/g;
/** "……" (which NFKC makes "......"), "..." and "…" are one pause, not a row of stops. */
const ELLIPSIS = /(?:\.{2,}|…)+/g;

export class ZhPhonemizer {
  constructor(
    private readonly jieba: Segmenter,
    private readonly dict: PinyinDict,
  ) {}

  static async create(): Promise<ZhPhonemizer> {
    const { Jieba } = await import('@node-rs/jieba');
    const { dict } = await import('@node-rs/jieba/dict.js');
    return new ZhPhonemizer(Jieba.withDict(dict), await PinyinDict.load());
  }

  /** Kokoro phoneme string for a Mandarin run. */
  phonemize(text: string): string {
    const marked = mapPunctuation(expandNumbersZh(text).replace(ELLIPSIS, '…')).trim();
    let out = '';
    let last = 0;
    for (const m of marked.matchAll(HAN_SPAN)) {
      out += this.other(marked.slice(last, m.index));
      out += this.han(m[0]);
      last = m.index + m[0].length;
    }
    out += this.other(marked.slice(last));
    return out.replace(/\s+/g, ' ').trim();
  }

  /** Words of a Han stretch, each read as one word, joined by spaces. */
  private han(text: string): string {
    return this.jieba
      .cut(text, true)
      .map((w) => this.word(w))
      .filter(Boolean)
      .join(' ');
  }

  private word(word: string): string {
    const chars = [...word];
    return this.dict
      .word(word)
      .map((py, i) => readChar(chars[i] ?? '', py))
      .join('');
  }

  /** Non-Han text passes through; Han outside U+4E00–U+9FFF (misaki drops it) is read one character at a time. */
  private other(text: string): string {
    let out = '';
    for (const ch of text) {
      const cp = ch.codePointAt(0) ?? 0;
      out += isHan(cp) ? ` ${readChar(ch, undefined)} ` : ch;
    }
    return out;
  }
}

/** Han numerals: a ":" between two (a score or ratio, 3:2) is the ASCII colon misaki keeps as it is. */
const NUMERAL = /[零一二三四五六七八九十百千万亿点]/;

/** misaki's punctuation map, one pass. */
export function mapPunctuation(text: string): string {
  let out = '';
  let prev = '';
  const chars = [...text];
  chars.forEach((ch, i) => {
    const ratio = ch === ':' && NUMERAL.test(prev) && NUMERAL.test(chars[i + 1] ?? '');
    out += ratio ? ch : (PUNCT[ch] ?? ch);
    prev = ch;
  });
  return out;
}

/**
 * A character's symbols from its reading; a character nobody has a reading for stays as it
 * is, so the vocabulary step drops it and /api/phonemize shows it as dropped.
 */
function readChar(ch: string, py: string | undefined): string {
  return pinyinToKokoro(py ?? fallbackReading(ch)) || ch;
}

/**
 * pinyin-pro's reading of a character the list has none for: Han outside U+4E00–U+9FFF
 * (Extension A and later), which misaki drops, and any rare one a future list lacks.
 */
function fallbackReading(ch: string): string {
  const py = pinyinPro(ch, { toneType: 'num', type: 'array' })[0] ?? '';
  return py.replace(/0$/, '5');
}
