import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type TongbanApp, buildApp } from '../../app.js';
import { testConfig } from '../../config/index.js';
import { ManualClock } from '../../kernel/index.js';
import { sql } from '../../platform/db/index.js';
import { buildTestApp } from '../../../test/helpers/app.js';

/**
 * 主动公开 by a department (2019 条例 art. 26): draft → review → publish by another person,
 * withdrawal with a reason (the text kept), the 20-working-day clock; published information is
 * found by search on a second node of the same store, leaves it when withdrawn, and is in the
 * Atom feeds and the sitemap; bad input is refused with a code and nothing written.
 */
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);
const at = (date: string) => `${date}T02:00:00.000Z`;

describe('主动公开 › draft, review, publish, withdraw', () => {
  let t: TongbanApp;
  let second: TongbanApp;
  const clock = new ManualClock(at('2025-09-15'));
  let cityAmr = '';

  const call = async (who: string | undefined, method: 'GET' | 'POST', url: string, payload?: unknown) => {
    const token = who ? (await t.identity.tokenForLogin(who)).token : undefined;
    const r = await t.app.inject({
      method,
      url,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
    });
    return { status: r.statusCode, json: () => r.json(), body: r.body };
  };
  const draft = (extra: Record<string, unknown> = {}) => ({
    department: cityAmr,
    domain: '食品药品监管',
    category: '抽检信息',
    title: '2025 年第三季度食品安全监督抽检信息公告',
    body: '本局组织抽检食品 1,200 批次，合格 1,176 批次，不合格样品已依法处置。',
    docNumber: '郑市监公告〔2025〕18号',
    madeOn: '2025-09-10',
    attachments: [{ filename: '抽检结果.pdf', contentBase64: PDF.toString('base64') }],
    ...extra,
  });
  const count = async () =>
    Number(
      (await sql<{ n: number }>`select count(*) as n from disclosure_publications`.execute(t.store.db))
        .rows[0]?.n,
    );
  const searchIds = async (app: TongbanApp, q: string) =>
    (
      (await app.app.inject({ url: `/api/v1/search?q=${encodeURIComponent(q)}&kind=information` })).json()
        .hits as Array<{
        id: string;
      }>
    ).map((h) => h.id);

  /** search polls the event stream every 500 ms on each node: wait (bounded) until it agrees */
  const eventually = async (fn: () => Promise<boolean>) => {
    for (let i = 0; i < 50; i++) {
      if (await fn()) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  };

  before(async () => {
    t = await buildTestApp({ demo: 'on', clock });
    // a second node on the same store: its own search index, fed from the same event stream
    second = await buildApp({
      config: testConfig(),
      store: t.store,
      clock,
      demo: 'off',
      startConsumers: false,
    });
    const departments = (await t.app.inject({ url: '/api/v1/departments?region=410100' })).json()
      .departments as Array<{ id: string; name: string }>;
    cityAmr = departments.find((d) => d.name === '郑州市市场监督管理局')?.id ?? '';
    assert.ok(cityAmr);
  });
  after(async () => {
    await second?.close();
    await t?.close();
  });

  test('art. 26 › the 20-working-day clock from the day it was made; four eyes; searchable on another node', async () => {
    const r = await call('discloser', 'POST', '/api/v1/disclosure/publications', draft());
    assert.equal(r.status, 201, r.body);
    const p = r.json();
    assert.equal(p.status, 'draft');
    // 2025-09-10 + 20 working days: 国庆 1–8 October off, Sunday 28 September and Saturday 11 October on
    assert.equal(p.clock.dueOn, '2025-10-14');
    assert.equal(p.clock.remainingWorkingDays, 17);
    // a draft is nobody's business outside the department
    assert.equal((await call(undefined, 'GET', `/disclosure/${p.id}`)).status, 404);
    assert.ok(!(await searchIds(t, '第三季度食品安全监督抽检')).includes(p.id));
    const submit = await call('discloser', 'POST', `/api/v1/disclosure/publications/${p.id}/actions`, {
      action: 'submit',
    });
    assert.equal(submit.json().status, 'inReview');
    const self = await call('discloser', 'POST', `/api/v1/disclosure/publications/${p.id}/actions`, {
      action: 'publish',
    });
    assert.equal(self.status, 409);
    assert.equal(self.json().error.details.reason, 'sameAsDrafter');
    clock.set(at('2025-09-16'));
    const pub = await call('admin', 'POST', `/api/v1/disclosure/publications/${p.id}/actions`, {
      action: 'publish',
    });
    assert.equal(pub.status, 200, pub.body);
    assert.equal(pub.json().status, 'published');
    assert.equal(pub.json().publishedOn, '2025-09-16');
    assert.equal(pub.json().clock.onTime, true);
    const page = await call(undefined, 'GET', `/disclosure/${p.id}`);
    assert.equal(page.status, 200);
    assert.ok(page.body.includes('郑市监公告〔2025〕18号'));
    // both nodes' indexes take it from the event stream
    await t.events.drain();
    await second.events.drain();
    assert.ok(await eventually(async () => (await searchIds(t, '第三季度食品安全监督抽检')).includes(p.id)));
    assert.ok(
      await eventually(async () => (await searchIds(second, '第三季度食品安全监督抽检')).includes(p.id)),
    );
    // the domain's and the department's feeds, and the sitemap
    const feed = await call(
      undefined,
      'GET',
      `/disclosure/domains/${encodeURIComponent('食品药品监管')}/feed.atom`,
    );
    assert.equal(feed.status, 200);
    assert.ok(feed.body.startsWith('<?xml') && feed.body.includes(`/disclosure/${p.id}`));
    const dept = await call(
      undefined,
      'GET',
      `/disclosure/departments/${encodeURIComponent('郑州市市场监督管理局')}/feed.atom`,
    );
    assert.ok(dept.body.includes(p.id));
    const index = await call(undefined, 'GET', '/sitemap.xml');
    assert.ok(index.body.includes('/sitemaps/disclosure-1.xml'));
    assert.ok(
      (await call(undefined, 'GET', '/sitemaps/disclosure-1.xml')).body.includes(`/disclosure/${p.id}</loc>`),
    );

    // withdrawn with a reason: gone from the list, search and feeds; the text stays in the record
    const w = await call('discloser', 'POST', `/api/v1/disclosure/publications/${p.id}/actions`, {
      action: 'withdraw',
      reason: '抽检数据更正，重新发布',
    });
    assert.equal(w.status, 200, w.body);
    assert.equal(w.json().status, 'withdrawn');
    assert.ok(w.json().body.includes('1,200 批次'));
    const gone = await call(undefined, 'GET', `/disclosure/${p.id}`);
    assert.equal(gone.status, 410);
    assert.ok(gone.body.includes('抽检数据更正，重新发布'));
    assert.ok(!gone.body.includes('1,200 批次'));
    await t.events.drain();
    await second.events.drain();
    assert.ok(
      await eventually(async () => !(await searchIds(second, '第三季度食品安全监督抽检')).includes(p.id)),
    );
    assert.ok(!(await call(undefined, 'GET', '/sitemaps/disclosure-1.xml')).body.includes(p.id));
  });

  test('a draft past its 20 working days is red', async () => {
    clock.set(at('2025-09-15'));
    const r = await call(
      'discloser',
      'POST',
      '/api/v1/disclosure/publications',
      draft({ madeOn: '2025-08-01' }),
    );
    assert.equal(r.status, 201, r.body);
    assert.equal(r.json().clock.colour, 'red');
    assert.ok(r.json().clock.remainingWorkingDays < 0);
  });

  test('bad input › an unknown department, a PNG attachment, a future date, no title: a code, nothing written', async () => {
    const before = await count();
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [draft({ department: 'dept-000000-none' }), 400, 'DISCLOSURE.UNKNOWN_BODY'],
      [
        draft({ attachments: [{ filename: 'x.pdf', contentBase64: PNG.toString('base64') }] }),
        415,
        'DISCLOSURE.ATTACHMENT_TYPE',
      ],
      [draft({ madeOn: '2025-12-01' }), 400, 'DISCLOSURE.INVALID'],
      [draft({ effectiveFrom: '2025-10-01', expiresOn: '2025-09-01' }), 400, 'DISCLOSURE.INVALID'],
      [draft({ title: ' ' }), 400, 'COMMON.VALIDATION'],
    ];
    for (const [payload, status, code] of cases) {
      const r = await call('discloser', 'POST', '/api/v1/disclosure/publications', payload);
      assert.equal(r.status, status, `${code}: ${r.body}`);
      assert.equal(r.json().error.code, code);
    }
    assert.equal(await count(), before);
  });

  test('access › only the department publishes; others find nothing', async () => {
    const r = await call('discloser', 'POST', '/api/v1/disclosure/publications', draft());
    const id = r.json().id as string;
    assert.equal((await call('citizen', 'GET', `/api/v1/disclosure/publications/${id}`)).status, 403);
    assert.equal((await call(undefined, 'GET', `/api/v1/disclosure/publications/${id}`)).status, 401);
    // an approver of the same department holds no disclosure.publish
    assert.equal((await call('approver', 'GET', `/api/v1/disclosure/publications/${id}`)).status, 403);
    assert.equal((await call('admin', 'GET', `/api/v1/disclosure/publications/${id}`)).status, 200);
  });
});
