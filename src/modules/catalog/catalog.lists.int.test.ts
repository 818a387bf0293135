import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildTestApp } from '../../../test/helpers/app.js';
import type { TongbanApp } from '../../app.js';
import { ManualClock } from '../../kernel/index.js';
import { parseCsv } from '../../platform/csv.js';

/**
 * 权力清单, 责任清单, 负面清单 (issue 13 item 4): read from the catalogue's power items and the
 * negative list's editions; versioned (a past day shows the versions in force then); searchable;
 * exported as CSV and JSON; pages in zh-CN and en.
 */
let t: TongbanApp;
const clock = new ManualClock('2025-06-02T02:00:00Z');
let admin: string;
let food: { implementationCode: string; basicCode: string; departmentId: string };
let other: { implementationCode: string; name: string };

const get = (url: string, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'GET', url, headers });
const json = <T = Record<string, unknown>>(res: { body: string }) => JSON.parse(res.body) as T;
const post = (url: string, payload: unknown = {}) =>
  t.app.inject({
    method: 'POST',
    url,
    payload: payload as object,
    headers: { authorization: `Bearer ${admin}` },
  });

interface PowerOut {
  total: number;
  asOf: string | null;
  items: Array<{
    implementationCode: string;
    basicCode: string;
    version: number;
    name: string;
    type: string;
    departmentId: string;
    powerSource: string;
    legalBasis: Array<{ law: string; article: string }>;
  }>;
}

before(async () => {
  t = await buildTestApp({ demo: 'on', clock });
  const r = json<{ items: Array<{ implementationCode: string; basicCode: string }> }>(
    await get(`/api/v1/items?q=${encodeURIComponent('食品经营许可证核发')}&region=410100&level=city`),
  );
  const item = json<{ implementingBody: { departmentId: string } }>(
    await get(`/api/v1/items/${r.items[0]!.implementationCode}`),
  );
  food = { ...r.items[0]!, departmentId: item.implementingBody.departmentId };
  const same = json<PowerOut>(await get(`/api/v1/lists/power?department=${food.departmentId}&pageSize=100`));
  const o = same.items.find((i) => i.implementationCode !== food.implementationCode)!;
  other = { implementationCode: o.implementationCode, name: o.name };
  // a week later: a new version of the food licence item, and another item withdrawn
  clock.set('2025-06-10T02:00:00Z');
  admin = (await t.identity.tokenForLogin('admin')).token;
  for (const step of ['revisions', 'submit', 'publish'])
    assert.equal(
      (await post(`/api/v1/admin/items/${food.implementationCode}/${step}`)).statusCode,
      200,
      step,
    );
  const w = await post(`/api/v1/admin/items/${other.implementationCode}/withdraw`, { reason: '职权调整' });
  assert.equal(w.statusCode, 200);
});
after(() => t.close());

