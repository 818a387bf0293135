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
import type { TongbanApp } from '../../app.js';

/** The identity pages in a real browser: axe WCAG 2.1 A/AA, and no sideways scrolling on a phone. */
describe('identity pages are accessible', { skip: !hasChromium() && 'no Chromium' }, () => {
  let t: TongbanApp;
  let browser: Browser;
  let origin: string;
  before(async () => {
    t = await buildTestApp({ demo: 'on' });
    // an organisation account that only claims a demo company's credit code (not verified)
    await t.identity.service.register({
      kind: 'organization',
      login: 'restaurant',
      password: 'tongban-demo',
      name: '郑州通办示范餐饮管理有限公司',
      creditCode: '91410105202600020L',
      legalRepresentative: '赵六',
      agentName: '孙经办',
      agentIdNumber: '410102198802140445',
      agentMobile: '13900000009',
    });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    origin = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  async function check(login: string | null, paths: string[]) {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 375, height: 740 } });
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
        assert.deepEqual(await axeViolations(page), [], `axe on ${path}`);
        assert.equal(await overflowsHorizontally(page), false, `${path} scrolls sideways on a phone`);
      }
    } finally {
      await context.close();
    }
  }

  test('sign-in, registration and password reset', () =>
    check(null, ['/login', '/register', '/register?kind=organization', '/password/reset', '/dev/mailbox']));
  test('the account page of a citizen', () => check('citizen', ['/account']));
  test('the account page of an organisation', () => check('enterprise', ['/account']));
  test('the account page of an unverified organisation (its state and the two ways to verify)', () =>
    check('restaurant', ['/account']));
  test('the account page of a legal representative (accounts awaiting confirmation)', () =>
    check('legalrep', ['/account']));
  test('the clerk’s organisation verification page', () =>
    check('clerk', ['/staff/organizations', '/staff/organizations?creditCode=91410105202600020L']));
  test('the accounts admin page', () => check('admin', ['/admin/accounts']));
  test('the clerk’s in-person check page', () => check('clerk', ['/staff/verify-in-person']));
  test('the account page showing a one-time in-person code', async () => {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 375, height: 740 } });
    const page = await context.newPage();
    try {
      await page.goto(`${origin}/login`);
      await page.getByLabel('登录名').fill('citizen');
      await page.getByLabel('密码').fill('tongban-demo');
      await page.getByRole('button', { name: '登录' }).click();
      await page.waitForURL((u) => !u.pathname.startsWith('/login'));
      await page.goto(`${origin}/account`);
      await page.getByRole('button', { name: '获取现场核验码' }).click();
      assert.match((await page.locator('.one-time-code').textContent()) ?? '', /^\d{4} \d{4}$/);
      assert.deepEqual(await axeViolations(page), []);
      assert.equal(await overflowsHorizontally(page), false);
    } finally {
      await context.close();
    }
  });
  test('one account’s admin page, a grant’s revoke page, a disabled account’s page', async () => {
    const clerk = (await t.identity.accountIdByLogin('clerk'))!;
    const admin = (await t.identity.principalForAccount((await t.identity.accountIdByLogin('admin'))!))!;
    const view = await t.identity.service.adminAccountView(admin, clerk);
    const citizen = (await t.identity.accountIdByLogin('citizen'))!;
    await t.identity.service.disableAccount(admin, citizen, '无障碍检查', 'page');
    await check('admin', [
      `/admin/accounts/${clerk}`,
      `/admin/accounts/${clerk}/grants/${view.grants[0]!.id}/revoke`,
      `/admin/accounts/${citizen}`,
    ]);
    await t.identity.service.enableAccount(admin, citizen, '无障碍检查', 'page');
  });
  test('registration, step two: the code page, and a wrong code', async () => {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 375, height: 740 } });
    const page = await context.newPage();
    try {
      await page.goto(`${origin}/register`);
      await page.getByLabel('姓名').fill('王五');
      await page.getByLabel('公民身份号码').fill('410105199003070210');
      await page.getByLabel('手机号码').fill('13900000201');
      await page.getByLabel('登录名').fill('a11y.person');
      await page.getByLabel('密码').fill('a-strong-pass-1');
      await page.getByRole('button', { name: '注册' }).click();
      await page.getByLabel('短信验证码').waitFor();
      assert.deepEqual(await axeViolations(page), [], 'axe on the code page');
      assert.equal(await overflowsHorizontally(page), false);
      await page.getByLabel('短信验证码').fill('000000');
      await page.getByRole('button', { name: '完成注册' }).click();
      assert.match((await page.locator('.error-summary').textContent()) ?? '', /验证码不正确/);
      assert.deepEqual(await axeViolations(page), [], 'axe on the code page with an error');
    } finally {
      await context.close();
    }
  });
  test('a form with errors', async () => {
    const context = await browser.newContext({ locale: 'zh-CN' });
    const page = await context.newPage();
    try {
      await page.goto(`${origin}/register`);
      await page.getByLabel('公民身份号码').fill('410105199003070115');
      await page.getByRole('button', { name: '注册' }).click();
      assert.match((await page.locator('.error-summary').textContent()) ?? '', /校验位不正确/);
      assert.deepEqual(await axeViolations(page), []);
    } finally {
      await context.close();
    }
  });
});
