import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { chromium, type Browser } from 'playwright-core';
import { buildTestApp } from '../../../test/helpers/app.js';
import { axeViolations } from '../../../test/helpers/browser.js';
import { freePort, startRelyingParty } from '../../../test/helpers/oidc.js';
import type { TongbanApp } from '../../app.js';
import { generateIdNumber } from '../../platform/codes/index.js';

describe('single sign-on (OIDC) with a real browser', () => {
  let t: TongbanApp;
  let browser: Browser;
  let origin: string;
  before(async () => {
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    t = await buildTestApp({ demo: 'on', config: { publicUrl: origin } });
    await t.app.listen({ host: '127.0.0.1', port });
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    });
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  test('discovery › served at /.well-known/openid-configuration with PKCE S256 and the /oidc issuer', async () => {
    const r = await fetch(`${origin}/.well-known/openid-configuration`);
    assert.equal(r.status, 200);
    const d = (await r.json()) as Record<string, unknown>;
    assert.equal(d.issuer, `${origin}/oidc`);
    assert.deepEqual(d.code_challenge_methods_supported, ['S256']);
    assert.equal(d.authorization_endpoint, `${origin}/oidc/auth`);
    const jwks = (await (await fetch(String(d.jwks_uri))).json()) as {
      keys: Array<{ kid: string; d?: string }>;
    };
    assert.ok(jwks.keys.length >= 1);
    assert.equal(jwks.keys[0]!.d, undefined, 'no private parts in the JWKS');
  });

  test('a relying party built with openid-client signs a demo citizen in through the browser and reads masked userinfo', async () => {
    const rp = await startRelyingParty(
      `${origin}/oidc`,
      (redirectUri) => t.identity.createClient({ name: '示例业务系统', redirectUris: [redirectUri] }),
      { refreshOnCallback: true },
    );
    const context = await browser.newContext({ locale: 'zh-CN' });
    const page = await context.newPage();
    const text = async (selector: string) => (await page.locator(selector).textContent()) ?? '';
    try {
      await page.goto(`${rp.base}/start`);
      await page.waitForURL(/\/sso\/interaction\//);
      assert.match(await text('h1'), /统一身份认证登录/);
      await page.getByLabel('登录名').fill('citizen');
      await page.getByLabel('密码').fill('tongban-demo');
      await page.getByRole('button', { name: '登录' }).click();
      await page.waitForURL(/\/sso\/interaction\//);
      assert.match(await text('h1'), /授权确认/);
      assert.match(await text('main'), /示例业务系统/);
      await page.getByRole('button', { name: '同意并继续' }).click();
      await page.waitForURL(`${rp.base}/cb**`);
      const body = JSON.parse(await text('body')) as Record<string, unknown>;
      assert.equal(body.name, '张*');
      assert.equal(body.phone_number, '138****0000');
      assert.equal(body.id_number, '4***************14');
      assert.equal(body.real_name_level, 2);
      assert.equal(body.sub, await t.identity.accountIdByLogin('citizen'));
      assert.equal(rp.result.refreshed, true, 'the refresh token works');
    } finally {
      await context.close();
      await rp.close();
    }
  });

  test('disable › an administrator disabling the account revokes its OIDC grant and tokens at once: no refresh, no userinfo, not even after enabling it again', async () => {
    const v = await t.identity.service.register({
      kind: 'person',
      login: 'sso-disable',
      password: 'tongban-demo',
      name: '孙七',
      idNumber: generateIdNumber({
        regionCode: '410105',
        birthDate: '1988-08-08',
        sex: 'female',
        sequence: 42,
      }),
      mobile: '13900000042',
    });
    const rp = await startRelyingParty(
      `${origin}/oidc`,
      (redirectUri) => t.identity.createClient({ name: '停用测试系统', redirectUris: [redirectUri] }),
      { refreshOnCallback: true },
    );
    const context = await browser.newContext({ locale: 'zh-CN' });
    const page = await context.newPage();
    try {
      await page.goto(`${rp.base}/start`);
      await page.getByLabel('登录名').fill('sso-disable');
      await page.getByLabel('密码').fill('tongban-demo');
      await page.getByRole('button', { name: '登录' }).click();
      await page.getByRole('button', { name: '同意并继续' }).click();
      await page.waitForURL(`${rp.base}/cb**`);
      const { accessToken, refreshToken } = rp.result;
      assert.ok(accessToken && refreshToken, 'the relying party holds an access and a refresh token');
      const config = rp.config();
      assert.equal((await oidc.fetchUserInfo(config, accessToken, v.id)).sub, v.id);

      const admin = (await t.identity.tokenForLogin('admin')).token;
      const act = (what: 'disable' | 'enable') =>
        fetch(`${origin}/api/v1/accounts/${v.id}/${what}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
          body: JSON.stringify({ reason: '单点登录停用测试' }),
        });
      // RFC 6749 §5.2: a revoked refresh token is an invalid_grant
      const invalidGrant = (e: unknown) => (e as { error?: string }).error === 'invalid_grant';
      const off = await act('disable');
      assert.equal(off.status, 200);
      assert.ok(((await off.json()) as { oidcRevoked: number }).oidcRevoked > 0);
      await assert.rejects(oidc.refreshTokenGrant(config, refreshToken), invalidGrant);
      await assert.rejects(oidc.fetchUserInfo(config, accessToken, v.id));
      assert.equal((await act('enable')).status, 200);
      // revoked, not suspended: the relying party must send the person through sign-in again
      await assert.rejects(oidc.refreshTokenGrant(config, refreshToken), invalidGrant);
      await assert.rejects(oidc.fetchUserInfo(config, accessToken, v.id));
    } finally {
      await context.close();
      await rp.close();
    }
  });

  /** Signs the demo citizen in at the provider and returns the consent page's main text. */
  async function consentText(scope: string, fullClaims: boolean): Promise<string> {
    const redirectUri = 'http://127.0.0.1:9/cb';
    const c = await t.identity.createClient({
      name: '范围测试系统',
      redirectUris: [redirectUri],
      fullClaims,
    });
    const verifier = oidc.randomPKCECodeVerifier();
    const u = new URL(`${origin}/oidc/auth`);
    u.search = new URLSearchParams({
      client_id: c.client_id,
      response_type: 'code',
      scope,
      redirect_uri: redirectUri,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      prompt: 'consent',
    }).toString();
    const context = await browser.newContext({ locale: 'zh-CN' });
    const page = await context.newPage();
    try {
      await page.goto(u.href);
      await page.getByLabel('登录名').fill('citizen');
      await page.getByLabel('密码').fill('tongban-demo');
      await page.getByRole('button', { name: '登录' }).click();
      await page.getByRole('heading', { name: '授权确认' }).waitFor();
      assert.deepEqual(await axeViolations(page), []);
      return (await page.locator('main').textContent()) ?? '';
    } finally {
      await context.close();
    }
  }

  test('consent › the page names each claim of the requested scopes with the value the client gets, and no other', async () => {
    const main = await consentText('openid phone', false);
    assert.match(main, /手机号码/);
    assert.match(main, /138\*\*\*\*0000/, 'the masked number the client receives');
    assert.match(main, /脱敏/);
    const citizen = await t.identity.personalData((await t.identity.accountIdByLogin('citizen'))!);
    assert.ok(citizen?.mobile && !main.includes(citizen.mobile), 'not the full number');
    // not asked for: neither named nor shown (the page's own "signed in as" line names the person)
    assert.doesNotMatch(main, /公民身份号码|姓名|实名等级|基本资料/);
    assert.doesNotMatch(main, /4\*{15}14/);
  });

  test('consent › a client registered for full claims is shown receiving the unmasked values', async () => {
    const main = await consentText('openid id_card', true);
    assert.match(main, /公民身份号码/);
    assert.match(main, /完整/);
    const citizen = await t.identity.personalData((await t.identity.accountIdByLogin('citizen'))!);
    assert.ok(
      citizen?.idNumber && main.includes(citizen.idNumber),
      'the full ID number, as the client gets it',
    );
    assert.doesNotMatch(main, /手机号码|姓名/);
  });

  test('PKCE RFC 7636 › an authorization request without a code challenge is refused', async () => {
    const c = await t.identity.createClient({ name: 'no-pkce', redirectUris: ['http://127.0.0.1:9/cb'] });
    const u = new URL(`${origin}/oidc/auth`);
    u.search = new URLSearchParams({
      client_id: c.client_id,
      response_type: 'code',
      scope: 'openid',
      redirect_uri: 'http://127.0.0.1:9/cb',
    }).toString();
    const r = await fetch(u, { redirect: 'manual' });
    const loc = r.headers.get('location') ?? '';
    assert.equal(r.status, 303);
    assert.match(loc, /error=invalid_request/);
    assert.match(loc, /PKCE/);
  });

  test('client credentials › a machine client gets a token from the provider', async () => {
    const c = await t.identity.createClient({
      name: '交换平台',
      redirectUris: [],
      grantTypes: ['client_credentials'],
    });
    const r = await fetch(`${origin}/oidc/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${c.client_id}:${c.client_secret}`).toString('base64')}`,
      },
      body: 'grant_type=client_credentials',
    });
    assert.equal(r.status, 200);
    assert.equal(((await r.json()) as { token_type: string }).token_type, 'Bearer');
  });

  test('JWKS key rotation › a new key signs and the previous one stays published', async () => {
    const before = (
      (await (await fetch(`${origin}/oidc/jwks`)).json()) as { keys: Array<{ kid: string }> }
    ).keys.map((k) => k.kid);
    const kid = await t.identity.rotateOidcSigningKey();
    const afterKeys = (
      (await (await fetch(`${origin}/oidc/jwks`)).json()) as { keys: Array<{ kid: string }> }
    ).keys.map((k) => k.kid);
    assert.equal(afterKeys[0], kid);
    assert.ok(afterKeys.includes(before[0]!));
  });

  test('federation › sign in with another region’s provider, link once to the local account, then sign in by it alone', async () => {
    // "another region": a second tongban, on another host name so the two sites' cookies stay apart
    const upPort = await freePort();
    const upOrigin = `http://localhost:${upPort}`;
    const upstream = await buildTestApp({ demo: 'on', config: { publicUrl: upOrigin } });
    await upstream.app.listen({ host: '127.0.0.1', port: upPort });
    const context = await browser.newContext({ locale: 'zh-CN' });
    const page = await context.newPage();
    try {
      const c = await upstream.identity.createClient({
        name: '郑州市一网通办',
        redirectUris: [`${origin}/login/federated/up/callback`],
      });
      await t.identity.addFederationProvider({
        id: 'up',
        name: '邻市',
        issuer: `${upOrigin}/oidc`,
        clientId: c.client_id,
        clientSecret: c.client_secret,
      });

      // first time: the other region signs the person in; the local sign-in links the two
      await page.goto(`${origin}/login?next=/account`);
      await page.getByRole('link', { name: '使用邻市统一身份认证账号登录' }).click();
      await page.waitForURL(new RegExp(`^${upOrigin}/sso/interaction/`));
      await page.getByLabel('登录名').fill('citizen');
      await page.getByLabel('密码').fill('tongban-demo');
      await page.getByRole('button', { name: '登录' }).click();
      await page.getByRole('button', { name: '同意并继续' }).click();
      await page.waitForURL(new RegExp(`^${origin}/login`));
      assert.match((await page.locator('main').textContent()) ?? '', /尚未关联/);
      await page.getByLabel('登录名').fill('citizen');
      await page.getByLabel('密码').fill('tongban-demo');
      await page.getByRole('button', { name: '登录' }).click();
      await page.waitForURL(`${origin}/account`);

      // next time, in a fresh browser: the other region's session alone opens the local account
      const again = await browser.newContext({ locale: 'zh-CN' });
      const p2 = await again.newPage();
      // the person is still signed in at the other region (SSO there), so no password is asked
      await again.addCookies((await context.cookies(upOrigin)).map((k) => ({ ...k })));
      await p2.goto(`${origin}/login/federated/up?next=/account`);
      await p2.waitForURL(`${origin}/account`);
      assert.match((await p2.locator('main').textContent()) ?? '', /citizen/);
      await again.close();
    } finally {
      await context.close();
      await upstream.close();
    }
  });
});
