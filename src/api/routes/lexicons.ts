import { type Request, Router } from 'express';
import { AppError } from '../../domain/errors.js';
import { parseLexicon } from '../../lexicons/lexicon.js';
import type { LexiconStore } from '../../lexicons/store.js';
import { requireJson } from '../submit.js';

/**
 * Whose lexicons a request sees: the client key's name when API keys are on (the auth
 * middleware leaves it in `res.locals.clientKey`), else one namespace shared by everyone.
 */
export function lexiconNamespace(req: Request): string {
  const name = req.res?.locals.clientKey;
  return typeof name === 'string' && name ? `key:${name}` : 'shared';
}

/** PUT/GET/DELETE /api/lexicons/:name and GET /api/lexicons. */
export function lexiconsRouter({ lexicons }: { lexicons: LexiconStore }): Router {
  const r = Router();
  r.get('/api/lexicons', async (req, res) => {
    res.json(await lexicons.list(lexiconNamespace(req)));
  });
  r.put('/api/lexicons/:name', async (req, res) => {
    requireJson(req);
    const entries = parseLexicon(req.body);
    const def = (req.body as { default?: unknown }).default;
    if (def !== undefined && typeof def !== 'boolean')
      throw new AppError('invalid_request', '"default" must be true or false', {
        status: 400,
        details: { field: 'default' },
      });
    const stored = await lexicons.put(lexiconNamespace(req), req.params.name, entries, def);
    res.json(stored);
  });
  r.get('/api/lexicons/:name', async (req, res) => {
    res.json(await lexicons.get(lexiconNamespace(req), req.params.name));
  });
  r.delete('/api/lexicons/:name', async (req, res) => {
    await lexicons.delete(lexiconNamespace(req), req.params.name);
    res.status(204).end();
  });
  return r;
}
