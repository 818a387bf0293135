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
 * 帮办代办 in a real browser without JavaScript (issue 14 item 5): the demo grid worker chooses the
 * demo elder, types the item, starts the same apply journey, and records collecting her result;
 * the elder reads it in her case's timeline. axe WCAG 2.1 A/AA on a phone (375 px) and a desktop,
 * in Chinese and English; nothing scrolls sideways on the phone.
 */
const ITEM = '11410100297017523N01003401100000'; // 食品小经营店登记

describe('帮办代办 pages are accessible and work without JavaScript', {
  skip: !hasChromium() && 'no Chromium',
}, () => {
  let t: TongbanApp;
  let browser: Browser;
  let origin = '';
  let caseNumber = '';
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

  async function signedIn(login: string, width: number, locale = 'zh-CN') {
    const context = await browser.newContext({
      locale,
      viewport: { width, height: 800 },
      javaScriptEnabled: false,
    });
    const page = await context.newPage();
    await page.goto(`${origin}/login`);
    await page.locator('input[name="login"]').first().fill(login);
    await page.locator('input[name="password"]').first().fill('tongban-demo');
    await page.locator('input[name="password"]').first().press('Enter');
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
    return { context, page };
  }
  async function clean(page: Page, what: string, width: number) {
    assert.deepEqual(await axeViolations(page), [], `axe on ${what} at ${width}px`);
    if (width < 500)
      assert.equal(await overflowsHorizontally(page), false, `${what} scrolls sideways on a phone`);
  }

  test('the grid worker chooses the elder and the item and starts the journey; the lists, phone and desktop', async () => {
    for (const width of [375, 1280]) {
      const { context, page } = await signedIn('grid-worker', width);
      try {
        await page.goto(`${origin}/cases/assisted`);
        await clean(page, 'the assisted list with a result to collect', width);
        await page.getByRole('link', { name: '为委托人申请办事' }).click();
        await page.waitForURL((u) => u.pathname === '/cases/assisted/apply');
        await clean(page, 'the chooser', width);
        await page.getByRole('link', { name: /^为孙\*+申请$/ }).click();
        await page.waitForURL((u) => u.pathname.startsWith('/cases/assisted/apply/'));
        await clean(page, 'the item page', width);
        // nothing typed: the error summary, linked to the field
        await page.getByRole('button', { name: '开始填写申请' }).click();
        await page.getByRole('alert').first().waitFor();
        await clean(page, 'the item page with its error', width);
        await page.getByLabel('事项实施编码').fill(ITEM);
        await page.getByRole('button', { name: '开始填写申请' }).click();
        await page.waitForURL((u) => u.pathname === `/items/${ITEM}/apply`);
        assert.match((await page.textContent('main')) ?? '', /您正在按孙\*+的委托/);
        await clean(page, 'the first step of the assisted journey', width);
        await page.goto(`${origin}/items/${ITEM}/apply/check`);
        assert.match((await page.textContent('main')) ?? '', /代谁申请/);
        await clean(page, 'check your answers', width);
      } finally {
        await context.close();
      }
    }
  });

  test('in English: the chooser and the item page', async () => {
    const { context, page } = await signedIn('grid-worker', 375, 'en');
    try {
      await page.goto(`${origin}/cases/assisted/apply?lang=en`);
      assert.match((await page.textContent('h1')) ?? '', /Who are you applying for/);
      await clean(page, 'the chooser (en)', 375);
      await page.getByRole('link', { name: /^Apply for 孙\*+$/ }).click();
      await page.waitForURL((u) => u.pathname.startsWith('/cases/assisted/apply/'));
      await clean(page, 'the item page (en)', 375);
    } finally {
      await context.close();
    }
  });

  test('出件: the grid worker records the collection; the elder reads it in her timeline', async () => {
    const { context, page } = await signedIn('grid-worker', 375);
    try {
      await page.goto(`${origin}/cases/assisted`);
      await page.getByRole('button', { name: `记录已代领并转交 ${caseNumber}` }).click();
      await page.waitForURL((u) => u.searchParams.get('done') === 'collect');
      assert.match((await page.textContent('main')) ?? '', /已记录：您已代领并转交/);
      await clean(page, 'the list after the collection', 375);
    } finally {
      await context.close();
    }
    const elder = await signedIn('elder', 375);
    try {
      await elder.page.goto(`${origin}/cases/${caseNumber}`);
      assert.match((await elder.page.textContent('main')) ?? '', /代领出件/);
      await clean(elder.page, 'the elder’s case with the collection', 375);
    } finally {
      await elder.context.close();
    }
  });
});
