import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type TongbanApp, buildApp } from '../../app.js';
import { testConfig } from '../../config/index.js';
import { systemClock } from '../../kernel/index.js';
import type { Store } from '../../platform/db/index.js';
import { openTestStore } from '../../../test/helpers/store.js';
import { createDisclosureService } from '../disclosure/index.js';
import { type SearchService, searchServiceOf } from './index.js';

/**
 * Polls until `ready` holds. On PostgreSQL an event becomes readable only once every older
 * transaction of the cluster has finished (the outbox's ordering rule), so one poll right after a
 * commit may not see it yet; the change must show up within a few polls.
 */
async function pollUntil(poll: () => Promise<void>, ready: () => boolean): Promise<void> {
  for (let i = 0; i < 200; i++) {
    await poll();
    if (ready()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Search through the real app on a real store (SQLite, or PostgreSQL with TONGBAN_TEST_DATABASE_URL). */
describe('search › API and pages on the real app', () => {
  let store: Store;
  let t: TongbanApp;
  let search: SearchService;
  let disclosure: ReturnType<typeof createDisclosureService>;

  before(async () => {
    store = await openTestStore();
    t = await buildApp({ config: testConfig(), store, demo: 'off', startConsumers: false });
    search = searchServiceOf(t.modules) as SearchService;
    assert.ok(search, 'the search module is wired');
    disclosure = createDisclosureService({ store, clock: systemClock });
  });
  after(async () => {
    await t.close();
    await store.close();
  });

  test('a publication becomes searchable by polling the event stream', async () => {
    const p = await disclosure.publish({
      regionCode: '410105',
      department: '金水区教育局',
      domain: '教育',
      category: '通知公告',
      title: '金水区2025年义务教育招生入学工作实施方案',
      body: '适龄儿童入学实行划片招生、免试就近入学，报名通过义务教育招生入学服务平台办理。',
      publishedOn: '2025-06-01',
    });
    await pollUntil(search.poll, () => search.current.has('information', p.id));
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/v1/search?q=${encodeURIComponent('招生入学')}`,
    });
    assert.equal(res.statusCode, 200);
    const body = res.json() as { total: number; hits: Array<Record<string, unknown>> };
    assert.equal(body.total, 1);
    const hit = body.hits[0] as {
      kind: string;
      id: string;
      title: string;
      snippet: string;
      url: string;
      highlights: Array<[number, number]>;
    };
    assert.deepEqual(Object.keys(hit).sort(), ['highlights', 'id', 'kind', 'snippet', 'title', 'url']);
    assert.equal(hit.kind, 'information');
    assert.equal(hit.id, p.id);
    assert.equal(hit.url, `/disclosure/${p.id}`);
    const marked = hit.highlights.map(([s, e]) => hit.snippet.slice(s, e));
    assert.ok(marked.includes('招生入学'), marked.join('|'));
    assert.ok(
      marked.every((m) => ['招生入学', '招生', '入学'].includes(m)),
      marked.join('|'),
    );
    const page = await t.app.inject({ method: 'GET', url: hit.url });
    assert.equal(page.statusCode, 200);
    assert.ok(page.body.includes('金水区2025年义务教育招生入学工作实施方案'));
  });

  test('a bulk import rebuilds the index, which then holds every record; kind filters apply', async () => {
    const rebuilds = search.status().rebuilds;
    await disclosure.bulkImport(
      [
        {
          regionCode: '410100',
          department: '郑州市医疗保障局',
          domain: '医疗卫生',
          category: '政策文件',
          title: '郑州市异地就医直接结算经办规程',
          body: '参保人员异地就医前应办理备案。',
          docNumber: null,
          publishedOn: '2024-01-02',
        },
      ],
      [
        {
          regionCode: '410102',
          class: '医院',
          name: '郑州市中心医院',
          address: '郑州市中原区桐柏路195号',
          phone: '0371-67690000',
          hours: '24小时急诊',
          description: '三级甲等综合医院，支持异地就医直接结算。',
        },
      ],
    );
    await pollUntil(search.poll, () => search.status().rebuilds > rebuilds);
    assert.equal(search.status().rebuilds, rebuilds + 1);
    const all = (
      await t.app.inject({ method: 'GET', url: `/api/v1/search?q=${encodeURIComponent('异地就医')}` })
    ).json() as { total: number };
    assert.equal(all.total, 2);
    const conv = (
      await t.app.inject({
        method: 'GET',
        url: `/api/v1/search?q=${encodeURIComponent('异地就医')}&kind=convenience`,
      })
    ).json() as {
      total: number;
      hits: Array<{ kind: string; url: string }>;
    };
    assert.equal(conv.total, 1);
    assert.equal(conv.hits[0]?.kind, 'convenience');
    const page = await t.app.inject({ method: 'GET', url: conv.hits[0]?.url ?? '/' });
    assert.equal(page.statusCode, 200);
    assert.ok(page.body.includes('郑州市中心医院'));
  });

  test('bad inputs are coded 400s, never 500s', async () => {
    const cases: Array<[string, string]> = [
      ['/api/v1/search?q=', 'SEARCH.QUERY_EMPTY'],
      ['/api/v1/search?q=%20%20', 'SEARCH.QUERY_EMPTY'],
      [`/api/v1/search?q=${encodeURIComponent('办'.repeat(101))}`, 'SEARCH.QUERY_TOO_LONG'],
      [`/api/v1/search?q=${'a'.repeat(1001)}`, 'COMMON.VALIDATION'],
      ['/api/v1/search', 'COMMON.VALIDATION'],
      ['/api/v1/search?q=x&kind=people', 'COMMON.VALIDATION'],
      ['/api/v1/search?q=x&page=0', 'COMMON.VALIDATION'],
      ['/api/v1/search?q=x&page=abc', 'COMMON.VALIDATION'],
      ['/api/v1/search?q=x&depth=9', 'COMMON.VALIDATION'],
      ['/api/v1/search?q=x&region=41', 'COMMON.VALIDATION'],
    ];
    for (const [url, code] of cases) {
      const res = await t.app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 400, url);
      assert.equal((res.json() as { error: { code: string } }).error.code, code, url);
    }
  });

  test('the search page highlights with <mark>, escapes titles, and helps when nothing is found', async () => {
    const pub = await disclosure.publish({
      regionCode: '410100',
      department: '郑州市人民政府办公室',
      domain: '人事信息',
      category: '公示公告',
      title: '<script>alert(1)</script>事业单位公开招聘公告',
      body: '事业单位公开招聘工作人员。',
      publishedOn: '2025-03-01',
    });
    await pollUntil(search.poll, () => search.current.has('information', pub.id));
    const res = await t.app.inject({ method: 'GET', url: `/search?q=${encodeURIComponent('公开招聘')}` });
    assert.equal(res.statusCode, 200);
    assert.ok(res.body.includes('<mark>公开招聘</mark>'), 'matched words are marked');
    assert.ok(!res.body.includes('<script>alert(1)</script>'), 'a title never becomes markup');
    assert.ok(res.body.includes('&lt;script'), 'it shows as text');
    const none = await t.app.inject({ method: 'GET', url: `/search?q=${encodeURIComponent('量子纠缠')}` });
    assert.equal(none.statusCode, 200);
    assert.ok(none.body.includes('12345'), 'the hotline is offered');
    const syn = await t.app.inject({ method: 'GET', url: `/search?q=${encodeURIComponent('驾照')}` });
    assert.ok(syn.body.includes('驾驶证'), 'synonyms are suggested');
    const tooLong = await t.app.inject({
      method: 'GET',
      url: `/search?q=${encodeURIComponent('办'.repeat(101))}`,
    });
    assert.equal(tooLong.statusCode, 400);
    const empty = await t.app.inject({ method: 'GET', url: '/search' });
    assert.equal(empty.statusCode, 200);
    const en = await t.app.inject({
      method: 'GET',
      url: `/search?q=${encodeURIComponent('公开招聘')}&lang=en`,
    });
    assert.ok(en.body.includes('results'));
  });

  test('disclosure pages: list with filters, unknown ids are 404', async () => {
    const list = await t.app.inject({
      method: 'GET',
      url: `/disclosure?domain=${encodeURIComponent('教育')}&region=410105`,
    });
    assert.equal(list.statusCode, 200);
    assert.ok(list.body.includes('金水区2025年义务教育招生入学工作实施方案'));
    assert.ok(!list.body.includes('异地就医直接结算经办规程'));
    assert.equal((await t.app.inject({ method: 'GET', url: '/disclosure?domain=nonsense' })).statusCode, 400);
    assert.equal((await t.app.inject({ method: 'GET', url: '/disclosure/nope' })).statusCode, 404);
    assert.equal((await t.app.inject({ method: 'GET', url: '/convenience/nope' })).statusCode, 404);
  });
});
