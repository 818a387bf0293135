import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TongbanApp } from '../../app.js';
import { sql } from '../../platform/db/index.js';
import { buildTestApp } from '../../../test/helpers/app.js';
import { validForm } from '../../../test/helpers/forms.js';
import { DEMO_ORGANIZATION } from '../identity/identity.demo.js';
import { DEMO_RESOURCES } from './exchange.seed.js';

/**
 * The e-licence directory as a register (read through the licences module, nothing copied), and
 * the 营业执照 and 户口 materials read from the registers at submission when the applicant gives
 * nothing for them.
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

async function consumerToken(t: TongbanApp, kind: string): Promise<string> {
  const c = await t.exchange.addConsumer({ departmentId: await departmentId(t, kind), name: `证照-${kind}` });
  return (
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/token',
      payload: { grant_type: 'client_credentials', client_id: c.client_id, client_secret: c.client_secret },
    })
  ).json().access_token as string;
}

/** a published item by name, decided by the department given */
async function itemOf(t: TongbanApp, name: string, dept: string): Promise<string> {
  const r = await sql<{ code: string }>`select implementation_code as code from catalog_item_versions
    where name = ${name} and department_id = ${dept} and status = 'published'`.execute(t.store.db);
  const code = r.rows[0]?.code;
  assert.ok(code, `no published ${name} of ${dept}`);
  return code;
}

describe('exchange › the e-licence directory as a register; 营业执照 and 户口 read at submission', () => {
  let t: TongbanApp;
  before(async () => {
    t = await buildTestApp({ demo: 'on' });
  });
  after(async () => t.close());

  test('a lookup of the 电子营业执照 answers from the licences module as it is now (a revocation shows at once)', async () => {
    const scjgj = await consumerToken(t, 'scjgj');
    const ask = () =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/exchange/lookup',
        headers: { authorization: `Bearer ${scjgj}` },
        payload: {
          resource: DEMO_RESOURCES.businessLicence,
          key: DEMO_ORGANIZATION.creditCode,
          purpose: '许可核验',
        },
      });
    const r = await ask();
    assert.equal(r.statusCode, 200, r.body);
    const rec = r.json().record;
    assert.equal(rec.creditCode, DEMO_ORGANIZATION.creditCode);
    assert.equal(rec.businessLicenceStatus, 'valid');
    const identifier = rec.businessLicence as string;
    const held = await sql<{
      identifier: string;
    }>`select identifier from licences where identifier = ${identifier}`.execute(t.store.db);
    assert.equal(held.rows.length, 1, 'the licence the directory names is the licences module’s own');
    // not granted to 住房保障 (no grant), and a company without licences is not in the directory
    const fgj = await consumerToken(t, 'fgj');
    const no = await t.app.inject({
      method: 'POST',
      url: '/api/v1/exchange/lookup',
      headers: { authorization: `Bearer ${fgj}` },
      payload: {
        resource: DEMO_RESOURCES.businessLicence,
        key: DEMO_ORGANIZATION.creditCode,
        purpose: '核验',
      },
    });
    assert.equal(no.json().error.code, 'EXCHANGE.NO_GRANT');
    const company = (
      await sql<{ c: string }>`select credit_code as c from exchange_legal_persons
      where credit_code <> ${DEMO_ORGANIZATION.creditCode} limit 1`.execute(t.store.db)
    ).rows[0]!.c;
    const none = await t.app.inject({
      method: 'POST',
      url: '/api/v1/exchange/lookup',
      headers: { authorization: `Bearer ${scjgj}` },
      payload: { resource: DEMO_RESOURCES.businessLicence, key: company, purpose: '许可核验' },
    });
    assert.equal(none.statusCode, 404);
    assert.equal(none.json().error.code, 'EXCHANGE.SUBJECT_NOT_FOUND');
    // the licences module revokes the licence: the next read says so (read through, not copied)
    await sql`insert into licence_events (id, licence_id, kind, reason, case_number, actor, region_code, at)
      select ${'test-revoke-1'}, id, 'revoked', '测试：吊销', null, null, region_code, ${new Date().toISOString()}
      from licences where identifier = ${identifier}`.execute(t.store.db);
    const after = await ask();
    assert.equal(after.json().record.businessLicenceStatus, 'revoked');
    await sql`delete from licence_events where id = ${'test-revoke-1'}`.execute(t.store.db);
  });

  test('an organisation’s 营业执照 is read from the e-licence directory at submission (trust A, its access id), not uploaded', async () => {
    const code = await itemOf(t, '企业变更登记', await departmentId(t, 'scjgj'));
    const enterprise = (await t.identity.tokenForLogin('enterprise', 3600_000)).token;
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: { authorization: `Bearer ${enterprise}` },
      payload: {
        implementationCode: code,
        regionCode: '410100',
        form: { ...(await validForm(t, code)), creditCode: DEMO_ORGANIZATION.creditCode },
        materials: [],
      },
    });
    assert.equal(r.statusCode, 201, r.body);
    const view = (
      await t.app.inject({
        url: `/api/v1/cases/${r.json().caseNumber}`,
        headers: { authorization: `Bearer ${enterprise}` },
      })
    ).json();
    const biz = view.materials.find((m: { name: string }) => m.name === '营业执照');
    assert.ok(biz, JSON.stringify(view.materials));
    assert.equal(biz.trustLevel, 'A');
    assert.ok(biz.accessId);
    const acc = await sql<{ resource_code: string; outcome: string; case_number: string }>`
      select resource_code, outcome, case_number from exchange_access where id = ${biz.accessId}`.execute(
      t.store.db,
    );
    assert.deepEqual(
      { ...acc.rows[0] },
      { resource_code: DEMO_RESOURCES.businessLicence, outcome: 'ok', case_number: r.json().caseNumber },
    );
  });

  test('a person’s 户口 facts are read from 人口库 at submission for the 公安局’s item', async () => {
    const code = await itemOf(t, '户口迁移（市外迁入）', await departmentId(t, 'gaj'));
    const citizen = (await t.identity.tokenForLogin('citizen', 3600_000)).token;
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
    const view = (
      await t.app.inject({
        url: `/api/v1/cases/${r.json().caseNumber}`,
        headers: { authorization: `Bearer ${citizen}` },
      })
    ).json();
    const hukou = view.materials.find((m: { name: string }) => m.name === '居民户口簿');
    assert.ok(hukou?.accessId, JSON.stringify(view.materials));
    assert.equal(hukou.trustLevel, 'A');
    const acc = await sql<{
      resource_code: string;
    }>`select resource_code from exchange_access where id = ${hukou.accessId}`.execute(t.store.db);
    assert.equal(acc.rows[0]?.resource_code, DEMO_RESOURCES.population);
  });
});
