import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { render } from 'preact-render-to-string';
import { flatten, highlight, snippet } from './search.highlight.js';
import { divisionLevel, divisionPrefix } from '../../platform/codes/index.js';
import { IndexBuilder, type SearchIndex, regionMatches } from './search.index.js';
import { Highlighted } from './search.pages.js';
import { analyzeQuery, indexTokens, pinyinInitials, segmenter } from './search.segment.js';
import type { SearchDoc } from './search.types.js';

const item = (id: string, title: string, extra: Partial<SearchDoc> = {}): SearchDoc => ({
  kind: 'item',
  id,
  title,
  body: `${title}的办事指南：申请人可在一网通办平台在线申请。`,
  url: `/items/${id}`,
  region: '410100',
  department: '郑州市市场监督管理局',
  type: '01',
  themes: ['开办企业'],
  depth: 4,
  ...extra,
});

function indexOf(docs: SearchDoc[]): SearchIndex {
  const b = new IndexBuilder();
  for (const d of docs) b.add(d);
  return b.finish();
}

const titles = (idx: SearchIndex, q: string, extra: object = {}) =>
  idx.search({ q, ...extra }).hits.map((h) => h.title);

describe('segmentation › government dictionary', () => {
  test('keeps 一网通办, 跨省通办 and 个体工商户 whole', () => {
    const cut = segmenter().cut('个体工商户可以一网通办和跨省通办', true);
    for (const w of ['个体工商户', '一网通办', '跨省通办'])
      assert.ok(cut.includes(w), `${w} in ${cut.join('/')}`);
  });
  test('search mode also indexes the parts of a compound (居民身份证 → 身份证)', () => {
    const toks = indexTokens('居民身份证挂失/补领');
    for (const w of ['居民身份证', '身份证', '挂失', '补领'])
      assert.ok(toks.includes(w), `${w} in ${toks.join('/')}`);
    assert.ok(!toks.includes('/'), 'punctuation is not indexed');
  });
  test('食品经营许可证 still yields 许可证 for the index', () => {
    assert.ok(indexTokens('食品经营许可证核发').includes('许可证'));
  });
  test('a query drops question words and keeps the subject', () => {
    const labels = analyzeQuery('请问营业执照怎么办理').groups.map((g) => g.label);
    assert.deepEqual(labels, ['营业执照']);
  });
});

describe('synonyms and colloquial queries', () => {
  const idx = indexOf([
    item('a', '居民身份证挂失/补领', { department: '郑州市公安局', type: '07' }),
    item('b', '营业执照遗失补领'),
    item('c', '食品经营许可证核发'),
    item('d', '出生医学证明办理', { department: '郑州市卫生健康委员会', type: '20' }),
    item('e', '户外广告设施设置审批'),
  ]);
  test('身份证 ~ 居民身份证: 身份证丢了 finds 居民身份证挂失/补领 first', () => {
    assert.equal(titles(idx, '身份证丢了')[0], '居民身份证挂失/补领');
  });
  test('营业执照 ~ 执照', () => {
    assert.equal(titles(idx, '执照')[0], '营业执照遗失补领');
  });
  test('开饭店要办什么证 finds 食品经营许可证核发 first', () => {
    assert.equal(titles(idx, '开饭店要办什么证')[0], '食品经营许可证核发');
  });
  test('生孩子 finds 出生医学证明办理', () => {
    assert.ok(titles(idx, '生孩子').includes('出生医学证明办理'));
  });
  test('a word the index does not know is matched through its known parts (食品经营许可)', () => {
    assert.equal(titles(idx, '食品经营许可')[0], '食品经营许可证核发');
  });
  test('nothing relevant → no hits, not noise', () => {
    assert.equal(idx.search({ q: '量子计算机' }).total, 0);
  });
});

describe('pinyin initials of item names', () => {
  const idx = indexOf([
    item('a', '个体工商户设立登记'),
    item('b', '企业设立登记'),
    item('c', '个体工商户注销登记'),
  ]);
  test('initials of a title', () => {
    assert.equal(pinyinInitials('个体工商户设立登记'), 'gtgshsldj');
  });
  test('gtgs → 个体工商户… items', () => {
    const t = titles(idx, 'gtgs');
    assert.deepEqual(new Set(t), new Set(['个体工商户设立登记', '个体工商户注销登记']));
  });
  test('initials inside a name match too (sldj → …设立登记)', () => {
    assert.ok(titles(idx, 'sldj').includes('企业设立登记'));
  });
});

describe('relevance › the exact item first', () => {
  const idx = indexOf([
    item('long', '食品经营许可证核发（仅销售预包装食品以外的情形）'),
    item('exact', '食品经营许可证核发'),
    item('other', '食品经营许可证变更'),
    {
      kind: 'information',
      id: 'i1',
      title: '关于食品经营许可证核发工作的通知',
      body: '食品经营许可证核发食品经营许可证核发',
      url: '/disclosure/i1',
    },
  ]);
  test('the item whose name is the query ranks first', () => {
    assert.equal(idx.search({ q: '食品经营许可证核发' }).hits[0]?.id, 'exact');
  });
  test('and the query with spaces or punctuation too', () => {
    assert.equal(idx.search({ q: ' 食品经营许可证 核发 ' }).hits[0]?.id, 'exact');
  });
});

