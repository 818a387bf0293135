import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type SearchService, catalogSource, searchServiceOf } from '../../src/modules/search/index.js';
import type { TongbanApp } from '../../src/app.js';
import { buildTestApp } from '../helpers/app.js';
import { JUDGED, evaluate } from './judged.js';

/** The judged queries against the demo city as the app seeds it (catalogue + disclosure). */
describe('search relevance › judged queries on the demo city', () => {
  let t: TongbanApp;
  let search: SearchService;
  before(async () => {
    t = await buildTestApp({ demo: 'on' });
    search = searchServiceOf(t.modules) as SearchService;
  });
  after(async () => t.close());

  test('precision@5 over the queries the demo catalogue can answer', () => {
    const r = evaluate(
      (q) => search.search({ q, pageSize: 10 }).hits.map((h) => h.title),
      search.current.titles('item'),
    );
    console.log(
      `demo city: ${r.scored} of ${JUDGED.length} judged queries answerable; precision@5 ${r.precisionAt5.toFixed(3)}; success@5 ${r.successAt5.toFixed(3)}; MRR ${r.mrr.toFixed(3)}`,
    );
    for (const m of r.misses)
      console.log(
        `  partial/miss: ${m.q} — expected ${m.expect.join('、')} — got ${m.got.join(' / ') || '(nothing)'}`,
      );
    for (const g of r.gaps) console.log(`  catalogue gap: ${g.q} — needs one of ${g.expect.join('、')}`);
    assert.ok(r.scored >= 40, `${r.scored} answerable queries`);
    assert.ok(r.precisionAt5 >= 0.85, `precision@5 ${r.precisionAt5}`);
  });

  test('an item document fetched for an event equals the full build’s', async () => {
    const source = catalogSource(t.catalog);
    const { docs } = await source.scan(undefined, 40);
    assert.equal(docs.length, 40);
    for (const d of docs) assert.deepEqual(await source.get('item', d.id), d, d.id);
    assert.equal(await source.get('item', 'no-such-code'), undefined);
  });

  test('the API answers over all three kinds on the demo city', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/search?q=${encodeURIComponent('医院')}` });
    const body = res.json() as { total: number; hits: Array<{ kind: string }> };
    assert.ok(body.total > 0);
    for (const kind of ['item', 'information', 'convenience']) {
      const r = (
        await t.app.inject({
          method: 'GET',
          url: `/api/v1/search?q=${encodeURIComponent('登记')}&kind=${kind}`,
        })
      ).json() as { hits: Array<{ kind: string }> };
      assert.ok(r.hits.every((h) => h.kind === kind));
    }
  });
});
