/** Security headers: a strict CSP that the web page satisfies, and a looser one Bull Board needs. */
import type { RequestHandler } from 'express';
import helmet from 'helmet';

const common = {
  // Plain-HTTP deployments on a LAN are normal here: never upgrade or pin to HTTPS from the app;
  // a TLS proxy in front decides that.
  strictTransportSecurity: false,
  referrerPolicy: { policy: 'no-referrer' as const },
  xFrameOptions: { action: 'deny' as const },
} as const;

/** Directives both policies share: this origin only, no plugins, no framing. */
const baseDirectives = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

const withPolicy = (directives: Record<string, string[]>): RequestHandler =>
  helmet({
    ...common,
    contentSecurityPolicy: { useDefaults: false, directives: { ...baseDirectives, ...directives } },
  }) as RequestHandler;

/**
 * Headers for the web page, its assets and the JSON API: no inline scripts or
 * styles, everything from this origin, audio from this origin or blob: URLs.
 */
export function pageHeaders(): RequestHandler {
  return withPolicy({
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    mediaSrc: ["'self'", 'blob:'],
    fontSrc: ["'self'"],
    baseUri: ["'none'"],
  });
}

/**
 * Headers for Bull Board (/admin/queues): its HTML carries inline styles, so styles may be inline;
 * scripts, styles and fonts only from here (its Google Fonts link is removed: admin-page.ts).
 */
export function adminHeaders(): RequestHandler {
  return withPolicy({
    styleSrc: ["'self'", "'unsafe-inline'"],
    fontSrc: ["'self'", 'data:'],
    imgSrc: ["'self'", 'data:'],
    baseUri: ["'self'"],
  });
}
