import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp } from '../../../test/helpers/app.js';
import { cliContext, runCli } from '../../../test/helpers/cli.js';
import { committedEvents } from '../../../test/helpers/store.js';
import { type TongbanApp, buildApp } from '../../app.js';
import { testConfig } from '../../config/index.js';
import { ManualClock } from '../../kernel/index.js';
import { sql } from '../../platform/db/index.js';
import { DEMO_PEOPLE } from '../../modules/identity/identity.demo.js';
import { CLIENT_TOKEN_RECHECK_MS } from '../../modules/identity/identity.principal.js';
import { DEMO_RESOURCES } from '../../modules/exchange/exchange.seed.js';
import {
  exchangeConsumerAddCommand,
  exchangeConsumerListCommand,
  exchangeConsumerRevokeCommand,
  exchangeConsumerRotateCommand,
} from './exchange.js';

/**
 * Issue 12: a leaked consumer system is cut off by a command, not by editing the store. The
 * attack: a consumer's secret and token are in someone else's hands; after `revoke` neither the
 * token (on this node at once, on another within CLIENT_TOKEN_RECHECK_MS) nor the secret works.
 */
describe('tongban exchange consumer list / revoke / rotate', () => {
  let t: TongbanApp;
  let mzj: string;
  before(async () => {
    t = await buildTestApp({ demo: 'on' });
    const r = await sql<{ id: string }>`select id from regions_departments
      where kind = 'mzj' and region_code = '410100'`.execute(t.store.db);
    mzj = r.rows[0]!.id;
  });
  after(async () => t.close());

  test('in production, revoke and rotate need the operator key: shell access alone cannot mint a secret', async () => {
    const key = 'k'.repeat(32);
    for (const [command, flags] of [
      [exchangeConsumerRotateCommand, { client: 'tbc_x' }],
      [exchangeConsumerRevokeCommand, { client: 'tbc_x', reason: 'leaked' }],
    ] as const) {
      for (const given of [{}, { 'operator-key': 'wrong' }] as Array<Record<string, string>>) {
        // refused before the store is opened (boot throws if it is called)
        const { ctx, out, err } = cliContext(undefined, { env: 'production', operatorKey: key });
        assert.equal(await command.run({ positional: [], flags: { ...flags, ...given } }, ctx), 77);
        assert.equal(out.length, 0);
        assert.match(err[0]!, /operator-key/);
      }
    }
  });

  async function addConsumer(name: string) {
    const r = await runCli(t, exchangeConsumerAddCommand, { department: mzj, name });
    assert.equal(r.code, 0, r.err.join('\n'));
    return JSON.parse(r.out[0]!) as { client_id: string; client_secret: string };
  }
  const tokenFor = (app: TongbanApp, c: { client_id: string; client_secret: string }) =>
    app.app.inject({
      method: 'POST',
      url: '/api/v1/auth/token',
      payload: { grant_type: 'client_credentials', client_id: c.client_id, client_secret: c.client_secret },
    });
  const lookup = (app: TongbanApp, token: string) =>
    app.app.inject({
      method: 'POST',
      url: '/api/v1/exchange/lookup',
      headers: { authorization: `Bearer ${token}` },
      payload: { resource: DEMO_RESOURCES.population, key: DEMO_PEOPLE.citizen.idNumber, purpose: '核对' },
    });

  test('revoke: the leaked token is refused here at once and on another node within the bound; the secret takes no new token', async () => {
    const leaked = await addConsumer('泄露的系统');
    const tok = await tokenFor(t, leaked);
    assert.equal(tok.statusCode, 200, tok.body);
    const token = tok.json().access_token as string;
    const second = (await tokenFor(t, leaked)).json().access_token as string;

    const clock2 = new ManualClock(new Date());
    const node2 = await buildApp({
      config: testConfig(),
      store: t.store,
      migrate: false,
      demo: 'off',
      startConsumers: false,
      warmUp: false,
      clock: clock2,
    });
    try {
      // both nodes answer the consumer, and now keep its token's caller
      assert.equal((await lookup(t, token)).statusCode, 200);
      assert.equal((await lookup(node2, token)).statusCode, 200);

      const r = await runCli(t, exchangeConsumerRevokeCommand, {
        client: leaked.client_id,
        reason: '密钥泄露',
      });
      assert.equal(r.code, 0, r.err.join('\n'));
      const out = JSON.parse(r.out[0]!);
      assert.equal(out.client_id, leaked.client_id);
      assert.equal(out.tokensRevoked, 2);

      // this node: at once, both tokens
      assert.equal((await lookup(t, token)).statusCode, 401);
      assert.equal((await lookup(t, second)).statusCode, 401);
      // the other node: once its copy is CLIENT_TOKEN_RECHECK_MS old
      clock2.advance(CLIENT_TOKEN_RECHECK_MS);
      assert.equal((await lookup(node2, token)).statusCode, 401);
      // the secret takes no new token
      const again = await tokenFor(t, leaked);
      assert.equal(again.statusCode, 401, again.body);
      assert.equal(again.json().error.code, 'IDENTITY.CLIENT_INVALID');
      // every token it held is revoked in the store, in the one transaction
      const live = await sql<{ n: number | string }>`select count(*) as n from identity_tokens
        where client_id = ${leaked.client_id} and revoked_at is null`.execute(t.store.db);
      assert.equal(Number(live.rows[0]!.n), 0);
      // the audit trail: one event, the reason's hash only
      const ev = (await committedEvents(t.store)).filter(
        (e) => e.type === 'identity.clientRevoked' && e.aggregateId === leaked.client_id,
      );
      assert.equal(ev.length, 1);
      assert.doesNotMatch(JSON.stringify(ev[0]), /密钥泄露/);
      // a second revoke is refused with its code
      const twice = await runCli(t, exchangeConsumerRevokeCommand, {
        client: leaked.client_id,
        reason: '再次',
      });
      assert.equal(twice.code, 1);
      assert.match(twice.err.join('\n'), /IDENTITY\.CLIENT_REVOKED/);
    } finally {
      await node2.close();
    }
  });

  test('revoke refuses an unknown id and a missing reason with codes, and changes nothing', async () => {
    const r = await runCli(t, exchangeConsumerRevokeCommand, { client: 'tbc_nosuch', reason: '测试' });
    assert.equal(r.code, 1);
    assert.match(r.err.join('\n'), /EXCHANGE\.CONSUMER_UNKNOWN/);
    const c = await addConsumer('未给理由');
    const noReason = await runCli(t, exchangeConsumerRevokeCommand, { client: c.client_id });
    assert.equal(noReason.code, 2);
    assert.equal((await tokenFor(t, c)).statusCode, 200);
  });

  test('list: id, name, department, created and revoked — never a secret', async () => {
    const a = await addConsumer('列表甲');
    const b = await addConsumer('列表乙');
    assert.equal(
      (await runCli(t, exchangeConsumerRevokeCommand, { client: b.client_id, reason: '停用' })).code,
      0,
    );
    const r = await runCli(t, exchangeConsumerListCommand, {});
    assert.equal(r.code, 0, r.err.join('\n'));
    const rows = r.out.map((l) => JSON.parse(l));
    const ra = rows.find((x) => x.client_id === a.client_id);
    const rb = rows.find((x) => x.client_id === b.client_id);
    assert.deepEqual(Object.keys(ra).sort(), ['client_id', 'created_at', 'department', 'name', 'revoked_at']);
    assert.equal(ra.name, '列表甲');
    assert.equal(ra.department, mzj);
    assert.equal(ra.revoked_at, null);
    assert.ok(rb.revoked_at);
    assert.ok(!r.out.join('\n').includes(a.client_secret));
  });

  test('rotate: a new secret works, the old one and its tokens are refused', async () => {
    const c = await addConsumer('换密钥');
    const old = (await tokenFor(t, c)).json().access_token as string;
    assert.equal((await lookup(t, old)).statusCode, 200);
    const r = await runCli(t, exchangeConsumerRotateCommand, { client: c.client_id });
    assert.equal(r.code, 0, r.err.join('\n'));
    const next = JSON.parse(r.out[0]!) as { client_id: string; client_secret: string };
    assert.equal(next.client_id, c.client_id);
    assert.notEqual(next.client_secret, c.client_secret);
    assert.equal((await tokenFor(t, c)).statusCode, 401);
    assert.equal((await lookup(t, old)).statusCode, 401);
    const fresh = await tokenFor(t, next);
    assert.equal(fresh.statusCode, 200);
    assert.equal((await lookup(t, fresh.json().access_token)).statusCode, 200);
    const unknown = await runCli(t, exchangeConsumerRotateCommand, { client: 'tbc_nosuch' });
    assert.equal(unknown.code, 1);
    assert.match(unknown.err.join('\n'), /EXCHANGE\.CONSUMER_UNKNOWN/);
  });
});
