import { mkdirSync, readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page, Response as PwResponse } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKey } from '../../src/api/auth.js';
import { parseWav, rms } from '../../src/audio/wav.js';
import { startService, type Service } from '../integration/harness.js';
import { launchChromium } from './browser.js';

const CLIENT = 'e2e-client-key';
const ADMIN = 'e2e-admin-key';
const MAX = 300;
const MIXED = '你好，这是一个语音示例。Hello, this is a sample of mixed text. 我们今天测试一下网页。';

let svc: Service;
let browser: Browser;
beforeAll(async () => {
  [svc, browser] = await Promise.all([
    startService({
      env: {
        API_KEYS: `web:${hashKey(CLIENT)}`,
        ADMIN_KEYS: `ops:${hashKey(ADMIN)}`,
        JOBS_MAX_CHARS: String(MAX),
        // The result cache on, as it is by default: a text synthesized again is a cache hit.
        CACHE_MAX_BYTES: String(50 * 1024 * 1024),
      },
    }),
    launchChromium(),
  ]);
});
afterAll(async () => {
  await browser?.close();
  await svc?.stop();
});

/** A fresh profile; collects console messages that report a CSP violation. */
async function open(
  opts: Parameters<Browser['newContext']>[0] = {},
): Promise<{ ctx: BrowserContext; page: Page; csp: string[] }> {
  const ctx = await browser.newContext({
    locale: 'en-US',
    viewport: { width: 1200, height: 860 },
    acceptDownloads: true,
    ...opts,
  });
  const page = await ctx.newPage();
  const csp: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) csp.push(m.text());
  });
  return { ctx, page, csp };
}

/** Load the page and give it the key when it asks. */
async function openWithKey(opts: Parameters<Browser['newContext']>[0] = {}) {
  const o = await open(opts);
  await o.page.goto(svc.base);
  await o.page.locator('#key-dialog[open]').waitFor();
  await o.page.fill('#key-input', CLIENT);
  await o.page.click('#key-form button[type=submit]');
  await o.page.locator('body[data-ready=true]').waitFor();
  return o;
}

