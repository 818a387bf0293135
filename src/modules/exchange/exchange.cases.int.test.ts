import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TongbanApp } from '../../app.js';
import { sql } from '../../platform/db/index.js';
import { buildTestApp } from '../../../test/helpers/app.js';
import { validForm } from '../../../test/helpers/forms.js';
import { DEMO_PEOPLE } from '../identity/index.js';
import { DEMO_RESOURCES } from './exchange.seed.js';

/**
 * Cases use the exchange (issue 12 item 7): 婚姻 facts stop being uploads. A 结婚证 material is read
 * from the population register's marriage facts at submission through the deciding department's
 * grant (trust A, its access id, shown to the clerk); when the read fails the case is submitted all
 * the same and a required material is named for the applicant to provide.
 */

async function departmentId(t: TongbanApp, kind: string, region = '410100'): Promise<string> {
  return (
    await sql<{
      id: string;
    }>`select id from regions_departments where kind = ${kind} and region_code = ${region}`.execute(
      t.store.db,
    )
  ).rows[0]!.id;
}

async function itemOf(t: TongbanApp, name: string, dept: string): Promise<string> {
  const r = await sql<{ code: string }>`select implementation_code as code from catalog_item_versions
    where name = ${name} and department_id = ${dept} and status = 'published'`.execute(t.store.db);
  const code = r.rows[0]?.code;
  assert.ok(code, `no published ${name} of ${dept}`);
  return code;
}

async function setMarriageGrant(t: TongbanApp, dept: string, status: 'active' | 'suspended') {
  const r = await sql`update exchange_grants set status = ${status}
    where department_id = ${dept}
      and resource_id = (select id from exchange_resources where code = ${DEMO_RESOURCES.marriage})`.execute(
    t.store.db,
  );
  assert.equal(Number(r.numAffectedRows), 1, 'the department holds one grant on the marriage facts');
}

