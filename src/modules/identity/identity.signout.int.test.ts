import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { buildTestApp } from '../../../test/helpers/app.js';
import { launchBrowser } from '../../../test/helpers/browser.js';
import { freePort, startRelyingParty } from '../../../test/helpers/oidc.js';
import { registerPerson } from '../../../test/helpers/people.js';
import type { TongbanApp } from '../../app.js';

/**
 * Signing out ends everything (issue 11 item 3), against a real browser and a relying party built
 * with openid-client: the platform's sign-out ends the OpenID provider's session too, a password
 * change or "sign out everywhere" revokes what relying parties hold, and prompt=login / max_age
 * ask for the password again with the real sign-in time in auth_time (OpenID Connect Core 1.0
 * §3.1.2.1, §2).
 */

/** RFC 6749 §5.2: the provider refuses a refresh token it no longer honours with invalid_grant. */
const invalidGrant = (e: unknown) => (e as { error?: string }).error === 'invalid_grant';

describe('signing out ends everything (real browser, OIDC relying party)', () => {
  let t: TongbanApp;
  let browser: Browser;
  let origin: string;
  let rp: Awaited<ReturnType<typeof startRelyingParty>>;
  const person = async (login: string) => (await registerPerson(t, login, 'first-secret-2026')).id;

  const onProvider = (page: Page) => new URL(page.url()).pathname.startsWith('/sso/interaction/');
  /** the provider page's heading ('' elsewhere: the relying party's callback has none) */
  const title = async (page: Page) =>
    onProvider(page) ? ((await page.locator('h1').textContent()) ?? '') : '';

  /** Signs in on the provider's page shown, then consents if asked; back at the relying party. */
  async function signInThere(page: Page, login: string, password: string) {
    await page.getByLabel('登录名').fill(login);
    await page.getByLabel('密码').fill(password);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL((u) => u.pathname.startsWith('/sso/interaction/') || u.pathname === '/cb');
    await consentIfAsked(page);
  }

  async function consentIfAsked(page: Page) {
    if (/授权确认/.test(await title(page))) {
      await page.getByRole('button', { name: '同意并继续' }).click();
      await page.waitForURL(`${rp.base}/cb**`);
    }
  }

  /**
   * Goes through the relying party's sign-in: signs in on the provider's page when it asks and
   * `credentials` are given; answers what the relying party got, or undefined when the browser
   * stopped at the provider (asked to sign in).
   */
  async function throughRelyingParty(page: Page, query = '', credentials?: [string, string]) {
    const before = rp.callbacks.length;
    await page.goto(`${rp.base}/start${query}`);
    await page.waitForURL((u) => u.pathname.startsWith('/sso/interaction/') || u.pathname === '/cb');
    if (credentials && /统一身份认证登录/.test(await title(page))) await signInThere(page, ...credentials);
    else await consentIfAsked(page);
    return rp.callbacks.length > before ? rp.callbacks.at(-1) : undefined;
  }

  before(async () => {
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    t = await buildTestApp({ demo: 'on', config: { publicUrl: origin } });
    await t.app.listen({ host: '127.0.0.1', port });
    browser = await launchBrowser();
    rp = await startRelyingParty(
      `${origin}/oidc`,
      (redirectUri) => t.identity.createClient({ name: '某区公积金系统', redirectUris: [redirectUri] }),
      { scope: 'openid profile offline_access' },
    );
  });
  after(async () => {
    await rp?.close();
    await browser?.close();
    await t?.close();
  });

  test('shared kiosk › after citizen A signs out, the next person at a relying party is asked to sign in and cannot reach A', async () => {
    const kiosk = await browser.newContext({ locale: 'zh-CN' });
    const page = await kiosk.newPage();
    try {
      const a = await throughRelyingParty(page, '', ['citizen', 'tongban-demo']);
      assert.equal(a?.sub, await t.identity.accountIdByLogin('citizen'));
      // A signs out on the platform, with the button every page shows
      await page.goto(`${origin}/`);
      await page.getByRole('button', { name: '退出' }).click();
      await page.waitForURL(`${origin}/`);
      // the next person walks up and opens the relying party
      const next = await throughRelyingParty(page);
      assert.equal(next, undefined, `the relying party got an account without a sign-in: ${next?.sub}`);
      assert.match(new URL(page.url()).pathname, /^\/sso\/interaction\//);
      assert.match(await title(page), /统一身份认证登录/);
    } finally {
      await kiosk.close();
    }
  });

  test('shared kiosk › a provider session outliving the platform session (an idle timeout) signs no one in', async () => {
    const kiosk = await browser.newContext({ locale: 'zh-CN' });
    const page = await kiosk.newPage();
    try {
      assert.ok(await throughRelyingParty(page, '', ['citizen', 'tongban-demo']));
      // A walks away; the platform's session times out (its cookie is gone), the provider's stays
      await kiosk.clearCookies({ name: 'tb_session' });
      assert.ok((await kiosk.cookies()).some((c) => c.name === '_session'));
      assert.equal(await throughRelyingParty(page), undefined);
      assert.match(await title(page), /统一身份认证登录/);
      // the next person signs in as themselves and gets their own account, not A's
      await person('kiosk-next');
      await signInThere(page, 'kiosk-next', 'first-secret-2026');
      assert.equal(rp.callbacks.at(-1)?.sub, await t.identity.accountIdByLogin('kiosk-next'));
    } finally {
      await kiosk.close();
    }
  });

  test('RP-initiated logout › a relying party signs the person out of the provider and of the platform', async () => {
    await person('kiosk-rp-out');
    const context = await browser.newContext({ locale: 'zh-CN' });
    const page = await context.newPage();
    try {
      const got = await throughRelyingParty(page, '', ['kiosk-rp-out', 'first-secret-2026']);
      assert.ok(got?.idToken);
      await page.goto(rp.endSessionUrl(got.idToken));
      assert.match((await page.locator('h1').textContent()) ?? '', /退出登录/);
      await page.getByRole('button', { name: '退出登录' }).click();
      await page.waitForURL(`${rp.base}/`);
      const account = await page.goto(`${origin}/account`);
      assert.equal(account?.status(), 401, 'the platform session ended with it');
      assert.equal(await throughRelyingParty(page), undefined);
      assert.match(await title(page), /统一身份认证登录/);
    } finally {
      await context.close();
    }
  });

  test('a refresh token and an API token issued before a password change are refused after it', async () => {
    const id = await person('kiosk-change');
    const context = await browser.newContext({ locale: 'zh-CN' });
    const page = await context.newPage();
    try {
      const got = await throughRelyingParty(page, '', ['kiosk-change', 'first-secret-2026']);
      assert.ok(got?.refreshToken, 'offline_access gives a refresh token');
      const refreshed = await rp.refresh(got.refreshToken);
      assert.ok(refreshed.access_token, 'the refresh token works before the change');
      const api = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        remoteAddress: '198.51.100.40',
        payload: { login: 'kiosk-change', password: 'first-secret-2026' },
      });
      const bearer = { authorization: `Bearer ${api.json().token}` };
      assert.equal((await t.app.inject({ url: '/api/v1/me', headers: bearer })).statusCode, 200);

      await t.identity.service.changePassword(id, 'first-secret-2026', 'second-secret-2026');

      await assert.rejects(rp.refresh(refreshed.refresh_token ?? got.refreshToken), invalidGrant);
      await assert.rejects(rp.refresh(got.refreshToken), invalidGrant);
      assert.equal((await t.app.inject({ url: '/api/v1/me', headers: bearer })).statusCode, 401);
      // and the browser's sessions are gone: the relying party has to ask again
      assert.equal(await throughRelyingParty(page), undefined);
      assert.match(await title(page), /统一身份认证登录/);
    } finally {
      await context.close();
    }
  });

  test('"sign out everywhere" on the account page also revokes what relying parties hold', async () => {
    await person('kiosk-everywhere');
    const context = await browser.newContext({ locale: 'zh-CN' });
    const page = await context.newPage();
    try {
      const got = await throughRelyingParty(page, '', ['kiosk-everywhere', 'first-secret-2026']);
      assert.ok(got?.refreshToken);
      await page.goto(`${origin}/account`);
      await page.getByRole('button', { name: '退出所有设备' }).click();
      await page.waitForURL(`${origin}/login`);
      await assert.rejects(rp.refresh(got.refreshToken), invalidGrant);
      assert.equal(await throughRelyingParty(page), undefined);
      assert.match(await title(page), /统一身份认证登录/);
    } finally {
      await context.close();
    }
  });

  test('prompt=login asks for the password again, though the person is signed in', async () => {
    await person('kiosk-prompt');
    const context = await browser.newContext({ locale: 'zh-CN' });
    const page = await context.newPage();
    try {
      assert.ok(await throughRelyingParty(page, '', ['kiosk-prompt', 'first-secret-2026']));
      const again = await throughRelyingParty(page, '?prompt=login');
      assert.equal(again, undefined, 'signed in again without the password');
      assert.match(await title(page), /统一身份认证登录/);
      await signInThere(page, 'kiosk-prompt', 'first-secret-2026');
      assert.equal(rp.callbacks.at(-1)?.sub, await t.identity.accountIdByLogin('kiosk-prompt'));
    } finally {
      await context.close();
    }
  });

  test('auth_time is the time the password was given, and max_age older than that asks for it again', async () => {
    await person('kiosk-age');
    const context = await browser.newContext({ locale: 'zh-CN' });
    const page = await context.newPage();
    try {
      // signs in on the platform itself
      const signIn = Date.now();
      await page.goto(`${origin}/login`);
      await page.getByLabel('登录名').fill('kiosk-age');
      await page.getByLabel('密码').fill('first-secret-2026');
      await page.getByRole('button', { name: '登录' }).click();
      await page.waitForURL(`${origin}/`);
      const signedIn = Date.now();
      await new Promise((r) => setTimeout(r, 2100));
      // single sign-on at the relying party later: no password, and auth_time says when it was given
      const sso = await throughRelyingParty(page, '?max_age=3600');
      assert.ok(sso?.authTime, 'an ID token asked with max_age carries auth_time');
      assert.ok(
        sso.authTime >= Math.floor(signIn / 1000) && sso.authTime <= Math.ceil(signedIn / 1000),
        `auth_time ${sso.authTime} is not the sign-in (${signIn}–${signedIn})`,
      );
      // max_age shorter than the time since: the password again
      assert.equal(await throughRelyingParty(page, '?max_age=1'), undefined);
      assert.match(await title(page), /统一身份认证登录/);
    } finally {
      await context.close();
    }
  });
});
