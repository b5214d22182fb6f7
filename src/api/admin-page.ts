/**
 * Bull Board's page, served with nothing from outside: its template links IBM Plex from Google
 * Fonts, so every admin page view reached a third party (and offline, failed with a console error).
 * The link is taken out of the rendered HTML; Bull Board's stylesheet already falls back to the
 * system font stack (system-ui, "Segoe UI", …, sans-serif), which is what is shown instead.
 */
import type { RequestHandler } from 'express';

/** A link element; `[^<>]` stops each match at the next tag, so a page of unclosed `<link`s stays linear. */
const LINK = /<link\b[^<>]*>\s*/giu;
/** An href that leaves this origin: http(s) or protocol-relative. */
const EXTERNAL_HREF = /\bhref\s*=\s*["']?(?:https?:)?\/\//iu;

/** The HTML without `<link>` elements that point to other origins (stylesheets, preconnects, fonts). */
export function withoutExternalLinks(html: string): string {
  return html.replace(LINK, (link) => (EXTERNAL_HREF.test(link) ? '' : link));
}

/** Middleware in front of Bull Board's router: the page it renders goes out without external links. */
export const localAdminPage: RequestHandler = (_req, res, next) => {
  const render = res.render.bind(res);
  res.render = ((view: string, options?: object) =>
    render(view, options ?? {}, (err: Error | null, html: string) => {
      if (err) return next(err);
      res.send(withoutExternalLinks(html));
    })) as typeof res.render;
  next();
};
