import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TongbanApp } from '../../app.js';
import { buildTestApp } from '../../../test/helpers/app.js';

let t: TongbanApp;
let admin: string;
let foodCode: string;

const get = (url: string, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'GET', url, headers });
const json = (res: { body: string }) => JSON.parse(res.body) as Record<string, unknown>;

before(async () => {
  t = await buildTestApp({ demo: 'on' });
  admin = (await t.identity.tokenForLogin('admin')).token;
  const r = json(
    await get(`/api/v1/items?q=${encodeURIComponent('食品经营许可证核发')}&region=410100&level=city`),
  );
  foodCode = (r.items as Array<{ implementationCode: string }>)[0]!.implementationCode;
});
after(() => t.close());

describe('CONTRACT › GET /api/v1/items', () => {
  test('answers {total, items[]} with exactly the contract fields', async () => {
    const res = await get('/api/v1/items?pageSize=5');
    assert.equal(res.statusCode, 200);
    const body = json(res);
    assert.deepEqual(Object.keys(body).sort(), ['items', 'total']);
    assert.ok((body.total as number) >= 300, `demo catalogue has ${body.total} items`);
    const items = body.items as Array<Record<string, unknown>>;
    assert.equal(items.length, 5);
    assert.deepEqual(Object.keys(items[0]!).sort(), [
      'basicCode',
      'department',
      'depth',
      'implementationCode',
      'level',
      'name',
      'promisedLimit',
      'region',
      'statutoryLimit',
      'type',
    ]);
  });

  test('filters by q, region, department, type, theme and depth, and pages', async () => {
    const birth = json(await get('/api/v1/items?theme=birth&pageSize=100'));
    const names = (birth.items as Array<{ name: string }>).map((i) => i.name);
    for (const n of [
      '出生医学证明办理',
      '户口登记（出生登记）',
      '城乡居民基本医疗保险参保登记',
      '社会保障卡申领',
    ])
      assert.ok(names.includes(n), n);
    const d4 = json(await get('/api/v1/items?depth=4&type=01&region=410105&pageSize=100'));
    for (const i of d4.items as Array<{ depth: number; type: string; region: string }>) {
      assert.equal(i.depth, 4);
      assert.equal(i.type, '01');
      assert.ok(i.region.startsWith('410105'));
    }
    const p1 = json(await get('/api/v1/items?pageSize=10&page=1'));
    const p2 = json(await get('/api/v1/items?pageSize=10&page=2'));
    assert.notDeepEqual(p1.items, p2.items);
    assert.equal(p1.total, p2.total);
  });

  test('region= covers the division and every division below it, as /search and /disclosure do', async () => {
    const city = json(await get('/api/v1/items?region=410100&pageSize=100'));
    const regions = (city.items as Array<{ region: string }>).map((i) => i.region);
    assert.ok(regions.every((r) => r.startsWith('4101')));
    const county = json(await get('/api/v1/items?region=410105&pageSize=1'));
    assert.ok((county.total as number) > 0, 'the demo has county items');
    const [countyItem] = county.items as Array<{ implementationCode: string; region: string }>;
    assert.ok(countyItem!.region.startsWith('410105'));
    const q = encodeURIComponent((county.items as Array<{ name: string }>)[0]!.name);
    const named = json(await get(`/api/v1/items?region=410100&q=${q}&pageSize=100`));
    assert.ok(
      (named.items as Array<{ implementationCode: string }>).some(
        (i) => i.implementationCode === countyItem!.implementationCode,
      ),
      'a county item is inside its city',
    );
    assert.ok((city.total as number) > (county.total as number));
    assert.equal(city.total, json(await get('/api/v1/items?region=4101&pageSize=1')).total);
    const own = json(await get('/api/v1/items?region=410100&level=city&pageSize=1'));
    assert.ok((city.total as number) > (own.total as number), 'more than the city’s own items');
  });

  test('theme counts (one query) equal the items each theme filter lists', async () => {
    const { themes } = json(await get('/api/v1/themes')) as {
      themes: Array<{ code: string; count: number }>;
    };
    assert.ok(themes.some((x) => x.count > 0));
    for (const th of themes) {
      const r = json(await get(`/api/v1/items?theme=${encodeURIComponent(th.code)}&pageSize=1`));
      assert.equal(th.count, r.total, th.code);
    }
  });

  test('a bad filter is a coded 400, not a 500', async () => {
    const res = await get('/api/v1/items?depth=9');
    assert.equal(res.statusCode, 400);
    assert.equal((json(res).error as { code: string }).code, 'COMMON.VALIDATION');
  });
});

