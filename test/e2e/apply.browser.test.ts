import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { TongbanApp } from '../../src/app.js';
import { axeViolations, hasChromium, overflowsHorizontally, servedInBrowser } from '../helpers/browser.js';

// 食品小经营店登记: five steps, four required materials
const ITEM = '11410100297017523N01003401100000';
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

/**
 * A citizen applies in a real browser on a phone-sized screen: one question per page, the files
 * chosen with the file inputs, check your answers, submit; every page passes axe, none scrolls
 * sideways, and the journey works by keyboard, in zh-CN and in en.
 */
describe('apply in Chromium', {
  skip: !hasChromium() && 'chromium is not installed (.ci/run installs it)',
}, () => {
  let t: TongbanApp;
  let browser: Browser;
  let base: string;
  let close = async () => {};

  before(async () => {
    ({ t, browser, base, close } = await servedInBrowser());
  });
  after(async () => close());

  async function signedIn(lang: 'zh-CN' | 'en'): Promise<Page> {
    const ctx = await browser.newContext({
      viewport: { width: 360, height: 740 },
      isMobile: true,
      locale: lang,
    });
    const page = await ctx.newPage();
    await page.goto(`${base}/login${lang === 'en' ? '?lang=en' : ''}`);
    await page.fill('input[name="login"]', 'citizen');
    await page.fill('input[name="password"]', 'tongban-demo');
    await Promise.all([page.waitForNavigation(), page.click('main button[type="submit"]')]);
    return page;
  }

  async function checkPage(page: Page, what: string) {
    assert.deepEqual(await axeViolations(page), [], `axe on ${what}`);
    assert.equal(await overflowsHorizontally(page), false, `${what} scrolls sideways on a phone`);
  }

  const submit = (page: Page) =>
    Promise.all([page.waitForNavigation(), page.click('main form button[type="submit"].button-primary')]);

  test('from the first question to the case page, every page accessible', async () => {
    const page = await signedIn('zh-CN');
    await page.goto(`${base}/items/${ITEM}/apply`);
    assert.match(String(await page.locator('h1').textContent()), /申请人信息/);
    await checkPage(page, 'the applicant page');
    await page.fill('#f-regionCode', '410105001');
    await submit(page);

    // one question, its label the page heading; an empty answer shows the error summary, focused
    assert.match(page.url(), /\/apply\/q-requestDetails$/);
    await submit(page);
    assert.equal(await page.locator('.error-summary').count(), 1);
    await checkPage(page, 'a question with an error');
    await page.click('.error-summary a');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'f-requestDetails');
    await page.keyboard.type('开办社区便民小店');
    // leaving the field saves the draft (with JavaScript): a reload keeps the answer
    await page.keyboard.press('Tab');
    await page.locator('[data-autosave-status]', { hasText: '已保存草稿' }).waitFor();
    // (a reload would post the form again: open the page anew instead)
    await page.goto(page.url());
    assert.equal(await page.inputValue('#f-requestDetails'), '开办社区便民小店');
    await submit(page);

    assert.match(page.url(), /\/apply\/delivery$/);
    await checkPage(page, 'the delivery question');
    await page.check('input[name="deliveryMethod"][value="窗口领取"]');
    await submit(page);

    assert.match(page.url(), /\/apply\/materials$/);
    await checkPage(page, 'the materials page');
    for (const code of ['m01-id', 'm02-form', 'm03-doc', 'm04-doc'])
      await page.setInputFiles(`input[name="file.${code}"]`, {
        name: `${code}.pdf`,
        mimeType: 'application/pdf',
        buffer: PDF,
      });
    await submit(page);

    assert.match(page.url(), /\/apply\/check$/);
    await checkPage(page, 'check your answers');
    assert.match(String(await page.locator('main').textContent()), /已上传：m04-doc\.pdf/);
    await submit(page);

    assert.match(page.url(), /\/cases\/[0-9A-Z]+\?done=submit$/);
    await checkPage(page, 'the new case');
    await page.context().close();
  });

  test('补正 on the case page: the list asked for and a file per material, accessible', async () => {
    const auth = async (login: string) => ({
      authorization: `Bearer ${(await t.identity.tokenForLogin(login)).token}`,
    });
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: await auth('citizen'),
      payload: {
        implementationCode: ITEM,
        regionCode: '410105001',
        form: {
          applicantName: '张三',
          idNumber: '410105199001011234',
          mobile: '13800138000',
          requestDetails: '开办便民小店',
          deliveryMethod: '窗口领取',
        },
      },
    });
    const n = res.json().caseNumber as string;
    await t.app.inject({
      method: 'POST',
      url: `/api/v1/cases/${n}/actions`,
      headers: await auth('admin'),
      payload: { action: 'requestSupplement', missing: ['健康证明（有效期内）'] },
    });
    const page = await signedIn('zh-CN');
    await page.goto(`${base}/cases/${n}`);
    assert.match(String(await page.locator('#supplement-h').textContent()), /提交补正材料/);
    await checkPage(page, 'a case awaiting 补正');
    await page.setInputFiles('input[name="file.m04-doc"]', {
      name: '健康证明.pdf',
      mimeType: 'application/pdf',
      buffer: PDF,
    });
    await Promise.all([
      page.waitForNavigation(),
      page.locator('#supplement-h ~ form button[type="submit"]').click(),
    ]);
    assert.match(page.url(), /\?done=supplement$/);
    await checkPage(page, 'the case after 补正');
    await page.context().close();
  });

  test('一件事: the bundles page, the combined materials page and the one progress page pass axe', async () => {
    const page = await signedIn('zh-CN');
    await page.goto(`${base}/bundles`);
    await checkPage(page, 'the bundles page');
    await page.goto(`${base}/bundles/BIRTH/apply/materials`);
    await checkPage(page, 'a bundle’s materials page');
    const app = await t.cases.application('bundle:BIRTH');
    const form: Record<string, unknown> = {};
    for (const f of app?.formFields ?? [])
      form[f.name] =
        f.type === 'enum'
          ? f.options?.[0]
          : f.type === 'date'
            ? '2026-03-01'
            : f.name === 'idNumber'
              ? '410105199001011234'
              : f.name === 'mobile'
                ? '13800138000'
                : '张小宝';
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/bundles',
      headers: { authorization: `Bearer ${(await t.identity.tokenForLogin('citizen')).token}` },
      payload: { bundleCode: 'BIRTH', regionCode: '410105001', form },
    });
    assert.equal(res.statusCode, 201, res.body);
    await page.goto(`${base}/cases/bundles/${res.json().bundleNumber}`);
    assert.match(String(await page.locator('main').textContent()), /已完成 0 \/ 4 项/);
    await checkPage(page, 'a bundle’s progress');
    await page.context().close();
  });

  test('in English, a wrong file is named on the materials page and nothing is kept', async () => {
    const page = await signedIn('en');
    await page.goto(`${base}/items/${ITEM}/apply/materials?lang=en`);
    await page.setInputFiles('input[name="file.m02-form"]', {
      name: 'form.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from('not a pdf, just text'),
    });
    await submit(page);
    const text = String(await page.locator('.error-summary').textContent());
    assert.match(text, /is not a PDF, PNG or JPEG file/);
    await checkPage(page, 'the materials page with an error (en)');
    assert.doesNotMatch(String(await page.locator('main').textContent()), /Uploaded: form\.pdf/);
    await page.context().close();
  });
});
