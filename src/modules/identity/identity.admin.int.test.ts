import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { buildTestApp } from '../../../test/helpers/app.js';
import { WebSession } from '../../../test/helpers/session.js';
import type { TongbanApp } from '../../app.js';
import { isDomainError } from '../../kernel/index.js';
import { generateIdNumber } from '../../platform/codes/index.js';
import { ledgerOf } from '../ledger/index.js';

/** The entries of a tlog-tiles entry bundle: each a big-endian uint16 length and its bytes. */
function bundleEntries(b: Buffer): string[] {
  const out: string[] = [];
  for (let i = 0; i < b.length; ) {
    const n = b.readUInt16BE(i);
    out.push(b.subarray(i + 2, i + 2 + n).toString('utf8'));
    i += 2 + n;
  }
  return out;
}

/**
 * Issue 11 item 10: an administrator disables and re-enables accounts and revokes staff grants —
 * permission- and scope-checked (a region's administrator acts only within its region, fail
 * closed), with a reason, as an event the transparency log records by hash only. A disabled
 * account's sessions, bearer tokens and reset links end at once and stay ended after it is
 * enabled again; a revoked grant stops on the very next request.
 */
describe('account administration', () => {
  let t: TongbanApp;
  let seq = 0;
  const PASSWORD = 'tongban-demo';

  before(async () => {
    t = await buildTestApp({ demo: 'on' });
    // 郑州市's own administrator: the platform-admin role, scoped to region 4101 only
    await staff('zz-admin', '410100', [{ role: 'platformAdmin', regionPrefix: '4101', departmentId: null }]);
  });
  after(async () => t.close());

  async function staff(
    login: string,
    regionCode: string,
    grants: Array<{
      role: 'windowClerk' | 'approver' | 'supervisor' | 'platformAdmin';
      regionPrefix: string;
      departmentId: string | null;
    }>,
  ): Promise<string> {
    return t.identity.service.createStaff({
      login,
      name: '工作人员',
      password: PASSWORD,
      regionCode,
      departmentId: null,
      hallId: null,
      grants,
    });
  }

  /** a person registered here whose ID number was issued in `regionCode` (410105 金水区, 410305 洛阳) */
  async function person(login: string, regionCode = '410105') {
    seq++;
    const mobile = `1390000${String(seq).padStart(4, '0')}`;
    const v = await t.identity.service.register({
      kind: 'person',
      login,
      password: PASSWORD,
      name: '赵六',
      idNumber: generateIdNumber({ regionCode, birthDate: '1991-02-03', sex: 'male', sequence: 2 * seq + 1 }),
      mobile,
    });
    return { id: v.id, mobile };
  }

  const bearer = async (login: string) => (await t.identity.tokenForLogin(login)).token;

  async function call(
    token: string | undefined,
    method: 'GET' | 'POST',
    url: string,
    payload?: unknown,
    lang?: string,
  ) {
    return t.app.inject({
      method,
      url,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(lang ? { 'accept-language': lang } : {}),
      },
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
  }

  const me = (token: string) => call(token, 'GET', '/api/v1/me');
  const apiLogin = (login: string, password = PASSWORD, lang?: string) =>
    call(undefined, 'POST', '/api/v1/auth/login', { login, password }, lang);

  test('disable › the account’s session, bearer token and reset link stop at once and stay stopped after it is enabled again', async () => {
    const { id, mobile } = await person('zhao-disable');
    const session = new WebSession(t);
    assert.equal((await session.login('zhao-disable')).statusCode, 303);
    assert.equal((await session.get('/account')).statusCode, 200);
    const token = (await apiLogin('zhao-disable')).json().token as string;
    assert.equal((await me(token)).statusCode, 200);
    await t.identity.service.requestPasswordReset('zhao-disable', mobile);
    const link = /token=([A-Za-z0-9_-]+)/.exec((await t.identity.service.notifications(1))[0]!.body)![1]!;
    assert.equal(await t.identity.service.resetTokenValid(link), true);

    const admin = await bearer('admin');
    const r = await call(admin, 'POST', `/api/v1/accounts/${id}/disable`, {
      reason: '冒用他人身份，公安机关通报',
    });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json().status, 'disabled');

    // at once: the next request with the old session or token is anonymous
    assert.equal((await session.get('/account')).statusCode, 401);
    assert.equal((await me(token)).statusCode, 401);
    assert.equal(await t.identity.service.resetTokenValid(link), false);
    // sign-in: the coded refusal only after the right password (a wrong one learns nothing)
    const zh = await apiLogin('zhao-disable');
    assert.equal(zh.statusCode, 403);
    assert.equal(zh.json().error.code, 'IDENTITY.ACCOUNT_DISABLED');
    assert.match(zh.json().error.message, /已停用/);
    const en = await apiLogin('zhao-disable', PASSWORD, 'en');
    assert.match(en.json().error.message, /disabled/);
    assert.doesNotMatch(en.json().error.message, /冒用|identity/);
    assert.equal(
      (await apiLogin('zhao-disable', 'wrong-password-1')).json().error.code,
      'IDENTITY.INVALID_CREDENTIALS',
    );
    const page = await new WebSession(t).login('zhao-disable');
    assert.equal(page.statusCode, 403);
    assert.match(page.body, /已停用/);
    // no new reset link is sent, and the answer is the same as for anyone
    const sent = (await t.identity.service.notifications(50)).length;
    await t.identity.service.requestPasswordReset('zhao-disable', mobile);
    assert.equal((await t.identity.service.notifications(50)).length, sent);
    // no new session or token can be made for it by any path (federation, CLI)
    for (const attempt of [
      () => t.identity.service.createSession(id),
      () => t.identity.tokenForLogin('zhao-disable'),
    ])
      await assert.rejects(
        attempt(),
        (e: unknown) => isDomainError(e) && e.code === 'IDENTITY.ACCOUNT_DISABLED',
      );
    // it keeps its data
    const view = await call(admin, 'GET', `/api/v1/accounts/${id}`);
    assert.equal(view.statusCode, 200);
    assert.equal(view.json().status, 'disabled');
    assert.equal(view.json().login, 'zhao-disable');
    assert.match(view.json().idNumberMasked, /^4\*+\d\d$/);

    const back = await call(admin, 'POST', `/api/v1/accounts/${id}/enable`, { reason: '经核实系误报' });
    assert.equal(back.statusCode, 200, back.body);
    assert.equal(back.json().status, 'active');
    // revoked, not suspended: what was open before stays closed
    assert.equal((await session.get('/account')).statusCode, 401);
    assert.equal((await me(token)).statusCode, 401);
    assert.equal(await t.identity.service.resetTokenValid(link), false);
    assert.equal((await apiLogin('zhao-disable')).statusCode, 200);
  });

  test('disable › without a reason nothing changes; twice is refused; an administrator cannot disable itself', async () => {
    const { id } = await person('zhao-reason');
    const admin = await bearer('admin');
    for (const body of [{}, { reason: '' }, { reason: '   ' }, { reason: 'x'.repeat(501) }]) {
      const r = await call(admin, 'POST', `/api/v1/accounts/${id}/disable`, body);
      assert.equal(r.statusCode, 400, JSON.stringify(body));
    }
    assert.equal((await apiLogin('zhao-reason')).statusCode, 200);
    assert.equal(
      (await call(admin, 'POST', `/api/v1/accounts/${id}/enable`, { reason: '无' })).json().error.code,
      'IDENTITY.ALREADY_ACTIVE',
    );
    assert.equal(
      (await call(admin, 'POST', `/api/v1/accounts/${id}/disable`, { reason: '测试' })).statusCode,
      200,
    );
    const again = await call(admin, 'POST', `/api/v1/accounts/${id}/disable`, { reason: '测试' });
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().error.code, 'IDENTITY.ALREADY_DISABLED');
    const self = await call(
      admin,
      'POST',
      `/api/v1/accounts/${(await t.identity.accountIdByLogin('admin'))!}/disable`,
      {
        reason: '误操作',
      },
    );
    assert.equal(self.statusCode, 403);
    assert.equal(self.json().error.code, 'IDENTITY.OWN_ACCOUNT');
    assert.equal(
      (await call(admin, 'POST', '/api/v1/accounts/no-such-id/disable', { reason: 'x' })).statusCode,
      404,
    );
  });

  test('grant revoke › a revoked grant stops working on the very next request (no principal is cached)', async () => {
    const id = await staff('clerk-revoke', '410105001', [
      { role: 'windowClerk', regionPrefix: '410105001', departmentId: null },
      { role: 'supervisor', regionPrefix: '410105', departmentId: null },
    ]);
    const token = await bearer('clerk-revoke');
    const session = new WebSession(t);
    await session.login('clerk-revoke');
    assert.equal((await call(token, 'GET', '/workbench')).statusCode, 200);
    assert.equal((await session.get('/workbench')).statusCode, 200);
    const admin = await bearer('admin');
    const grants = (await call(admin, 'GET', `/api/v1/accounts/${id}`)).json().grants as Array<{
      id: string;
      role: string;
    }>;
    assert.deepEqual(grants.map((g) => g.role).sort(), ['supervisor', 'windowClerk']);
    for (const g of grants) {
      const r = await call(admin, 'POST', `/api/v1/accounts/${id}/grants/${g.id}/revoke`, {
        reason: '调离窗口岗位',
      });
      assert.equal(r.statusCode, 204, r.body);
    }
    // the same token and the same session, the very next request
    assert.equal((await call(token, 'GET', '/workbench')).statusCode, 403);
    assert.equal((await session.get('/workbench')).statusCode, 403);
    const after = (await call(admin, 'GET', `/api/v1/accounts/${id}`)).json();
    assert.deepEqual(after.grants, []);
    assert.equal((await me(token)).json().roles.length, 0);
    const twice = await call(admin, 'POST', `/api/v1/accounts/${id}/grants/${grants[0]!.id}/revoke`, {
      reason: '再次',
    });
    assert.equal(twice.statusCode, 404);
    assert.equal(twice.json().error.code, 'IDENTITY.GRANT_NOT_FOUND');
    const noReason = await call(admin, 'POST', `/api/v1/accounts/${id}/grants/${grants[0]!.id}/revoke`, {});
    assert.equal(noReason.statusCode, 400);
  });

  test('scope › a region-scoped administrator disables and revokes only within its region (fail closed)', async () => {
    const zz = await bearer('zz-admin');
    const inside = await person('zhao-zz', '410105');
    const outside = await person('zhao-ly', '410305');
    const lyStaff = await staff('ly-approver', '410300', [
      { role: 'approver', regionPrefix: '4103', departmentId: null },
    ]);
    // a Zhengzhou staff account that also holds a grant reaching beyond Zhengzhou
    const wide = await staff('zz-wide', '410100', [
      { role: 'supervisor', regionPrefix: '4101', departmentId: null },
      { role: 'supervisor', regionPrefix: '41', departmentId: null },
    ]);
    const adminId = (await t.identity.accountIdByLogin('admin'))!;
    const refusals: Array<[string, string]> = [
      [`/api/v1/accounts/${outside.id}/disable`, 'a person of 洛阳'],
      [`/api/v1/accounts/${lyStaff}/disable`, 'a staff account of 洛阳'],
      [`/api/v1/accounts/${wide}/disable`, 'staff whose grants reach beyond the region'],
      [`/api/v1/accounts/${adminId}/disable`, 'the whole-platform administrator'],
    ];
    for (const [url, who] of refusals) {
      const r = await call(zz, 'POST', url, { reason: '越权尝试' });
      assert.equal(r.statusCode, 403, `${who}: ${r.body}`);
      assert.equal(r.json().error.code, 'IDENTITY.OUT_OF_SCOPE', who);
    }
    // it does not even read an account outside its region (it may read the wider ones inside)
    for (const id of [outside.id, lyStaff])
      assert.equal((await call(zz, 'GET', `/api/v1/accounts/${id}`)).statusCode, 403);
    assert.deepEqual((await call(zz, 'GET', '/api/v1/accounts?login=zhao-ly')).json(), { accounts: [] });
    const lyGrant = (await call(await bearer('admin'), 'GET', `/api/v1/accounts/${lyStaff}`)).json().grants[0]
      .id;
    const wideGrants = (await call(await bearer('admin'), 'GET', `/api/v1/accounts/${wide}`)).json()
      .grants as Array<{
      id: string;
      regionPrefix: string;
    }>;
    for (const [account, grant] of [
      [lyStaff, lyGrant],
      [wide, wideGrants.find((g) => g.regionPrefix === '41')!.id],
    ]) {
      const r = await call(zz, 'POST', `/api/v1/accounts/${account}/grants/${grant}/revoke`, {
        reason: '越权尝试',
      });
      assert.equal(r.statusCode, 403, r.body);
    }
    // nor can it widen anyone's reach past its region by adding a grant, itself included
    const zzId = (await t.identity.accountIdByLogin('zz-admin'))!;
    const zzPrincipal = (await t.identity.principalForAccount(zzId))!;
    for (const [target, regionPrefix] of [
      [zzId, ''],
      [wide, ''],
      [lyStaff, '4103'],
    ] as const)
      await assert.rejects(
        t.identity.service.addGrant(zzPrincipal, target, {
          role: 'platformAdmin',
          regionPrefix,
          departmentId: null,
        }),
        (e: unknown) => isDomainError(e) && e.code === 'IDENTITY.GRANT_BEYOND_SCOPE',
        target,
      );
    // nothing of the refused changed
    assert.equal((await apiLogin('zhao-ly')).statusCode, 200);
    assert.equal((await apiLogin('ly-approver')).statusCode, 200);
    assert.equal(
      (await call(await bearer('admin'), 'GET', `/api/v1/accounts/${wide}`)).json().grants.length,
      2,
    );
    // control: within its region it may
    const ok = await call(zz, 'POST', `/api/v1/accounts/${inside.id}/disable`, { reason: '本市账号停用' });
    assert.equal(ok.statusCode, 200, ok.body);
    const wideLocal = wideGrants.find((g) => g.regionPrefix === '4101')!.id;
    assert.equal(
      (
        await call(zz, 'POST', `/api/v1/accounts/${wide}/grants/${wideLocal}/revoke`, {
          reason: '本市授权收回',
        })
      ).statusCode,
      204,
    );
  });

  test('events › each action is one outbox event, recorded in the transparency log as a hash with no personal data', async () => {
    const { id } = await person('zhao-events');
    const staffId = await staff('clerk-events', '410105001', [
      { role: 'windowClerk', regionPrefix: '410105001', departmentId: null },
    ]);
    const admin = await bearer('admin');
    const adminId = (await t.identity.accountIdByLogin('admin'))!;
    const reason = '账号被赵六本人举报冒用 13900009999';
    await call(admin, 'POST', `/api/v1/accounts/${id}/disable`, { reason });
    await call(admin, 'POST', `/api/v1/accounts/${id}/enable`, { reason: '恢复使用' });
    const grant = (await call(admin, 'GET', `/api/v1/accounts/${staffId}`)).json().grants[0].id as string;
    await call(admin, 'POST', `/api/v1/accounts/${staffId}/grants/${grant}/revoke`, { reason: '离职' });
    await t.events.drain();
    const ledger = ledgerOf(t.modules);
    const own = await ledger.leavesByObject('account', id);
    assert.deepEqual(
      own.map((l) => l.type),
      ['identity.accountDisabled', 'identity.accountEnabled'],
    );
    assert.deepEqual(
      (await ledger.leavesByObject('account', staffId)).map((l) => l.type),
      ['identity.grantRevoked'],
    );
    // the events carry ids and the reason's hash, never the reason, a name, a login or a number
    const rows = await t.store.db
      .withTables<{ events: { type: string; aggregate_id: string; actor: string | null; payload: string } }>()
      .selectFrom('events')
      .select(['type', 'aggregate_id', 'actor', 'payload'])
      .where('aggregate_id', 'in', [id, staffId])
      .where('type', 'in', ['identity.accountDisabled', 'identity.accountEnabled', 'identity.grantRevoked'])
      .execute();
    assert.equal(rows.length, 3);
    for (const r of rows) {
      assert.equal(r.actor, adminId);
      for (const secret of [reason, '赵六', 'zhao-events', '13900009999', 'clerk-events'])
        assert.ok(!r.payload.includes(secret), `${r.type} payload holds ${secret}`);
    }
    const disabled = JSON.parse(rows.find((r) => r.type === 'identity.accountDisabled')!.payload);
    assert.equal(disabled.reasonSha256, createHash('sha256').update(reason).digest('hex'));
    // the log's own entries, as anyone downloads them
    const size = (await ledger.publishCheckpoint()).size;
    const indexes = [...own, ...(await ledger.leavesByObject('account', staffId))].map((l) => l.index);
    for (const index of indexes) {
      const tile = Math.floor(index / 256);
      const width = Math.min(256, size - tile * 256);
      const path = `/log/tile/entries/${String(tile).padStart(3, '0')}${width < 256 ? `.p/${width}` : ''}`;
      const res = await t.app.inject({ url: path });
      assert.equal(res.statusCode, 200, path);
      const entry = bundleEntries(res.rawPayload)[index % 256]!;
      assert.match(entry, /"type":"identity\.(accountDisabled|accountEnabled|grantRevoked)"/);
      for (const secret of [reason, '赵六', 'zhao-events', 'clerk-events', '离职'])
        assert.ok(!entry.includes(secret), `log entry holds ${secret}`);
    }
  });

  test('history › the account’s own history lists each action, its reason, who and when; the person sees it on their account page', async () => {
    const { id } = await person('zhao-history');
    const admin = await bearer('admin');
    await call(admin, 'POST', `/api/v1/accounts/${id}/disable`, { reason: '疑似被盗' });
    await call(admin, 'POST', `/api/v1/accounts/${id}/enable`, { reason: '本人到窗口核实' });
    const h = (await call(admin, 'GET', `/api/v1/accounts/${id}`)).json().history as Array<
      Record<string, unknown>
    >;
    assert.deepEqual(
      h.map((x) => [x.action, x.reason, x.actor]),
      [
        ['enabled', '本人到窗口核实', 'admin'],
        ['disabled', '疑似被盗', 'admin'],
      ],
    );
    assert.ok(h.every((x) => typeof x.at === 'string'));
    const own = new WebSession(t);
    await own.login('zhao-history');
    const page = await own.get('/account');
    assert.match(page.body, /疑似被盗/);
    assert.match(page.body, /本人到窗口核实/);
  });

  test('pages › an administrator finds an account, disables and enables it, and revokes a grant through a confirmation page, without JavaScript', async () => {
    const { id } = await person('zhao-pages');
    const staffId = await staff('clerk-pages', '410105001', [
      { role: 'windowClerk', regionPrefix: '410105001', departmentId: null },
    ]);
    const admin = new WebSession(t);
    await admin.login('admin');
    const found = await admin.get('/admin/accounts/find?login=zhao-pages');
    assert.equal(found.statusCode, 303);
    assert.equal(found.headers.location, `/admin/accounts/${id}`);
    const missing = await admin.get('/admin/accounts/find?login=nobody-here');
    assert.equal(missing.statusCode, 404);
    assert.match(missing.body, /error-summary/);
    const url = `/admin/accounts/${id}`;
    const page = await admin.get(url);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /zhao-pages/);
    assert.match(page.body, /正常/);
    const noReason = await admin.post(`${url}/disable`, { reason: '' }, { from: url });
    assert.equal(noReason.statusCode, 400);
    assert.match(noReason.body, /error-summary/);
    assert.match(noReason.body, /href="#f-reason"/);
    assert.equal((await apiLogin('zhao-pages')).statusCode, 200);
    const done = await admin.post(`${url}/disable`, { reason: '页面停用' }, { from: url });
    assert.equal(done.statusCode, 303);
    assert.match((await admin.get(done.headers.location as string)).body, /已停用/);
    assert.equal((await apiLogin('zhao-pages')).statusCode, 403);
    assert.equal((await admin.post(`${url}/enable`, { reason: '页面启用' }, { from: url })).statusCode, 303);
    assert.equal((await apiLogin('zhao-pages')).statusCode, 200);

    const staffUrl = `/admin/accounts/${staffId}`;
    const staffPage = await admin.get(staffUrl);
    const revokeHref = /href="(\/admin\/accounts\/[^"]+\/grants\/[^"]+\/revoke)"/.exec(staffPage.body)?.[1];
    assert.ok(revokeHref, 'each grant links to its revoke page');
    const confirm = await admin.get(revokeHref);
    assert.equal(confirm.statusCode, 200);
    assert.match(confirm.body, /窗口人员/);
    assert.equal((await admin.post(revokeHref, { reason: '' }, { from: revokeHref })).statusCode, 400);
    const revoked = await admin.post(revokeHref, { reason: '岗位调整' }, { from: revokeHref });
    assert.equal(revoked.statusCode, 303);
    const clerk = await bearer('clerk-pages');
    assert.equal((await call(clerk, 'GET', '/workbench')).statusCode, 403);
    // the region's administrator does not even see an account outside it
    const zz = new WebSession(t);
    await zz.login('zz-admin');
    const ly = await person('zhao-pages-ly', '410305');
    await staff('ly-pages', '410300', [{ role: 'approver', regionPrefix: '4103', departmentId: null }]);
    assert.equal((await zz.get(`/admin/accounts/${ly.id}`)).statusCode, 403);
    const list = await zz.get('/admin/accounts');
    assert.equal(list.statusCode, 200);
    assert.match(list.body, />clerk-pages</);
    assert.doesNotMatch(list.body, />ly-pages</, 'staff of another city are not listed');
    assert.equal((await zz.get('/admin/accounts/find?login=ly-pages')).statusCode, 404);
  });
});
