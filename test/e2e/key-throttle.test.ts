/**
 * A page left open on a keyed service without a key: it stops asking /api/engines (each refusal
 * counts toward AUTH_FAILURES_PER_MINUTE) and shows what the open /readyz says; throttled, it says
 * so in the reader's language; once the throttle's minute is over it asks for the key again.
 */
import type { Browser, Response as PwResponse } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKey } from '../../src/api/auth.js';
import { startService, type Service } from '../integration/harness.js';
import { launchChromium } from './browser.js';

const KEY = 'e2e-throttle-key';
let svc: Service;
let browser: Browser;
beforeAll(async () => {
  [svc, browser] = await Promise.all([
    startService({ env: { API_KEYS: `web:${hashKey(KEY)}`, AUTH_FAILURES_PER_MINUTE: '3' } }),
    launchChromium(),
  ]);
});
afterAll(async () => {
  await browser?.close();
  await svc?.stop();
});

describe('a page without a key on a keyed service', () => {
  // It waits out the throttle's one-minute window.
  it('stops failing authentication in the background, says when it is throttled, then asks again', {
    timeout: 180_000,
  }, async () => {
    const ctx = await browser.newContext({ locale: 'zh-CN' });
    try {
      const page = await ctx.newPage();
      const refused: { path: string; status: number; at: number }[] = [];
      page.on('response', (r: PwResponse) => {
        if (r.status() === 401 || r.status() === 429)
          refused.push({ path: new URL(r.url()).pathname, status: r.status(), at: Date.now() });
      });
      await page.goto(svc.base);
      await page.locator('#key-dialog[open]').waitFor();
      await page.click('#key-cancel');
      await page.locator('body[data-ready=true]').waitFor();
      // The engine panel falls back to /readyz: live workers, no key needed.
      await page.locator('#engines li[data-role=primary] .badge[data-state=up]').waitFor({ timeout: 20_000 });
      await page.waitForTimeout(9000); // two more panel ticks
      expect(refused.filter((r) => r.path === '/api/engines').length).toBeLessThanOrEqual(1);

      // Three failures are spent (config, voices, engines): the next attempt is throttled, and says so.
      await page.fill('#text', '你好。');
      await page.click('#synthesize');
      const error = page.locator('#error');
      await expect.poll(() => error.textContent(), { timeout: 10_000 }).toMatch(/尝试次数过多。请等待 \d+ 秒后重试/);
      const throttled = refused.find((r) => r.status === 429);
      expect(throttled).toBeDefined();

      // Nothing in the background keeps the address throttled: after the minute, the page asks for the key.
      const since = throttled?.at ?? Date.now();
      await page.waitForTimeout(Math.max(0, since + 61_000 - Date.now()));
      expect(refused.filter((r) => r.at > since).length).toBe(0);
      await page.click('#synthesize');
      await page.locator('#key-dialog[open]').waitFor({ timeout: 10_000 });
      await page.fill('#key-input', KEY);
      await page.click('#key-form button[type=submit]');
      await page.locator('#progress-box[data-status=succeeded]').waitFor({ timeout: 60_000 });
      // With the key, the panel reads /api/engines again.
      await page.locator('#route-current').waitFor({ timeout: 10_000 });
    } finally {
      await ctx.close();
    }
  });
});
