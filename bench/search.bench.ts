/**
 * Search at Zhengzhou scale (~100k documents): the in-memory index against SQLite FTS5 and
 * PostgreSQL GIN full-text search over the same segmented corpus and the same queries, in the
 * same run; then the real server over HTTP at a fixed 200 requests/s.
 *
 *   node --import tsx bench/search.bench.ts            (a few minutes)
 *   BENCH_QUICK=1 …                                    (one run of each, a quarter of the corpus)
 *   BENCH_PG=postgres://postgres@127.0.0.1:5432/postgres (default; BENCH_PG=off skips PostgreSQL)
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { IndexBuilder, type SearchDoc, type SearchIndex } from '../src/modules/search/index.js';
import { analyzeQuery, indexTokens, segmenter } from '../src/modules/search/search.segment.js';
import { JUDGED } from '../test/search/judged.js';
import { fmt, machine, median, percentile, scratchDatabase } from './lib.js';
import { zhengzhouCorpus } from './search.corpus.js';

const QUICK = process.env.BENCH_QUICK === '1';
const SCALE = QUICK ? 0.25 : 1;
const RUNS = QUICK ? 1 : 3;
const PG_URL = process.env.BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const out = (s: string) => process.stdout.write(`${s}\n`);

out(
  `search bench — ${machine()}, load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')} at start`,
);

// ── corpus ──────────────────────────────────────────────────────────────────────────────────
const docs: SearchDoc[] = [...zhengzhouCorpus(SCALE)];
out(`corpus: ${fmt(docs.length, 0)} documents (${docs.filter((d) => d.kind === 'item').length} items)`);

// ── build ───────────────────────────────────────────────────────────────────────────────────
const buildMs: number[] = [];
let index!: SearchIndex;
for (let r = 0; r < RUNS; r++) {
  const t = performance.now();
  const b = new IndexBuilder();
  for (const d of docs) b.add(d);
  index = b.finish();
  buildMs.push(performance.now() - t);
}
out(`index build: median ${fmt(median(buildMs) / 1000, 2)} s over ${RUNS} (${index.terms} terms)`);

// ── queries: the judged set and generated ones (words of random titles) ─────────────────────
let seed = 7;
const rand = () => {
  seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
  return seed / 0x7fffffff;
};
const queries: string[] = JUDGED.map((q) => q.q);
while (queries.length < 300) {
  const d = docs[Math.floor(rand() * docs.length)] as SearchDoc;
  const words = segmenter()
    .cut(d.title, true)
    .filter((w) => w.length > 1 && w.length < 6 && /\p{Script=Han}/u.test(w));
  if (words.length === 0) continue;
  const n = 1 + Math.floor(rand() * Math.min(3, words.length));
  const start = Math.floor(rand() * (words.length - n + 1));
  queries.push(words.slice(start, start + n).join(''));
}

/**
 * The same boolean query for the SQL engines: each query word OR its synonyms, words AND-ed; a
 * word the segmenter splits (食品经营) becomes a phrase of its parts.
 */
function sqlGroups(q: string): string[][][] {
  return analyzeQuery(q)
    .groups.map((g) =>
      g.terms
        .map((t) =>
          segmenter()
            .cut(t.term, true)
            .filter((w) => /[\p{L}\p{N}]/u.test(w)),
        )
        .filter((p) => p.length > 0),
    )
    .filter((g) => g.length > 0);
}

function measure(run: (q: string) => unknown): { p50: number; p95: number } {
  const p50s: number[] = [];
  const p95s: number[] = [];
  for (const q of queries.slice(0, 50)) run(q); // warm
  for (let r = 0; r < RUNS + 2; r++) {
    const lat: number[] = [];
    for (const q of queries) {
      const t = performance.now();
      run(q);
      lat.push(performance.now() - t);
    }
    p50s.push(percentile(lat, 50));
    p95s.push(percentile(lat, 95));
  }
  return { p50: median(p50s), p95: median(p95s) };
}

async function measureAsync(run: (q: string) => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  const p50s: number[] = [];
  const p95s: number[] = [];
  for (const q of queries.slice(0, 50)) await run(q);
  for (let r = 0; r < RUNS + 2; r++) {
    const lat: number[] = [];
    for (const q of queries) {
      const t = performance.now();
      await run(q);
      lat.push(performance.now() - t);
    }
    p50s.push(percentile(lat, 50));
    p95s.push(percentile(lat, 95));
  }
  return { p50: median(p50s), p95: median(p95s) };
}

