import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TongbanApp } from '../../app.js';
import { systemClock } from '../../kernel/index.js';
import { checkCreditCode } from '../../platform/codes/index.js';
import { type Store, migrate, sql } from '../../platform/db/index.js';
import { eventsMigrations } from '../../platform/events/index.js';
import { buildTestApp } from '../../../test/helpers/app.js';
import { openTestStore } from '../../../test/helpers/store.js';
import { createRegionsService } from './regions.service.js';
import { regionsMigrations } from './regions.store.js';

describe('regions seed (store)', () => {
  let store: Store;
  let service: ReturnType<typeof createRegionsService>;
  before(async () => {
    store = await openTestStore();
    await migrate(store.db, { ...eventsMigrations, ...regionsMigrations });
    service = createRegionsService({ db: store.db, clock: systemClock });
  });
  after(() => store.close());

  test('seeds Zhengzhou in one transaction with one regions.seeded event, once', async () => {
    const counts = await service.seedDemo();
    assert.ok(counts);
    assert.equal(counts.counties, 15);
    assert.equal(counts.departments, 62 + 28 * 6 + 29 * 6 + 18 * 3 + counts.townships);
    const stations = counts.halls - 1 - 15 - counts.townships;
    assert.ok(
      stations > 2 * counts.townships && stations <= 3 * counts.townships,
      `${stations} village stations`,
    );
    assert.equal(counts.windows, 20 + 15 * 10 + counts.townships * 4 + stations);
    const stored = await service.counts();
    assert.equal(stored.county, 15);
    assert.equal(stored.township, counts.townships);
    assert.equal(stored.village, counts.villages);
    assert.equal(stored.departments, counts.departments);
    assert.equal(stored.halls, counts.halls);
    assert.equal(stored.windows, counts.windows);
    const ev = await sql<{
      type: string;
      payload: string;
      region_code: string;
    }>`select type, payload, region_code from events`.execute(store.db);
    assert.equal(ev.rows.length, 1);
    assert.equal(ev.rows[0]!.type, 'regions.seeded');
    assert.equal(ev.rows[0]!.region_code, '410100');
    assert.deepEqual(JSON.parse(ev.rows[0]!.payload), { ...counts });
    assert.equal(await service.seedDemo(), undefined, 'a second seed does nothing');
  });

  test('ancestors, children and search', async () => {
    assert.deepEqual(
      (await service.ancestors('410105002001')).map((r) => r.code),
      ['410000', '410100', '410105', '410105002'],
    );
    const children = await service.children('410100');
    assert.equal(children.length, 15);
    const hits = await service.search('金水');
    assert.equal(hits[0]?.code, '410105');
    assert.deepEqual(await service.search('%'), []);
  });

  test('departments by credit code and by kind', async () => {
    const jyj = await service.departmentByKind('410105', 'jyj');
    assert.equal(jyj?.name, '金水区教育局');
    const same = await service.departmentByCreditCode(jyj!.creditCode.toLowerCase());
    assert.equal(same?.id, jyj?.id);
    assert.equal(await service.departmentByCreditCode('91350100M000100Y43'), undefined);
  });

  test('the implementing body alone is the one routing picks, with the same refusals', async () => {
    const asked = [
      [{ exerciseLevel: 'county', departmentKind: 'jyj' }, '410105002001'],
      [{ exerciseLevel: 'city', departmentKind: 'jyj' }, '410105'],
      [{ exerciseLevel: 'township' }, '410105002001'],
      [{ exerciseLevel: 'village' }, '410105002001'],
      [{ exerciseLevel: 'county', departmentKind: 'gaj' }, '410122'],
    ] as const;
    for (const [req, region] of asked) {
      const routed = await service.routeItem(req, region);
      assert.deepEqual(await service.implementingBody(req, region), routed.implementingBody);
    }
    const refusals = [
      [{ exerciseLevel: 'township' }, '410105'],
      [{ exerciseLevel: 'county' }, '410105'],
      [{ exerciseLevel: 'county', departmentKind: 'no-such-kind' }, '410105'],
      [{ exerciseLevel: 'county', departmentKind: 'jyj' }, '419999'],
    ] as const;
    for (const [req, region] of refusals) {
      const routed = await service.routeItem(req, region).then(
        () => assert.fail('routed'),
        (e: unknown) => e,
      );
      await assert.rejects(service.implementingBody(req, region), (e: unknown) => {
        assert.deepEqual(e, routed);
        return true;
      });
    }
  });
});

