import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TongbanApp } from '../../app.js';
import type { Principal } from '../../platform/access.js';
import { sql } from '../../platform/db/index.js';
import { buildTestApp } from '../../../test/helpers/app.js';
import { validForm } from '../../../test/helpers/forms.js';
import { DEMO_PEOPLE } from '../identity/index.js';
import { DEMO_RESOURCES } from './exchange.seed.js';

/**
 * Apply forms prefilled from the registers (issue 12 item 7): opening the form reads the applicant's
 * name and household address from 人口库 (an organisation's name from 法人库) through the deciding
 * department's grant — a recorded read, purpose `prefill…`, in the person's 我的数据使用记录 — and
 * shows them "from the population register — confirm". The applicant confirms (nothing retyped) or
 * corrects; a correction is flagged on the case for the clerk. A failed read leaves the account data.
 */

// 食品小经营店登记: decided by 郑州市市场监督管理局 (its grant on 人口基本信息 has name and address in clear)
const CITY_ITEM = '11410100297017523N01003401100000';
const REGISTER_ADDRESS = '河南省郑州市金水区经八路街道纬五路21号院3号楼2单元501室';
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

describe('exchange › apply forms prefilled from the registers, confirmed not retyped', () => {
  let t: TongbanApp;
  let citizen = '';
  let p: Principal;
  before(async () => {
    t = await buildTestApp({ demo: 'on' });
    citizen = (await t.identity.tokenForLogin('citizen', 3600_000)).token;
    const id = await t.identity.accountIdByLogin('citizen');
    p = (await t.identity.principalForAccount(id!))!;
  });
  after(async () => t.close());

  const openForm = (token: string, code = CITY_ITEM) =>
    t.app.inject({
      url: `/items/${code}/apply/applicant`,
      headers: { authorization: `Bearer ${token}`, accept: 'text/html' },
    });
  const prefillReads = async () =>
    (await t.app.inject({ url: '/api/v1/me/data-access', headers: { authorization: `Bearer ${citizen}` } }))
      .json()
      .records.filter((r: { purpose: string }) => r.purpose.startsWith('prefill')) as Array<{
      id: string;
      resource: string;
      fields: string[];
      outcome: string;
      departmentName: string;
    }>;
  /** the draft completed (the rest of the form, a file per material asked) and submitted */
  const submit = async (change: Record<string, string> = {}) => {
    const draft = (await t.cases.loadDraft(p, CITY_ITEM)) as Record<string, string>;
    await t.cases.saveDraft(p, CITY_ITEM, { ...(await validForm(t, CITY_ITEM)), ...draft, ...change });
    const app = await t.cases.application(CITY_ITEM);
    const files = app!.materials
      .filter((m) => m.required && !(m.source === 'government' && m.sharedData))
      .map((m) => ({ code: m.code, filename: 'a.pdf', mediaType: 'application/pdf', data: PDF }));
    const kept = await t.cases.saveDraftFiles(p, CITY_ITEM, { files });
    assert.deepEqual(kept.problems, []);
    const r = await t.cases.submitDraft(p, CITY_ITEM);
    assert.ok(r.caseNumber);
    const view = (
      await t.app.inject({
        url: `/api/v1/cases/${r.caseNumber}`,
        headers: { authorization: `Bearer ${citizen}` },
      })
    ).json();
    return { caseNumber: r.caseNumber!, submit: view.actions[0].details as Record<string, unknown> };
  };

  test('the form opens with name and household address from 人口库, said to come from it; the read is in 我的数据使用记录 once', async () => {
    const page = await openForm(citizen);
    assert.equal(page.statusCode, 200, page.body);
    assert.match(page.body, /name="applicantName"[^>]*value="张三"|value="张三"[^>]*name="applicantName"/);
    assert.ok(page.body.includes(`value="${REGISTER_ADDRESS}"`), 'the household address, read from 人口库');
    assert.match(page.body, /来自人口库（公安部门共享）— 请核对确认/);
    assert.match(page.body, /我的数据使用记录/);
    const reads = await prefillReads();
    assert.equal(reads.length, 1);
    assert.equal(reads[0]!.resource, DEMO_RESOURCES.population);
    assert.deepEqual([...reads[0]!.fields].sort(), ['address', 'name']);
    assert.equal(reads[0]!.outcome, 'ok');
    assert.match(reads[0]!.departmentName, /市场监督管理局/);
    // opened again: the draft keeps what was read, no second read
    await openForm(citizen);
    assert.equal((await prefillReads()).length, 1);
  });

  test('confirmed as read: the case carries no correction', async () => {
    const { submit: details } = await submit();
    assert.equal(details.prefillCorrected, undefined);
  });

  test('corrected by the applicant: the case names the field for the clerk (not the value)', async () => {
    await openForm(citizen); // a new draft: read again
    assert.equal((await prefillReads()).length, 2);
    const { caseNumber, submit: details } = await submit({ address: '河南省郑州市金水区花园路1号' });
    assert.deepEqual(details.prefillCorrected, ['address']);
    assert.ok(!JSON.stringify(details).includes('花园路'));
    const admin = (await t.identity.tokenForLogin('admin', 3600_000)).token;
    const desk = await t.app.inject({
      url: `/workbench/cases/${caseNumber}`,
      headers: { authorization: `Bearer ${admin}`, accept: 'text/html' },
    });
    assert.match(desk.body, /申请人更正了由共享数据预填的信息：address/);
  });

  test('the read fails (grant suspended): the form opens with the account’s data, nothing from the register', async () => {
    const dept = (
      await sql<{
        id: string;
      }>`select id from regions_departments where kind = 'scjgj' and region_code = '410100'`.execute(
        t.store.db,
      )
    ).rows[0]!.id;
    const grant = sql`update exchange_grants set status = ${'suspended'} where department_id = ${dept}
      and resource_id = (select id from exchange_resources where code = ${DEMO_RESOURCES.population})`;
    await grant.execute(t.store.db);
    try {
      await t.cases.discardDraft(p, CITY_ITEM);
      const page = await openForm(citizen);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /value="张三"/, 'the account’s name');
      assert.ok(!page.body.includes(REGISTER_ADDRESS));
      assert.doesNotMatch(page.body, /来自人口库/);
    } finally {
      await sql`update exchange_grants set status = ${'active'} where department_id = ${dept}
        and resource_id = (select id from exchange_resources where code = ${DEMO_RESOURCES.population})`.execute(
        t.store.db,
      );
    }
  });

  test('a squatter at L1 who registered the citizen’s ID number: no register read, none of the citizen’s data on the form', async () => {
    // an ID number registered is only claimed (anyone may claim any number): it becomes the
    // account's at L2. The attack: claim 张三's number, open a form, read his household address
    const squatter = await t.identity.service.register({
      kind: 'person',
      login: 'prefill-squatter',
      password: 'a-strong-pass-1',
      name: '李某',
      idNumber: DEMO_PEOPLE.citizen.idNumber,
      mobile: '13900000077',
    });
    assert.equal(squatter.realNameLevel, 1);
    const before = (await prefillReads()).length;
    const page = await openForm((await t.identity.tokenForLogin('prefill-squatter', 3600_000)).token);
    assert.ok(page.statusCode < 500, page.body);
    assert.ok(
      !page.body.includes(REGISTER_ADDRESS),
      'the citizen’s household address on the squatter’s form',
    );
    assert.ok(!page.body.includes('张三'), 'the citizen’s name on the squatter’s form');
    assert.doesNotMatch(page.body, /来自人口库/);
    assert.equal((await prefillReads()).length, before, 'a read of the citizen’s register data');
  });

  test('an organisation’s agent: the company name from 法人库, said to come from it', async () => {
    const code = (
      await sql<{ code: string }>`select v.implementation_code as code from catalog_item_versions v
        join regions_departments d on d.id = v.department_id
        where v.name = '企业变更登记' and d.kind = 'scjgj' and d.region_code = '410100'
          and v.status = 'published'`.execute(t.store.db)
    ).rows[0]!.code;
    const enterprise = (await t.identity.tokenForLogin('enterprise', 3600_000)).token;
    const page = await openForm(enterprise, code);
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /来自法人库（市场监管部门共享）— 请核对确认/);
    assert.match(page.body, /value="郑州通办示范科技有限公司"/);
  });
});
