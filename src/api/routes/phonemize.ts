import { Router } from 'express';
import { AppError } from '../../domain/errors.js';
import type { KokoroPhonemize } from '../../engines/kokoro/phonemize.js';
import { KOKORO_CAPABILITIES } from '../../engines/kokoro/voices.js';
import { allowedVoices } from '../../engines/voice.js';
import { parseTextBody, parseVoice } from '../schemas.js';
import { requireJson } from '../submit.js';

/** Engines whose front-end /api/phonemize can show. */
export const PHONEMIZE_ENGINES = ['kokoro'] as const;

export interface PhonemizeDeps {
  /** The Kokoro front-end and vocabulary, loaded on first use (no model weights). */
  load: () => Promise<KokoroPhonemize>;
  /** Longest text accepted, the same limit as /api/jobs. */
  maxChars: number;
}

/** POST /api/phonemize: the phonemes and token ids Kokoro would get for a text, per chunk and language run. */
export function phonemizeRouter({ load, maxChars }: PhonemizeDeps): Router {
  const r = Router();
  const voices = allowedVoices(KOKORO_CAPABILITIES);
  r.post('/api/phonemize', async (req, res) => {
    requireJson(req);
    const { b, text } = parseTextBody(req.body, maxChars);
    const engine = b.engine ?? 'kokoro';
    if (typeof engine !== 'string' || !(PHONEMIZE_ENGINES as readonly string[]).includes(engine)) {
      throw new AppError('invalid_request', `"engine" must be one of ${PHONEMIZE_ENGINES.join(', ')}`, {
        status: 400,
        details: { field: 'engine', allowed: PHONEMIZE_ENGINES },
      });
    }
    const voice = parseVoice(b.voice, voices);
    const tool = await load();
    res.json(await tool.phonemize(text, voice));
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
