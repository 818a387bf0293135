import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { axeViolations, hasChromium, overflowsHorizontally, servedInBrowser } from '../helpers/browser.js';

/**
 * The shell and the design system in a real browser: every component example passes axe, the
 * pages work on a phone-sized screen, by keyboard, in zh-CN and en.
 */
describe('web shell in Chromium', {
  skip: !hasChromium() && 'chromium is not installed (.ci/run installs it)',
}, () => {
  let browser: Browser;
  let base: string;
  let close = async () => {};

  before(async () => {
    ({ browser, base, close } = await servedInBrowser());
  });
  after(async () => close());

  for (const path of [
    '/design',
    '/design?lang=en',
    '/',
    '/?lang=en',
    '/no-such-page',
    '/calendar',
    '/log',
    '/lists',
    '/lists/power',
    '/lists/duties?lang=en',
    '/lists/negative',
    '/lists/negative?edition=2022&lang=en',
    '/convenience',
    '/convenience?near=410105001&class=%E5%8C%BB%E9%99%A2&lang=en',
    '/disclosure',
    '/disclosure?lang=en',
    '/disclosure/register',
    '/disclosure/annual-report?year=2025',
    '/disclosure/annual-report?year=2025&lang=en',
  ]) {
    test(`axe finds no WCAG 2.1 AA violation on ${path}`, async () => {
      const ctx = await browser.newContext({ locale: 'zh-CN' });
      const page = await ctx.newPage();
      await page.goto(`${base}${path}`);
      const v = await axeViolations(page);
      await ctx.close();
      assert.deepEqual(v, []);
    });
  }

  // the API documentation (Swagger UI, drawn by its script): on a desktop and on a phone, once the
  // operations are drawn, and with one operation opened (its controls and tables on the page)
  for (const [label, viewport] of [
    ['desktop', { width: 1280, height: 800 }],
    ['phone', { width: 375, height: 740 }],
  ] as const) {
    test(`axe finds no WCAG 2.1 AA violation on /docs (${label})`, async () => {
      const ctx = await browser.newContext({ locale: 'zh-CN', viewport, isMobile: label === 'phone' });
      const page = await ctx.newPage();
      await page.goto(`${base}/docs`);
      await page.waitForSelector('.opblock', { timeout: 20_000 });
      const closed = await axeViolations(page);
      await page.locator('.opblock-summary').first().click();
      await page.waitForSelector('.opblock-body', { timeout: 10_000 });
      const open = await axeViolations(page);
      await ctx.close();
      assert.deepEqual({ closed, open }, { closed: [], open: [] });
    });
  }

  // a publication and a convenience entry, reached by their lists' first links, on a phone and a desktop
  for (const [list, link] of [
    ['/disclosure', 'a[href^="/disclosure/0"]'],
    ['/convenience', 'a[href^="/convenience/"]'],
  ] as const) {
    test(`axe finds no WCAG 2.1 AA violation on the first entry of ${list}, phone and desktop`, async () => {
      for (const viewport of [
        { width: 360, height: 740 },
        { width: 1280, height: 800 },
      ]) {
        const ctx = await browser.newContext({ locale: 'zh-CN', viewport, isMobile: viewport.width < 400 });
        const page = await ctx.newPage();
        await page.goto(`${base}${list}`);
        const href = await page.locator(link).first().getAttribute('href');
        assert.ok(href, `a link on ${list}`);
        await page.goto(`${base}${href}`);
        const v = await axeViolations(page);
        const wide = await overflowsHorizontally(page);
        await ctx.close();
        assert.deepEqual({ href, v, wide }, { href, v: [], wide: false });
      }
    });
  }

  test('a phone-sized screen does not scroll sideways', async () => {
    const ctx = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true });
    const page = await ctx.newPage();
    for (const path of [
      '/',
      '/design',
      '/calendar',
      '/lists/power',
      '/lists/duties',
      '/lists/negative',
      '/convenience?near=410105001',
      '/disclosure',
      '/disclosure/annual-report?year=2025',
      '/docs',
    ]) {
      await page.goto(`${base}${path}`);
      assert.equal(await overflowsHorizontally(page), false, path);
    }
    await ctx.close();
  });

  test('the negative list filters by keyboard alone, without script (a GET form)', async () => {
    const ctx = await browser.newContext({ javaScriptEnabled: false });
    const page = await ctx.newPage();
    await page.goto(`${base}/lists/negative`);
    await page.focus('#f-category');
    await page.keyboard.press('ArrowDown'); // 全部 → 禁止准入
    await page.focus('#f-q');
    await page.keyboard.press('Enter');
    await page.waitForURL(/category=prohibited/);
    assert.equal(await page.locator('table tbody tr').count(), 6);
    await ctx.close();
  });

  test('the skip link is the first thing a keyboard reaches and moves focus to main', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${base}/design`);
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement?.getAttribute('href'));
    assert.equal(focused, '#main');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');
    await ctx.close();
  });

  test('the language switch keeps the page and changes the language', async () => {
    const ctx = await browser.newContext({ locale: 'zh-CN' });
    const page = await ctx.newPage();
    await page.goto(`${base}/design`);
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    await page.click('a.lang-switch');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.match(page.url(), /\/design\?lang=en$/);
    await ctx.close();
  });
});
