import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { TongbanApp } from '../../app.js';
import { buildTestApp } from '../../../test/helpers/app.js';
import { validForm } from '../../../test/helpers/forms.js';
import { testDialect } from '../../../test/helpers/store.js';

/**
 * The workbench's bulk acceptance (issue 16 item 5): a window clerk accepts several 即办件 at once,
 * each through the checks of one acceptance; an item with a promised limit is refused
 * (CASES.BULK_NOT_ALLOWED) and stays waiting; nobody without cases.accept may. And the queue's
 * department is chosen from a list of the departments the caller may open.
 */
const HALL = 'H410105001';
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

describe(`workbench bulk acceptance on ${testDialect()}`, () => {
  let t: TongbanApp;
  const tokens = new Map<string, string>();
  const immediate: string[] = [];
  const promised: string[] = [];
  const as = (who: string) => ({ authorization: `Bearer ${tokens.get(who)}` });

  before(async () => {
    t = await buildTestApp({ demo: 'on' });
    for (const c of ['clerk', 'approver', 'citizen', 'supervisor'])
      tokens.set(c, (await t.identity.tokenForLogin(c)).token);
    const citizenId = await t.identity.accountIdByLogin('citizen');
    const items = (await t.catalog.listPublishedForIndex('', 5000)).items.filter(
      (i) => i.audiences.includes('person') && i.regionCode.startsWith('410105'),
    );
    // walk-ins at the clerk's hall: two 即办件 and one 承诺件
    for (const it of items) {
      const want = it.immediate ? immediate : promised;
      if (want.length >= (it.immediate ? 2 : 1)) continue;
      const full = await t.catalog.getPublishedItem(it.implementationCode);
      const material = full?.materials[0]?.code;
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/v1/cases',
        headers: as('clerk'),
        payload: {
          implementationCode: it.implementationCode,
          regionCode: '410105001',
          form: await validForm(t, it.implementationCode),
          materials: material
            ? [
                {
                  code: material,
                  filename: 'id.pdf',
                  mediaType: 'application/pdf',
                  contentBase64: PDF.toString('base64'),
                },
              ]
            : [],
          hallId: HALL,
          applicantId: citizenId,
        },
      });
      if (r.statusCode === 201) want.push(r.json().caseNumber);
      if (immediate.length >= 2 && promised.length >= 1) break;
    }
    assert.equal(immediate.length, 2, 'two 即办件 filed at the hall');
    assert.equal(promised.length, 1, 'one 承诺件 filed at the hall');
  });
  after(async () => t?.close());

  test('the queue page › departments in a list; a supervisor picks any of the city, an approver its own', async () => {
    const page = async (who: string) =>
      (await t.app.inject({ url: '/workbench', headers: { ...as(who), accept: 'text/html' } })).body;
    const sup = await page('supervisor');
    const options = sup.match(/<select[^>]*name="department"[\s\S]*?<\/select>/)?.[0] ?? '';
    assert.ok((options.match(/<option/g) ?? []).length > 20, 'the city and its counties');
    assert.match(sup, /href="\/supervision"/);
    const appr = await page('approver');
    const own = appr.match(/<select[^>]*name="department"[\s\S]*?<\/select>/)?.[0] ?? '';
    assert.equal((own.match(/<option/g) ?? []).length, 1);
    assert.match(own, /郑州市市场监督管理局/);
    const clerk = await page('clerk');
    assert.match(clerk, /name="cases"/, 'the clerk can tick 即办件');
  });
  test('POST /api/v1/workbench/accept › 即办件 accepted, a 承诺件 refused and left waiting', async () => {
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/v1/workbench/accept',
      headers: as('clerk'),
      payload: { cases: [...immediate, ...promised] },
    });
    assert.equal(r.statusCode, 200, r.body);
    const b = r.json();
    assert.deepEqual([...b.accepted].sort(), [...immediate].sort());
    assert.deepEqual(b.refused, [{ caseNumber: promised[0], code: 'CASES.BULK_NOT_ALLOWED' }]);
    for (const n of immediate) {
      const v = (await t.app.inject({ url: `/api/v1/cases/${n}`, headers: as('clerk') })).json();
      assert.equal(v.status, 'accepted');
    }
    const p = (await t.app.inject({ url: `/api/v1/cases/${promised[0]}`, headers: as('clerk') })).json();
    assert.equal(p.status, 'submitted');
    // again: already accepted, each refused by the workflow, nothing written twice
    const again = (
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/workbench/accept',
        headers: as('clerk'),
        payload: { cases: immediate },
      })
    ).json();
    assert.deepEqual(again.accepted, []);
    assert.ok(again.refused.every((x: { code: string }) => x.code === 'CASES.TRANSITION_NOT_ALLOWED'));
  });

  test('the acceptance queue › the cases still awaiting acceptance at the window; accepted ones gone', async () => {
    // cases.0012: the queue reads a partial index through the literals it names (open, statuses)
    const clerk = (
      await t.app.inject({ url: '/workbench', headers: { ...as('clerk'), accept: 'text/html' } })
    ).body;
    assert.ok(clerk.includes(promised[0]!), 'the 承诺件 still waits');
    for (const n of immediate) assert.ok(!clerk.includes(n), `${n} was accepted`);
    const clerkId = await t.identity.accountIdByLogin('clerk');
    const p = await t.identity.principalForAccount(clerkId!);
    const rows = await t.cases.acceptanceQueue(p!, { page: 1, pageSize: 50 });
    assert.ok(rows.some((r) => r.case_number === promised[0]));
    assert.ok(rows.every((r) => ['submitted', 'preReviewed', 'awaitingSupplement'].includes(r.status)));
    assert.deepEqual(
      rows.map((r) => r.created_at),
      rows.map((r) => r.created_at).sort(),
      'oldest first',
    );
  });

  test('the open cases of a region by colour › every open case decided there, none closed', async () => {
    // cases.0013: counted from a partial index through the literal it names (open = 1)
    const { rows } = await sql<{ colour: string; n: number | string }>`
      select colour, count(*) as n from cases where open = 1 and decide_region_code like '410105%' group by colour`.execute(
      t.store.db,
    );
    const want = Object.fromEntries(rows.map((r) => [r.colour, Number(r.n)]));
    assert.ok(Object.keys(want).length > 0, 'open cases in the district');
    assert.deepEqual(await t.cases.colourCountsInRegion('410105'), want);
  });

  test('the open cases of a region by colour › a neighbour’s cases are not counted, the district’s edge ones are', async () => {
    // the scope is a range [410105, 410106) now (platform/db/prefix.ts): copies of one open case
    // decided just outside it on both sides, at its bound, in another city, and just inside it
    const before = await t.cases.colourCountsInRegion('410105');
    const total = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);
    const cols = Object.keys(
      (await sql<Record<string, unknown>>`select * from cases where open = 1 limit 1`.execute(t.store.db))
        .rows[0]!,
    );
    const copy = async (suffix: string, region: string) =>
      sql`insert into cases (${sql.join(cols.map((c) => sql.ref(c)))})
        select ${sql.join(
          cols.map((c) =>
            c === 'id' || c === 'case_number'
              ? sql`${sql.ref(c)} || ${suffix}`
              : c === 'decide_region_code'
                ? sql`${region}`
                : sql.ref(c),
          ),
        )} from cases where open = 1 and decide_region_code like '410105%' order by id limit 1`.execute(
        t.store.db,
      );
    for (const [suffix, region] of [
      ['-n1', '410104999'],
      ['-n2', '410106'],
      ['-n3', '410106001'],
      ['-n4', '410300001'],
      ['-n5', '41010'],
    ] as const)
      await copy(suffix, region);
    assert.equal(total(await t.cases.colourCountsInRegion('410105')), total(before), 'no neighbour counted');
    await copy('-in', '410105999999');
    assert.equal(
      total(await t.cases.colourCountsInRegion('410105')),
      total(before) + 1,
      'the edge one counted',
    );
    await sql`delete from cases where id like '%-n_' or id like '%-in'`.execute(t.store.db);
  });

  test('the running and paused clocks by colour (the /metrics gauge) › every such case, none other', async () => {
    // cases.0015: counted from a partial index through the literals it names (the clock states)
    const { rows } = await sql<{ colour: string; n: number | string }>`
      select colour, count(*) as n from cases where clock_state in ('running', 'paused') group by colour`.execute(
      t.store.db,
    );
    assert.ok(rows.length > 0, 'running clocks (the 承诺件s accepted)');
    const got = await t.cases.clockCounts();
    assert.deepEqual(
      Object.fromEntries(got.map((r) => [r.colour, r.n])),
      Object.fromEntries(rows.map((r) => [r.colour, Number(r.n)])),
    );
  });

  test('a department’s counts › its open cases by clock colour and by status, in one read; the API the colours', async () => {
    const supervisorId = await t.identity.accountIdByLogin('supervisor');
    const p = await t.identity.principalForAccount(supervisorId!);
    const open = (
      await sql<{ department_id: string; colour: string; status: string }>`
        select department_id, colour, status from cases where open = 1`.execute(t.store.db)
    ).rows;
    const tally = (xs: string[]) => {
      const out: Record<string, number> = {};
      for (const x of xs) out[x] = (out[x] ?? 0) + 1;
      return out;
    };
    const depts = [...new Set(open.map((r) => r.department_id))];
    assert.ok(depts.length >= 1);
    // the bulk acceptance above left accepted and submitted cases open: more than one status
    assert.ok(new Set(open.map((r) => r.status)).size > 1);
    for (const d of depts) {
      const mine = open.filter((r) => r.department_id === d);
      const both = await t.cases.departmentQueue(p!, {
        departmentId: d,
        page: 1,
        pageSize: 1,
        statusCounts: true,
      });
      assert.deepEqual(both.counts, tally(mine.map((r) => r.colour)), `${d} by colour`);
      assert.deepEqual(both.statusCounts, tally(mine.map((r) => r.status)), `${d} by status`);
      const colours = await t.cases.departmentQueue(p!, { departmentId: d, page: 1, pageSize: 1 });
      assert.deepEqual(colours.counts, both.counts);
      assert.deepEqual(colours.statusCounts, {}, 'the API asks the colours alone');
      const api = await t.app.inject({
        url: `/api/v1/workbench/queue?department=${d}`,
        headers: as('supervisor'),
      });
      assert.equal(api.statusCode, 200, api.body);
      assert.deepEqual(api.json().counts, both.counts);
    }
  });

  test('only who accepts may: an approver, a supervisor and a citizen are refused', async () => {
    for (const who of ['approver', 'supervisor', 'citizen']) {
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/v1/workbench/accept',
        headers: as(who),
        payload: { cases: promised },
      });
      assert.equal(r.statusCode, 403, who);
    }
    const none = await t.app.inject({
      method: 'POST',
      url: '/api/v1/workbench/accept',
      payload: { cases: promised },
    });
    assert.equal(none.statusCode, 401);
    const empty = await t.app.inject({
      method: 'POST',
      url: '/api/v1/workbench/accept',
      headers: as('clerk'),
      payload: { cases: [] },
    });
    assert.equal(empty.statusCode, 400);
  });
});