describe('regions seed (atomicity)', () => {
  test('a failing seed leaves nothing behind: no divisions, no event', async () => {
    const store = await openTestStore();
    try {
      await migrate(store.db, { ...eventsMigrations, ...regionsMigrations });
      // a hall already holding the city hall's code makes the last inserts fail
      await sql`insert into regions_halls (id, code, kind, name, region_code, address, lat, lng, hours, phone, demo)
        values ('x', 'H410100', 'city', 'x', '410100', 'x', 0, 0, '[]', 'x', 0)`.execute(store.db);
      const service = createRegionsService({ db: store.db, clock: systemClock });
      await assert.rejects(service.seedDemo());
      const counts = await service.counts();
      assert.equal(counts.county ?? 0, 0);
      assert.equal(counts.departments, 0);
      const ev = await sql<{ n: number }>`select count(*) as n from events`.execute(store.db);
      assert.equal(Number(ev.rows[0]!.n), 0);
    } finally {
      await store.close();
    }
  });
});

describe('regions HTTP (demo city)', () => {
  let t: TongbanApp;
  before(async () => {
    t = await buildTestApp({ demo: 'on' });
  });
  after(() => t.close());

  const get = (url: string, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'GET', url, headers });

  test('GET /api/v1/regions/{code} gives the path and the children', async () => {
    const r = await get('/api/v1/regions/410105');
    assert.equal(r.statusCode, 200);
    const body = r.json();
    assert.equal(body.name, '金水区');
    assert.equal(body.kind, 'district');
    assert.deepEqual(
      body.path.map((p: { code: string }) => p.code),
      ['410000', '410100', '410105'],
    );
    assert.ok(body.children.length >= 20);
    assert.ok(body.children.every((c: { level: string }) => c.level === 'township'));
    const v = (await get('/api/v1/regions/410105002001')).json();
    assert.equal(v.level, 'village');
    assert.equal(v.path.length, 5);
  });

  test('an unknown region is a coded 404, a malformed one a 400', async () => {
    const r = await get('/api/v1/regions/410199', { 'accept-language': 'en' });
    assert.equal(r.statusCode, 404);
    assert.equal(r.json().error.code, 'REGIONS.NOT_FOUND');
    assert.equal(r.json().error.message, 'There is no region 410199');
    assert.equal((await get('/api/v1/regions/41x')).statusCode, 400);
  });

  test('GET /api/v1/regions/{code}/halls: the region’s own hall first', async () => {
    const r = await get('/api/v1/regions/410105/halls');
    assert.equal(r.statusCode, 200);
    const halls = r.json().halls as Array<{ code: string; kind: string; windows: number }>;
    assert.equal(halls[0]?.code, 'H410105');
    assert.equal(halls.at(-1)?.code, 'H410100');
    assert.ok(halls.filter((h) => h.kind === 'township').length >= 20);
    assert.equal(halls[0]?.windows, 10);
  });

  test('GET /api/v1/departments: the 62 city agencies, with valid credit codes', async () => {
    const r = await get('/api/v1/departments');
    assert.equal(r.statusCode, 200);
    const deps = r.json().departments as Array<{ creditCode: string; name: string; demo: boolean }>;
    assert.equal(deps.length, 62);
    assert.ok(deps.every((d) => checkCreditCode(d.creditCode).ok && d.demo));
    assert.ok(deps.some((d) => d.name === '郑州市行政审批和政务信息管理局'));
    const town = (await get('/api/v1/departments?region=410105002')).json();
    assert.deepEqual(
      town.departments.map((d: { name: string }) => d.name),
      ['花园路街道办事处'],
    );
  });

  test('GET /api/v1/regions/{code}/route: implementing body and accepting halls', async () => {
    const r = await get('/api/v1/regions/410105002/route?level=county&department=jyj');
    assert.equal(r.statusCode, 200);
    const body = r.json();
    assert.equal(body.implementingBody.name, '金水区教育局');
    assert.deepEqual(
      body.halls.map((h: { code: string; role: string }) => `${h.code}:${h.role}`),
      ['H410105002:proxy', 'H410105:implementing'],
    );
    const coarse = await get('/api/v1/regions/410100/route?level=county&department=jyj', {
      'accept-language': 'en',
    });
    assert.equal(coarse.statusCode, 422);
    assert.equal(coarse.json().error.message, 'Please choose a region down to the county level');
    const none = await get('/api/v1/regions/410171/route?level=county&department=nyncj');
    assert.equal(none.statusCode, 422);
    assert.equal(none.json().error.code, 'REGIONS.NO_IMPLEMENTING_BODY');
  });

  test('GET /api/v1/regions?q= finds divisions by name, shallow levels first', async () => {
    const r = await get('/api/v1/regions?q=%E9%87%91%E6%B0%B4&limit=5'); // 金水
    assert.equal(r.statusCode, 200);
    const regions = r.json().regions as Array<{ code: string }>;
    assert.equal(regions[0]?.code, '410105');
    assert.ok(regions.length <= 5);
    assert.equal((await get('/api/v1/regions?q=')).statusCode, 400);
  });

  test('the API is described in OpenAPI under the regions tag', async () => {
    const doc = (await get('/api/openapi.json')).json();
    for (const p of ['/api/v1/regions/{code}', '/api/v1/regions/{code}/halls', '/api/v1/departments']) {
      assert.deepEqual(doc.paths[p]?.get?.tags, ['regions'], p);
    }
  });

  test('home page › one h1, a search form to /search, labelled selects and the city’s halls', async () => {
    const r = await get('/');
    assert.equal(r.statusCode, 200);
    const html = r.body;
    assert.equal(html.match(/<h1[\s>]/g)?.length, 1);
    assert.match(html, /<search class="home-search"[\s\S]*<form method="get" action="\/search"/);
    for (const id of [...html.matchAll(/<select id="([^"]+)"/g)].map((m) => m[1])) {
      assert.match(html, new RegExp(`<label for="${id}"`), `label for ${id}`);
    }
    assert.match(html, /<caption>郑州市及周边的政务服务场所（共 16 个）<\/caption>/);
    assert.match(html, /郑州市民之家/);
    assert.doesNotMatch(html, /name="township"/, 'no township list before a county is chosen');
  });

  test('home page › each submitted level narrows the next; a stale lower level is dropped', async () => {
    const county = (await get('/?county=410105')).body;
    assert.match(county, /<option value="410105" selected>金水区<\/option>/);
    assert.match(county, /name="township"/);
    assert.doesNotMatch(county, /name="village"/);
    const village = (await get('/?county=410105&township=410105002&village=410105002001')).body;
    assert.match(village, /<option value="410105002001" selected>/);
    assert.match(village, /甲院社区便民服务站/);
    const stale = (await get('/?county=410102&township=410105002')).body;
    assert.match(stale, /<option value="410102" selected>/);
    assert.doesNotMatch(stale, /<option value="410105002" selected>/);
    assert.match(stale, /中原区政务服务中心/);
    const byRegion = (await get('/?region=410105002')).body;
    assert.match(byRegion, /<option value="410105002" selected>/);
  });

  test('home page › English with ?lang=en', async () => {
    const r = await get('/?lang=en');
    assert.match(r.body, /<html lang="en"/);
    assert.match(r.body, /<h1>Zhengzhou one-stop government services<\/h1>/);
    assert.match(r.body, /Mon–Fri 09:00–17:00/);
  });

  test('home page › links only to pages that exist', async () => {
    const nav = /<nav class="home-links"[\s\S]*?<\/nav>/.exec((await get('/')).body)?.[0] ?? '';
    const hrefs = [...nav.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!);
    assert.ok(hrefs.length >= 2);
    for (const href of hrefs) assert.ok((await get(href)).statusCode < 400, href);
  });
});

describe('home page before the city is seeded', () => {
  test('renders the heading and search without a region switcher', async () => {
    const t = await buildTestApp({ demo: 'off' });
    try {
      const r = await t.app.inject({ method: 'GET', url: '/' });
      assert.equal(r.statusCode, 200);
      assert.match(r.body, /<h1>/);
      assert.doesNotMatch(r.body, /name="county"/);
    } finally {
      await t.close();
    }
  });
});
