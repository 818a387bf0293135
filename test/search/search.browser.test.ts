import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { TongbanApp } from '../../src/app.js';
import { type SearchService, searchServiceOf } from '../../src/modules/search/index.js';
import { buildTestApp } from '../helpers/app.js';
import { axeViolations, hasChromium, launchBrowser, overflowsHorizontally } from '../helpers/browser.js';

/** The search and open-government pages in a real browser: axe, phone width, keyboard. */
describe('search and disclosure pages in Chromium', {
  skip: !hasChromium() && 'chromium is not installed (.ci/run installs it)',
}, () => {
  let t: TongbanApp;
  let browser: Browser;
  let base: string;
  let paths: string[];

  before(async () => {
    t = await buildTestApp({ demo: 'on' });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
    const search = searchServiceOf(t.modules) as SearchService;
    const info = search.search({ q: '通知', kind: 'information' }).hits[0];
    const conv = search.search({ q: '医院', kind: 'convenience' }).hits[0];
    assert.ok(info && conv, 'the demo city has information and convenience entries');
    paths = [
      '/search',
      `/search?q=${encodeURIComponent('身份证丢了')}`,
      `/search?q=${encodeURIComponent('登记')}&kind=item&depth=4`,
      `/search?q=${encodeURIComponent('量子纠缠')}`,
      `/search?q=${encodeURIComponent('医院')}&lang=en`,
      '/disclosure',
      info.url,
      conv.url,
    ];
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  test('axe finds no WCAG 2.1 AA violation', async () => {
    const ctx = await browser.newContext({ locale: 'zh-CN' });
    const page = await ctx.newPage();
    for (const path of paths) {
      await page.goto(`${base}${path}`);
      assert.deepEqual(await axeViolations(page), [], path);
    }
    await ctx.close();
  });

  test('a phone-sized screen does not scroll sideways', async () => {
    const ctx = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true });
    const page = await ctx.newPage();
    for (const path of paths) {
      await page.goto(`${base}${path}`);
      assert.equal(await overflowsHorizontally(page), false, path);
    }
    await ctx.close();
  });

  test('a search works by keyboard alone', async () => {
    const ctx = await browser.newContext({ locale: 'zh-CN' });
    const page = await ctx.newPage();
    await page.goto(`${base}/search`);
    await page.focus('#f-q');
    await page.keyboard.type('营业执照');
    await page.keyboard.press('Enter');
    await page.waitForURL(/q=/);
    assert.ok((await page.locator('.search-hit').count()) > 0);
    assert.ok((await page.locator('.search-hit mark').count()) > 0);
    await ctx.close();
  });
});
