import { readFileSync } from 'node:fs';
import { generateConvenience, generatePublications } from '../../src/modules/disclosure/index.js';
import { IndexBuilder, type SearchDoc, type SearchIndex } from '../../src/modules/search/index.js';
import { FIXTURE_ITEMS } from './fixture-items.js';

export interface JudgedQuery {
  q: string;
  expect: string[];
  style: string;
}

export const JUDGED: JudgedQuery[] = (
  JSON.parse(readFileSync(new URL('./judged-queries.json', import.meta.url), 'utf-8')) as {
    queries: JudgedQuery[];
  }
).queries;

/** The fixture items (one per name) and the demo city's generated information and convenience entries. */
export function judgedCorpus(): SearchDoc[] {
  const docs: SearchDoc[] = FIXTURE_ITEMS.map(([name, department, type, themes, depth], i) => ({
    kind: 'item',
    id: `fx-${i}`,
    title: name,
    body: `${department}办理${name}，申请人可通过一网通办平台在线申请或到政务服务中心窗口办理。`,
    url: `/items/fx-${i}`,
    region: '410100',
    department,
    type,
    themes,
    depth,
  }));
  let n = 0;
  for (const p of generatePublications(300, 7))
    docs.push({
      kind: 'information',
      id: `p${n++}`,
      title: p.title,
      body: p.body,
      url: '/',
      region: p.regionCode,
      department: p.department,
      type: p.domain,
    });
  for (const c of generateConvenience(150, 7))
    docs.push({
      kind: 'convenience',
      id: `c${n++}`,
      title: c.name,
      body: c.description,
      url: '/',
      region: c.regionCode,
      type: c.class,
    });
  return docs;
}

export function buildIndex(docs: Iterable<SearchDoc>): SearchIndex {
  const b = new IndexBuilder();
  for (const d of docs) b.add(d);
  return b.finish();
}

export interface JudgedReport {
  /** queries scored (those with at least one expected item in the corpus) */
  scored: number;
  /** mean over scored queries of |expected ∩ top 5| / min(5, |expected in corpus|) */
  precisionAt5: number;
  /** share of scored queries with at least one expected item in the top 5 */
  successAt5: number;
  /** mean reciprocal rank of the first expected item (0 when not in the top 10) */
  mrr: number;
  misses: Array<{ q: string; expect: string[]; got: string[] }>;
  /** queries whose expected items the corpus lacks altogether (catalogue gaps) */
  gaps: Array<{ q: string; expect: string[] }>;
}

/**
 * Scores the judged set: `search` returns hit titles in rank order; `present` holds the titles
 * the corpus has (expected names absent from it are not held against the search).
 */
export function evaluate(
  search: (q: string) => string[],
  present: ReadonlySet<string>,
  queries: JudgedQuery[] = JUDGED,
): JudgedReport {
  let p = 0;
  let s = 0;
  let rr = 0;
  let scored = 0;
  const misses: JudgedReport['misses'] = [];
  const gaps: JudgedReport['gaps'] = [];
  for (const jq of queries) {
    const expect = jq.expect.filter((e) => present.has(e));
    if (expect.length === 0) {
      gaps.push({ q: jq.q, expect: jq.expect });
      continue;
    }
    scored++;
    const got = search(jq.q);
    const top5 = [...new Set(got.slice(0, 5))];
    const found = expect.filter((e) => top5.includes(e)).length;
    const want = Math.min(5, expect.length);
    p += Math.min(1, found / want);
    if (found > 0) s++;
    const first = got.slice(0, 10).findIndex((t) => expect.includes(t));
    if (first >= 0) rr += 1 / (first + 1);
    if (found < want) misses.push({ q: jq.q, expect, got: got.slice(0, 5) });
  }
  const n = Math.max(1, scored);
  return { scored, precisionAt5: p / n, successAt5: s / n, mrr: rr / n, misses, gaps };
}