describe('web page', () => {
  it('asks for a key once, keeps it, and shows the engines', async () => {
    const { ctx, page, csp } = await openWithKey();
    try {
      await expect.poll(() => page.evaluate("localStorage.getItem('tandem.apiKey')")).toBe(CLIENT);
      await expect.poll(() => page.locator('#key-status').isVisible()).toBe(true);
      expect(await page.locator('#voice option').count()).toBeGreaterThan(2);
      expect(await page.locator('#engine option').allTextContents()).toHaveLength(3);
      // The engine panel says whether the primary is up (from /api/engines, or /readyz until it exists).
      await page.locator('#engines li[data-role=primary] .badge[data-state=up]').waitFor();

      await page.reload();
      await page.locator('body[data-ready=true]').waitFor();
      expect(await page.locator('#key-dialog').getAttribute('open')).toBeNull();
      expect(await page.locator('#error').isHidden()).toBe(true);
      expect(csp).toEqual([]);
    } finally {
      await ctx.close();
    }
  });

  it('synthesizes mixed text: the progress bar reaches the end, the audio plays, the download is a WAV', async () => {
    const { ctx, page, csp } = await openWithKey();
    try {
      await page.fill('#text', MIXED);
      await expect.poll(() => page.textContent('#count')).toBe(`${[...MIXED].length} / ${MAX} characters`);
      await page.locator('#speed').fill('1.2');
      expect(await page.textContent('#speed-value')).toBe('1.2×');
      await page.selectOption('#engine', 'auto');
      await page.selectOption('#voice', 'female');
      const followed: string[] = [];
      page.on('request', (r: any) => followed.push(new URL(r.url()).pathname));
      await page.click('#synthesize');

      await page.locator('#result').waitFor({ state: 'visible', timeout: 60_000 });
      // The tests are type-checked without DOM types: page-side code goes in as strings or `any`.
      const bar = await page.$eval('#progress', (p: any) => ({ value: p.value as number, max: p.max as number }));
      expect(bar.max).toBeGreaterThan(0);
      expect(bar.value).toBe(bar.max);
      expect(await page.getAttribute('#progress-box', 'data-status')).toBe('succeeded');
      // Progress came from the server-sent event stream, not from polling.
      expect(followed.some((p) => /^\/api\/jobs\/[0-9a-f-]{36}\/events$/.test(p))).toBe(true);
      expect(await page.textContent('#progress-text')).toMatch(/^Done: \d+\.\d s of audio by espeak$/);

      // The player has a playable source with a real duration.
      // A function, not a string: the page's CSP forbids eval, which a string predicate needs when it polls.
      await page.waitForFunction(() => {
        const a = (
          globalThis as unknown as {
            document: { getElementById(id: string): { readyState: number; duration: number } | null };
          }
        ).document.getElementById('player');
        return !!a && a.readyState >= 1 && Number.isFinite(a.duration) && a.duration > 0;
      });
      const player = await page.$eval('#player', (a: any) => ({
        src: a.currentSrc as string,
        duration: a.duration as number,
        error: a.error as unknown,
      }));
      expect(player.src).toMatch(/^blob:/);
      expect(player.error).toBeNull();
      expect(player.duration).toBeGreaterThan(2);

      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
      expect(download.suggestedFilename()).toMatch(/^tandem-[0-9a-f]{8}\.wav$/);
      const wav = parseWav(readFileSync((await download.path())!));
      expect(wav.channels).toBe(1);
      expect(wav.sampleRate).toBeGreaterThan(8000);
      expect(Math.abs(wav.durationMs / 1000 - player.duration)).toBeLessThan(0.05);
      expect(rms(wav.samples)).toBeGreaterThan(0.01);

      // The job is in this browser's recent list, ready to replay.
      const item = page.locator('#recent li').first();
      expect(await item.getAttribute('data-status')).toBe('succeeded');
      expect(await item.locator('.snippet').textContent()).toBe(MIXED);
      expect(await item.locator('button', { hasText: 'Play' }).isEnabled()).toBe(true);

      if (process.env.SCREENSHOT) {
        mkdirSync('docs', { recursive: true });
        await page.screenshot({ path: 'docs/screenshot.png' });
      }
      expect(csp).toEqual([]);
    } finally {
      await ctx.close();
    }
  });

  it('plays a result served from the cache: the same text synthesized twice', async () => {
    const { ctx, page } = await openWithKey();
    try {
      const text = `Cached twice ${Date.now()}. 第二次来自缓存。`;
      await page.fill('#text', text);
      const views: { status: number; body: string; request: string }[] = [];
      page.on('response', async (r: PwResponse) => {
        if (r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/jobs')
          views.push({ status: r.status(), body: await r.text(), request: r.request().postData() ?? '' });
      });
      const playOnce = async () => {
        await page.click('#synthesize');
        await page.locator('#progress-box[data-status=succeeded]').waitFor({ timeout: 60_000 });
        await page.locator('#result').waitFor({ state: 'visible' });
        // A function, not a string: the page's CSP forbids eval, which a string predicate needs when it polls.
        await page.waitForFunction(() => {
          const a = (
            globalThis as unknown as {
              document: { getElementById(id: string): { readyState: number; duration: number } | null };
            }
          ).document.getElementById('player');
          return !!a && a.readyState >= 1 && Number.isFinite(a.duration) && a.duration > 0;
        });
        expect(await page.locator('#error').isHidden()).toBe(true);
        return page.$eval('#player', (a) => {
          const { currentSrc, duration } = a as unknown as { currentSrc: string; duration: number };
          return { src: currentSrc, duration };
        });
      };
      const first = await playOnce();
      // The worker files its result in the cache just after the job is seen to succeed: wait until the same
      // request is a hit, so the page's second run is one whatever the machine's load.
      await expect
        .poll(
          async () => {
            const r = await fetch(`${svc.base}/api/jobs`, {
              method: 'POST',
              headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${CLIENT}` },
              body: views[0]?.request ?? '{}',
            });
            const { id } = (await r.json()) as { id?: string };
            const view = await fetch(`${svc.base}/api/jobs/${id}`, { headers: { Authorization: `Bearer ${CLIENT}` } });
            return ((await view.json()) as { cached?: boolean }).cached === true;
          },
          { timeout: 20_000 },
        )
        .toBe(true);
      // Hide the result and forget the status, so the second run must show its own.
      await page.evaluate(
        "document.getElementById('result').hidden = true; delete document.getElementById('progress-box').dataset.status",
      );
      const second = await playOnce();
      expect(second.src).not.toBe(first.src);
      expect(Math.abs(second.duration - first.duration)).toBeLessThan(0.05);
      expect(await page.textContent('#progress-text')).toMatch(/^Done: \d+\.\d s of audio by espeak$/);
      // The player really plays the cached audio.
      await page.$eval('#player', (a) => (a as unknown as { play(): Promise<void> }).play());
      await expect
        .poll(() => page.$eval('#player', (a) => (a as unknown as { currentTime: number }).currentTime))
        .toBeGreaterThan(0.1);
      await expect.poll(() => views.length).toBe(2);
      const hit = JSON.parse(views[1]?.body ?? '{}');
      const job = (await (
        await fetch(`${svc.base}/api/jobs/${hit.id}`, { headers: { Authorization: `Bearer ${CLIENT}` } })
      ).json()) as { cached: boolean; audio: { duration_ms: number } };
      expect(job.cached).toBe(true);
      expect(job.audio.duration_ms).toBeGreaterThan(0);
      // The submit answer of a cache hit that is already done carries its audio.
      if (hit.status === 'succeeded') expect(hit.audio.duration_ms).toBe(job.audio.duration_ms);
      expect(await page.locator('#error').isHidden()).toBe(true);
    } finally {
      await ctx.close();
    }
  });

  it('follows the browser language and switches with the toggle', async () => {
    const { ctx, page } = await open({ locale: 'zh-CN' });
    try {
      await page.goto(svc.base);
      expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
      expect(await page.textContent('#synthesize')).toBe('合成');
      expect(await page.textContent('#key-title')).toBe('需要 API 密钥');
      await page.fill('#key-input', CLIENT);
      await page.click('#key-form button[type=submit]');
      await page.locator('body[data-ready=true]').waitFor();
      expect(await page.textContent('#engines-title')).toBe('引擎状态');

      await page.click('#lang-toggle');
      expect(await page.getAttribute('html', 'lang')).toBe('en');
      expect(await page.textContent('#synthesize')).toBe('Synthesize');
      expect(await page.textContent('#engines-title')).toBe('Engines');
      expect(await page.locator('#voice option').first().textContent()).toBe('Female (each language)');

      // The choice is remembered over the browser's language.
      await page.reload();
      await page.locator('body[data-ready=true]').waitFor();
      expect(await page.textContent('#synthesize')).toBe('Synthesize');
      await page.click('#lang-toggle');
      expect(await page.textContent('#synthesize')).toBe('合成');
    } finally {
      await ctx.close();
    }
  });

  it('shows an inline error for text that is too long', async () => {
    const { ctx, page } = await openWithKey();
    try {
      const text = '长'.repeat(MAX + 12);
      await page.fill('#text', text);
      await expect.poll(() => page.getAttribute('#count', 'class')).toContain('over');
      await page.click('#synthesize');
      const error = page.locator('#error');
      await error.waitFor({ state: 'visible' });
      expect(await error.textContent()).toBe(
        `The text is too long: ${MAX + 12} characters, and at most ${MAX} are allowed. Shorten it and try again.`,
      );
      expect(await page.locator('#result').isHidden()).toBe(true);
    } finally {
      await ctx.close();
    }
  });

  it("shows the server's refusals in the reader's language, from their codes", async () => {
    const { ctx, page } = await openWithKey({ locale: 'zh-CN' });
    try {
      // Blank text passes the page's own count check and is refused by the server as empty.
      await page.fill('#text', '   ');
      await page.click('#synthesize');
      const error = page.locator('#error');
      await error.waitFor({ state: 'visible' });
      const shown = (await error.textContent()) ?? '';
      expect(shown).not.toMatch(/empty|"text"/);
      expect(shown).toMatch(/[\u4e00-\u9fff]/);
    } finally {
      await ctx.close();
    }
  });
});

describe('Bull Board', () => {
  it('opens with the admin key and is refused without it or with a client key', async () => {
    const anon = await open();
    try {
      const statuses: number[] = [];
      anon.page.on('response', (r) => statuses.push(r.status()));
      // The browser gets a 401 with a Basic challenge and, having no credentials, gives up.
      await expect(anon.page.goto(`${svc.base}/admin/queues`)).rejects.toThrow(/ERR_INVALID_AUTH_CREDENTIALS/);
      expect(statuses).toEqual([401]);
    } finally {
      await anon.ctx.close();
    }

    const client = await open({ httpCredentials: { username: 'me', password: CLIENT } });
    try {
      const r = await client.page.goto(`${svc.base}/admin/queues`);
      expect(r!.status()).toBe(403);
    } finally {
      await client.ctx.close();
    }

    const admin = await open({ httpCredentials: { username: 'ops', password: ADMIN } });
    try {
      const elsewhere: string[] = [];
      admin.page.on('request', (r) => {
        if (!r.url().startsWith(svc.base) && !r.url().startsWith('data:')) elsewhere.push(r.url());
      });
      const r = await admin.page.goto(`${svc.base}/admin/queues`);
      expect(r!.status()).toBe(200);
      // Bull Board's own app renders the service's queue (its API calls carry the same credentials).
      await admin.page.getByText('tts-espeak').first().waitFor({ timeout: 20_000 });
      // Every queue the service uses is on the board: webhook deliveries (with their dead letters) too.
      // Cache hits have no queue any more (a record created succeeded), so none is shown for them.
      await admin.page.getByText('webhooks').first().waitFor({ timeout: 20_000 });
      expect(await admin.page.getByText('tts-cached').count()).toBe(0);
      // Nothing is fetched from another origin (Bull Board's template links Google Fonts), so nothing is refused.
      expect(elsewhere).toEqual([]);
      expect(admin.csp).toEqual([]);
    } finally {
      await admin.ctx.close();
    }
  });
});