describe('exchange › 婚姻 facts read at submission instead of a 结婚证', () => {
  let t: TongbanApp;
  let citizen = '';
  let admin = '';
  before(async () => {
    t = await buildTestApp({ demo: 'on' });
    citizen = (await t.identity.tokenForLogin('citizen', 3600_000)).token;
    admin = (await t.identity.tokenForLogin('admin', 3600_000)).token;
  });
  after(async () => t.close());

  const apply = async (code: string) => {
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: { authorization: `Bearer ${citizen}` },
      payload: {
        implementationCode: code,
        regionCode: '410100',
        form: await validForm(t, code),
        materials: [],
      },
    });
    assert.equal(r.statusCode, 201, r.body);
    return r.json().caseNumber as string;
  };
  const view = async (caseNumber: string, token = citizen) =>
    (
      await t.app.inject({
        url: `/api/v1/cases/${caseNumber}`,
        headers: { authorization: `Bearer ${token}` },
      })
    ).json();
  const page = async (url: string, token: string) =>
    (await t.app.inject({ url, headers: { authorization: `Bearer ${token}`, accept: 'text/html' } })).body;

  test('the 住房公积金管理中心’s loan: the required 结婚证 is read from the marriage facts (trust A, access id, the clerk sees the read)', async () => {
    const code = await itemOf(t, '住房公积金个人住房贷款', await departmentId(t, 'gjj'));
    const caseNumber = await apply(code);
    const v = await view(caseNumber);
    const m = v.materials.find((x: { name: string }) => x.name === '结婚证');
    assert.ok(m?.accessId, JSON.stringify(v.materials));
    assert.equal(m.trustLevel, 'A');
    const acc = await sql<{ resource_code: string; outcome: string; case_number: string; fields: string }>`
      select resource_code, outcome, case_number, fields from exchange_access where id = ${m.accessId}`.execute(
      t.store.db,
    );
    assert.equal(acc.rows[0]?.resource_code, DEMO_RESOURCES.marriage);
    assert.equal(acc.rows[0]?.outcome, 'ok');
    assert.equal(acc.rows[0]?.case_number, caseNumber);
    assert.ok(JSON.parse(acc.rows[0]!.fields).includes('maritalStatus'));
    const submit = v.actions.find((a: { action: string }) => a.action === 'submit');
    assert.ok(!submit.details.sharedUnread?.includes('结婚证'), JSON.stringify(submit.details));
    // the clerk's case page shows the read (resource, fields, outcome, proof link)
    const desk = await page(`/workbench/cases/${caseNumber}`, admin);
    assert.match(desk, /婚姻登记与生死状态信息/);
    assert.ok(
      desk.includes(`/log/object?type=exchangeAccess&amp;id=${m.accessId}`) || desk.includes(m.accessId),
    );
    // the applicant sees the read in 我的数据使用记录, for this case
    const mine = (
      await t.app.inject({ url: '/api/v1/me/data-access', headers: { authorization: `Bearer ${citizen}` } })
    ).json();
    assert.ok(
      mine.records.some(
        (r: { id: string; caseNumber: string }) => r.id === m.accessId && r.caseNumber === caseNumber,
      ),
    );
  });

  test('the read fails (grant suspended): the case is submitted, the 结婚证 is asked of the applicant, the refusal is recorded', async () => {
    const gjj = await departmentId(t, 'gjj');
    const code = await itemOf(t, '住房公积金个人住房贷款', gjj);
    await setMarriageGrant(t, gjj, 'suspended');
    try {
      const caseNumber = await apply(code);
      const v = await view(caseNumber);
      assert.ok(!v.materials.some((x: { name: string }) => x.name === '结婚证'), JSON.stringify(v.materials));
      const submit = v.actions.find((a: { action: string }) => a.action === 'submit');
      assert.ok(submit.details.sharedUnread.includes('结婚证'), JSON.stringify(submit.details));
      const refused = await sql<{ outcome: string }>`select outcome from exchange_access
        where case_number = ${caseNumber} and resource_code = ${DEMO_RESOURCES.marriage}`.execute(t.store.db);
      assert.deepEqual(
        refused.rows.map((r) => r.outcome),
        ['EXCHANGE.GRANT_REVOKED'],
      );
      // the applicant's page asks for it; the clerk's says to ask for it
      assert.match(await page(`/cases/${caseNumber}`, citizen), /未能通过共享数据获取：[^<]*结婚证/);
      assert.match(await page(`/workbench/cases/${caseNumber}`, admin), /请向申请人补正收取该材料/);
    } finally {
      await setMarriageGrant(t, gjj, 'active');
    }
  });

  test('the 公安局’s 户口迁移: the optional 结婚证 is read too; a department holding no grant on the register (住房保障) reads nothing — no attempt in the person’s data-use record — and nothing blocks', async () => {
    const code = await itemOf(t, '户口迁移（市外迁入）', await departmentId(t, 'gaj'));
    const v = await view(await apply(code));
    const m = v.materials.find((x: { name: string }) => x.name === '结婚证');
    assert.equal(m?.trustLevel, 'A', JSON.stringify(v.materials));
    const fgjItem = await itemOf(t, '公共租赁住房资格申请', await departmentId(t, 'fgj'));
    const caseNumber = await apply(fgjItem);
    const w = await view(caseNumber);
    assert.ok(!w.materials.some((x: { name: string }) => x.name === '结婚证'));
    const refused = await sql<{ outcome: string }>`select outcome from exchange_access
      where case_number = ${caseNumber} and resource_code = ${DEMO_RESOURCES.marriage}`.execute(t.store.db);
    // a read the department could never be granted is not attempted: it would only put a
    // refused read of the applicant's marriage facts in their 我的数据使用记录
    assert.deepEqual(
      refused.rows.map((r) => r.outcome),
      [],
    );
  });
});

describe('exchange › a claimed ID number reads nothing at submission', () => {
  let t: TongbanApp;
  before(async () => {
    t = await buildTestApp({ demo: 'on' });
  });
  after(async () => t.close());

  test('a squatter at L1 who registered the citizen’s ID number, applying for an item open at L1: none of the citizen’s register data is read for the case', async () => {
    const code = await itemOf(t, '住房公积金个人住房贷款', await departmentId(t, 'gjj'));
    // an item an L1 account may apply for (a catalogue admin may set that) with a shared-data material
    await sql`update catalog_item_versions set real_name_level = 1 where implementation_code = ${code}`.execute(
      t.store.db,
    );
    await t.identity.service.register({
      kind: 'person',
      login: 'submit-squatter',
      password: 'a-strong-pass-1',
      name: '李某',
      idNumber: DEMO_PEOPLE.citizen.idNumber,
      mobile: '13900000078',
    });
    const squatter = (await t.identity.tokenForLogin('submit-squatter', 3600_000)).token;
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: { authorization: `Bearer ${squatter}` },
      payload: {
        implementationCode: code,
        regionCode: '410100',
        form: await validForm(t, code),
        materials: [],
      },
    });
    assert.equal(r.statusCode, 201, r.body);
    const caseNumber = r.json().caseNumber as string;
    const reads = await sql<{ outcome: string }>`select outcome from exchange_access
      where case_number = ${caseNumber}`.execute(t.store.db);
    assert.deepEqual(reads.rows, [], 'the citizen’s marriage facts read for the squatter’s case');
  });
});
