import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { buildTestApp } from '../../../test/helpers/app.js';
import {
  axeViolations,
  hasChromium,
  launchBrowser,
  overflowsHorizontally,
} from '../../../test/helpers/browser.js';
import { validForm } from '../../../test/helpers/forms.js';
import type { TongbanApp } from '../../app.js';

/** The ratings pages in a real browser: axe WCAG 2.1 A/AA on a phone and a desktop, and a keyboard-only rating. */
const CITY_ITEM = '11410100297017523N01003401100000';
// 失业保险金申领, received as a walk-in at the demo clerk's hall (the window pad, the kiosk)
const COUNTY_ITEM = '11410105414644738F05001200400000';
const HALL = 'H410105001';

describe('ratings pages are accessible', { skip: !hasChromium() && 'no Chromium' }, () => {
  let t: TongbanApp;
  let browser: Browser;
  let origin: string;
  let caseA = '';
  let link = '';
  let rect = '';
  let walkIn = '';
  before(async () => {
    t = await buildTestApp({ demo: 'on' });
    const bearer = async (l: string) => ({
      authorization: `Bearer ${(await t.identity.tokenForLogin(l)).token}`,
    });
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: await bearer('citizen'),
      payload: {
        implementationCode: CITY_ITEM,
        regionCode: '410105001',
        form: await validForm(t, CITY_ITEM),
      },
    });
    caseA = r.json().caseNumber;
    await t.app.inject({
      method: 'POST',
      url: `/api/v1/cases/${caseA}/actions`,
      headers: await bearer('admin'),
      payload: { action: 'accept' },
    });
    await t.events.drain();
    const sms = (await t.identity.service.notifications(50)).find((n) => n.body.includes('/r/'));
    link = `/r/${/\/r\/(\S+)/.exec(sms?.body ?? '')?.[1]}`;
    const poor = await t.app.inject({
      method: 'POST',
      url: `/api/v1/cases/${caseA}/ratings`,
      headers: await bearer('citizen'),
      payload: { level: 1, stage: 'accepted', channel: 'web', indicators: ['efficiency'], text: '太慢' },
    });
    rect = poor.json().rectificationId;
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/complaints',
      headers: await bearer('citizen'),
      payload: {
        kind: 'enquiry',
        subject: { type: 'item', implementationCode: CITY_ITEM },
        title: '材料咨询',
        body: '需要哪些材料？',
      },
    });
    const w = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: await bearer('clerk'),
      payload: {
        implementationCode: COUNTY_ITEM,
        regionCode: '410105001',
        form: await validForm(t, COUNTY_ITEM),
        hallId: HALL,
        applicantId: await t.identity.accountIdByLogin('citizen'),
      },
    });
    walkIn = w.json().caseNumber;
    await t.app.inject({
      method: 'POST',
      url: `/api/v1/cases/${walkIn}/actions`,
      headers: await bearer('admin'),
      payload: { action: 'accept' },
    });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    origin = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  async function check(login: string | null, paths: string[], width = 375) {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width, height: 740 } });
    const page = await context.newPage();
    try {
      if (login) {
        await page.goto(`${origin}/login`);
        await page.getByLabel('登录名').fill(login);
        await page.getByLabel('密码').fill('tongban-demo');
        await page.getByRole('button', { name: '登录' }).click();
        await page.waitForURL((u) => !u.pathname.startsWith('/login'));
      }
      for (const path of paths) {
        const r = await page.goto(`${origin}${path}`);
        assert.equal(r?.status(), 200, path);
        assert.deepEqual(await axeViolations(page), [], `axe on ${path} at ${width}px`);
        if (width < 500)
          assert.equal(await overflowsHorizontally(page), false, `${path} scrolls sideways on a phone`);
      }
    } finally {
      await context.close();
    }
  }

  test('citizen: rate, my ratings, complaint form and list (phone and desktop)', async () => {
    const paths = [`/cases/${caseA}/rate`, '/ratings', '/complaints/new', '/complaints'];
    await check('citizen', paths);
    await check('citizen', paths, 1280);
  });
  test('the SMS link page and the public results, no login', () => check(null, [link, '/ratings/results']));
  test('staff: rectifications queue and page, complaints queue', () =>
    check('approver', ['/staff/rectifications', `/staff/rectifications/${rect}`, '/staff/complaints']));
  test('supervisor: appeals', () => check('supervisor', ['/supervision/appeals']));

  test('the window pad with its QR code, and the kiosk rating page (phone and desktop)', async () => {
    for (const width of [375, 1280]) {
      const context = await browser.newContext({ locale: 'zh-CN', viewport: { width, height: 800 } });
      const page = await context.newPage();
      try {
        await page.goto(`${origin}/login`);
        await page.getByLabel('登录名').fill('clerk');
        await page.getByLabel('密码').fill('tongban-demo');
        await page.getByRole('button', { name: '登录' }).click();
        await page.waitForURL((u) => !u.pathname.startsWith('/login'));
        await page.goto(`${origin}/workbench/rate/${walkIn}?window=A03`);
        await page.getByRole('button', { name: '生成二维码' }).click();
        await page.waitForSelector('#window-qr svg');
        assert.deepEqual(await axeViolations(page), [], `axe on the pad's QR at ${width}px`);
        if (width < 500) assert.equal(await overflowsHorizontally(page), false, 'the pad on a phone');
      } finally {
        await context.close();
      }
    }
    const kiosk = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1080, height: 1400 } });
    const page = await kiosk.newPage();
    try {
      await page.goto(`${origin}/kiosk?hall=${HALL}`);
      await page.click('#kiosk-card');
      await page.waitForSelector('#kiosk-rate');
      await page.click('#kiosk-rate');
      await page.waitForURL((u) => u.pathname === '/kiosk/rate');
      assert.deepEqual(await axeViolations(page), [], 'axe on the kiosk list');
      await page.goto(`${origin}/kiosk/rate?hall=${HALL}&case=${walkIn}`);
      assert.deepEqual(await axeViolations(page), [], 'axe on the kiosk form');
      await page.getByLabel('非常满意').check();
      await page.click('#kiosk-rate-submit');
      await page.waitForSelector('#kiosk-rated');
      assert.deepEqual(await axeViolations(page), [], 'axe after rating');
    } finally {
      await kiosk.close();
    }
  });

  test('keyboard only: the link form is filled and sent with Tab, Space and Enter', async () => {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 375, height: 740 } });
    const page = await context.newPage();
    try {
      await page.goto(`${origin}${link}`);
      await page.getByLabel('非常满意').focus();
      await page.keyboard.press('Space');
      await page.getByLabel('便利程度').focus();
      await page.keyboard.press('Space');
      await page.getByRole('button', { name: '提交评价' }).focus();
      await page.keyboard.press('Enter');
      // the answer page replaces the form once the post is answered
      await page.getByText('评价已提交').waitFor({ timeout: 15_000 });
    } finally {
      await context.close();
    }
  });
});
