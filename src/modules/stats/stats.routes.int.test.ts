import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TongbanApp } from '../../app.js';
import { buildTestApp } from '../../../test/helpers/app.js';
import { testDialect } from '../../../test/helpers/store.js';
import { DEMO_PASSWORD } from '../identity/identity.demo.js';
import { sql } from '../../platform/db/index.js';

/**
 * The supervision figures over HTTP (issue 16 item 4, CONTRACT "Ratings and supervision"): the JSON
 * and CSV by department and month within the caller's scope, the supervisor's page with its charts
 * and tables, the 红黄牌 drill-down, and the public summary without personal data. Scopes fail
 * closed: a county's supervisor reads its county only.
 */
const quiet = () => ({ tick() {}, done() {} });

describe(`supervision routes on ${testDialect()}`, () => {
  let t: TongbanApp;
  const tokens = new Map<string, string>();
  const get = (url: string, who?: string, accept = 'application/json') =>
    t.app.inject({
      method: 'GET',
      url,
      headers: { accept, ...(who ? { authorization: `Bearer ${tokens.get(who)}` } : {}) },
    });
  let cityAmr = '';

  before(async () => {
    t = await buildTestApp({ demo: 'on' });
    await t.modules.find((m) => m.name === 'cases')!.seedScale!({ cases: 80, progress: quiet });
    await t.cases.sweepClocks();
    await t.events.drain();
    await t.identity.service.createStaff({
      login: 'county-supervisor',
      name: '金水监察',
      password: DEMO_PASSWORD,
      regionCode: '410105',
      departmentId: null,
      hallId: null,
      grants: [{ role: 'supervisor', regionPrefix: '410105', departmentId: null }],
    });
    for (const c of ['supervisor', 'county-supervisor', 'clerk', 'citizen', 'admin'])
      tokens.set(c, (await t.identity.tokenForLogin(c)).token);
    const d = await sql<{
      id: string;
    }>`select id from regions_departments where name = '郑州市市场监督管理局'`.execute(t.store.db);
    cityAmr = d.rows[0]!.id;
  });
  after(async () => t?.close());

  test('GET /api/v1/stats/performance › figures by department and month, summing to the totals', async () => {
    const r = await get('/api/v1/stats/performance', 'supervisor');
    assert.equal(r.statusCode, 200, r.body);
    const b = r.json();
    assert.equal(b.region.code, '410100');
    assert.equal(b.months.length, 12);
    assert.ok(b.rows.length > 0);
    for (const k of ['onTimeRate', 'onlineAvailabilityRate', 'goodRatingRate', 'rectificationRate'])
      assert.ok(k in b.rows[0], k);
    const sum = (k: string) => b.rows.reduce((s: number, x: Record<string, number>) => s + x[k]!, 0);
    assert.equal(sum('completed'), b.total.completed);
    assert.ok(b.total.completed > 0);
    assert.equal(b.targets.onTimeRate, 96.2);
    assert.ok(
      b.catalogue.levels.some(
        (l: { level: string; target: number }) => l.level === 'city' && l.target === 50,
      ),
    );
    assert.ok(b.rankings.departments.length > 0 && b.rankings.counties.length > 0);
    // one department, from the list
    const one = (await get(`/api/v1/stats/performance?department=${cityAmr}`, 'supervisor')).json();
    assert.ok(one.rows.every((x: { departmentId: string }) => x.departmentId === cityAmr));
  });

  test('performance.csv › one line per department × month, the same figures', async () => {
    const json = (await get('/api/v1/stats/performance', 'supervisor')).json();
    const r = await get('/api/v1/stats/performance.csv', 'supervisor', 'text/csv');
    assert.equal(r.statusCode, 200, r.body);
    assert.match(String(r.headers['content-type']), /^text\/csv/);
    const lines = r.body.trim().split('\r\n');
    assert.equal(lines.length, json.rows.length + 1);
    assert.ok(lines[0]!.startsWith('month,regionCode,departmentId,departmentName,submitted'));
    assert.ok(lines[0]!.includes('onTimeRate') && lines[0]!.includes('goodRatingRate'));
  });

  test('the JSON rows come in pages › every page joined is the CSV; rankings and counties sum to the total', async () => {
    const full = (await get('/api/v1/stats/performance?limit=5000', 'supervisor')).json();
    assert.equal(full.rowsPage.next, null);
    const key = (x: { month: string; departmentId: string }) => `${x.month}|${x.departmentId}`;
    const paged: string[] = [];
    let offset: number | null = 0;
    let pages = 0;
    while (offset !== null) {
      const r = await get(`/api/v1/stats/performance?limit=7&offset=${offset}`, 'supervisor');
      assert.equal(r.statusCode, 200, r.body);
      const b = r.json();
      assert.ok(b.rows.length <= 7);
      assert.equal(b.rowsPage.offset, offset);
      assert.deepEqual(b.total, full.total, 'the figures do not depend on the page');
      paged.push(...b.rows.map(key));
      offset = b.rowsPage.next;
      pages++;
    }
    assert.ok(pages > 1, 'more rows than one page of 7');
    assert.deepEqual(paged, full.rows.map(key));
    assert.equal(new Set(paged).size, paged.length, 'no row twice');
    const csv = (await get('/api/v1/stats/performance.csv', 'supervisor', 'text/csv')).body
      .trim()
      .split('\r\n');
    assert.equal(csv.length - 1, paged.length);
    // the sums SQL gives by department and by county add up to the months' total
    for (const k of ['submitted', 'completed', 'ratings', 'completedOnTime'])
      for (const list of [full.rankings.departments, full.rankings.counties])
        assert.equal(
          list.reduce((s: number, x: Record<string, number>) => s + x[k]!, 0),
          full.total[k],
          k,
        );
    assert.equal((await get('/api/v1/stats/performance?limit=0', 'supervisor')).statusCode, 400);
    assert.equal((await get('/api/v1/stats/performance?offset=-1', 'supervisor')).statusCode, 400);
  });

  test('scopes fail closed › a county supervisor reads its county, not the city; others not at all', async () => {
    const own = await get('/api/v1/stats/performance', 'county-supervisor');
    assert.equal(own.statusCode, 200, own.body);
    assert.equal(own.json().region.code, '410105');
    assert.ok(own.json().rows.every((x: { regionCode: string }) => x.regionCode.startsWith('410105')));
    assert.equal((await get('/api/v1/stats/performance?region=410100', 'county-supervisor')).statusCode, 403);
    assert.equal(
      (await get(`/api/v1/stats/performance?department=${cityAmr}`, 'county-supervisor')).statusCode,
      400,
    );
    assert.equal(
      (await get('/api/v1/stats/cards?colour=red&region=410100', 'county-supervisor')).statusCode,
      403,
    );
    assert.equal((await get('/supervision?region=410100', 'county-supervisor', 'text/html')).statusCode, 403);
    assert.equal((await get('/api/v1/stats/performance', 'clerk')).statusCode, 403);
    assert.equal((await get('/api/v1/stats/performance', 'citizen')).statusCode, 403);
    assert.equal((await get('/api/v1/stats/performance')).statusCode, 401);
    assert.equal((await get('/api/v1/stats/performance.csv', 'citizen')).statusCode, 403);
    assert.equal((await get('/api/v1/stats/performance?region=', 'admin')).statusCode, 200);
  });

  test('bad filters › coded 400s, nothing else', async () => {
    const back = await get('/api/v1/stats/performance?from=2026-06&to=2026-01', 'supervisor');
    assert.equal(back.statusCode, 400);
    assert.equal(back.json().error.code, 'STATS.PERIOD_INVALID');
    const long = await get('/api/v1/stats/performance?from=2020-01&to=2026-01', 'supervisor');
    assert.equal(long.json().error.code, 'STATS.PERIOD_INVALID');
    const dept = await get('/api/v1/stats/performance?department=nope', 'supervisor');
    assert.equal(dept.json().error.code, 'STATS.DEPARTMENT_UNKNOWN');
    assert.equal((await get('/api/v1/stats/performance?from=2026-13', 'supervisor')).statusCode, 400);
    assert.equal((await get('/supervision?from=2026-13', 'supervisor', 'text/html')).statusCode, 400);
  });

  test('the supervisor page › filters from lists, charts each with its table, rankings, cards with drill-down', async () => {
    const r = await get('/supervision', 'supervisor', 'text/html');
    assert.equal(r.statusCode, 200, r.body);
    assert.match(r.body, /<select[^>]*name="department"/);
    assert.match(r.body, /<select[^>]*name="region"/);
    assert.doesNotMatch(r.body, /<input[^>]*name="department"/);
    assert.ok((r.body.match(/<svg/g) ?? []).length >= 3, 'charts drawn on the server');
    assert.ok((r.body.match(/<figure class="chart"/g) ?? []).length >= 3);
    assert.match(r.body, /按时办结率/);
    assert.match(r.body, /96\.2%/);
    assert.match(r.body, /performance\.csv/);
    const red = await get('/supervision/cards?colour=red&region=410100', 'supervisor', 'text/html');
    assert.equal(red.statusCode, 200, red.body);
    const open = await sql<{
      n: number;
    }>`select count(*) as n from cases where open = 1 and colour = 'red'`.execute(t.store.db);
    const links = red.body.match(/href="\/workbench\/cases\/[^"]+"/g) ?? [];
    assert.equal(links.length, Math.min(200, Number(open.rows[0]!.n)));
    assert.match(red.body, /UTC\+8/);
  });

  test('the public summary › figures only, no case numbers, no sign-in', async () => {
    const r = await get('/performance', undefined, 'text/html');
    assert.equal(r.statusCode, 200, r.body);
    assert.match(r.body, /按时办结率/);
    assert.doesNotMatch(r.body, /\/workbench\/cases\//);
    const cases = await sql<{ case_number: string }>`select case_number from cases limit 20`.execute(
      t.store.db,
    );
    for (const c of cases.rows) assert.ok(!r.body.includes(c.case_number));
    const j = await get('/api/v1/stats/public');
    assert.equal(j.statusCode, 200);
    assert.equal(j.json().rows, undefined);
    assert.equal(j.json().cards, undefined);
  });
});