describe('filters', () => {
  const idx = indexOf([
    item('city', '公共场所卫生许可证核发', {
      region: '410100',
      department: '郑州市卫生健康委员会',
      type: '01',
      themes: ['开办企业'],
      depth: 3,
    }),
    item('jinshui', '公共场所卫生许可证核发', {
      region: '410105',
      department: '金水区卫生健康委员会',
      type: '01',
      themes: ['开办企业'],
      depth: 4,
    }),
    item('town', '公共场所卫生许可证核发', {
      region: '410105001',
      department: '金水区卫生健康委员会',
      type: '20',
      themes: ['医疗卫生'],
      depth: 2,
    }),
    {
      kind: 'information',
      id: 'n1',
      title: '公共场所卫生许可证核发情况公示',
      body: '卫生许可',
      url: '/disclosure/n1',
      region: '410105',
      type: '医疗卫生',
    },
    {
      kind: 'convenience',
      id: 'c1',
      title: '金水区卫生许可咨询窗口',
      body: '卫生许可',
      url: '/convenience/c1',
      region: '410105',
      type: '便民服务中心',
    },
  ]);
  const ids = (f: object) => new Set(idx.search({ q: '卫生许可', ...f }).hits.map((h) => h.id));
  test('kind', () => {
    assert.deepEqual(ids({ kind: 'item' }), new Set(['city', 'jinshui', 'town']));
    assert.deepEqual(ids({ kind: 'convenience' }), new Set(['c1']));
  });
  test('region includes the regions below it', () => {
    assert.deepEqual(ids({ kind: 'item', region: '410105' }), new Set(['jinshui', 'town']));
    assert.ok(regionMatches('410105001', '410100'), 'the city includes its townships');
    assert.ok(!regionMatches('410102', '410105'));
    assert.ok(regionMatches('410105', '410000'), 'the province includes its counties');
    assert.ok(!regionMatches('410105100', '410105001'), 'a township is not widened');
  });
  test('division prefix and level come from the code (platform/codes)', () => {
    assert.deepEqual(['410000', '410100', '410105', '410105001', '4101', '000000'].map(divisionPrefix), [
      '41',
      '4101',
      '410105',
      '410105001',
      '4101',
      '000000',
    ]);
    assert.deepEqual(
      ['100000', '410000', '410100', '410105', '410105001', '410105001001', '4101'].map(divisionLevel),
      ['province', 'province', 'city', 'county', 'township', 'village', undefined],
    );
  });
  test('department, type, theme, depth', () => {
    assert.deepEqual(ids({ department: '郑州市卫生健康委员会' }), new Set(['city']));
    assert.deepEqual(ids({ kind: 'item', type: '20' }), new Set(['town']));
    assert.deepEqual(ids({ theme: '医疗卫生' }), new Set(['town']));
    assert.deepEqual(ids({ depth: 4 }), new Set(['jinshui']));
  });
  test('kind counts ignore the kind filter (the tabs)', () => {
    const r = idx.search({ q: '卫生许可', kind: 'item' });
    assert.equal(r.total, 3);
    assert.deepEqual(r.kindCounts, { item: 3, information: 1, convenience: 1 });
  });
  test('paging', () => {
    const all = idx.search({ q: '卫生许可', pageSize: 10 }).hits.map((h) => h.id);
    const p2 = idx.search({ q: '卫生许可', pageSize: 2, page: 2 }).hits.map((h) => h.id);
    assert.deepEqual(p2, all.slice(2, 4));
  });
});

describe('highlighting', () => {
  test('marks every matched word, merged, case-insensitively', () => {
    const segs = highlight('ABC营业执照与营业执照', ['营业执照', 'abc']);
    assert.deepEqual(
      segs.filter((s) => s.hit).map((s) => s.text),
      ['ABC营业执照', '营业执照'],
    );
  });
  test('a snippet is a window around the first hit, with offsets for the API', () => {
    const body = `${'前言'.repeat(60)}申请营业执照需要身份证${'后记'.repeat(60)}`;
    const f = flatten(snippet(body, ['营业执照']));
    assert.ok(f.text.startsWith('…') && f.text.endsWith('…'));
    const [s, e] = f.highlights[0] as [number, number];
    assert.equal(f.text.slice(s, e), '营业执照');
  });
  test('a title holding <script> is shown as text, never as markup', () => {
    const idx = indexOf([item('x', '<script>alert(1)</script>营业执照办理')]);
    const hit = idx.search({ q: '营业执照' }).hits[0];
    assert.ok(hit);
    const html = render(<Highlighted segments={hit.titleSegments} />);
    assert.ok(!html.includes('<script>'), html);
    assert.ok(html.includes('&lt;script>') || html.includes('&lt;script&gt;'), html);
    assert.ok(html.includes('<mark>营业执照</mark>'), html);
  });
});

describe('incremental updates', () => {
  test('upsert replaces, remove withdraws, and the exact-title map follows', () => {
    const idx = indexOf([item('a', '企业设立登记')]);
    idx.upsert(item('b', '养犬登记'));
    assert.deepEqual(titles(idx, '养犬登记'), ['养犬登记']);
    idx.upsert(item('b', '犬只登记'));
    assert.deepEqual(titles(idx, '养犬登记'), []);
    assert.deepEqual(titles(idx, '犬只登记'), ['犬只登记']);
    assert.equal(idx.size, 2);
    assert.equal(idx.remove('item', 'a'), true);
    assert.deepEqual(titles(idx, '企业设立登记'), []);
    assert.equal(idx.size, 1);
  });
  test('grows past its initial capacity', () => {
    const idx = indexOf([]);
    for (let i = 0; i < 3000; i++) idx.upsert(item(`n${i}`, `测试事项${i}号登记`));
    assert.equal(idx.size, 3000);
    assert.equal(idx.search({ q: '测试事项2999号登记' }).hits[0]?.id, 'n2999');
  });
});
