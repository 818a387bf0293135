import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp } from '../../../test/helpers/app.js';
import type { TongbanApp } from '../../app.js';
import { isDomainError } from '../../kernel/index.js';
import { testConfig } from '../../config/index.js';
import type { CliContext } from '../cli.types.js';
import { oidcClientAddCommand, oidcFederationAddCommand, tokenCommand } from './identity.js';

function ctxFor(t: TongbanApp | undefined, env: 'test' | 'production', operatorKey?: string) {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: CliContext = {
    config: testConfig({ env, operatorKey }),
    boot: async () => {
      if (!t) throw new Error('must not boot');
      return t;
    },
    progress: () => ({ tick() {}, done() {} }),
    out: (l) => out.push(l),
    err: (l) => err.push(l),
  };
  return { ctx, out, err };
}

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
});
