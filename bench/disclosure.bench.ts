import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../src/app.js';
import { testConfig } from '../src/config/index.js';
import { systemClock } from '../src/kernel/index.js';
import { type Store, metaMigrations, migrate, openStore, sql } from '../src/platform/db/index.js';
import { eventsMigrations } from '../src/platform/events/index.js';
import {
  DISCLOSURE_DOMAINS,
  ZHENGZHOU_INFORMATION_ITEMS,
  createDisclosureService,
  generatePublications,
} from '../src/modules/disclosure/index.js';
import {
  atomFeed,
  sitemapFile,
  sitemapFiles,
  sitemapIndex,
} from '../src/modules/disclosure/disclosure.feeds.js';
import { publishingMigrations } from '../src/modules/disclosure/disclosure.publishing.store.js';
import { disclosureMigrations } from '../src/modules/disclosure/disclosure.store.js';
import { replayYear } from '../test/helpers/disclosure-replay.js';
import {
  BENCH_PG_URL,
  fmt,
  freshSqlite,
  machine,
  median,
  percentile,
  pgReachable,
  scratchDatabase,
} from './lib.js';

/**
 * 政务公开 (issue 13, "what it must show"):
 *  1. A generated year of 依申请公开 requests for the city (REPLAY_REQUESTS, default 20,000)
 *     replayed through the requests service day by day on a SQLite file (synchronous = FULL):
 *     every due date it states checked against a day-by-day count over chinese-days, the annual
 *     report against a recount (exit 1 on any difference). Per call: filing and acting, beside
 *     the baseline of a bare one-row write transaction on the same store, interleaved.
 *  2. Feeds and the sitemap at 73,139 published items: the sitemap index, each 50,000-URL file,
 *     the 22 domain feeds and a department feed, beside the baseline of the bare keyset read of
 *     (id, published_on) the sitemap files need. Medians of RUNS.
 *  3. Publish → searchable on a second node: two app instances on one PostgreSQL store (one
 *     SQLite file when PostgreSQL is not reachable); a publication made through node A's store,
 *     the time until node B's search finds it, beside the time until node A's own does.
 */
const RUNS = Number(process.env.RUNS ?? 5);
const REQUESTS = Number(process.env.REPLAY_REQUESTS ?? 20_000);
const PUBLICATIONS = Number(process.env.PUBLISH_RUNS ?? 10);
const loads: number[] = [loadavg()[0]!];
/** `PARTS=3` runs only part 3, `PARTS=1,2` the first two (default: all) */
const PARTS = new Set((process.env.PARTS ?? '1,2,3').split(',').map((x) => x.trim()));
const ms = (x: number) => `${fmt(x, x < 10 ? 2 : 0)} ms`;

console.log(
  `disclosure bench — ${machine()}, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);

// ── 1. a year of requests, replayed ─────────────────────────────────────────────────────────────
if (PARTS.has('1')) {
  const s = await freshSqlite('FULL');
  const r = await replayYear({ store: s.store, n: REQUESTS, seed: 2025 });
  await s.drop();
  loads.push(loadavg()[0]!);
  console.log(
    `\n1. a year of 依申请公开 requests (${fmt(r.requests, 0)} filed, ${fmt(r.actions, 0)} steps) replayed in ${fmt(r.totalMs / 1000, 1)} s`,
  );
  console.log(
    `   due dates checked against the day-by-day count: ${fmt(r.dueChecks, 0)}, differing: ${r.dueMismatches.length}`,
  );
  console.log(
    `   steps refused: ${r.refused.length}; annual report vs recount, differing figures: ${r.reportMismatches.length}`,
  );
  console.log(`   file a request        median ${ms(median(r.fileMs))}  p95 ${ms(percentile(r.fileMs, 95))}`);
  console.log(`   act on a request      median ${ms(median(r.actMs))}  p95 ${ms(percentile(r.actMs, 95))}`);
  console.log(
    `   baseline: bare 1-row write transaction, median ${ms(median(r.bareMs))}  p95 ${ms(percentile(r.bareMs, 95))}`,
  );
  console.log(`   the city's annual report for the year: ${ms(r.reportMs)}`);
  for (const m of [...r.dueMismatches, ...r.refused, ...r.reportMismatches].slice(0, 20))
    console.log(`   ! ${m}`);
  if (r.dueMismatches.length || r.refused.length || r.reportMismatches.length) process.exitCode = 1;
}

