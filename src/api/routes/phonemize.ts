import { Router } from 'express';
import { AppError } from '../../domain/errors.js';
import type { KokoroPhonemize } from '../../engines/kokoro/phonemize.js';
import { KOKORO_CAPABILITIES } from '../../engines/kokoro/voices.js';
import { allowedVoices } from '../../engines/voice.js';
import { parseTextBody, parseVoice } from '../schemas.js';
import { requireJson } from '../submit.js';
import { isSsml, parseSsml } from '../../ssml/parse.js';
import type { LexiconStore } from '../../lexicons/store.js';
import { lexiconNamespace } from './lexicons.js';

/** Engines whose front-end /api/phonemize can show. */
export const PHONEMIZE_ENGINES = ['kokoro'] as const;

export interface PhonemizeDeps {
  /** The Kokoro front-end and vocabulary, loaded on first use (no model weights). */
  load: () => Promise<KokoroPhonemize>;
  /** Longest text accepted, the same limit as /api/jobs. */
  maxChars: number;
  /** Lexicons a request may name (`lexicons`), applied as a job applies them. */
  lexicons?: LexiconStore;
}

/** POST /api/phonemize: the phonemes and token ids Kokoro would get for a text, per chunk and language run. */
export function phonemizeRouter({ load, maxChars, lexicons }: PhonemizeDeps): Router {
  const r = Router();
  const voices = allowedVoices(KOKORO_CAPABILITIES);
  r.post('/api/phonemize', async (req, res) => {
    requireJson(req);
    const textType = (req.body as { text_type?: unknown } | undefined)?.text_type;
    if (textType !== undefined && textType !== null && textType !== 'text' && textType !== 'ssml')
      throw new AppError('invalid_request', '"text_type" must be "text" or "ssml"', {
        status: 400,
        details: { field: 'text_type', allowed: ['text', 'ssml'] },
      });
    const raw = (req.body as { text?: unknown } | undefined)?.text;
    const ssml = typeof raw === 'string' && isSsml(raw, textType);
    const { b, text } = parseTextBody(req.body, ssml ? Number.MAX_SAFE_INTEGER : maxChars);
    // Parsed here, as a job's is, so bad markup gets the same 400 and the same after-markup limit.
    if (ssml && parseSsml(text).chars > maxChars)
      throw new AppError('text_too_long', 'Text too long (characters counted after SSML markup)', {
        status: 413,
        details: { max_length: maxChars },
      });
    const engine = b.engine ?? 'kokoro';
    if (typeof engine !== 'string' || !(PHONEMIZE_ENGINES as readonly string[]).includes(engine)) {
      throw new AppError('invalid_request', `"engine" must be one of ${PHONEMIZE_ENGINES.join(', ')}`, {
        status: 400,
        details: { field: 'engine', allowed: PHONEMIZE_ENGINES },
      });
    }
    const voice = parseVoice(b.voice, voices);
    const lexicon = await lexicons?.resolve(lexiconNamespace(req), b.lexicons);
    const tool = await load();
    res.json({
      ...(await tool.phonemize(text, voice, { ssml, lexicon: lexicon?.entries })),
      ...(lexicon ? { lexicons: lexicon.used } : {}),
    });
  });
  return r;
}

/** Runs `load` once; a failed load is tried again on the next call. */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => {
    p ??= load().catch((err: unknown) => {
      p = undefined;
      throw err;
    });
    return p;
  };
}
