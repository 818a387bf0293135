import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TongbanApp } from '../../app.js';
import { sql } from '../../platform/db/index.js';
import { buildTestApp } from '../../../test/helpers/app.js';
import { WebSession } from '../../../test/helpers/session.js';
import { DEMO_PEOPLE } from '../identity/identity.demo.js';
import { DEMO_RESOURCES } from './exchange.seed.js';

/** Providers edit their own catalogue entries (issue 12 item 1), and only their own. */

async function consumerToken(t: TongbanApp, kind: string): Promise<string> {
  const dept = (
    await sql<{
      id: string;
    }>`select id from regions_departments where kind = ${kind} and region_code = '410100'`.execute(t.store.db)
  ).rows[0]!.id;
  const c = await t.exchange.addConsumer({ departmentId: dept, name: `测试-${kind}` });
  const r = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/token',
    payload: { grant_type: 'client_credentials', client_id: c.client_id, client_secret: c.client_secret },
  });
  return r.json().access_token as string;
}

const versionsOf = async (t: TongbanApp, code: string) =>
  (
    await sql<{ n: number }>`select count(*) as n from exchange_resource_versions v
      join exchange_resources r on r.id = v.resource_id where r.code = ${code}`.execute(t.store.db)
  ).rows[0]!.n;

describe('exchange › providers edit their own resources', () => {
  let t: TongbanApp;
  let discloser: string; // 部门管理员 of 郑州市市场监督管理局, the provider of 法人库
  let admin: string;
  before(async () => {
    t = await buildTestApp({ demo: 'on' });
    discloser = (await t.identity.tokenForLogin('discloser', 3600_000)).token;
    admin = (await t.identity.tokenForLogin('admin', 3600_000)).token;
  });
  after(async () => t.close());

  const patch = (token: string, code: string, body: unknown) =>
    t.app.inject({
      method: 'PATCH',
      url: `/api/v1/exchange/resources/${code}`,
      headers: { authorization: `Bearer ${token}` },
      payload: body as Record<string, unknown>,
    });

  test('attack: another department’s provider cannot edit a resource (API and page), nothing is written', async () => {
    const before = await versionsOf(t, DEMO_RESOURCES.population);
    const r = await patch(discloser, DEMO_RESOURCES.population, {
      shareType: 'unconditional',
      summary: '市场监管局试图修改公安局的人口库资源',
    });
    assert.equal(r.statusCode, 403, r.body);
    assert.equal(r.json().error.code, 'EXCHANGE.NOT_PROVIDER');
    // nor take a resource over by naming a provider: not a field an edit has (refused as invalid)
    const takeover = await patch(discloser, DEMO_RESOURCES.legalPersons, { providerDepartmentId: 'x' });
    assert.equal(takeover.statusCode, 400);
    assert.equal(await versionsOf(t, DEMO_RESOURCES.population), before);
    const s = new WebSession(t);
    await s.login('discloser');
    const form = await s.get(`/exchange/resources/${DEMO_RESOURCES.population}/edit`);
    assert.equal(form.statusCode, 403);
    const page = await s.get(`/exchange/resources/${DEMO_RESOURCES.population}`);
    assert.ok(!page.body.includes('/edit"'), 'no edit link for another department');
    const post = await s.post(
      `/exchange/resources/${DEMO_RESOURCES.population}/edit`,
      { name: '篡改', summary: 'x', shareType: 'unconditional', methods: 'api', updateCycle: 'daily' },
      { from: `/exchange/resources/${DEMO_RESOURCES.legalPersons}/edit` },
    );
    assert.equal(post.statusCode, 403);
    assert.equal(await versionsOf(t, DEMO_RESOURCES.population), before);
    // a citizen holds no exchange.manage at all
    const citizen = (await t.identity.tokenForLogin('citizen', 3600_000)).token;
    assert.equal(
      (await patch(citizen, DEMO_RESOURCES.legalPersons, { summary: '市民修改' })).statusCode,
      403,
    );
  });

  test('the provider’s edit is the next version, its history names what changed; bad input writes nothing', async () => {
    const code = DEMO_RESOURCES.legalPersons;
    const v0 = (
      await t.app.inject({
        url: `/api/v1/exchange/resources/${code}/versions`,
        headers: { authorization: `Bearer ${discloser}` },
      })
    ).json();
    assert.equal(v0.versions.length, 1);
    const r = await patch(discloser, code, { summary: '法人单位登记基本信息（市场监管部门每日更新）' });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json().version, 2);
    assert.equal(r.json().summary, '法人单位登记基本信息（市场监管部门每日更新）');
    const v1 = (
      await t.app.inject({
        url: `/api/v1/exchange/resources/${code}/versions`,
        headers: { authorization: `Bearer ${discloser}` },
      })
    ).json();
    assert.deepEqual(
      v1.versions.map((v: { version: number; changed: string[] }) => [v.version, v.changed]),
      [
        [2, ['summary']],
        [1, []],
      ],
    );
    // 不予共享 without a legal basis, an unknown field, a bad cycle: coded 400s, no version
    for (const bad of [
      { shareType: 'none', legalBasis: '' },
      { colour: 'red' },
      { updateCycle: 'hourly' },
      { items: [] },
    ]) {
      const x = await patch(discloser, code, bad);
      assert.equal(x.statusCode, 400, JSON.stringify(bad));
      // the route's schema (COMMON.VALIDATION) or the service's rules (EXCHANGE.INVALID)
      assert.ok(['EXCHANGE.INVALID', 'COMMON.VALIDATION'].includes(x.json().error.code), x.body);
    }
    assert.equal(await versionsOf(t, code), 2);
    assert.equal((await patch(discloser, 'NO-SUCH-CODE', { summary: 'x' })).statusCode, 404);
  });

  test('the edit page publishes a new version, shown in the history; errors come back on the form', async () => {
    const code = DEMO_RESOURCES.legalPersons;
    const s = new WebSession(t);
    await s.login('discloser');
    const page = await s.get(`/exchange/resources/${code}`);
    assert.ok(page.body.includes(`/exchange/resources/${code}/edit`));
    const form = await s.get(`/exchange/resources/${code}/edit`);
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /name="summary"/);
    const bad = await s.post(`/exchange/resources/${code}/edit`, {
      name: '法人单位基本信息',
      summary: '',
      shareType: 'unconditional',
      shareCondition: '',
      legalBasis: '',
      methods: 'api',
      updateCycle: 'daily',
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /error-summary/);
    const ok = await s.post(`/exchange/resources/${code}/edit`, {
      name: '法人单位基本信息',
      summary: '法人库：统一社会信用代码、名称、类型、法定代表人、注册资本、住所与登记状态',
      shareType: 'unconditional',
      shareCondition: '',
      legalBasis: '',
      methods: 'api,bulk',
      updateCycle: 'weekly',
    });
    assert.equal(ok.statusCode, 303, ok.body);
    const shown = await s.get(String(ok.headers.location));
    assert.match(shown.body, /已发布第 \d+ 版/);
    assert.match(shown.body, /每周/);
    const api = (
      await t.app.inject({
        url: `/api/v1/exchange/resources/${code}/versions`,
        headers: { authorization: `Bearer ${discloser}` },
      })
    ).json();
    assert.ok(api.versions[0].changed.includes('updateCycle'), JSON.stringify(api.versions[0]));
  });

  test('an edit takes effect on the next lookup on this node (the resource is not served stale)', async () => {
    const mzj = await consumerToken(t, 'mzj'); // granted the population register at seed
    const ask = () =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/exchange/lookup',
        headers: { authorization: `Bearer ${mzj}` },
        payload: {
          resource: DEMO_RESOURCES.population,
          key: DEMO_PEOPLE.citizen.idNumber,
          purpose: '最低生活保障核对',
        },
      });
    assert.equal((await ask()).statusCode, 200);
    const r = await patch(admin, DEMO_RESOURCES.population, {
      shareType: 'none',
      legalBasis: '《中华人民共和国居民身份证法》第六条（测试：暂停共享）',
    });
    assert.equal(r.statusCode, 200, r.body);
    const refused = await ask();
    assert.equal(refused.statusCode, 409);
    assert.equal(refused.json().error.code, 'EXCHANGE.NOT_SHARED');
    await patch(admin, DEMO_RESOURCES.population, { shareType: 'unconditional' });
    assert.equal((await ask()).statusCode, 200);
  });

  test('校核纠错: the provider answers an objection on its clock; another department cannot; a correction is versioned and the citizen sees the result', async () => {
    const mzj = await consumerToken(t, 'mzj');
    const read = await t.app.inject({
      method: 'POST',
      url: '/api/v1/exchange/lookup',
      headers: { authorization: `Bearer ${mzj}` },
      payload: {
        resource: DEMO_RESOURCES.population,
        key: DEMO_PEOPLE.citizen.idNumber,
        purpose: '最低生活保障核对',
        caseNumber: 'MZ-2026-0042',
      },
    });
    assert.equal(read.statusCode, 200, read.body);
    assert.equal(read.json().record.householdType, '家庭户');
    const citizen = (await t.identity.tokenForLogin('citizen', 3600_000)).token;
    const raised = await t.app.inject({
      method: 'POST',
      url: `/api/v1/me/data-access/${read.json().accessId}/objections`,
      headers: { authorization: `Bearer ${citizen}` },
      payload: { text: '我已迁入单位集体户，户别登记有误，请核查更正' },
    });
    assert.equal(raised.statusCode, 201, raised.body);
    const objectionId = raised.json().id as string;
    const gaj = (
      await sql<{
        id: string;
      }>`select provider_department_id as id from exchange_resources where code = ${DEMO_RESOURCES.population}`.execute(
        t.store.db,
      )
    ).rows[0]!.id;
    const list = await t.app.inject({
      url: `/api/v1/exchange/objections?department=${gaj}`,
      headers: { authorization: `Bearer ${admin}` },
    });
    assert.equal(list.statusCode, 200, list.body);
    const open = list.json().objections.find((o: { id: string }) => o.id === objectionId);
    assert.equal(open.status, 'open');
    assert.equal(open.clock.colour, 'green');
    assert.ok(open.clock.remainingWorkingDays >= 9);
    const answer = (token: string, body: unknown) =>
      t.app.inject({
        method: 'POST',
        url: `/api/v1/exchange/objections/${objectionId}/answer`,
        headers: { authorization: `Bearer ${token}` },
        payload: body as Record<string, unknown>,
      });
    // attack: 市场监管局's provider answers (and corrects) 公安局's register
    const attack = await answer(discloser, {
      result: 'corrected',
      answer: '经核查已更正户别',
      corrections: [{ field: 'householdType', value: '集体户' }],
    });
    assert.equal(attack.statusCode, 403, attack.body);
    assert.equal(attack.json().error.code, 'EXCHANGE.NOT_PROVIDER');
    assert.equal(
      (
        await t.app.inject({
          url: `/api/v1/exchange/objections?department=${gaj}`,
          headers: { authorization: `Bearer ${discloser}` },
        })
      ).statusCode,
      403,
    );
    // bad answers: a rejection without its reason, a field that is not the resource's, a key field
    for (const bad of [
      { result: 'rejected', answer: '' },
      { result: 'corrected', answer: '已核查更正', corrections: [{ field: 'maritalStatus', value: '已婚' }] },
      { result: 'corrected', answer: '已核查更正', corrections: [{ field: 'idNumber', value: '1' }] },
    ]) {
      const x = await answer(admin, bad);
      assert.equal(x.statusCode, 400, JSON.stringify(bad));
      assert.ok(['EXCHANGE.INVALID', 'COMMON.VALIDATION'].includes(x.json().error.code), x.body);
    }
    const ok = await answer(admin, {
      result: 'corrected',
      answer: '经核查，户别已于2026年迁入单位集体户，已更正人口库记录',
      corrections: [{ field: 'householdType', value: '集体户' }],
    });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().result, 'corrected');
    assert.deepEqual(ok.json().corrected, ['householdType']);
    assert.equal(
      (await answer(admin, { result: 'rejected', answer: '重复答复' })).json().error.code,
      'EXCHANGE.OBJECTION_ANSWERED',
    );
    // the register is corrected, the old value kept sealed in the correction's version
    const again = await t.app.inject({
      method: 'POST',
      url: '/api/v1/exchange/lookup',
      headers: { authorization: `Bearer ${mzj}` },
      payload: { resource: DEMO_RESOURCES.population, key: DEMO_PEOPLE.citizen.idNumber, purpose: '复核' },
    });
    assert.equal(again.json().record.householdType, '集体户');
    const versions = await sql<{ old_sealed: string; new_sealed: string; field: string }>`
      select old_sealed, new_sealed, field from exchange_corrections where objection_id = ${objectionId}`.execute(
      t.store.db,
    );
    assert.equal(versions.rows.length, 1);
    assert.ok(!versions.rows[0]!.old_sealed.includes('家庭户'));
    // the consumers who read the old record are named in the correction's event
    const ev = await sql<{
      payload: string;
    }>`select payload from events where type = 'exchange.corrected' and aggregate_id = ${objectionId}`.execute(
      t.store.db,
    );
    const mzjId = (
      await sql<{
        id: string;
      }>`select id from regions_departments where kind = 'mzj' and region_code = '410100'`.execute(t.store.db)
    ).rows[0]!.id;
    assert.ok(JSON.parse(ev.rows[0]!.payload).notify.includes(mzjId));
    // the citizen sees the result beside the read
    const mine = await t.app.inject({
      url: '/api/v1/me/data-access',
      headers: { authorization: `Bearer ${citizen}` },
    });
    const rec = mine.json().records.find((x: { id: string }) => x.id === read.json().accessId);
    assert.equal(rec.objection.status, 'answered');
    assert.equal(rec.objection.result, 'corrected');
    assert.match(rec.objection.answer, /集体户/);
    const s = new WebSession(t);
    await s.login('citizen');
    const page = await s.get('/account/data-access');
    assert.match(page.body, /经核查已更正/);
  });

  test('the provider answers on its dashboard page (rejecting with a reason)', async () => {
    const mzj = await consumerToken(t, 'mzj');
    const read = await t.app.inject({
      method: 'POST',
      url: '/api/v1/exchange/lookup',
      headers: { authorization: `Bearer ${mzj}` },
      payload: { resource: DEMO_RESOURCES.population, key: DEMO_PEOPLE.citizen.idNumber, purpose: '核对' },
    });
    const citizen = (await t.identity.tokenForLogin('citizen', 3600_000)).token;
    const raised = await t.app.inject({
      method: 'POST',
      url: `/api/v1/me/data-access/${read.json().accessId}/objections`,
      headers: { authorization: `Bearer ${citizen}` },
      payload: { text: '我没有办理低保，为何读取我的信息' },
    });
    const id = raised.json().id as string;
    const gaj = (
      await sql<{
        id: string;
      }>`select provider_department_id as id from exchange_resources where code = ${DEMO_RESOURCES.population}`.execute(
        t.store.db,
      )
    ).rows[0]!.id;
    const s = new WebSession(t);
    await s.login('admin');
    const dash = await s.get(`/exchange/provider?department=${gaj}`);
    assert.equal(dash.statusCode, 200);
    assert.ok(dash.body.includes(`/exchange/provider/objections/${id}/answer`));
    const r = await s.post(
      `/exchange/provider/objections/${id}/answer`,
      {
        department: gaj,
        result: 'rejected',
        answer: '该读取为您家庭成员申请低保时的经济状况核对，依法进行',
        field: '',
        value: '',
      },
      { from: `/exchange/provider?department=${gaj}` },
    );
    assert.equal(r.statusCode, 303, r.body);
    const after = await s.get(String(r.headers.location));
    assert.match(after.body, /答复已提交/);
    const row = await sql<{
      status: string;
      result: string;
    }>`select status, result from exchange_objections where id = ${id}`.execute(t.store.db);
    assert.deepEqual({ ...row.rows[0] }, { status: 'answered', result: 'rejected' });
  });

  test('校核纠错 reported by the consumer that made the read; another consumer cannot report on it; the provider corrects a 法人库 record', async () => {
    const scjgjDept = (
      await sql<{
        id: string;
      }>`select id from regions_departments where kind = 'scjgj' and region_code = '410100'`.execute(
        t.store.db,
      )
    ).rows[0]!.id;
    const mine = await consumerToken(t, 'scjgj'); // holds the 法人库 grant at seed
    const other = await consumerToken(t, 'mzj');
    const company = (
      await sql<{ c: string; a: string }>`select credit_code as c, address as a from exchange_legal_persons
      where demo = 1 order by credit_code limit 1`.execute(t.store.db)
    ).rows[0]!;
    const read = await t.app.inject({
      method: 'POST',
      url: '/api/v1/exchange/lookup',
      headers: { authorization: `Bearer ${mine}` },
      payload: { resource: DEMO_RESOURCES.legalPersons, key: company.c, purpose: '许可审查核验住所' },
    });
    assert.equal(read.statusCode, 200, read.body);
    const accessId = read.json().accessId as string;
    const report = (token: string, body: Record<string, unknown>) =>
      t.app.inject({
        method: 'POST',
        url: `/api/v1/exchange/access/${accessId}/error-reports`,
        headers: { authorization: `Bearer ${token}` },
        payload: body,
      });
    // attack: another department reports on a read it did not make; a wrong key; a citizen
    const attack = await report(other, { key: company.c, text: '住所信息与现场核查不符' });
    assert.equal(attack.statusCode, 404, attack.body);
    assert.equal(attack.json().error.code, 'EXCHANGE.ACCESS_NOT_FOUND');
    const wrongKey = await report(mine, { key: '91410105MA9XXXXX0X', text: '住所信息与现场核查不符' });
    assert.equal(wrongKey.statusCode, 404);
    const citizen = (await t.identity.tokenForLogin('citizen', 3600_000)).token;
    assert.equal((await report(citizen, { key: company.c, text: '住所信息与现场核查不符' })).statusCode, 403);
    const ok = await report(mine, { key: company.c, text: '住所信息与现场核查不符，实际住所为经三路99号' });
    assert.equal(ok.statusCode, 201, ok.body);
    assert.equal((await report(mine, { key: company.c, text: '再次报告同一读取' })).statusCode, 409);
    const list = await t.app.inject({
      url: `/api/v1/exchange/objections?department=${scjgjDept}`,
      headers: { authorization: `Bearer ${discloser}` },
    });
    const o = list.json().objections.find((x: { id: string }) => x.id === ok.json().id);
    assert.equal(o.raisedBy, 'consumer');
    assert.equal(o.clock.colour, 'green');
    const answered = await t.app.inject({
      method: 'POST',
      url: `/api/v1/exchange/objections/${o.id}/answer`,
      headers: { authorization: `Bearer ${discloser}` },
      payload: {
        result: 'corrected',
        answer: '经核查登记档案，住所已更正',
        corrections: [{ field: 'address', value: '河南省郑州市金水区经三路99号' }],
      },
    });
    assert.equal(answered.statusCode, 200, answered.body);
    const now = await sql<{
      a: string;
    }>`select address as a from exchange_legal_persons where credit_code = ${company.c}`.execute(t.store.db);
    assert.equal(now.rows[0]!.a, '河南省郑州市金水区经三路99号');
    const ev = await sql<{
      payload: string;
    }>`select payload from events where type = 'exchange.corrected' and aggregate_id = ${o.id}`.execute(
      t.store.db,
    );
    assert.ok(JSON.parse(ev.rows[0]!.payload).notify.includes(scjgjDept));
    // the consumer that read the old value finds the correction among its notices; another does not
    const notices = await t.app.inject({
      url: '/api/v1/exchange/corrections',
      headers: { authorization: `Bearer ${mine}` },
    });
    assert.equal(notices.statusCode, 200, notices.body);
    const n = notices.json().corrections.find((c: { accessIds: string[] }) => c.accessIds.includes(accessId));
    assert.equal(n?.field, 'address');
    assert.ok(!notices.body.includes('经三路99号'), 'no values in a notice');
    const theirs = await t.app.inject({
      url: '/api/v1/exchange/corrections',
      headers: { authorization: `Bearer ${other}` },
    });
    assert.ok(!theirs.body.includes(accessId));
    assert.equal(
      (
        await t.app.inject({
          url: '/api/v1/exchange/corrections',
          headers: { authorization: `Bearer ${discloser}` },
        })
      ).statusCode,
      403,
    );
  });
});