// ── 2. feeds and the sitemap at 73,139 items ─────────────────────────────────────────────────────
if (PARTS.has('2')) {
  const s = await freshSqlite('FULL');
  await migrate(s.store.db, {
    ...metaMigrations,
    ...eventsMigrations,
    ...disclosureMigrations,
    ...publishingMigrations,
  });
  const svc = createDisclosureService({ store: s.store, clock: systemClock });
  await svc.bulkImport(generatePublications(ZHENGZHOU_INFORMATION_ITEMS), []);
  const db = s.store.db;
  const base = 'https://tongban.example';
  const dept = (
    await sql<{
      department: string;
    }>`select department from disclosure_publications group by department order by count(*) desc limit 1`.execute(
      db,
    )
  ).rows[0]!.department;
  const time = async (fn: () => Promise<unknown>) => {
    const t = performance.now();
    await fn();
    return performance.now() - t;
  };
  const rows: Record<string, number[]> = {
    index: [],
    file1: [],
    file2: [],
    domains: [],
    department: [],
    bare: [],
  };
  let bytes = 0;
  for (let i = 0; i < RUNS; i++) {
    rows.bare!.push(
      await time(async () => {
        let after = '';
        for (;;) {
          const page = await sql<{ id: string; published_on: string }>`
            select id, published_on from disclosure_publications where status = 'published' and id > ${after}
            order by id limit 50000`.execute(db);
          if (page.rows.length === 0) break;
          after = page.rows[page.rows.length - 1]!.id;
        }
      }),
    );
    rows.index!.push(await time(async () => sitemapIndex(base, await sitemapFiles(db))));
    rows.file1!.push(await time(async () => (bytes = (await sitemapFile(db, base, 1))?.length ?? 0)));
    rows.file2!.push(await time(() => sitemapFile(db, base, 2)));
    rows.domains!.push(
      await time(async () => {
        for (const d of DISCLOSURE_DOMAINS)
          await atomFeed(db, base, { domain: d, title: d, selfPath: `/disclosure/domains/${d}/feed.atom` });
      }),
    );
    rows.department!.push(
      await time(() => atomFeed(db, base, { department: dept, title: dept, selfPath: '/feed.atom' })),
    );
  }
  const files = await sitemapFiles(db);
  await s.drop();
  loads.push(loadavg()[0]!);
  console.log(
    `\n2. feeds and sitemap at ${fmt(ZHENGZHOU_INFORMATION_ITEMS, 0)} published items (SQLite file), median of ${RUNS}`,
  );
  console.log(`   /sitemap.xml (index of ${files} files)              ${ms(median(rows.index!))}`);
  console.log(
    `   /sitemaps/disclosure-1.xml (50,000 URLs, ${fmt(bytes / 1e6, 1)} MB)   ${ms(median(rows.file1!))}`,
  );
  console.log(`   /sitemaps/disclosure-2.xml (the rest; walks past file 1)  ${ms(median(rows.file2!))}`);
  console.log(`   the 22 domain feeds, one after another               ${ms(median(rows.domains!))}`);
  console.log(`   the largest department's feed                       ${ms(median(rows.department!))}`);
  console.log(`   baseline: bare keyset read of every (id, published_on) ${ms(median(rows.bare!))}`);
}

// ── 3. publish → searchable on a second node ─────────────────────────────────────────────────────
if (PARTS.has('3')) {
  const pg = await pgReachable();
  let url: string | undefined;
  let drop = async () => {};
  let sqliteFile: string | undefined;
  if (pg) {
    const db = await scratchDatabase(BENCH_PG_URL, 'tongban_bench_nodes');
    url = db.url;
    drop = () => db.drop();
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'tongban-bench-nodes-'));
    sqliteFile = join(dir, 'nodes.db');
    drop = async () => rmSync(dir, { recursive: true, force: true });
  }
  const stores: Store[] = [];
  const nodes = [];
  for (let i = 0; i < 2; i++) {
    const store = url ? await openStore({ databaseUrl: url, poolSize: 4 }) : await openStore({ sqliteFile });
    stores.push(store);
    nodes.push(await buildApp({ config: testConfig(), store, demo: 'off', startConsumers: false }));
  }
  const svc = createDisclosureService({ store: stores[0]!, clock: systemClock });
  const found: Array<[number, number]> = [];
  for (let k = 0; k < PUBLICATIONS; k++) {
    const word = `基准检索词${k}号${Date.now().toString(36)}`;
    const t0 = performance.now();
    const p = await svc.publish({
      regionCode: '410105',
      department: '金水区教育局',
      domain: '教育',
      category: '通知公告',
      title: `${word}转学办理指南`,
      body: `${word}：转学申请通过义务教育招生入学服务平台办理。`,
      publishedOn: '2026-08-20',
    });
    const when = [0, 0] as [number, number];
    await Promise.all(
      nodes.map(async (n, i) => {
        for (let tries = 0; tries < 2000; tries++) {
          const r = await n.app.inject({
            url: `/api/v1/search?q=${encodeURIComponent(word)}`,
            remoteAddress: `203.0.113.${(tries % 250) + 1}`,
          });
          if (r.statusCode === 200 && r.body.includes(p.id)) {
            when[i] = performance.now() - t0;
            return;
          }
          await new Promise((res) => setTimeout(res, 10));
        }
        when[i] = Number.NaN;
      }),
    );
    found.push(when);
    console.log(`   publication ${k + 1}: A ${ms(when[0])}, B ${ms(when[1])}`);
  }
  for (const n of nodes) await n.close();
  for (const s of stores) await s.close();
  await drop();
  loads.push(loadavg()[0]!);
  console.log(
    `\n3. publish → searchable, two app instances on one ${pg ? 'PostgreSQL' : 'SQLite'} store, median of ${PUBLICATIONS} publications (polled every 10 ms)`,
  );
  console.log(
    `   on the second node (B)                               ${ms(median(found.map((f) => f[1])))}  max ${ms(Math.max(...found.map((f) => f[1])))}`,
  );
  console.log(
    `   baseline: on the publishing node's own index (A)     ${ms(median(found.map((f) => f[0])))}  max ${ms(Math.max(...found.map((f) => f[0])))}`,
  );
}

console.log(`\nload average (1 min) during the run: ${loads.map((l) => l.toFixed(1)).join(' → ')}`);