describe('CONTRACT › GET /api/v1/items/{implementationCode}', () => {
  test('answers the full guide with every element', async () => {
    const res = await get(`/api/v1/items/${foodCode}`);
    assert.equal(res.statusCode, 200);
    const g = json(res);
    for (const k of [
      'implementationCode',
      'basicCode',
      'name',
      'type',
      'version',
      'status',
      'exerciseLevel',
      'implementingBody',
      'legalBasis',
      'conditions',
      'realNameLevel',
      'handlingKind',
      'statutoryLimit',
      'promisedLimit',
      'steps',
      'materials',
      'situations',
      'fees',
      'results',
      'halls',
      'appointment',
      'acceptanceScope',
      'online',
      'faq',
      'consultation',
      'complaint',
      'review',
      'form',
    ]) {
      assert.ok(k in g, k);
    }
    assert.equal(g.implementationCode, foodCode);
    assert.equal((g.situations as unknown[]).length, 3);
  });

  test('an unknown code is 404 CATALOG.NOT_FOUND in the contract error shape', async () => {
    const res = await get(`/api/v1/items/${foodCode.slice(0, 30)}99`);
    assert.equal(res.statusCode, 404);
    const e = json(res).error as { code: string; message: string };
    assert.equal(e.code, 'CATALOG.NOT_FOUND');
    assert.ok(e.message.length > 0);
  });
});

describe('admin API: versions with permissions', () => {
  const auth = () => ({ authorization: `Bearer ${admin}` });

  test('editing needs a login', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/admin/items/${foodCode}/revisions`,
      payload: {},
    });
    assert.equal(res.statusCode, 401);
  });

  test('revise → edit → submit → publish; the old version stays readable and the diff shows the change', async () => {
    let res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/admin/items/${foodCode}/revisions`,
      headers: auth(),
      payload: {},
    });
    assert.equal(res.statusCode, 200, res.body);
    const v2 = json(res).version as number;
    res = await t.app.inject({ method: 'GET', url: `/api/v1/admin/items/${foodCode}`, headers: auth() });
    const { item } = json(res) as { item: Record<string, unknown> };
    const {
      implementationCode: _c,
      version: _v,
      status: _s,
      effectiveFrom: _e,
      withdrawnAt: _w,
      publishedAt: _p,
      ...guide
    } = item;
    (guide.promisedLimit as { days: number }).days = 8;
    // the steps must still fit the promise (Q.STEPS_WITHIN_PROMISED)
    (guide.steps as Array<{ limit: { days: number } }>)[1]!.limit.days = 4;
    res = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/admin/items/${foodCode}/draft`,
      headers: auth(),
      payload: guide,
    });
    assert.equal(res.statusCode, 200, res.body);
    res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/admin/items/${foodCode}/submit`,
      headers: auth(),
      payload: {},
    });
    assert.equal(json(res).status, 'review', res.body);
    res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/admin/items/${foodCode}/publish`,
      headers: auth(),
      payload: { effectiveFrom: '2026-12-01' },
    });
    assert.equal(json(res).status, 'published', res.body);
    assert.equal(json(await get(`/api/v1/items/${foodCode}`)).version, v2);
    const old = json(await get(`/api/v1/items/${foodCode}/versions/1`));
    assert.equal(old.status, 'superseded');
    const diff = json(await get(`/api/v1/items/${foodCode}/diff?from=1&to=${v2}`));
    assert.deepEqual(diff.changes, [
      { path: 'promisedLimit.days', before: 10, after: 8 },
      { path: 'steps.1.limit.days', before: 6, after: 4 },
    ]);
    const page = await get(`/items/${foodCode}/diff?from=1&to=${v2}`, { accept: 'text/html' });
    assert.equal(page.statusCode, 200);
    assert.ok(page.body.includes('promisedLimit.days'));
  });

  test('submitting a guide that breaks the rules is 422 CATALOG.QUALITY_FAILED with the full list', async () => {
    let res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/admin/items/${foodCode}/revisions`,
      headers: auth(),
      payload: {},
    });
    res = await t.app.inject({ method: 'GET', url: `/api/v1/admin/items/${foodCode}`, headers: auth() });
    const { item } = json(res) as { item: Record<string, unknown> };
    const {
      implementationCode: _c,
      version: _v,
      status: _s,
      effectiveFrom: _e,
      withdrawnAt: _w,
      publishedAt: _p,
      ...guide
    } = item;
    guide.faq = [];
    guide.handlingKind = 'immediate';
    res = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/admin/items/${foodCode}/draft`,
      headers: auth(),
      payload: guide,
    });
    assert.equal(res.statusCode, 200);
    res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/admin/items/${foodCode}/submit`,
      headers: auth(),
      payload: {},
    });
    assert.equal(res.statusCode, 422);
    const e = json(res).error as {
      code: string;
      details: Array<{ field: string; rule: string; fix: { zh: string; en: string } }>;
    };
    assert.equal(e.code, 'CATALOG.QUALITY_FAILED');
    assert.deepEqual(e.details.map((d) => d.rule).sort(), ['Q.IMMEDIATE_NEEDS_ZERO_LIMIT', 'Q.PERMIT_FAQ']);
    // the edit page shows the same failures in an error summary
    const page = await t.app.inject({
      method: 'GET',
      url: `/admin/items/${foodCode}/edit`,
      headers: { ...auth(), accept: 'text/html' },
    });
    assert.equal(page.statusCode, 200);
    assert.ok(page.body.includes('error-summary'));
    assert.ok(page.body.includes('Q.PERMIT_FAQ'));
  });
});