const ours = measure((q) => index.search({ q, pageSize: 10 }));
(globalThis as { gc?: () => void }).gc?.();
out(
  `in-process index: p50 ${fmt(ours.p50, 2)} ms, p95 ${fmt(ours.p95, 2)} ms over ${queries.length} queries × ${RUNS + 2} runs`,
);

// ── SQLite FTS5 over the pre-segmented text ─────────────────────────────────────────────────
const segmented = docs.map((d) => ({
  title: indexTokens(d.title).join(' '),
  body: indexTokens(`${d.keywords ?? ''} ${d.body}`).join(' '),
}));
const lite = new SQLite(':memory:');
lite.exec(`create virtual table fts using fts5(title, body, tokenize = 'unicode61')`);
const ins = lite.prepare('insert into fts(rowid, title, body) values (?, ?, ?)');
const tFts = performance.now();
lite.transaction(() => {
  for (let i = 0; i < segmented.length; i++) ins.run(i + 1, segmented[i]?.title, segmented[i]?.body);
})();
const ftsLoad = performance.now() - tFts;
const ftsQuery = lite.prepare(
  'select rowid, bm25(fts, 5.0, 1.0) as score from fts where fts match ? order by score limit 10',
);
const ftsMatch = (q: string) =>
  sqlGroups(q)
    .map((g) => `(${g.map((p) => `"${p.join(' ').replaceAll('"', '""')}"`).join(' OR ')})`)
    .join(' AND ');
const fts = measure((q) => {
  const m = ftsMatch(q);
  return m ? ftsQuery.all(m) : [];
});
out(`SQLite FTS5: p50 ${fmt(fts.p50, 2)} ms, p95 ${fmt(fts.p95, 2)} ms (load ${fmt(ftsLoad / 1000, 1)} s)`);
lite.close();

// ── PostgreSQL GIN over the same text ───────────────────────────────────────────────────────
let gin: { p50: number; p95: number } | undefined;
if (PG_URL !== 'off') {
  const scratch = await scratchDatabase(PG_URL, 'tongban_bench');
  const c = new pg.Client({ connectionString: scratch.url });
  try {
    await c.connect();
    await c.query(
      'create table docs (id int primary key, title text not null, body text not null, tsv tsvector)',
    );
    const tPg = performance.now();
    for (let i = 0; i < segmented.length; i += 5000) {
      const chunk = segmented.slice(i, i + 5000);
      await c.query(
        'insert into docs (id, title, body) select * from unnest($1::int[], $2::text[], $3::text[])',
        [chunk.map((_, j) => i + j + 1), chunk.map((s) => s.title), chunk.map((s) => s.body)],
      );
    }
    await c.query(
      `update docs set tsv = setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', body), 'B')`,
    );
    await c.query('create index docs_tsv on docs using gin (tsv)');
    await c.query('analyze docs');
    const pgLoad = performance.now() - tPg;
    const tsq = (q: string) =>
      sqlGroups(q)
        .map(
          (g) =>
            `(${g.map((p) => p.map((t) => `'${t.replaceAll("'", "''").replaceAll('\\', '')}'`).join(' <-> ')).join(' | ')})`,
        )
        .join(' & ');
    await c.query({
      name: 'q',
      text: `select id, ts_rank(tsv, q) as r from docs, to_tsquery('simple', $1) q where tsv @@ q order by r desc limit 10`,
      values: ['x'],
    });
    gin = await measureAsync(async (q) => {
      const t = tsq(q);
      return t
        ? c.query({
            name: 'q',
            text: `select id, ts_rank(tsv, q) as r from docs, to_tsquery('simple', $1) q where tsv @@ q order by r desc limit 10`,
            values: [t],
          })
        : [];
    });
    out(
      `PostgreSQL GIN: p50 ${fmt(gin.p50, 2)} ms, p95 ${fmt(gin.p95, 2)} ms (load + index ${fmt(pgLoad / 1000, 1)} s)`,
    );
  } finally {
    await c.end();
    await scratch.drop();
  }
}

// ── the real server: RSS with the index, and GET /api/v1/search at 200 requests/s ───────────
const dir = mkdtempSync(join(tmpdir(), 'tongban-search-bench-'));
const file = join(dir, 'tongban.sqlite');
const child = (mode: string) =>
  fork(join(import.meta.dirname, 'search.server.ts'), [mode, file], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
let server:
  | {
      port: number;
      rssBeforeMb: number;
      rssMb: number;
      heapMb: number;
      heapTotalMb: number;
      arrayBuffersMb: number;
      documents: number;
      buildMs: number;
      startMs: number;
    }
  | undefined;
const http: Array<{ p50: number; p95: number; p99: number; rps: number; errors: number }> = [];
let rssAfterLoad = 0;
try {
  const tPrep = performance.now();
  await new Promise<void>((resolve, reject) => {
    const p = child('prepare');
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`prepare exited ${code}`))));
  });
  out(
    `server store prepared (demo city + Zhengzhou scale) in ${fmt((performance.now() - tPrep) / 1000, 1)} s`,
  );
  const srv = child('serve');
  server = await new Promise((resolve, reject) => {
    let buf = '';
    srv.stdout?.on('data', (b: Buffer) => {
      buf += b.toString();
      const line = buf.split('\n').find((l) => l.startsWith('{"port"'));
      if (line) resolve(JSON.parse(line));
    });
    srv.on('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
  if (!server) throw new Error('no server');
  out(
    `server: ${fmt(server.documents, 0)} documents indexed at start in ${fmt(server.buildMs / 1000, 2)} s; RSS ${fmt(server.rssMb, 0)} MB after start (${fmt(server.rssBeforeMb, 0)} MB before the app was built; V8 heap ${fmt(server.heapMb, 0)} of ${fmt(server.heapTotalMb, 0)} MB, typed arrays ${fmt(server.arrayBuffersMb, 0)} MB)`,
  );
  const url = `http://127.0.0.1:${server.port}`;
  const paths = queries.map((q) => `/api/v1/search?q=${encodeURIComponent(q)}`);
  for (let r = 0; r < RUNS; r++) {
    const lat: number[] = [];
    let i = 0;
    const inst = autocannon({
      url,
      connections: 10,
      overallRate: 200,
      duration: QUICK ? 5 : 10,
      requests: [
        { setupRequest: (req: Record<string, unknown>) => ({ ...req, path: paths[i++ % paths.length] }) },
      ],
    });
    inst.on('response', (_c: unknown, _s: number, _b: number, ms: number) => lat.push(ms));
    const res = await inst;
    http.push({
      p50: percentile(lat, 50),
      p95: percentile(lat, 95),
      p99: percentile(lat, 99),
      rps: res.requests.average,
      errors: res.errors + res.non2xx,
    });
  }
  rssAfterLoad = await new Promise<number>((resolve) => {
    srv.once('message', (m: { rssMb: number }) => resolve(m.rssMb));
    srv.send('rss');
  });
  srv.send('stop');
  await new Promise((r) => srv.once('exit', r));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const h = {
  p50: median(http.map((x) => x.p50)),
  p95: median(http.map((x) => x.p95)),
  p99: median(http.map((x) => x.p99)),
  rps: median(http.map((x) => x.rps)),
};
out(
  `HTTP GET /api/v1/search at 200 req/s: p50 ${fmt(h.p50, 2)} ms, p95 ${fmt(h.p95, 2)} ms, p99 ${fmt(h.p99, 2)} ms, ${fmt(h.rps, 0)} req/s, errors ${http.map((x) => x.errors).join('/')}`,
);
out(`server RSS after the load: ${fmt(rssAfterLoad, 0)} MB`);

// ── summary ─────────────────────────────────────────────────────────────────────────────────
out('');
out('| measure | goal | result |');
out('|---|---|---|');
out(
  `| index build, ${fmt(docs.length, 0)} docs (median of ${RUNS}) | ≤ 20 s | ${fmt(median(buildMs) / 1000, 2)} s |`,
);
out(`| in-process query p95 | ≤ 3 ms | ${fmt(ours.p95, 2)} ms (p50 ${fmt(ours.p50, 2)}) |`);
out(
  `| SQLite FTS5 p95, same queries | baseline | ${fmt(fts.p95, 2)} ms (p50 ${fmt(fts.p50, 2)}) → ours ${fmt(fts.p95 / ours.p95, 1)}× faster |`,
);
if (gin)
  out(
    `| PostgreSQL GIN p95, same queries | baseline | ${fmt(gin.p95, 2)} ms (p50 ${fmt(gin.p50, 2)}) → ours ${fmt(gin.p95 / ours.p95, 1)}× faster |`,
  );
out(`| GET /api/v1/search p95 at 200 req/s | ≤ 20 ms | ${fmt(h.p95, 2)} ms |`);
out(
  `| server RSS with the index | ≤ 500 MB | ${fmt(server?.rssMb ?? 0, 0)} MB at start, ${fmt(rssAfterLoad, 0)} MB after the load |`,
);
out(
  `load average at end: ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);
