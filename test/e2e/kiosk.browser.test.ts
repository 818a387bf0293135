import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { TongbanApp } from '../../src/app.js';
import { ManualClock } from '../../src/kernel/index.js';
import type { simulatedPrinter } from '../../src/modules/halls/index.js';
import { buildTestApp } from '../helpers/app.js';
import { axeViolations, hasChromium, launchBrowser } from '../helpers/browser.js';

const HALL = 'H410105001';

/**
 * The kiosk in a real browser, by touch: card read (the device simulator), a ticket, the printed
 * receipt (the print simulator holds a PDF), then the idle reset leaves nothing on the screen;
 * axe-clean in the normal and the 适老化 mode.
 */
describe('the 24-hour kiosk in Chromium', {
  skip: !hasChromium() && 'chromium is not installed (.ci/run installs it)',
}, () => {
  let t: TongbanApp;
  let browser: Browser;
  let base: string;

  before(async () => {
    // a Monday at 10:00 in Zhengzhou: the hall issues tickets
    t = await buildTestApp({ demo: 'on', clock: new ManualClock('2026-12-07T02:00:00Z') });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  });
  after(async () => {
    await browser.close();
    await t.close();
  });

  test('card read → ticket → printed receipt by touch, then the idle reset clears the screen', async () => {
    const ctx = await browser.newContext({
      hasTouch: true,
      viewport: { width: 1080, height: 1400 },
      locale: 'zh-CN',
    });
    const page = await ctx.newPage();
    await page.clock.install();
    await page.goto(`${base}/kiosk?hall=${HALL}`);
    assert.deepEqual(await axeViolations(page), []);
    await page.tap('#kiosk-card');
    await page.waitForSelector('#kiosk-line-A');
    assert.match((await page.textContent('h1')) ?? '', /您好/);
    assert.deepEqual(await axeViolations(page), []);
    await page.tap('#kiosk-line-A');
    await page.waitForSelector('#kiosk-ticket');
    const ticket = (await page.textContent('#kiosk-ticket'))?.trim() ?? '';
    assert.match(ticket, /^A\d{3}$/);
    assert.deepEqual(await axeViolations(page), []);
    await page.tap('#kiosk-print');
    await page.waitForSelector('#kiosk-printed');
    const printer = t.halls.kiosk.printer as ReturnType<typeof simulatedPrinter>;
    const job = [...printer.jobs.values()].at(-1);
    assert.ok(job);
    assert.equal(job.what, `ticket ${ticket}`);
    assert.equal(Buffer.from(job.pdf.slice(0, 5)).toString(), '%PDF-');
    const receiptUrl = page.url();
    // nobody touches the screen for the idle time: signed out, back at the start, nothing left
    await page.clock.fastForward(61_000);
    await page.waitForSelector('#kiosk-card');
    const text = (await page.textContent('body')) ?? '';
    assert.ok(!text.includes(ticket), 'the ticket is gone from the screen');
    assert.ok(!text.includes('您好'), 'the name is gone from the screen');
    assert.equal(
      (await ctx.cookies()).find((c) => c.name === 'tb_kiosk'),
      undefined,
    );
    const again = await page.goto(receiptUrl);
    assert.equal(again?.status(), 401);
    await ctx.close();
  });

  test('适老化 mode: larger type, axe-clean, kept while the kiosk is used', async () => {
    const ctx = await browser.newContext({ hasTouch: true, locale: 'zh-CN' });
    const page = await ctx.newPage();
    await page.goto(`${base}/kiosk?hall=${HALL}&care=1`);
    assert.equal(await page.getAttribute('body', 'class'), 'kiosk kiosk-care');
    assert.deepEqual(await axeViolations(page), []);
    const size = await page.evaluate(() => Number.parseFloat(getComputedStyle(document.body).fontSize));
    assert.ok(size >= 32, `font size ${size}`);
    await page.tap('#kiosk-card');
    await page.waitForSelector('#kiosk-line-A');
    assert.equal(await page.getAttribute('body', 'class'), 'kiosk kiosk-care');
    assert.deepEqual(await axeViolations(page), []);
    await page.goto(`${base}/kiosk/guide?hall=${HALL}`);
    assert.deepEqual(await axeViolations(page), []);
    await ctx.close();
  });

  test('the calling screen, the ticket page, 就近办 and the clerk’s desk are axe-clean', async () => {
    const clerk = (await t.identity.tokenForLogin('clerk')).token;
    const r = await t.app.inject({
      method: 'POST',
      url: `/api/v1/halls/${HALL}/tickets`,
      headers: { authorization: `Bearer ${clerk}` },
      payload: { line: 'B' },
    });
    const ctx = await browser.newContext({ locale: 'zh-CN' });
    const page = await ctx.newPage();
    for (const path of [
      `/halls/${HALL}/screen`,
      r.json().url,
      '/halls/nearest?region=410105001',
      '/halls/nearest?lang=en',
    ]) {
      await page.goto(`${base}${path}`);
      assert.deepEqual(await axeViolations(page), [], path);
    }
    await page.goto(`${base}/login?lang=zh-CN`);
    await page.fill('input[name="login"]', 'clerk');
    await page.fill('input[name="password"]', 'tongban-demo');
    await Promise.all([page.waitForNavigation(), page.click('main button[type="submit"]')]);
    await page.goto(`${base}/halls/${HALL}/desk?window=1`);
    assert.deepEqual(await axeViolations(page), [], 'desk');
    assert.match((await page.textContent('h1')) ?? '', /叫号台/, page.url());
    await page.click('text=叫下一位');
    await page.waitForSelector('text=已叫号');
    assert.deepEqual(await axeViolations(page), [], 'desk after a call');
    await ctx.close();
  });

  test('the hall manager’s pages (the day’s figures, the chart and its table, the quota form; windows and hours) are axe-clean', async () => {
    // the demo's `hall-manager` (of this hall)
    const ctx = await browser.newContext({ locale: 'zh-CN' });
    const page = await ctx.newPage();
    await page.goto(`${base}/login?lang=zh-CN`);
    await page.fill('input[name="login"]', 'hall-manager');
    await page.fill('input[name="password"]', 'tongban-demo');
    await Promise.all([page.waitForNavigation(), page.click('main button[type="submit"]')]);
    await page.goto(`${base}/halls/${HALL}/manage`);
    assert.match((await page.textContent('h1')) ?? '', /大厅管理/);
    assert.deepEqual(await axeViolations(page), [], 'manage');
    await page.fill('#q-per', '6');
    await Promise.all([page.waitForNavigation(), page.click('text=保存')]);
    assert.match((await page.textContent('main')) ?? '', /已保存/);
    assert.deepEqual(await axeViolations(page), [], 'manage after saving');
    // the windows and hours: the form, then its problems listed after a bad time (by keyboard alone)
    await page.goto(`${base}/halls/${HALL}/manage/layout`);
    assert.deepEqual(await axeViolations(page), [], 'layout');
    await page.fill('#f-hours-0-to', '07:00');
    await page.focus('#f-hours-0-to');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    assert.match((await page.textContent('.error-summary')) ?? '', /结束时间须晚于开始时间/);
    assert.deepEqual(await axeViolations(page), [], 'layout with its problems');
    await ctx.close();
  });
});
