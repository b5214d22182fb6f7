/**
 * The web page: static files served as they are (no build step), and
 * GET /api/config, the few facts the page needs (limits, formats, speeds).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';
import { ENGINE_CHOICES, FORMATS } from '../../domain/job.js';
import type { EngineRoster } from '../../engines/roster.js';

/**
 * The page's files. Resolved from the package root, so the same path works
 * from src/ (tests) and dist/ (the build); the Dockerfile copies this folder.
 */
export const WEB_ROOT = fileURLToPath(new URL('../../../src/api/web/public/', import.meta.url));

export function webRouter({
  roster,
  limits,
}: {
  roster: EngineRoster;
  limits: { ttsMaxChars: number; jobsMaxChars: number };
}): Router {
  if (!existsSync(`${WEB_ROOT}index.html`)) throw new Error(`web page files are missing: no index.html in ${WEB_ROOT}`);
  const r = Router();
  const files = express.static(WEB_ROOT, { index: false, fallthrough: true, etag: true, maxAge: 0, redirect: false });
  r.get('/', (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile('index.html', { root: WEB_ROOT });
  });
  r.use('/assets', (req, res, next) => {
    res.setHeader('Cache-Control', 'no-cache');
    files(req, res, next);
  });

  r.get('/api/config', (_req, res) => {
    res.json({
      max_chars: { jobs: limits.jobsMaxChars, tts: limits.ttsMaxChars },
      formats: FORMATS,
      engines: ENGINE_CHOICES,
      // Speed must suit whichever engine ends up running the job (as the submit check does).
      speed: { ...roster.speed, default: 1 },
    });
  });
  return r;
}