describe('权力清单', () => {
  test("a body's power items with legal basis and source of power; public-service items are not powers", async () => {
    const r = json<PowerOut>(await get(`/api/v1/lists/power?department=${food.departmentId}&pageSize=100`));
    assert.ok(r.total >= 5, `${r.total} powers`);
    assert.equal(r.asOf, null);
    for (const i of r.items) {
      assert.equal(i.departmentId, food.departmentId);
      assert.notEqual(i.type, '20');
      assert.ok(i.legalBasis.length >= 1 && i.legalBasis.every((b) => b.law && b.article), i.name);
      assert.ok(['statutory', 'delegated', 'entrusted'].includes(i.powerSource));
    }
    const all = json<PowerOut>(await get('/api/v1/lists/power?pageSize=100&page=1'));
    const items = json<{ total: number }>(await get('/api/v1/items?pageSize=1'));
    const services = json<{ total: number }>(await get('/api/v1/items?pageSize=1&type=20'));
    assert.equal(all.total, items.total - services.total);
  });

  test('versioned: today the new version and not the withdrawn item; a past day the versions in force then', async () => {
    const now = json<PowerOut>(await get(`/api/v1/lists/power?department=${food.departmentId}&pageSize=100`));
    assert.equal(now.items.find((i) => i.implementationCode === food.implementationCode)?.version, 2);
    assert.equal(
      now.items.find((i) => i.implementationCode === other.implementationCode),
      undefined,
      'a withdrawn power is off the list',
    );
    const then = json<PowerOut>(
      await get(`/api/v1/lists/power?department=${food.departmentId}&pageSize=100&asOf=2025-06-05`),
    );
    assert.equal(then.asOf, '2025-06-05');
    assert.equal(then.items.find((i) => i.implementationCode === food.implementationCode)?.version, 1);
    assert.ok(then.items.some((i) => i.implementationCode === other.implementationCode));
    assert.equal(then.total, now.total + 1);
    // the day of the change, in China time, already shows it (published 10:00 on 2025-06-10 UTC+8)
    const day = json<PowerOut>(
      await get(`/api/v1/lists/power?department=${food.departmentId}&pageSize=100&asOf=2025-06-10`),
    );
    assert.equal(day.items.find((i) => i.implementationCode === food.implementationCode)?.version, 2);
    const before = json<PowerOut>(await get('/api/v1/lists/power?asOf=2025-06-01'));
    assert.equal(before.total, 0, 'nothing was in force before the catalogue was published');
  });

  test('searchable by name and code, filtered by kind and by basic code', async () => {
    const r = json<PowerOut>(
      await get(`/api/v1/lists/power?q=${encodeURIComponent('食品经营许可')}&pageSize=100`),
    );
    assert.ok(r.total >= 1);
    for (const i of r.items) assert.match(i.name, /食品经营许可/);
    const b = json<PowerOut>(await get(`/api/v1/lists/power?basicCode=${food.basicCode}&pageSize=100`));
    assert.ok(b.items.every((i) => i.basicCode === food.basicCode) && b.total >= 1);
    const byCode = json<PowerOut>(await get(`/api/v1/lists/power?q=${food.basicCode}`));
    assert.ok(byCode.items.some((i) => i.basicCode === food.basicCode));
    const k = json<PowerOut>(await get('/api/v1/lists/power?type=02&pageSize=100'));
    assert.ok(k.items.every((i) => i.type === '02'));
  });

  test('bad filters are a coded 400, not a 500', async () => {
    for (const q of ['asOf=2025-13-40', 'type=20', 'basicCode=abc', 'pageSize=1000']) {
      const r = await get(`/api/v1/lists/power?${q}`);
      assert.equal(r.statusCode, 400, q);
      assert.equal(json<{ error: { code: string } }>(r).error.code, 'COMMON.VALIDATION', q);
      const p = await get(`/lists/power?${q}`);
      assert.equal(p.statusCode, 400, `page ${q}`);
    }
  });

  test('exports: CSV and JSON hold every matching row, in the same numbers as the list', async () => {
    const q = `department=${food.departmentId}`;
    const list = json<PowerOut>(await get(`/api/v1/lists/power?${q}&pageSize=1`));
    const csv = await get(`/api/v1/lists/power.csv?${q}`);
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers['content-type']), /^text\/csv/);
    assert.match(String(csv.headers['content-disposition']), /attachment/);
    const records = parseCsv(csv.body);
    assert.equal(records[0]!.fields[0], 'implementationCode');
    assert.equal(records.length - 1, list.total);
    assert.ok(records.slice(1).every((r) => r.fields[6] === food.departmentId));
    const js = json<{ count: number; items: PowerOut['items'] }>(await get(`/api/v1/lists/power.json?${q}`));
    assert.equal(js.count, list.total);
    assert.equal(js.items.length, list.total);
    const past = json<{ count: number }>(await get(`/api/v1/lists/power.json?${q}&asOf=2025-06-05`));
    assert.equal(past.count, list.total + 1);
  });
});

describe('责任清单', () => {
  test('each power with its duties, their basis and accountability, and where to complain', async () => {
    const r = json<{
      total: number;
      items: Array<{
        name: string;
        duties: Array<{ content: string; basis?: string; accountability?: string }>;
        supervision: { complaint: Array<{ value: string }>; reconsideration: string; litigation: string };
      }>;
    }>(await get(`/api/v1/lists/duties?department=${food.departmentId}&pageSize=100`));
    assert.ok(r.total >= 5);
    for (const i of r.items) {
      assert.ok(i.duties.length >= 1, i.name);
      assert.ok(
        i.duties.every((d) => d.content && d.accountability),
        i.name,
      );
      assert.ok(i.supervision.complaint.length >= 1 && i.supervision.reconsideration);
    }
    const csv = parseCsv((await get(`/api/v1/lists/duties.csv?department=${food.departmentId}`)).body);
    const duties = r.items.reduce((n, i) => n + i.duties.length, 0);
    assert.equal(csv.length - 1, duties, 'one CSV line per duty');
  });
});

