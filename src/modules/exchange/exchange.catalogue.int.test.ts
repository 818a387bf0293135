import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TongbanApp } from '../../app.js';
import { sql } from '../../platform/db/index.js';
import { buildTestApp } from '../../../test/helpers/app.js';
import { DEMO_RESOURCES } from './exchange.seed.js';

/**
 * The catalogue's list and each entry's basic description are public; its details — the data
 * items with their types and sensitivity, the share condition and legal basis, the version history
 * — are for signed-in staff and department accounts only (issue 12 item 1). Anonymous callers and
 * citizens must not find a detail in any page or JSON answer.
 */

const CODE = DEMO_RESOURCES.marriage;
// what only the details name: an item's label and another's key (the summary names 婚姻状况), the share condition, the legal basis, the
// history's caption and the sensitivity level's label
const DETAIL_MARKERS = ['死亡日期', 'maritalStatus', '仅限办理婚育', '《婚姻登记条例》', '版本记录', '敏感'];

describe('exchange › the catalogue: public list and entry, details for staff only', () => {
  let t: TongbanApp;
  let citizen = '';
  let enterprise = '';
  let approver = '';
  let consumer = '';
  before(async () => {
    t = await buildTestApp({ demo: 'on' });
    citizen = (await t.identity.tokenForLogin('citizen', 3600_000)).token;
    enterprise = (await t.identity.tokenForLogin('enterprise', 3600_000)).token;
    approver = (await t.identity.tokenForLogin('approver', 3600_000)).token;
    const dept = (
      await sql<{
        id: string;
      }>`select id from regions_departments where kind = 'mzj' and region_code = '410100'`.execute(t.store.db)
    ).rows[0]!.id;
    const c = await t.exchange.addConsumer({ departmentId: dept, name: '目录测试' });
    consumer = (
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/token',
        payload: { grant_type: 'client_credentials', client_id: c.client_id, client_secret: c.client_secret },
      })
    ).json().access_token;
  });
  after(async () => t.close());

  const get = (url: string, token?: string, html = false) =>
    t.app.inject({
      url,
      headers: {
        accept: html ? 'text/html' : 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
    });
  const leaks = (body: string) => DETAIL_MARKERS.filter((m) => body.includes(m));

  for (const who of ['anonymous', 'citizen', 'enterprise'] as const) {
    test(`${who}: the list and the entry answer the basic description and no detail`, async () => {
      const token = who === 'anonymous' ? undefined : who === 'citizen' ? citizen : enterprise;
      const list = await get('/api/v1/exchange/resources', token);
      assert.equal(list.statusCode, 200);
      const entry = list.json().resources.find((r: { code: string }) => r.code === CODE);
      assert.ok(entry, 'the entry is listed');
      for (const k of [
        'name',
        'code',
        'classification',
        'providerName',
        'summary',
        'shareType',
        'methods',
        'updateCycle',
        'publishedOn',
      ])
        assert.ok(k in entry, `basic ${k} is public`);
      for (const k of ['items', 'shareCondition', 'legalBasis'])
        assert.ok(!(k in entry), `detail ${k} leaks to ${who}`);
      assert.deepEqual(leaks(list.body), [], `the list JSON leaks to ${who}`);

      const one = await get(`/api/v1/exchange/resources/${CODE}`, token);
      assert.equal(one.statusCode, 200, one.body);
      assert.equal(one.json().name, '婚姻登记与生死状态信息');
      assert.deepEqual(leaks(one.body), [], `the entry JSON leaks to ${who}`);

      const page = await get(`/exchange/resources/${CODE}`, token, true);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /婚姻登记与生死状态信息/);
      assert.match(page.body, /有条件共享/);
      assert.deepEqual(leaks(page.body), [], `the entry page leaks to ${who}`);

      const listPage = await get('/exchange', token, true);
      assert.deepEqual(leaks(listPage.body), [], `the list page leaks to ${who}`);

      const versions = await get(`/api/v1/exchange/resources/${CODE}/versions`, token);
      assert.equal(versions.statusCode, who === 'anonymous' ? 401 : 403, versions.body);
      assert.deepEqual(leaks(versions.body), []);
    });
  }

  for (const who of ['approver', 'consumer'] as const) {
    test(`${who}: a signed-in staff or department account sees the details`, async () => {
      const token = who === 'approver' ? approver : consumer;
      const list = (await get('/api/v1/exchange/resources', token)).json();
      const entry = list.resources.find((r: { code: string }) => r.code === CODE);
      assert.ok(entry.items.some((i: { name: string }) => i.name === 'maritalStatus'));
      assert.match(entry.shareCondition, /仅限办理婚育/);
      assert.match(entry.legalBasis, /婚姻登记条例/);
      const one = (await get(`/api/v1/exchange/resources/${CODE}`, token)).json();
      assert.ok(one.items.some((i: { sensitivity: string }) => i.sensitivity === 'sensitive'));
      const versions = await get(`/api/v1/exchange/resources/${CODE}/versions`, token);
      assert.equal(versions.statusCode, 200);
      assert.equal(versions.json().versions[0].version, 1);
      if (who === 'approver') {
        const page = await get(`/exchange/resources/${CODE}`, token, true);
        assert.deepEqual(
          DETAIL_MARKERS.filter((m) => !page.body.includes(m)),
          [],
        );
      }
    });
  }

  test('an unknown resource is a coded 404 for everyone, signed in or not', async () => {
    for (const token of [undefined, citizen, approver]) {
      const r = await get('/api/v1/exchange/resources/1-410100-XX-XX-9999', token);
      assert.equal(r.statusCode, 404);
      assert.equal(r.json().error.code, 'EXCHANGE.RESOURCE_UNKNOWN');
    }
  });
});
