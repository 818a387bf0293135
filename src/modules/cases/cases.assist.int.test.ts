import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp } from '../../../test/helpers/app.js';
import { validForm } from '../../../test/helpers/forms.js';
import { committedEvents, testDialect } from '../../../test/helpers/store.js';
import type { TongbanApp } from '../../app.js';
import { ManualClock } from '../../kernel/index.js';
import { sql } from '../../platform/db/index.js';
import { DEMO_PASSWORD } from '../identity/identity.demo.js';
import { ledgerOf } from '../ledger/index.js';

// 帮办代办 (issue 14 item 5): a 网格员 of 金水区 applies for the demo citizen (of 410105) under the
// citizen's 委托; attackers without one are refused and nothing is written
const ITEM = '11410100297017523N01003401100000'; // 食品小经营店登记
const OTHER_ITEM = '11410105414644738F05001200400000'; // 失业保险金申领 (金水区)

describe(`cases › 帮办代办 under a recorded 委托 (${testDialect()})`, () => {
  let t: TongbanApp;
  const clock = new ManualClock('2025-09-15T02:00:00Z');
  const bearer = async (login: string) => ({
    authorization: `Bearer ${(await t.identity.tokenForLogin(login)).token}`,
  });
  const submit = async (login: string, body: Record<string, unknown>) =>
    t.app.inject({ method: 'POST', url: '/api/v1/cases', headers: await bearer(login), payload: body });
  const body = async (onBehalfOf: string, item = ITEM) => ({
    implementationCode: item,
    regionCode: '410105001',
    form: await validForm(t, item),
    onBehalfOf,
  });
  const delegate = async (principalLogin: string, agentLogin: string, scopes: string[]) => {
    const p = await t.identity.principalForAccount((await t.identity.accountIdByLogin(principalLogin))!);
    return t.identity.service.createDelegation(p!, {
      agentLogin,
      scopes,
      validTo: '2025-12-31T16:00:00Z',
    });
  };
  const caseCount = async () =>
    Number((await sql<{ n: number }>`select count(*) as n from cases`.execute(t.store.db)).rows[0]!.n);
  let citizenId = '';

  before(async () => {
    t = await buildTestApp({ demo: 'on', clock });
    for (const [login, region] of [
      ['grid-jinshui', '410105'],
      ['grid-zhongyuan', '410102'],
    ] as const)
      await t.identity.service.createStaff({
        login,
        name: '网格员',
        password: DEMO_PASSWORD,
        regionCode: region,
        departmentId: null,
        hallId: null,
        grants: [{ role: 'gridWorker', regionPrefix: region, departmentId: null }],
      });
    citizenId = (await t.identity.accountIdByLogin('citizen'))!;
  });
  after(async () => t.close());

  test('attack: without a 委托 neither a grid worker nor another citizen can apply for someone', async () => {
    const before = await caseCount();
    for (const who of ['grid-jinshui', 'enterprise', 'clerk']) {
      const r = await submit(who, await body(citizenId));
      assert.ok([403].includes(r.statusCode), `${who}: ${r.body}`);
    }
    const g = await submit('grid-jinshui', await body(citizenId));
    assert.equal(g.json().error.code, 'CASES.NOT_DELEGATED');
    // by the citizen ID number, or a made-up account: the same answer (nothing told apart)
    const made = await submit('grid-jinshui', await body('00000000-0000-7000-8000-000000000000'));
    assert.equal(made.json().error.code, 'CASES.NOT_DELEGATED');
    // a grid worker has no applying of their own
    const own = await submit('grid-jinshui', { ...(await body(citizenId)), onBehalfOf: undefined });
    assert.equal(own.statusCode, 403);
    assert.equal(await caseCount(), before);
  });

  test('a grid worker outside the person’s grid cannot even be given a 委托', async () => {
    await assert.rejects(
      delegate('citizen', 'grid-zhongyuan', [ITEM]),
      (e: { code?: string }) => e.code === 'IDENTITY.DELEGATION_INVALID',
    );
  });

  test('with the citizen’s 委托 for the item, the grid worker applies; the case is the citizen’s and says who acted', async () => {
    const delegationId = await delegate('citizen', 'grid-jinshui', [ITEM]);
    // the 委托 covers one item: another is refused
    const other = await submit('grid-jinshui', await body(citizenId, OTHER_ITEM));
    assert.equal(other.statusCode, 403, other.body);
    assert.equal(other.json().error.code, 'CASES.NOT_DELEGATED');
    // the other grid worker holds no 委托 of this citizen
    assert.equal((await submit('grid-zhongyuan', await body(citizenId))).statusCode, 403);
    const r = await submit('grid-jinshui', await body(citizenId));
    assert.equal(r.statusCode, 201, r.body);
    const n = r.json().caseNumber as string;
    // the citizen sees it among their cases, submitted by their agent under that 委托
    const mine = await t.app.inject({ url: '/api/v1/cases', headers: await bearer('citizen') });
    assert.ok(mine.json().cases.some((c: { caseNumber: string }) => c.caseNumber === n));
    const v = await t.app.inject({ url: `/api/v1/cases/${n}`, headers: await bearer('citizen') });
    assert.equal(v.statusCode, 200, v.body);
    const first = v.json().actions[0];
    assert.equal(first.actor, 'agent');
    assert.deepEqual(first.details, { onBehalfOf: citizenId, delegationId, agent: 'gridWorker' });
    const page = await t.app.inject({
      url: `/cases/${n}`,
      headers: { ...(await bearer('citizen')), accept: 'text/html' },
    });
    assert.match(page.body, /受托代办人/);
    assert.match(page.body, new RegExp(delegationId));
    // the grid worker follows the case (no form, no materials), the other grid worker sees none
    const list = await t.app.inject({ url: '/api/v1/cases/assisted', headers: await bearer('grid-jinshui') });
    assert.equal(list.statusCode, 200, list.body);
    assert.deepEqual(
      list
        .json()
        .cases.map((c: { caseNumber: string; delegationId: string }) => [c.caseNumber, c.delegationId]),
      [[n, delegationId]],
    );
    assert.equal(list.json().cases[0].form, undefined);
    const listPage = await t.app.inject({
      url: '/cases/assisted',
      headers: { ...(await bearer('grid-jinshui')), accept: 'text/html' },
    });
    assert.equal(listPage.statusCode, 200);
    assert.match(listPage.body, new RegExp(n));
    assert.match(listPage.body, /<caption>/);
    const clerkPage = await t.app.inject({
      url: '/cases/assisted',
      headers: { ...(await bearer('clerk')), accept: 'text/html' },
    });
    assert.equal(clerkPage.statusCode, 403);
    const none = await t.app.inject({
      url: '/api/v1/cases/assisted',
      headers: await bearer('grid-zhongyuan'),
    });
    assert.deepEqual(none.json().cases, []);
    // the grid worker cannot open the case itself (only its status in the list)
    const peek = await t.app.inject({ url: `/api/v1/cases/${n}`, headers: await bearer('grid-jinshui') });
    assert.equal(peek.statusCode, 404);
    // who acted for whom under which 委托: on the event, and the 委托 and the case in the log
    const e = (await committedEvents(t.store)).find(
      (x) => x.type === 'cases.submitted' && x.aggregateId === n,
    );
    assert.equal(e?.actor, await t.identity.accountIdByLogin('grid-jinshui'));
    assert.equal(e?.payload.onBehalfOf, citizenId);
    assert.equal(e?.payload.delegationId, delegationId);
    await t.events.drain();
    const ledger = ledgerOf(t.modules);
    assert.deepEqual(
      (await ledger.leavesByObject('delegation', delegationId)).map((l) => l.type),
      ['identity.delegationGranted'],
    );
    assert.ok((await ledger.leavesByObject('case', n)).some((l) => l.type === 'cases.submitted'));
  });

  test('once the citizen revokes the 委托 the grid worker can no longer apply, nor follow the cases', async () => {
    const p = (await t.identity.principalForAccount(citizenId))!;
    const [d] = (await t.identity.service.delegationsOf(citizenId)).filter((x) => x.active);
    assert.ok(d);
    await t.identity.service.revokeDelegation(p, d.id);
    const before = await caseCount();
    const r = await submit('grid-jinshui', await body(citizenId));
    assert.equal(r.statusCode, 403);
    assert.equal(r.json().error.code, 'CASES.NOT_DELEGATED');
    assert.equal(await caseCount(), before);
    const list = await t.app.inject({ url: '/api/v1/cases/assisted', headers: await bearer('grid-jinshui') });
    assert.deepEqual(list.json().cases, []);
  });
});
