/**
 * Text → Kokoro phonemes for one language run, sentence by sentence through
 * the phoneme cache. Pure apart from the phonemizers it is handed.
 */
import { splitSentences } from '../../text/segment.js';
import type { Run } from '../../text/types.js';
import type { Accent } from './g2p-en.js';
import { PhonemeCache, type CacheStats } from './phoneme-cache.js';

export interface Phonemizers {
  en: { phonemize(text: string, accent: Accent): string };
  zh: { phonemize(text: string): string };
}

/** Phrases common enough in requests that their phonemes are worth having before the first one arrives. */
export const COMMON_PHRASES: Record<'en' | 'zh', string[]> = {
  en: [
    'Hello.',
    'Hello!',
    'Hi there.',
    'Thank you.',
    'Thank you very much.',
    'Thanks!',
    'Yes.',
    'No.',
    'Okay.',
    'Please.',
    'Sorry.',
    'Goodbye.',
    'Good morning.',
    'Good afternoon.',
    'Good evening.',
    'Welcome.',
    'How are you?',
    'Please wait.',
    'Please try again.',
    'Please hold.',
    'One moment, please.',
    'Your order is ready.',
    'Hello, this is a sample.',
    'Hello, this is a warm-up.',
  ],
  zh: [
    '你好。',
    '你好！',
    '谢谢。',
    '谢谢你。',
    '非常感谢。',
    '好的。',
    '是的。',
    '不是。',
    '对不起。',
    '没关系。',
    '再见。',
    '早上好。',
    '下午好。',
    '晚上好。',
    '欢迎光临。',
    '请稍等。',
    '请再试一次。',
    '您好，请问有什么可以帮您？',
    '你好，这是一个语音示例。',
    '你好，这是预热。',
  ],
};

/**
 * Mandarin sentences joined as misaki's single pass over the text would have spaced them: its
 * punctuation map leaves a space after , . ! ? ; : ) but none after a closing quote or "…".
 */
function joinZh(parts: string[]): string {
  let out = '';
  for (const p of parts) out += out === '' || /[”…]$/.test(out) ? p : ` ${p}`;
  return out;
}

export class KokoroFrontEnd {
  readonly cache: PhonemeCache;

  constructor(
    private readonly g2p: Phonemizers,
    cacheCapacity: number,
  ) {
    this.cache = new PhonemeCache(cacheCapacity);
  }

  /** Phonemes of a run, read with `accent` when it is English. */
  phonemize(run: Run, accent: Accent): string {
    const parts: string[] = [];
    for (const sentence of splitSentences(run.text)) {
      const s = sentence.trim();
      if (!s) continue;
      const key = run.lang === 'zh' ? `zh\u0000${s}` : `${accent}\u0000${s}`;
      const p = this.cache.get(key, () =>
        run.lang === 'zh' ? this.g2p.zh.phonemize(s) : this.g2p.en.phonemize(s, accent),
      );
      if (p) parts.push(p);
    }
    return run.lang === 'zh' ? joinZh(parts) : parts.join(' ');
  }

  /** Fill the cache with the common phrases, then zero the counters so they report real traffic. */
  prewarm(): void {
    for (const text of COMMON_PHRASES.en)
      for (const accent of ['en-us', 'en-gb'] as const) this.phonemize({ lang: 'en', text }, accent);
    for (const text of COMMON_PHRASES.zh) this.phonemize({ lang: 'zh', text }, 'en-us');
    this.cache.resetCounts();
  }

  cacheStats(): CacheStats {
    return this.cache.stats();
  }
}
