import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp } from '../../../test/helpers/app.js';
import { validForm } from '../../../test/helpers/forms.js';
import { testDialect } from '../../../test/helpers/store.js';
import type { TongbanApp } from '../../app.js';
import { ManualClock, newId } from '../../kernel/index.js';
import { sql } from '../../platform/db/index.js';
import { DEMO_PASSWORD } from '../identity/identity.demo.js';

// 帮办代办: the list of the delegators' cases is filtered in the query (the 委托's people and its
// items) and paged — a person with many cases outside the 委托 cannot push the covered ones out
const ITEM = '11410100297017523N01003401100000'; // 食品小经营店登记 (in the 委托)
const OTHER_ITEM = '11410105414644738F05001200400000'; // 失业保险金申领 (not in it)

describe(`cases › the assisted list, filtered in the query and paged (${testDialect()})`, () => {
  let t: TongbanApp;
  const clock = new ManualClock('2025-09-15T02:00:00Z');
  const bearer = async (login: string) => ({
    authorization: `Bearer ${(await t.identity.tokenForLogin(login)).token}`,
  });
  const list = async (query = '') =>
    t.app.inject({ url: `/api/v1/cases/assisted${query}`, headers: await bearer('grid-list') });
  let covered = '';

  /** `n` copies of a case (its row only), each newer than the last, under new numbers. */
  async function copies(caseNumber: string, n: number, item: string, prefix: string) {
    const r = await sql<
      Record<string, unknown>
    >`select * from cases where case_number = ${caseNumber}`.execute(t.store.db);
    const row = r.rows[0]!;
    const base = Date.parse(String(row.created_at));
    for (let i = 0; i < n; i++) {
      const copy = {
        ...row,
        id: newId(),
        case_number: `${prefix}${String(i).padStart(5, '0')}`,
        implementation_code: item,
        created_at: new Date(base + (i + 1) * 60_000).toISOString(),
      };
      const cols = Object.keys(copy);
      await sql`insert into cases (${sql.join(cols.map((c) => sql.ref(c)))})
        values (${sql.join(cols.map((c) => copy[c as keyof typeof copy]))})`.execute(t.store.db);
    }
  }

  before(async () => {
    t = await buildTestApp({ demo: 'on', clock });
    await t.identity.service.createStaff({
      login: 'grid-list',
      name: '网格员',
      password: DEMO_PASSWORD,
      regionCode: '410105',
      departmentId: null,
      hallId: null,
      grants: [{ role: 'gridWorker', regionPrefix: '410105', departmentId: null }],
    });
    const citizenId = (await t.identity.accountIdByLogin('citizen'))!;
    const p = (await t.identity.principalForAccount(citizenId))!;
    await t.identity.service.createDelegation(p, {
      agentLogin: 'grid-list',
      scopes: [ITEM],
      validTo: '2025-12-31T16:00:00Z',
    });
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: await bearer('citizen'),
      payload: { implementationCode: ITEM, regionCode: '410105001', form: await validForm(t, ITEM) },
    });
    assert.equal(r.statusCode, 201, r.body);
    covered = r.json().caseNumber;
    // 250 newer open cases of the same person for an item the 委托 does not cover
    await copies(covered, 250, OTHER_ITEM, 'OUT-');
  });
  after(async () => t.close());

  test('a covered case behind 250 newer uncovered ones of the same person is listed', async () => {
    const r = await list();
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(
      r.json().cases.map((c: { caseNumber: string }) => c.caseNumber),
      [covered],
    );
    assert.equal(r.json().total, 1);
  });

  test('more than 200 covered cases: every one reachable, page by page, newest first', async () => {
    await copies(covered, 230, ITEM, 'IN-');
    const seen: string[] = [];
    let total = 0;
    for (let page = 1; page <= 10; page++) {
      const r = await list(`?page=${page}&pageSize=100`);
      assert.equal(r.statusCode, 200, r.body);
      total = r.json().total;
      const got = r.json().cases.map((c: { caseNumber: string }) => c.caseNumber);
      if (got.length === 0) break;
      seen.push(...got);
    }
    assert.equal(total, 231);
    assert.equal(seen.length, 231);
    assert.equal(new Set(seen).size, 231);
    assert.equal(seen[0], 'IN-00229');
    assert.equal(seen.at(-1), covered);
    assert.ok(!seen.some((n) => n.startsWith('OUT-')));
    // the page shows the first page and a link to the next
    const page = await t.app.inject({
      url: '/cases/assisted',
      headers: { ...(await bearer('grid-list')), accept: 'text/html' },
    });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /IN-00229/);
    assert.match(page.body, /rel="next"/);
    const bad = await list('?pageSize=1000');
    assert.equal(bad.statusCode, 400, bad.body);
  });
});
