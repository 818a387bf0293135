import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp } from '../../../test/helpers/app.js';
import { cliContext } from '../../../test/helpers/cli.js';
import type { TongbanApp } from '../../app.js';
import { isDomainError } from '../../kernel/index.js';
import { testConfig } from '../../config/index.js';
import {
  accountDisableCommand,
  accountEnableCommand,
  grantRevokeCommand,
  oidcClientAddCommand,
  oidcFederationAddCommand,
  tokenCommand,
} from './identity.js';

const ctxFor = (t: TongbanApp | undefined, env: 'test' | 'production', operatorKey?: string) =>
  cliContext(t, { env, operatorKey });

describe('tongban token / tongban oidc client add', () => {
  let t: TongbanApp;
  before(async () => {
    t = await buildTestApp();
    await t.identity.service.createStaff({
      login: 'ops',
      name: '运维',
      password: 'tongban-demo',
      regionCode: '410100',
      departmentId: null,
      hallId: null,
      grants: [{ role: 'platformAdmin', regionPrefix: '', departmentId: null }],
    });
  });
  after(async () => t.close());

  test('prints a bearer token that authenticates as the account', async () => {
    const { ctx, out } = ctxFor(t, 'test');
    assert.equal(await tokenCommand.run({ positional: ['token'], flags: { user: 'ops' } }, ctx), 0);
    const me = await t.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${out[0]}` } });
    assert.equal(me.json().login, 'ops');
  });

  test('is refused in production without the operator key, and works with it', async () => {
    const key = 'k'.repeat(32);
    const no = ctxFor(undefined, 'production', key);
    assert.equal(
      await tokenCommand.run(
        { positional: ['token'], flags: { user: 'ops', 'operator-key': 'wrong' } },
        no.ctx,
      ),
      77,
    );
    assert.match(no.err[0]!, /operator-key/);
    const yes = ctxFor(t, 'production', key);
    assert.equal(
      await tokenCommand.run({ positional: ['token'], flags: { user: 'ops', 'operator-key': key } }, yes.ctx),
      0,
    );
    assert.match(yes.out[0]!, /^tbt_/);
  });

  test('an unknown account is an error, not a token', async () => {
    const { ctx, out } = ctxFor(t, 'test');
    assert.equal(await tokenCommand.run({ positional: ['token'], flags: { user: 'nobody' } }, ctx), 1);
    assert.equal(out.length, 0);
  });

  test('oidc client add prints exactly {"client_id","client_secret"}', async () => {
    const { ctx, out } = ctxFor(t, 'test');
    const code = await oidcClientAddCommand.run(
      {
        positional: ['oidc', 'client', 'add'],
        flags: { name: '示例', 'redirect-uri': 'https://rp.example.gov.cn/cb' },
      },
      ctx,
    );
    assert.equal(code, 0);
    assert.deepEqual(Object.keys(JSON.parse(out[0]!)), ['client_id', 'client_secret']);
  });

  test('RFC 6749 §3.1.2.1 › an http:// redirect URI is refused unless it is loopback', async () => {
    for (const uri of [
      'http://rp.example.gov.cn/cb',
      'http://10.0.0.8/cb',
      'http://127.0.0.1.evil.example/cb',
      'http://localhost.evil.example/cb',
    ]) {
      const { ctx, out, err } = ctxFor(t, 'test');
      const code = await oidcClientAddCommand.run(
        { positional: ['oidc', 'client', 'add'], flags: { name: '示例', 'redirect-uri': uri } },
        ctx,
      );
      assert.equal(code, 2, uri);
      assert.equal(out.length, 0, uri);
      assert.match(err[0]!, /IDENTITY\.REDIRECT_URI_NOT_HTTPS/, uri);
    }
    await assert.rejects(
      t.identity.createClient({
        name: '示例',
        redirectUris: ['https://rp.example.gov.cn/cb', 'http://rp.example.gov.cn/cb'],
      }),
      (e: unknown) => isDomainError(e) && e.code === 'IDENTITY.REDIRECT_URI_NOT_HTTPS' && e.status === 400,
    );
  });

  test('RFC 8252 §7.3 › a loopback http:// redirect URI (127.0.0.1, [::1], localhost) is accepted', async () => {
    for (const uri of ['http://127.0.0.1:8080/cb', 'http://[::1]:8080/cb', 'http://localhost/cb']) {
      const c = await t.identity.createClient({ name: '本机', redirectUris: [uri] });
      assert.match(c.client_id, /^tbc_/, uri);
    }
  });

  test('oidc federation add prints the redirect URI the federation routes answer on', async () => {
    const { ctx, out } = ctxFor(t, 'test');
    const code = await oidcFederationAddCommand.run(
      {
        positional: ['oidc', 'federation', 'add'],
        flags: {
          id: 'nearby',
          name: '邻市',
          issuer: 'https://sso.example.gov.cn/oidc',
          'client-id': 'c1',
          'client-secret': 's1',
        },
      },
      ctx,
    );
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(out[0]!), {
      id: 'nearby',
      redirect_uri: `${testConfig().publicUrl}/login/federated/nearby/callback`,
    });
  });

  test('account disable › ends the account’s tokens at once, refuses its sign-in, and is in its history as the operator’s', async () => {
    await t.identity.service.createStaff({
      login: 'cli-clerk',
      name: '窗口',
      password: 'tongban-demo',
      regionCode: '410105001',
      departmentId: null,
      hallId: null,
      grants: [{ role: 'windowClerk', regionPrefix: '410105001', departmentId: null }],
    });
    const old = (await t.identity.tokenForLogin('cli-clerk')).token;
    const { ctx, out, err } = ctxFor(t, 'test');
    const args = { positional: [], flags: { login: 'cli-clerk', reason: '离职交接' } };
    assert.equal(await accountDisableCommand.run(args, ctx), 0, err.join('\n'));
    assert.deepEqual(JSON.parse(out[0]!), {
      login: 'cli-clerk',
      status: 'disabled',
      sessionsEnded: 0,
      tokensRevoked: 1,
      oidcRevoked: 0,
    });
    const me = await t.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${old}` } });
    assert.equal(me.statusCode, 401);
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { login: 'cli-clerk', password: 'tongban-demo' },
    });
    assert.equal(login.json().error.code, 'IDENTITY.ACCOUNT_DISABLED');
    // a token for it is refused too, with the code
    const tok = ctxFor(t, 'test');
    assert.equal(await tokenCommand.run({ positional: [], flags: { user: 'cli-clerk' } }, tok.ctx), 2);
    assert.match(tok.err[0]!, /IDENTITY\.ACCOUNT_DISABLED/);
    assert.equal(tok.out.length, 0);
    // twice: refused, nothing printed
    const again = ctxFor(t, 'test');
    assert.equal(await accountDisableCommand.run(args, again.ctx), 1);
    assert.match(again.err[0]!, /IDENTITY\.ALREADY_DISABLED/);
    const on = ctxFor(t, 'test');
    const enable = { positional: [], flags: { login: 'cli-clerk', reason: '返岗' } };
    assert.equal(await accountEnableCommand.run(enable, on.ctx), 0);
    assert.deepEqual(JSON.parse(on.out[0]!), { login: 'cli-clerk', status: 'active' });
    const id = (await t.identity.accountIdByLogin('cli-clerk'))!;
    const history = (await t.identity.service.adminAccountView('operator', id)).history;
    assert.deepEqual(
      history.map((h) => [h.action, h.reason, h.actor, h.via]),
      [
        ['enabled', '返岗', 'operator', 'cli'],
        ['disabled', '离职交接', 'operator', 'cli'],
      ],
    );
  });

  test('grant revoke › by role and scope or by id; the grant gives nothing on the next request', async () => {
    await t.identity.service.createStaff({
      login: 'cli-approver',
      name: '审批',
      password: 'tongban-demo',
      regionCode: '410100',
      departmentId: null,
      hallId: null,
      grants: [
        { role: 'approver', regionPrefix: '4101', departmentId: null },
        { role: 'supervisor', regionPrefix: '', departmentId: null },
      ],
    });
    const token = (await t.identity.tokenForLogin('cli-approver')).token;
    const roles = async () =>
      (await t.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } }))
        .json()
        .roles.map((r: { role: string }) => r.role);
    assert.deepEqual(await roles(), ['approver', 'supervisor']);
    const a = ctxFor(t, 'test');
    const byScope = { login: 'cli-approver', role: 'approver', region: '4101', reason: '岗位调整' };
    assert.equal(
      await grantRevokeCommand.run({ positional: [], flags: byScope }, a.ctx),
      0,
      a.err.join('\n'),
    );
    assert.equal(JSON.parse(a.out[0]!).revoked.length, 1);
    assert.deepEqual(await roles(), ['supervisor']);
    // the same again: nothing left to revoke
    const none = ctxFor(t, 'test');
    assert.equal(await grantRevokeCommand.run({ positional: [], flags: byScope }, none.ctx), 1);
    assert.match(none.err[0]!, /IDENTITY\.GRANT_NOT_FOUND/);
    // the whole-platform grant by its id (as the API and the page show it)
    const id = (await t.identity.accountIdByLogin('cli-approver'))!;
    const grant = (await t.identity.service.adminAccountView('operator', id)).grants[0]!.id;
    const b = ctxFor(t, 'test');
    const byId = { login: 'cli-approver', grant, reason: '收回全平台监察' };
    assert.equal(await grantRevokeCommand.run({ positional: [], flags: byId }, b.ctx), 0, b.err.join('\n'));
    assert.deepEqual(await roles(), []);
  });

  test('account and grant commands › bad input is refused clearly, before anything is opened', async () => {
    const cases: Array<[typeof accountDisableCommand, Record<string, string | boolean>, number, RegExp]> = [
      [accountDisableCommand, { login: 'ops' }, 2, /--reason/],
      [accountDisableCommand, { login: 'ops', reason: true }, 2, /--reason/],
      [accountDisableCommand, { login: 'ops', reason: '   ' }, 2, /--reason/],
      [accountDisableCommand, { reason: '原因' }, 2, /--login/],
      [accountEnableCommand, { login: 'ops' }, 2, /--reason/],
      [grantRevokeCommand, { login: 'ops', reason: '原因' }, 2, /--grant ID, or by --role/],
      [grantRevokeCommand, { login: 'ops', reason: '原因', role: 'approver' }, 2, /--region/],
      [grantRevokeCommand, { login: 'ops', reason: '原因', grant: 'x', role: 'approver' }, 2, /either/],
      [grantRevokeCommand, { login: 'ops', reason: '原因', role: 'king', region: '41' }, 2, /unknown role/],
    ];
    for (const [cmd, flags, code, message] of cases) {
      // no app: a usage error must stop before boot
      const { ctx, out, err } = ctxFor(undefined, 'test');
      assert.equal(await cmd.run({ positional: [], flags }, ctx), code, JSON.stringify(flags));
      assert.match(err[0]!, message, JSON.stringify(flags));
      assert.equal(out.length, 0);
    }
    const unknown = ctxFor(t, 'test');
    assert.equal(
      await accountDisableCommand.run(
        { positional: [], flags: { login: 'nobody', reason: '原因' } },
        unknown.ctx,
      ),
      1,
    );
    assert.match(unknown.err[0]!, /IDENTITY\.NOT_FOUND/);
    const long = ctxFor(t, 'test');
    assert.equal(
      await accountDisableCommand.run(
        { positional: [], flags: { login: 'ops', reason: 'x'.repeat(501) } },
        long.ctx,
      ),
      2,
    );
    assert.match(long.err[0]!, /IDENTITY\.REASON_REQUIRED/);
  });

  test('account and grant commands › refused in production without the operator key, as `token` is', async () => {
    const key = 'k'.repeat(32);
    for (const [cmd, flags] of [
      [accountDisableCommand, { login: 'ops', reason: '原因' }],
      [accountEnableCommand, { login: 'ops', reason: '原因' }],
      [grantRevokeCommand, { login: 'ops', reason: '原因', role: 'platformAdmin', region: '' }],
    ] as const) {
      for (const given of [{}, { 'operator-key': 'wrong' }] as Array<Record<string, string>>) {
        const no = ctxFor(undefined, 'production', key);
        assert.equal(await cmd.run({ positional: [], flags: { ...flags, ...given } }, no.ctx), 77);
        assert.match(no.err[0]!, /operator-key/);
      }
    }
    // with the key it acts (on a login that does not exist here: refused by the store, not the key)
    const yes = ctxFor(t, 'production', key);
    assert.equal(
      await accountEnableCommand.run(
        { positional: [], flags: { login: 'nobody', reason: '原因', 'operator-key': key } },
        yes.ctx,
      ),
      1,
    );
    assert.match(yes.err[0]!, /IDENTITY\.NOT_FOUND/);
  });
});
