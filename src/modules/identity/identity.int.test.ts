import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp } from '../../../test/helpers/app.js';
import { HTML, WebSession, tokenOn } from '../../../test/helpers/session.js';
import type { TongbanApp } from '../../app.js';
import { ManualClock } from '../../kernel/index.js';
import { generateIdNumber } from '../../platform/codes/index.js';
import { DEMO_PEOPLE } from './identity.demo.js';

/** A browser: keeps cookies between requests and posts forms with the page's CSRF token. */
class Browser extends WebSession {}

describe('identity through the app', () => {
  let t: TongbanApp;
  before(async () => {
    t = await buildTestApp({ demo: 'on' });
  });
  after(async () => t.close());

  test('sign-in › a demo citizen signs in and sees masked personal data', async () => {
    const b = new Browser(t);
    const r = await b.login('citizen');
    assert.equal(r.statusCode, 303);
    assert.equal(r.headers.location, '/account');
    const set = r.cookies.find((c) => c.name === 'tb_session') as unknown as {
      httpOnly: boolean;
      sameSite: string;
    };
    assert.equal(set.httpOnly, true);
    assert.equal(set.sameSite, 'Lax');
    const page = await b.get('/account');
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /4\*{15}14/);
    assert.match(page.body, /138\*{4}0000/);
    assert.ok(!page.body.includes(DEMO_PEOPLE.citizen.idNumber));
    assert.match(page.body, /L2/);
  });

  test('sign-in › a wrong password is refused with a clear message', async () => {
    const b = new Browser(t);
    const r = await b.login('supervisor', 'not-the-password');
    assert.equal(r.statusCode, 401);
    assert.match(r.body, /账号或密码不正确/);
    assert.ok(!b.cookies.has('tb_session'));
  });

  test('sign-in › `next` leads only to a path on this site', async () => {
    const b = new Browser(t);
    const r = await b.post(
      '/login',
      { login: 'citizen', password: 'tongban-demo', next: '//evil.example/x' },
      { from: '/login' },
    );
    assert.equal(r.headers.location, '/');
  });

  test('throttling › five wrong passwords from one address make it wait, with the wait in the message', async () => {
    const b = new Browser(t);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await b.login('county-approver', `wrong-${i}`)).statusCode);
    assert.deepEqual(statuses, [401, 401, 401, 401, 401]);
    const waiting = await b.login('county-approver');
    assert.equal(waiting.statusCode, 429);
    assert.match(waiting.body, /1 分钟后重试/);
    const api = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'accept-language': 'en' },
      payload: { login: 'county-approver', password: 'tongban-demo' },
    });
    assert.equal(api.statusCode, 429);
    assert.equal(api.json().error.code, 'IDENTITY.SIGNIN_THROTTLED');
    assert.match(api.json().error.message, /try again in 1 min\b/);
    assert.equal(api.headers['retry-after'], '60');
    // the same person elsewhere is not locked out (identity.lockout.int.test.ts has the attacks)
    const elsewhere = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      remoteAddress: '198.51.100.5',
      payload: { login: 'county-approver', password: 'tongban-demo' },
    });
    assert.equal(elsewhere.statusCode, 200);
  });

  test('CSRF › a token from before sign-in is refused after it (tokens rotate with the session)', async () => {
    const b = new Browser(t);
    const before = tokenOn(await b.get('/login'));
    await b.post('/login', { login: 'citizen', password: 'tongban-demo', next: '/' }, { token: before });
    assert.ok(b.cookies.has('tb_session'));
    const r = await b.post('/account/logout-all', {}, { token: before });
    assert.equal(r.statusCode, 403);
    assert.match(r.body, /表单已过期/);
  });

  test('CSRF › a token replayed after logout is refused', async () => {
    const b = new Browser(t);
    await b.login('citizen');
    const token = tokenOn(await b.get('/account'));
    const session = b.cookies.get('tb_session')!;
    const csrf = b.cookies.get('tb_csrf')!;
    await b.post('/logout', {}, { token });
    // replay the old form with the old cookies
    const r = await t.app.inject({
      method: 'POST',
      url: '/account/password',
      headers: {
        ...HTML,
        cookie: `tb_session=${session}; tb_csrf=${csrf}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: new URLSearchParams({
        _csrf: token,
        currentPassword: 'tongban-demo',
        newPassword: 'another-pass-123',
      }).toString(),
    });
    assert.ok(r.statusCode === 403 || r.statusCode === 401, `got ${r.statusCode}`);
  });

  test('CSRF › a form post without a token is refused', async () => {
    const r = await t.app.inject({
      method: 'POST',
      url: '/login',
      headers: HTML,
      payload: { login: 'citizen', password: 'tongban-demo' },
    });
    assert.equal(r.statusCode, 403);
  });

  test('registration › a wrong ID check digit: a field error and nothing stored', async () => {
    const b = new Browser(t);
    const good = DEMO_PEOPLE.unregistered.idNumber;
    const bad = good.slice(0, 17) + (good[17] === '1' ? '2' : '1');
    const r = await b.post('/register', {
      kind: 'person',
      login: 'wangwu',
      password: 'a-strong-pass-1',
      name: '王五',
      idNumber: bad,
      mobile: '13800000002',
    });
    assert.equal(r.statusCode, 400);
    assert.match(r.body, /校验位不正确/);
    assert.match(r.body, /href="#f-idNumber"/);
    const api = await t.app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      payload: {
        kind: 'person',
        login: 'wangwu',
        password: 'a-strong-pass-1',
        name: '王五',
        idNumber: bad,
        mobile: '13800000002',
      },
    });
    assert.equal(api.statusCode, 400);
    assert.deepEqual(api.json().error.details.issues, [{ field: 'idNumber', rule: 'GB11643.CHECK_CHAR' }]);
    assert.equal(await t.identity.accountIdByLogin('wangwu'), undefined);
  });

  test('registration › a wrong credit code: a field error and nothing stored', async () => {
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      payload: {
        kind: 'organization',
        login: 'acme',
        password: 'a-strong-pass-1',
        name: '某某有限公司',
        creditCode: '91410105202600012A',
        legalRepresentative: '赵六',
        agentName: '王五',
        agentIdNumber: DEMO_PEOPLE.unregistered.idNumber,
        agentMobile: '13800000002',
      },
    });
    assert.equal(r.statusCode, 400);
    assert.deepEqual(r.json().error.details.issues, [{ field: 'creditCode', rule: 'GB32100.CHECK_CHAR' }]);
    assert.equal(await t.identity.accountIdByLogin('acme'), undefined);
  });

  test('registration › a too-weak password: a field error and nothing stored', async () => {
    const b = new Browser(t);
    const r = await b.post('/register', {
      kind: 'person',
      login: 'wangwu',
      password: 'password123',
      name: '王五',
      idNumber: DEMO_PEOPLE.unregistered.idNumber,
      mobile: '13800000002',
    });
    assert.equal(r.statusCode, 400);
    assert.match(r.body, /常见密码/);
    assert.equal(await t.identity.accountIdByLogin('wangwu'), undefined);
  });

  test('registration › a cookie-less JSON endpoint refuses a form post (no cross-site registration)', async () => {
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'kind=person&login=x',
    });
    assert.ok(r.statusCode === 415 || r.statusCode === 400);
  });

  test('real-name › register at L1, verify with two factors to L2; a wrong factor fails', async () => {
    const b = new Browser(t);
    const p = DEMO_PEOPLE.unregistered;
    const reg = await b.post('/register', {
      kind: 'person',
      login: 'wangwu',
      password: 'a-strong-pass-1',
      name: p.name,
      idNumber: p.idNumber,
      mobile: p.mobile,
    });
    // step two: the code the text message carries (the dev mailbox shows it)
    assert.equal(reg.statusCode, 200);
    const sms = (await t.identity.service.notifications()).find((n) => n.subject === 'registration-code');
    const code = /\b(\d{6})\b/.exec(sms?.body ?? '')?.[1];
    assert.ok(code, 'the registration code was sent');
    const done = await b.post(
      '/register/confirm',
      { registrationId: /name="registrationId" value="([^"]+)"/.exec(reg.body)![1]!, code },
      { from: '/register' },
    );
    assert.equal(done.statusCode, 303);
    let page = await b.get('/account');
    assert.match(page.body, /L1/);
    const one = await b.post('/account/verify', { mobile: p.mobile }, { from: '/account' });
    assert.equal(one.statusCode, 400);
    assert.match(one.body, /至少两项/);
    const wrong = await b.post(
      '/account/verify',
      { mobile: p.mobile, bankCard: '6222020000000000099' },
      { from: '/account' },
    );
    assert.equal(wrong.statusCode, 400);
    assert.match(wrong.body, /实名核验未通过/);
    const ok = await b.post(
      '/account/verify',
      { mobile: p.mobile, bankCard: p.bankCard },
      { from: '/account' },
    );
    assert.equal(ok.statusCode, 200);
    page = await b.get('/account');
    assert.match(page.body, /L2 已通过/);
  });

  test('password reset › the link arrives in the dev mailbox and sets a new password once', async () => {
    const b = new Browser(t);
    const asked = await b.post(
      '/password/reset/request',
      { login: 'enterprise', mobile: DEMO_PEOPLE.enterpriseAgent.mobile },
      { from: '/password/reset' },
    );
    assert.equal(asked.statusCode, 200);
    const box = await b.get('/dev/mailbox');
    assert.match(box.body, /138\*{4}0001/);
    const m = /\/password\/reset\?token=([A-Za-z0-9_-]+)/.exec(box.body);
    assert.ok(m);
    const url = `/password/reset?token=${m[1]}`;
    const mismatch = await b.post(
      '/password/reset',
      { token: m[1]!, newPassword: 'new-secret-42', confirmPassword: 'other' },
      { from: url },
    );
    assert.equal(mismatch.statusCode, 400);
    const done = await b.post(
      '/password/reset',
      { token: m[1]!, newPassword: 'new-secret-42', confirmPassword: 'new-secret-42' },
      { from: url },
    );
    assert.equal(done.statusCode, 200);
    assert.equal((await b.get(url)).statusCode, 400);
    assert.equal((await new Browser(t).login('enterprise', 'new-secret-42')).statusCode, 303);
  });

  test('password change › needs the current password and ends the other sessions', async () => {
    const a = new Browser(t);
    const other = new Browser(t);
    await a.login('supervisor');
    await other.login('supervisor');
    const wrong = await a.post(
      '/account/password',
      { currentPassword: 'nope', newPassword: 'changed-pass-77' },
      { from: '/account' },
    );
    assert.equal(wrong.statusCode, 400);
    const ok = await a.post(
      '/account/password',
      { currentPassword: 'tongban-demo', newPassword: 'changed-pass-77' },
      { from: '/account' },
    );
    assert.equal(ok.statusCode, 303);
    assert.equal((await a.get('/account')).statusCode, 200);
    assert.equal((await other.get('/account')).statusCode, 401);
  });

  test('sessions › log out everywhere ends every session and token', async () => {
    const tok = (
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { login: 'approver', password: 'tongban-demo' },
      })
    ).json().token as string;
    const a = new Browser(t);
    await a.login('approver');
    assert.equal(
      (await t.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${tok}` } })).statusCode,
      200,
    );
    const r = await a.post('/account/logout-all', {}, { from: '/account' });
    assert.equal(r.statusCode, 303);
    assert.equal((await a.get('/account')).statusCode, 401);
    assert.equal(
      (await t.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${tok}` } })).statusCode,
      401,
    );
  });

  test('bearer › a token from the JSON login reads /api/v1/me with masked fields', async () => {
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { login: 'citizen', password: 'tongban-demo' },
    });
    assert.equal(r.statusCode, 200);
    const me = await t.app.inject({
      url: '/api/v1/me',
      headers: { authorization: `Bearer ${r.json().token}` },
    });
    assert.equal(me.statusCode, 200);
    assert.equal(me.json().idNumberMasked, '4***************14');
    assert.equal(me.json().realNameLevel, 2);
    const anon = await t.app.inject({ url: '/api/v1/me' });
    assert.equal(anon.statusCode, 401);
  });

  test('bearer › an account token’s principal (one read) is the account’s with its grants in force, in order', async () => {
    for (const login of ['citizen', 'approver', 'clerk', 'admin']) {
      const id = await t.identity.accountIdByLogin(login);
      assert.ok(id, login);
      const { token } = await t.identity.tokenForLogin(login, 60_000);
      const viaToken = await t.identity.service.resolveBearer(token);
      assert.deepEqual(viaToken, await t.identity.principalForAccount(id), login);
      if (login !== 'citizen')
        assert.ok(
          viaToken!.grants.some((g) => g.role !== 'citizen'),
          login,
        );
    }
    assert.equal(await t.identity.service.resolveBearer('no-such-token'), undefined);
  });

  test('notices › an account’s contact is its unsealed mobile number alone; none for an unknown account', async () => {
    const id = (await t.identity.accountIdByLogin('citizen'))!;
    const full = await t.identity.personalData(id);
    assert.ok(full?.mobile);
    assert.deepEqual(await t.identity.contactOf(id), { mobile: full.mobile });
    assert.equal(await t.identity.contactOf('01900000-0000-7000-8000-000000000000'), undefined);
  });

  test('client credentials › a machine client gets a token carrying the data-consumer role', async () => {
    const c = await t.identity.createClient({
      name: '数据共享交换',
      redirectUris: [],
      grantTypes: ['client_credentials'],
    });
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/token',
      payload: { grant_type: 'client_credentials', client_id: c.client_id, client_secret: 'wrong' },
    });
    assert.equal(bad.statusCode, 401);
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/token',
      headers: {
        authorization: `Basic ${Buffer.from(`${c.client_id}:${c.client_secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: 'grant_type=client_credentials',
    });
    assert.equal(r.statusCode, 200);
    const me = await t.app.inject({
      url: '/api/v1/me',
      headers: { authorization: `Bearer ${r.json().access_token}` },
    });
    assert.equal(me.json().kind, 'client');
    assert.deepEqual(
      me.json().roles.map((x: { role: string }) => x.role),
      ['dataConsumer'],
    );
  });

  test('委托代办 › a citizen delegates to another person, who may then act for them until revoked', async () => {
    const b = new Browser(t);
    await b.login('citizen');
    const validTo = new Date(Date.now() + 30 * 86400_000).toISOString().slice(0, 10);
    const self = await b.post(
      '/account/delegations',
      { agentLogin: 'citizen', validTo },
      { from: '/account' },
    );
    assert.equal(self.statusCode, 400);
    const r = await b.post('/account/delegations', { agentLogin: 'wangwu', validTo }, { from: '/account' });
    assert.equal(r.statusCode, 303);
    const citizenId = (await t.identity.accountIdByLogin('citizen'))!;
    const agentId = (await t.identity.accountIdByLogin('wangwu'))!;
    assert.equal(await t.identity.mayActFor(agentId, citizenId), true);
    assert.equal(await t.identity.mayActFor(citizenId, agentId), false);
    const page = await b.get('/account');
    const m = /action="\/account\/delegations\/([^/]+)\/revoke"/.exec(page.body);
    assert.ok(m);
    await b.post(`/account/delegations/${m[1]}/revoke`, {}, { from: '/account' });
    assert.equal(await t.identity.mayActFor(agentId, citizenId), false);
  });

  test('admin › only a platform admin reaches /admin/accounts and can add a grant', async () => {
    const clerk = new Browser(t);
    await clerk.login('clerk');
    assert.equal((await clerk.get('/admin/accounts')).statusCode, 403);
    const admin = new Browser(t);
    await admin.login('admin');
    const page = await admin.get('/admin/accounts');
    assert.equal(page.statusCode, 200);
    const clerkId = (await t.identity.accountIdByLogin('clerk'))!;
    const r = await admin.post(
      '/admin/accounts/grants',
      { accountId: clerkId, role: 'supervisor', regionPrefix: '410105', departmentId: '' },
      { from: '/admin/accounts' },
    );
    assert.equal(r.statusCode, 303);
    const staff = await t.identity.service.staffList();
    assert.ok(
      staff
        .find((a) => a.login === 'clerk')
        ?.roles.some((g) => g.role === 'supervisor' && g.regionPrefix === '410105'),
    );
    const bad = await admin.post(
      '/admin/accounts/grants',
      { accountId: clerkId, role: 'supervisor', regionPrefix: '41x', departmentId: '' },
      { from: '/admin/accounts' },
    );
    assert.equal(bad.statusCode, 400);
  });

  test('grants › a region-scoped administrator cannot grant beyond its own region or department', async () => {
    const svc = t.identity.service;
    const cityDept = (await svc.staffList()).find((a) => a.login === 'approver')!.departmentId!;
    const otherDept = (await svc.staffList()).find((a) => a.login === 'county-approver')!.departmentId!;
    await svc.createStaff({
      login: 'city-admin',
      name: '市管理员',
      password: 'tongban-demo',
      regionCode: '410100',
      departmentId: null,
      hallId: null,
      grants: [{ role: 'platformAdmin', regionPrefix: '4101', departmentId: null }],
    });
    await svc.createStaff({
      login: 'bureau-admin',
      name: '局管理员',
      password: 'tongban-demo',
      regionCode: '410100',
      departmentId: cityDept,
      hallId: null,
      grants: [{ role: 'platformAdmin', regionPrefix: '4101', departmentId: cityDept }],
    });
    const clerkId = (await t.identity.accountIdByLogin('clerk'))!;
    const grant = (b: Browser, regionPrefix: string, departmentId = '') =>
      b.post(
        '/admin/accounts/grants',
        { accountId: clerkId, role: 'supervisor', regionPrefix, departmentId },
        { from: '/admin/accounts' },
      );
    const city = new Browser(t);
    await city.login('city-admin');
    // the attack: the whole platform, and another city
    for (const beyond of ['', '41', '4102']) {
      const r = await grant(city, beyond);
      assert.equal(r.statusCode, 403, `regionPrefix '${beyond}' answered ${r.statusCode}`);
      assert.match(r.body, /只能在本人管理的区划和部门范围内授权/);
    }
    assert.equal((await grant(city, '410105')).statusCode, 303, 'within its own city it may grant');

    const bureau = new Browser(t);
    await bureau.login('bureau-admin');
    // a department-bound administrator: not every department, not another one
    assert.equal((await grant(bureau, '4101')).statusCode, 403);
    assert.equal((await grant(bureau, '4101', otherDept)).statusCode, 403);
    assert.equal((await grant(bureau, '4101', cityDept)).statusCode, 303);

    const roles = (await svc.staffList()).find((a) => a.login === 'clerk')!.roles;
    assert.ok(
      !roles.some((g) => g.role === 'supervisor' && (g.regionPrefix === '' || g.regionPrefix === '41')),
    );
    assert.ok(!roles.some((g) => g.regionPrefix.startsWith('4102')));
    const cityAdmin = (await t.identity.principalForAccount(
      (await t.identity.accountIdByLogin('city-admin'))!,
    ))!;
    await assert.rejects(
      svc.addGrant(cityAdmin, clerkId, { role: 'supervisor', regionPrefix: '', departmentId: null }),
      (e: Error & { code?: string; messageIn?: (l: string) => string }) => {
        assert.equal(e.code, 'IDENTITY.GRANT_BEYOND_SCOPE');
        assert.match(e.messageIn!('en'), /only within your own region and department/);
        return true;
      },
    );
  });

  test('password reset › a token works once: a second use, even at the same moment, is refused', async () => {
    const svc = t.identity.service;
    const mobile = '13800000077';
    await svc.register({
      kind: 'person',
      login: 'resetonce',
      password: 'a-strong-pass-1',
      name: '赵敏',
      idNumber: generateIdNumber({ regionCode: '410105', birthDate: '1985-04-12', sex: 'female' }),
      mobile,
    });
    await svc.requestPasswordReset('resetonce', mobile);
    const sms = (await svc.notifications()).find((n) => n.recipient_masked === '138****0077');
    const token = /\/password\/reset\?token=([A-Za-z0-9_-]+)/.exec(sms?.body ?? '')?.[1];
    assert.ok(token);
    const both = await Promise.allSettled([
      svc.resetPassword(token, 'first-secret-41'),
      svc.resetPassword(token, 'second-secret-42'),
    ]);
    assert.equal(both.filter((r) => r.status === 'fulfilled').length, 1);
    const refused = both.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal((refused?.reason as { code?: string } | undefined)?.code, 'IDENTITY.RESET_TOKEN_INVALID');
    await assert.rejects(svc.resetPassword(token, 'third-secret-43'), {
      code: 'IDENTITY.RESET_TOKEN_INVALID',
    });
    assert.equal(await svc.resetTokenValid(token), false);
    // exactly one of the two new passwords was set
    const first = (await new Browser(t).login('resetonce', 'first-secret-41')).statusCode === 303;
    const second = (await new Browser(t).login('resetonce', 'second-secret-42')).statusCode === 303;
    assert.notEqual(first, second);
  });
});

describe('identity and the date in China', () => {
  const clock = new ManualClock('2026-06-01T20:00:00Z');
  let t: TongbanApp;
  before(async () => {
    t = await buildTestApp({ clock });
  });
  after(async () => t.close());

  test('registration › a birth date of today in Beijing is not in the future at 04:00 there (20:00 UTC)', async () => {
    const idNumber = generateIdNumber({ regionCode: '410105', birthDate: '2026-06-02', sex: 'male' });
    const person = (login: string) => ({
      kind: 'person' as const,
      login,
      password: 'a-strong-pass-1',
      name: '张小宝',
      idNumber,
      mobile: '13800000088',
    });
    clock.set('2026-06-01T15:00:00Z'); // 23:00 on 1 June in Beijing: born tomorrow
    await assert.rejects(
      t.identity.service.register(person('early-bird')),
      (e: Error & { details?: unknown }) => {
        assert.deepEqual((e.details as { issues: unknown[] }).issues, [
          { field: 'idNumber', rule: 'GB11643.BIRTH_DATE_IN_FUTURE' },
        ]);
        return true;
      },
    );
    clock.set('2026-06-01T20:00:00Z');
    const a = await t.identity.service.register(person('newborn'));
    assert.equal(a.login, 'newborn');
  });
});
