import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { TongbanApp } from '../../src/app.js';
import { axeViolations, hasChromium, overflowsHorizontally, servedInBrowser } from '../helpers/browser.js';
import { validForm } from '../helpers/forms.js';

/**
 * The workbench in a real browser (issue 16 item 5): an approver works the queue by keyboard —
 * Tab to the department list, N for the next case and N again on the case page — and the
 * workbench, a case and the supervision pages pass axe on a phone and on a desktop.
 */
// 食品小经营店登记: decided by 郑州市市场监督管理局, the demo approver's department
const CITY_ITEM = '11410100297017523N01003401100000';
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

describe('workbench in Chromium', {
  skip: !hasChromium() && 'chromium is not installed (.ci/run installs it)',
}, () => {
  let t: TongbanApp;
  let browser: Browser;
  let base: string;
  let close = async () => {};
  const filed: string[] = [];

  before(async () => {
    ({ t, browser, base, close } = await servedInBrowser());
    const token = (await t.identity.tokenForLogin('citizen')).token;
    const material = (await t.catalog.getPublishedItem(CITY_ITEM))?.materials[0]?.code;
    for (let i = 0; i < 3; i++) {
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/v1/cases',
        headers: { authorization: `Bearer ${token}` },
        payload: {
          implementationCode: CITY_ITEM,
          regionCode: '410105001',
          form: await validForm(t, CITY_ITEM),
          materials: [
            {
              code: material,
              filename: 'id.pdf',
              mediaType: 'application/pdf',
              contentBase64: PDF.toString('base64'),
            },
          ],
        },
      });
      assert.equal(r.statusCode, 201, r.body);
      filed.push(r.json().caseNumber);
    }
    await t.events.drain();
  });
  after(async () => close());

  async function signIn(page: Page, login: string) {
    await page.goto(`${base}/login`);
    await page.fill('input[name="login"]', login);
    await page.fill('input[name="password"]', 'tongban-demo');
    await Promise.all([page.waitForNavigation(), page.click('main button[type="submit"]')]);
  }

  test('by keyboard › the department from a list, N for the next case, N again for the one after', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await signIn(page, 'approver');
    await page.goto(`${base}/workbench`);
    // the department is a list with the approver's own department chosen, never a text box
    assert.equal(await page.locator('input[name="department"]').count(), 0);
    const chosen = await page.locator('select[name="department"] option:checked').textContent();
    assert.equal(chosen, '郑州市市场监督管理局');
    // the filters are reached by Tab from the page's start, before the queue
    await page.keyboard.press('Tab'); // skip link
    let reached = false;
    for (let i = 0; i < 40 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement?.getAttribute('name') === 'department');
    }
    assert.ok(reached, 'the department list is reachable by keyboard');
    // N (focus not in a field): the first case of the queue
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await Promise.all([page.waitForNavigation(), page.keyboard.press('n')]);
    const first = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');
    assert.ok(filed.includes(first), `${first} is one of the filed cases`);
    await Promise.all([page.waitForNavigation(), page.keyboard.press('n')]);
    const second = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');
    assert.ok(filed.includes(second) && second !== first, 'N moves on to the next case');
    // typing N into a field does not leave the page
    const before = page.url();
    const field = page.locator('main textarea, main input[type="text"]').first();
    if (await field.count()) {
      await field.focus();
      await page.keyboard.press('n');
      assert.equal(page.url(), before);
    }
    await ctx.close();
  });

  test('without JavaScript › the next-case link works', async () => {
    const ctx = await browser.newContext({ javaScriptEnabled: false });
    const page = await ctx.newPage();
    await signIn(page, 'approver');
    await page.goto(`${base}/workbench`);
    await Promise.all([page.waitForNavigation(), page.click('a[data-shortcut="n"]')]);
    assert.match(page.url(), /\/workbench\/cases\//);
    await ctx.close();
  });

  for (const [device, viewport] of [
    ['phone', { width: 360, height: 740 }],
    ['desktop', { width: 1280, height: 900 }],
  ] as const) {
    test(`axe-clean on a ${device}: workbench, a case, supervision`, async () => {
      const ctx = await browser.newContext({ viewport, isMobile: device === 'phone' });
      const page = await ctx.newPage();
      await signIn(page, 'approver');
      for (const path of ['/workbench', `/workbench/cases/${filed[0]}`]) {
        await page.goto(`${base}${path}`);
        assert.deepEqual(await axeViolations(page), [], `axe on ${path}`);
        if (device === 'phone') assert.equal(await overflowsHorizontally(page), false, `${path} on a phone`);
      }
      await ctx.clearCookies();
      await signIn(page, 'supervisor');
      for (const path of [
        '/workbench',
        '/supervision',
        '/supervision/cards?colour=red&region=410100',
        '/performance',
      ]) {
        await page.goto(`${base}${path}`);
        assert.deepEqual(await axeViolations(page), [], `axe on ${path}`);
        if (device === 'phone') assert.equal(await overflowsHorizontally(page), false, `${path} on a phone`);
      }
      await ctx.close();
    });
  }
});
