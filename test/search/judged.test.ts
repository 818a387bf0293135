import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { JUDGED, buildIndex, evaluate, judgedCorpus } from './judged.js';

describe('search relevance › judged citizen queries', () => {
  test('the judged set has at least 50 queries, colloquial ones among them', () => {
    assert.ok(JUDGED.length >= 50);
    assert.ok(JUDGED.filter((q) => q.style === 'colloquial').length >= 20);
  });

  test('precision@5 ≥ 0.9 and every query finds an expected item in its top 5 for nearly all', () => {
    const docs = judgedCorpus();
    const idx = buildIndex(docs);
    const r = evaluate(
      (q) => idx.search({ q, pageSize: 10 }).hits.map((h) => h.title),
      new Set(docs.map((d) => d.title)),
    );
    assert.equal(r.gaps.length, 0, 'the fixture items answer every judged query');
    console.log(
      `judged queries: ${JUDGED.length}; precision@5 ${r.precisionAt5.toFixed(3)}; success@5 ${r.successAt5.toFixed(3)}; MRR ${r.mrr.toFixed(3)}`,
    );
    for (const m of r.misses)
      console.log(
        `  partial/miss: ${m.q} — expected ${m.expect.join('、')} — got ${m.got.join(' / ') || '(nothing)'}`,
      );
    assert.ok(r.precisionAt5 >= 0.9, `precision@5 ${r.precisionAt5}`);
    assert.ok(r.successAt5 >= 0.95, `success@5 ${r.successAt5}`);
  });
});
