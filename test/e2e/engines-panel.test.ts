/**
 * The page's engine panel with the primary's model missing: a short state per engine with one line
 * of detail, in the reader's language, without the server's English sentences or its paths.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnProc, startService, type Proc, type Service } from '../integration/harness.js';
import { launchChromium } from './browser.js';

let svc: Service;
let kokoro: Proc;
let browser: Browser;
let models: string;
beforeAll(async () => {
  models = mkdtempSync(join(tmpdir(), 'tandem-no-models-'));
  const env = {
    PRIMARY_ENGINE: 'kokoro',
    BACKUP_ENGINE: 'espeak',
    MODELS_DIR: models,
    PROBE_INTERVAL_MS: '300',
    WORKER_HEARTBEAT_MS: '200',
  };
  [svc, browser] = await Promise.all([startService({ engines: ['espeak'], monitor: true, env }), launchChromium()]);
  kokoro = spawnProc('worker.js', ['--engine', 'primary'], svc.env);
  await kokoro.waitFor(/not installed/);
});
afterAll(async () => {
  await browser?.close();
  kokoro?.child.kill('SIGTERM');
  await kokoro?.exited;
  await svc?.stop();
  rmSync(models, { recursive: true, force: true });
});

describe('engine panel', () => {
  it('shows each engine as a short state with one line of detail, translated from codes', async () => {
    const ctx = await browser.newContext({ locale: 'zh-CN' });
    try {
      const page = await ctx.newPage();
      await page.goto(svc.base);
      await page.locator('body[data-ready=true]').waitFor();
      const primary = page.locator('#engines li[data-role=primary]');
      const backup = page.locator('#engines li[data-role=backup]');
      await primary.locator('.badge[data-state=not_installed]').waitFor({ timeout: 30_000 });
      await backup.locator('.badge[data-state=up]').waitFor({ timeout: 30_000 });
      // The router has moved to the backup because of it; the panel gives the reason in Chinese.
      await expect.poll(() => page.textContent('#route-current'), { timeout: 30_000 }).toContain('备用引擎');

      expect(await primary.locator('p').count()).toBe(1);
      expect(await backup.locator('p').count()).toBe(1);
      expect(await primary.locator('p').textContent()).toBe('模型未安装。安装命令： npm run models -- install kokoro');
      expect(await primary.locator('.badge').textContent()).toBe('未安装');
      const panel = (await page.textContent('#engines')) ?? '';
      // Whichever the monitor saw first: the missing model or the failed checks.
      expect(panel).toMatch(/主引擎(未安装|健康检查失败)。/);
      // Said once, without the server's path or its English sentences.
      expect(panel.split('install kokoro').length - 1).toBe(1);
      expect(panel).not.toContain(models);
      expect(panel).not.toMatch(/not installed|Kokoro model|Offline:|primary engine/i);

      await page.click('#lang-toggle');
      expect(await primary.locator('p').textContent()).toBe(
        'Model not installed. To install it, run: npm run models -- install kokoro',
      );
      expect(await page.textContent('#engines')).toMatch(
        /The primary engine (is not installed|failed its health checks)\./,
      );
      expect(await page.textContent('#engines')).not.toContain(models);
    } finally {
      await ctx.close();
    }
  });
});