describe('admin pages', () => {
  const auth = () => ({ authorization: `Bearer ${admin}`, accept: 'text/html' });
  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

  test('the editor previews a change without saving it, and lists quality failures', async () => {
    const page = await t.app.inject({ method: 'GET', url: `/admin/items/${foodCode}/edit`, headers: auth() });
    assert.equal(page.statusCode, 200);
    const box = /name="guideJson"[^>]*>([\s\S]*?)<\/textarea>/.exec(page.body)?.[1];
    assert.ok(box, 'the JSON box is on the page');
    const guideJson = box
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>');
    const res = await t.app.inject({
      method: 'POST',
      url: `/admin/items/${foodCode}/edit`,
      headers: { ...auth(), 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({
        do: 'preview',
        name: '食品经营许可证核发（预览）',
        promisedDays: '0',
        statutoryDays: '20',
        handlingKind: 'promised',
        depth: '4',
        visits: '0',
        themes: 'permits',
        conditions: '条件一',
        guideJson,
      }),
    });
    assert.equal(res.statusCode, 200, res.body.slice(0, 500));
    assert.ok(res.body.includes('食品经营许可证核发（预览）'));
    assert.ok(res.body.includes('Q.ZERO_LIMIT_NEEDS_IMMEDIATE'));
    const still = json(await get(`/api/v1/items/${foodCode}`));
    assert.equal(still.name, '食品经营许可证核发');
  });

  test('malformed JSON in the editor is a 400 with an error summary, not a 500', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: `/admin/items/${foodCode}/edit`,
      headers: { ...auth(), 'content-type': 'application/x-www-form-urlencoded' },
      payload: form({
        do: 'save',
        name: 'x',
        promisedDays: '1',
        statutoryDays: '2',
        handlingKind: 'promised',
        depth: '1',
        visits: '1',
        themes: '',
        conditions: 'c',
        guideJson: '{oops',
      }),
    });
    assert.equal(res.statusCode, 400);
    assert.ok(res.body.includes('error-summary'));
    assert.ok(res.body.includes('JSON 格式有误'), 'the catalog.edit.badJson message');
  });

  test('the admin list needs catalog.edit', async () => {
    assert.equal((await get('/admin/items', { accept: 'text/html' })).statusCode, 401);
    assert.equal(
      (await t.app.inject({ method: 'GET', url: '/admin/items', headers: auth() })).statusCode,
      200,
    );
  });
});

describe('pages', () => {
  test('the guide page has every section, the checklist and the reuse box', async () => {
    const res = await get(`/items/${foodCode}`, { accept: 'text/html' });
    assert.equal(res.statusCode, 200);
    for (const id of [
      'basics',
      'basis',
      'conditions',
      'materials',
      'situations',
      'steps',
      'fees',
      'results',
      'where',
      'faq',
      'help',
    ]) {
      assert.ok(res.body.includes(`id="${id}"`), id);
    }
    assert.ok(res.body.includes('class="reuse-box"'));
    assert.ok(res.body.includes('class="checklist"'));
    assert.ok(res.body.includes('@media print'));
  });

  test('实名等级 › the guide page says the level an applicant needs and how to reach it', async () => {
    const food = await get(`/items/${foodCode}`, { accept: 'text/html' });
    assert.match(food.body, /实名等级要求/);
    assert.match(food.body, /L2：个人须先完成实名核验/);
    // 《婚姻登记条例》第七条: both parties appear in person, so the item needs L3
    const r = json(await get(`/api/v1/items?q=${encodeURIComponent('结婚登记')}&region=410105`));
    const code = (r.items as Array<{ implementationCode: string; name: string }>).find(
      (i) => i.name === '结婚登记',
    )!.implementationCode;
    assert.equal(json(await get(`/api/v1/items/${code}`)).realNameLevel, 3);
    const marriage = await get(`/items/${code}`, { accept: 'text/html' });
    assert.match(marriage.body, /L3：法律规定须本人到场/);
    const en = await get(`/items/${code}`, { accept: 'text/html', 'accept-language': 'en' });
    assert.match(en.body, /L3: the law has the applicant appear in person/);
  });

  test('browse, themes, departments, bundles and versions answer 200', async () => {
    for (const url of [
      '/items',
      '/items?theme=birth&depth=4',
      '/themes',
      '/departments',
      '/bundles',
      `/items/${foodCode}/versions`,
    ]) {
      const res = await get(url, { accept: 'text/html' });
      assert.equal(res.statusCode, 200, url);
    }
    const depts = await get('/departments', { accept: 'text/html' });
    const m = /href="\/departments\/([^"]+)\/items"/.exec(depts.body);
    assert.ok(m);
    assert.equal((await get(`/departments/${m[1]}/items`, { accept: 'text/html' })).statusCode, 200);
  });

  test('the bundles API lists 新生儿出生一件事 with its four items', async () => {
    const b = json(await get('/api/v1/bundles')).bundles as Array<{ code: string; members: unknown[] }>;
    assert.equal(b.find((x) => x.code === 'BIRTH')?.members.length, 4);
    assert.equal(b.find((x) => x.code === 'BUSINESS-START')?.members.length, 5);
  });
});
