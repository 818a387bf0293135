import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { buildTestApp } from '../../../test/helpers/app.js';
import {
  axeViolations,
  hasChromium,
  launchBrowser,
  overflowsHorizontally,
} from '../../../test/helpers/browser.js';
import { validForm } from '../../../test/helpers/forms.js';
import type { TongbanApp } from '../../app.js';
import { DEMO_GRID_REGION } from '../identity/identity.demo.js';

/**
 * 帮办代办 in a real browser (issue 14 item 5): without JavaScript the demo grid worker chooses the
 * demo elder, types the item, starts the same apply journey, and records collecting her result;
 * then axe WCAG 2.1 A/AA on those pages on a phone (375 px) and a desktop, in Chinese and English,
 * nothing scrolling sideways on the phone, and the elder's timeline showing the collection.
 */
const ITEM = '11410100297017523N01003401100000'; // 食品小经营店登记

describe('帮办代办 pages are accessible and work without JavaScript', {
  skip: !hasChromium() && 'no Chromium',
}, () => {
  let t: TongbanApp;
  let browser: Browser;
  let origin = '';
  let caseNumber = '';
  let delegationPath = '';
  let journeyPath = '';
  before(async () => {
    t = await buildTestApp({ demo: 'on' });
    const bearer = async (l: string) => ({
      authorization: `Bearer ${(await t.identity.tokenForLogin(l)).token}`,
    });
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: await bearer('grid-worker'),
      payload: {
        implementationCode: ITEM,
        regionCode: DEMO_GRID_REGION,
        form: await validForm(t, ITEM),
        onBehalfOf: await t.identity.accountIdByLogin('elder'),
      },
    });
    assert.equal(r.statusCode, 201, r.body);
    caseNumber = r.json().caseNumber;
    for (const action of [
      { action: 'accept' },
      { action: 'approve' },
      { action: 'issueResult', delivery: 'window' },
    ]) {
      const a = await t.app.inject({
        method: 'POST',
        url: `/api/v1/cases/${caseNumber}/actions`,
        headers: await bearer('admin'),
        payload: action,
      });
      assert.equal(a.statusCode, 200, a.body);
    }
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    origin = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  async function signedIn(login: string, width: number, opts: { locale?: string; js?: boolean } = {}) {
    const context = await browser.newContext({
      locale: opts.locale ?? 'zh-CN',
      viewport: { width, height: 800 },
      javaScriptEnabled: opts.js ?? true,
    });
    const page = await context.newPage();
    await page.goto(`${origin}/login`);
    await page.locator('input[name="login"]').first().fill(login);
    await page.locator('input[name="password"]').first().fill('tongban-demo');
    await page.locator('input[name="password"]').first().press('Enter');
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    return { context, page };
  }
  const text = async (page: Page) => (await page.textContent('main')) ?? '';

  test('without JavaScript: the grid worker chooses the elder, types the item, starts the journey, and records the collection', async () => {
    const { context, page } = await signedIn('grid-worker', 375, { js: false });
    try {
      await page.goto(`${origin}/cases/assisted`);
      await page.getByRole('link', { name: '为委托人申请办事' }).click();
      await page.waitForURL((u) => u.pathname === '/cases/assisted/apply');
      assert.match(await text(page), /全部事项/);
      await page.getByRole('link', { name: /^为孙\*+申请$/ }).click();
      await page.waitForURL((u) => u.pathname.startsWith('/cases/assisted/apply/'));
      delegationPath = new URL(page.url()).pathname;
      // nothing typed: the error summary
      await page.getByRole('button', { name: '开始填写申请' }).click();
      await page.getByRole('alert').first().waitFor();
      assert.match(await text(page), /请选择或填写要办理的事项/);
      await page.getByLabel('事项实施编码').fill(ITEM);
      await page.getByRole('button', { name: '开始填写申请' }).click();
      // the journey of the grid worker's draft for her: /items/{code}/for/{person}/apply
      await page.waitForURL(
        (u) => u.pathname.startsWith(`/items/${ITEM}/for/`) && u.pathname.endsWith('/apply'),
      );
      journeyPath = new URL(page.url()).pathname;
      assert.match(await text(page), /您正在按孙\*+的委托/);
      // 出件 from the list
      await page.goto(`${origin}/cases/assisted`);
      await page.getByRole('button', { name: `记录已代领并转交 ${caseNumber}` }).click();
      await page.waitForURL((u) => u.searchParams.get('done') === 'collect');
      assert.match(await text(page), /已记录：您已代领并转交/);
    } finally {
      await context.close();
    }
  });

  async function axeClean(login: string, width: number, paths: readonly string[], locale = 'zh-CN') {
    const { context, page } = await signedIn(login, width, { locale });
    try {
      for (const path of paths) {
        const r = await page.goto(`${origin}${path}`);
        assert.equal(r?.status(), 200, path);
        assert.deepEqual(await axeViolations(page), [], `axe on ${path} at ${width}px (${locale})`);
        if (width < 500)
          assert.equal(await overflowsHorizontally(page), false, `${path} scrolls sideways on a phone`);
      }
    } finally {
      await context.close();
    }
  }

  test('axe-clean on a phone and a desktop, in Chinese and English: the list, the chooser, the item page, the journey, the elder’s timeline', async () => {
    assert.ok(delegationPath, 'the no-JavaScript test found the 委托');
    const paths = [
      '/cases/assisted',
      '/cases/assisted/apply',
      delegationPath,
      journeyPath,
      `${journeyPath}/check`,
    ];
    for (const width of [375, 1280]) await axeClean('grid-worker', width, paths);
    await axeClean('grid-worker', 375, paths.slice(0, 3), 'en');
    // the item page with its error, as a phone shows it
    const { context, page } = await signedIn('grid-worker', 375);
    try {
      await page.goto(`${origin}${delegationPath}`);
      await page.getByRole('button', { name: '开始填写申请' }).click();
      await page.getByRole('alert').first().waitFor();
      assert.deepEqual(await axeViolations(page), [], 'axe on the item page with its error');
    } finally {
      await context.close();
    }
    // the elder reads the collection in her case's timeline
    const elder = await signedIn('elder', 375);
    try {
      await elder.page.goto(`${origin}/cases/${caseNumber}`);
      assert.match(await text(elder.page), /代领出件/);
      assert.deepEqual(await axeViolations(elder.page), [], 'axe on the elder’s case');
      assert.equal(await overflowsHorizontally(elder.page), false, 'the elder’s case on a phone');
    } finally {
      await elder.context.close();
    }
  });
});