describe('负面清单', () => {
  interface Neg {
    edition: { edition: string; title: string } | null;
    editions: Array<{ edition: string }>;
    total: number;
    counts: { prohibited: number; permitted: number };
    measures: Array<{
      code: string;
      category: string;
      measure: string;
      basicCodes: string[];
      items: Array<{ basicCode: string; name: string | null; implementations: number; url: string }>;
    }>;
    changes: { previous: string; added: string[]; removed: string[] } | null;
  }

  test('the latest edition, its changes against the one before, each licence measure linked to its items', async () => {
    const r = json<Neg>(await get('/api/v1/lists/negative'));
    assert.equal(r.edition?.edition, '2025');
    assert.deepEqual(
      r.editions.map((e) => e.edition),
      ['2025', '2022'],
    );
    assert.equal(r.counts.prohibited, 6);
    assert.deepEqual(r.changes, { previous: '2022', added: ['X-OIL'], removed: ['X-RADIO'] });
    const foodMeasure = r.measures.find((m) => m.code === 'X-FOOD')!;
    assert.equal(foodMeasure.category, 'permitted');
    assert.ok(foodMeasure.basicCodes.includes(food.basicCode));
    const link = foodMeasure.items.find((i) => i.basicCode === food.basicCode)!;
    assert.equal(link.name, '食品经营许可证核发');
    assert.ok(link.implementations >= 1);
    // the link opens the power list of that item, every body implementing it
    const powers = json<PowerOut>(await get(`/api/v1${link.url}`));
    assert.equal(powers.total, link.implementations);
    for (const m of r.measures.filter((x) => x.category === 'permitted'))
      assert.ok(m.items.length >= 1 && m.items.every((i) => i.name), `${m.code} links to items`);
  });

  test('an older edition, a category and a word; an unknown edition is a coded 404', async () => {
    const old = json<Neg>(await get('/api/v1/lists/negative?edition=2022'));
    assert.ok(old.measures.some((m) => m.code === 'X-RADIO'));
    assert.equal(old.changes, null);
    const p = json<Neg>(await get('/api/v1/lists/negative?category=prohibited'));
    assert.equal(p.total, 6);
    assert.ok(p.measures.every((m) => m.category === 'prohibited'));
    const w = json<Neg>(await get(`/api/v1/lists/negative?q=${encodeURIComponent('燃气')}`));
    assert.deepEqual(
      w.measures.map((m) => m.code),
      ['X-GAS'],
    );
    const none = await get('/api/v1/lists/negative?edition=1999');
    assert.equal(none.statusCode, 404);
    assert.equal(json<{ error: { code: string } }>(none).error.code, 'CATALOG.LIST_EDITION_NOT_FOUND');
    const csv = parseCsv((await get('/api/v1/lists/negative.csv?edition=2022')).body);
    assert.equal(csv.length - 1, old.total);
    const js = json<Neg>(await get('/api/v1/lists/negative.json?edition=2022'));
    assert.equal(js.total, old.total);
  });
});

describe('pages', () => {
  test('in zh-CN and en, without script, the forms as GET filters (an empty select is no filter)', async () => {
    const zh = await get('/lists');
    assert.equal(zh.statusCode, 200);
    for (const w of ['权力清单', '责任清单', '市场准入负面清单']) assert.ok(zh.body.includes(w), w);
    const en = await get('/lists?lang=en');
    for (const w of ['Power list', 'Responsibility list', 'Market-access negative list'])
      assert.ok(en.body.includes(w), w);
    const power = await get(`/lists/power?department=&q=&type=&asOf=&lang=en`);
    assert.equal(power.statusCode, 200);
    assert.ok(power.body.includes('/api/v1/lists/power.csv'));
    const asOf = await get(`/lists/power?department=${food.departmentId}&asOf=2025-06-05`);
    assert.ok(asOf.body.includes('2025-06-05'));
    assert.ok(asOf.body.includes(`/items/${other.implementationCode}/versions/1`));
    const duties = await get(`/lists/duties?department=${food.departmentId}`);
    assert.ok(duties.body.includes('追责情形'));
    const neg = await get('/lists/negative?edition=2022&category=&q=');
    assert.equal(neg.statusCode, 200);
    assert.ok(neg.body.includes('2022'));
    assert.ok(neg.body.includes(`/lists/power?basicCode=${food.basicCode}`));
    assert.equal((await get('/lists/negative?edition=1999')).statusCode, 404);
  });
});
