/**
 * Mandarin front-end for Kokoro: numbers read out, jieba word segmentation,
 * pinyin-pro for context-aware pinyin (polyphones, 一/不 sandhi), third-tone
 * sandhi per word, then each syllable mapped to Kokoro's symbols. Words are
 * separated by spaces and Chinese punctuation becomes the model's ASCII marks,
 * as in the front-end the zh voices were trained with.
 */
import { pinyin } from 'pinyin-pro';
import { expandNumbersZh } from '../../text/numbers-zh.js';
import { isHan } from '../../text/chars.js';
import { pinyinToKokoro, thirdToneSandhi } from './pinyin-ipa.js';

/** The part of @node-rs/jieba we use. */
interface Segmenter {
  cut(text: string, hmm?: boolean): string[];
}

const PUNCT: Record<string, string> = {
  '，': ', ',
  '、': ', ',
  ',': ', ',
  '。': '. ',
  '．': '. ',
  '.': '. ',
  '！': '! ',
  '!': '! ',
  '？': '? ',
  '?': '? ',
  '：': ': ',
  ':': ': ',
  '；': '; ',
  ';': '; ',
  '…': '… ',
  '—': '— ',
  '-': ' ',
  '~': ' ',
  '～': ' ',
  '“': ' “',
  '”': '” ',
  '"': ' " ',
  '‘': ' “',
  '’': '” ',
  '《': ' “',
  '》': '” ',
  '「': ' “',
  '」': '” ',
  '『': ' “',
  '』': '” ',
  '【': ' “',
  '】': '” ',
  '（': ' (',
  '）': ') ',
  '(': ' (',
  ')': ') ',
};

export class ZhPhonemizer {
  private constructor(private readonly jieba: Segmenter) {}

  static async create(): Promise<ZhPhonemizer> {
    const { Jieba } = await import('@node-rs/jieba');
    const { dict } = await import('@node-rs/jieba/dict.js');
    return new ZhPhonemizer(Jieba.withDict(dict));
  }

  /** Kokoro phoneme string for a Mandarin run. */
  phonemize(text: string): string {
    const expanded = expandNumbersZh(text);
    let out = '';
    let han = '';
    const flush = () => {
      if (han) out += ` ${this.hanToPhonemes(han)} `;
      han = '';
    };
    for (const ch of expanded) {
      if (isHan(ch.codePointAt(0) ?? 0)) {
        han += ch;
        continue;
      }
      flush();
      const p = PUNCT[ch];
      if (p !== undefined) out += p;
      else if (/\s/.test(ch)) out += ' ';
      // Anything else (symbols, stray Latin) has no Mandarin reading here: the language runs send Latin to English.
    }
    flush();
    return tidy(out);
  }

  private hanToPhonemes(han: string): string {
    const syllables = pinyin(han, { toneType: 'num', type: 'array' }) as string[];
    const chars = [...han];
    const words = this.jieba.cut(han, false);
    // pinyin-pro returns one syllable per Han character; fall back to one word per character if jieba's lengths disagree.
    const lengths = words.map((w) => [...w].length);
    const aligned = syllables.length === chars.length && lengths.reduce((a, b) => a + b, 0) === chars.length;
    const spans = aligned ? lengths : chars.map(() => 1);
    const out: string[] = [];
    let i = 0;
    for (const n of spans) {
      const word = thirdToneSandhi(syllables.slice(i, i + n).map((s) => s.replace(/0$/, '5')));
      out.push(word.map(pinyinToKokoro).join(''));
      i += n;
    }
    return out.filter(Boolean).join(' ');
  }
}

/** Single spaces, none before closing marks or after opening ones, trimmed. */
export function tidy(s: string): string {
  return s
    .replace(/\s+/g, ' ')
    .replace(/ ([,.!?;:…”)])/g, '$1')
    .replace(/([“(]) /g, '$1')
    .trim();
}
