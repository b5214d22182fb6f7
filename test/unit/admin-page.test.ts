import { describe, expect, it } from 'vitest';
import { withoutExternalLinks } from '../../src/api/admin-page.js';

describe("Bull Board's page without external links", () => {
  it.each([
    [
      '<link href="https://fonts.googleapis.com/css2?family=IBM+Plex+Sans&display=swap" rel="stylesheet">\n<link href="static/css/main.css" rel="stylesheet">',
      '<link href="static/css/main.css" rel="stylesheet">',
    ],
    ['<link rel="preconnect" href="//fonts.gstatic.com" crossorigin>', ''],
    ["<LINK REL=stylesheet HREF='http://cdn.example/x.css'>", ''],
    ['<link rel="icon" href="static/favicon.svg">', '<link rel="icon" href="static/favicon.svg">'],
    [
      '<a href="https://github.com/felixmosh/bull-board">Bull Board</a>',
      '<a href="https://github.com/felixmosh/bull-board">Bull Board</a>',
    ],
  ])('%s', (html, expected) => {
    expect(withoutExternalLinks(html)).toBe(expected);
  });

  it('is linear on hostile input', () => {
    const html = '<link '.repeat(50_000);
    const t0 = performance.now();
    withoutExternalLinks(html);
    expect(performance.now() - t0).toBeLessThan(500);
  });
});
