/**
 * The page with the primary's model missing: the engine panel gives a short state per engine with
 * one line of detail, in the reader's language, without the server's English sentences or its paths;
 * the voice list says which voices can be used now; a request pinned to the primary says why not.
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

  it("says which voices can be used now, in the reader's language, and why the others cannot", async () => {
    const ctx = await browser.newContext({ locale: 'zh-CN' });
    try {
      const page = await ctx.newPage();
      await page.goto(svc.base);
      await page.locator('body[data-ready=true]').waitFor();
      await page
        .locator('#engines li[data-role=primary] .badge[data-state=not_installed]')
        .waitFor({ timeout: 30_000 });
      const note = page.locator('#voice-note');
      await note.waitFor({ state: 'visible' });
      expect(await note.textContent()).toBe(
        'kokoro 未安装，它自己的声音暂时无法使用；列出的声音由正在运行的引擎朗读。',
      );
      // Kokoro's own voices are listed apart and cannot be chosen; the service-wide names can (espeak has them).
      const bella = page.locator('#voice option[value=af_bella]');
      expect(await bella.isDisabled()).toBe(true);
      expect(await bella.textContent()).toBe('af_bella — 美式英语，女声');
      expect(await page.locator('#voice optgroup').evaluateAll((g) => g.map((x) => x.getAttribute('label')))).toEqual([
        '当前可用',
        'kokoro 的声音（当前不可用）',
      ]);
      const zh = page.locator('#voice option[value=zh-female]');
      expect(await zh.isDisabled()).toBe(false);
      expect(await zh.textContent()).toBe('zh-female — 普通话，女声');
      // The probe's duration is read as a duration, not as "ms ago".
      const backup = (await page.locator('#engines li[data-role=backup] p').textContent()) ?? '';
      expect(backup).toMatch(/最近一次检查于 .+ 通过，耗时 \d+ 毫秒/);

      // A job's duration in the recent list is in Chinese too.
      await page.fill('#text', '你好。');
      await page.click('#synthesize');
      await page.locator('#recent li[data-status=succeeded]').waitFor({ timeout: 60_000 });
      expect(await page.locator('#recent li').first().textContent()).toMatch(/\d+\.\d 秒/);

      await page.click('#lang-toggle');
      expect(await page.locator('#recent li').first().textContent()).toMatch(/\d+\.\d s/);
      expect(await note.textContent()).toMatch(/^kokoro is not installed, so its own voices cannot be used now/);
      expect(await bella.textContent()).toBe('af_bella — American English, female');
      expect(await page.locator('#engines li[data-role=backup] p').textContent()).toMatch(
        /last check passed at .+, in \d+ ms/,
      );
    } finally {
      await ctx.close();
    }
  });

  it('a request pinned to the missing primary says it is not installed and how to install it', async () => {
    const ctx = await browser.newContext({ locale: 'zh-CN' });
    try {
      const page = await ctx.newPage();
      await page.goto(svc.base);
      await page.locator('body[data-ready=true]').waitFor();
      await page.fill('#text', '你好。');
      await page.selectOption('#engine', 'primary');
      // Said as soon as the engine panel knows (its first answer may still be on its way).
      await expect
        .poll(() => page.textContent('#voice-note'))
        .toBe('kokoro 未安装：固定到它的请求无法处理。请选择“自动”，或先安装它。');
      await page.click('#synthesize');
      const error = page.locator('#error');
      await error.waitFor({ state: 'visible' });
      expect(await error.textContent()).toBe(
        '主引擎未安装，固定到它的请求无法处理。请选择“自动”，或用以下命令安装：npm run models -- install kokoro',
      );
      await page.click('#lang-toggle');
      await page.click('#synthesize');
      await expect
        .poll(() => error.textContent())
        .toBe(
          'The primary engine is not installed, so a request pinned to it cannot be served. Choose Auto, or install it with: npm run models -- install kokoro',
        );
    } finally {
      await ctx.close();
    }
  });
});
