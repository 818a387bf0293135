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
import type { TongbanApp } from '../../app.js';

/**
 * 依申请公开 in a real browser, without JavaScript doing the work: a citizen files a request on the
 * form, the body's officer finds it in the queue and sends a 部分公开 reply with a redaction, the
 * citizen reads it. Every page axe-clean (WCAG 2.1 A/AA) on a phone and on a desktop.
 */
describe('依申请公开 pages', { skip: !hasChromium() && 'no Chromium' }, () => {
  let t: TongbanApp;
  let browser: Browser;
  let origin: string;
  before(async () => {
    t = await buildTestApp({ demo: 'on' });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    origin = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  async function signedIn(login: string, width: number, fn: (page: Page) => Promise<void>) {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width, height: 800 } });
    const page = await context.newPage();
    try {
      await page.goto(`${origin}/login`);
      await page.getByLabel('登录名').fill(login);
      await page.getByLabel('密码').fill('tongban-demo');
      await page.getByRole('button', { name: '登录' }).click();
      await page.waitForURL((u) => !u.pathname.startsWith('/login'));
      await fn(page);
    } finally {
      await context.close();
    }
  }
  const clean = async (page: Page, what: string) => {
    assert.deepEqual(await axeViolations(page), [], `axe on ${what}`);
    assert.equal(await overflowsHorizontally(page), false, `${what} scrolls sideways`);
  };

  for (const width of [375, 1280]) {
    test(`file, answer, read — at ${width} px`, async () => {
      let requestUrl = '';
      await signedIn('citizen', width, async (page) => {
        await page.goto(`${origin}/disclosure/requests/new`);
        await clean(page, 'the request form');
        // an empty description is refused beside its field, nothing filed
        await page.getByLabel('受理机关').selectOption({ label: '郑州市市场监督管理局' });
        await page.getByLabel('申请人姓名或名称').fill('张三');
        await page.getByRole('button', { name: '提交申请' }).click();
        assert.equal(await page.locator('.error-summary').count(), 1);
        await clean(page, 'the request form with an error');
        await page
          .getByLabel('所需信息的名称', { exact: false })
          .fill('2024 年食品安全监督抽检不合格产品的处置情况');
        await page.getByLabel('联系电话').fill('13800000000');
        await page.getByRole('button', { name: '提交申请' }).click();
        await page.waitForURL(/\/disclosure\/requests\/GK\d+/);
        requestUrl = new URL(page.url()).pathname;
        assert.ok(await page.getByText('办理中').first().isVisible());
        await clean(page, 'the request page');
        await page.goto(`${origin}/disclosure/requests`);
        await clean(page, 'my requests');
      });
      await signedIn('discloser', width, async (page) => {
        await page.goto(`${origin}/workbench/disclosure`);
        await clean(page, 'the queue');
        await page.locator(`a[href="${requestUrl}"]`).click();
        await clean(page, "the officer's request page");
        await page.getByLabel('答复类型').selectOption('partial');
        await page.getByLabel('答复内容').fill('现提供处置情况汇总表，涉及个人信息的部分已删除。');
        await page.getByLabel('理由（', { exact: false }).selectOption('privacy');
        await page.getByLabel('删除处理的内容', { exact: false }).fill('经营者个人姓名及联系电话');
        await page.getByRole('button', { name: '发出答复' }).click();
        await page.waitForURL(/done=reply/);
        await clean(page, 'the answered request');
      });
      await signedIn('citizen', width, async (page) => {
        await page.goto(`${origin}${requestUrl}`);
        const body = (await page.locator('main').textContent()) ?? '';
        assert.ok(body.includes('部分公开'));
        assert.ok(body.includes('第三十七条'));
        assert.ok(body.includes('经营者个人姓名及联系电话'));
        await clean(page, 'the reply as the citizen reads it');
      });
    });
  }
});
