/**
 * A region's open cases by colour at province scale (issue 17, item 10: a province on one
 * PostgreSQL primary): the supervisor's workbench counts for the province, a city and a district,
 * read as shipped — the division prefix as an index range
 * (platform/db/prefix.ts) — and, in the same run on the same data, as before: `like 'prefix%'`
 * alone, which PostgreSQL (collation not C, or a prepared statement's generic plan) can only apply
 * as a filter over every open case of the province.
 *
 * How the data is made: the demo city is seeded and a few cases generated through the cases
 * module; their rows are then copied in SQL to OPEN open cases and CLOSED closed ones spread over
 * Henan's 18 cities × 12 districts × 20 townships (decide and hall region codes rewritten).
 *
 *   node --import tsx bench/region-prefix.bench.ts             (SQLite and PostgreSQL)
 *   OPEN=400000 CLOSED=400000 N=30 STORES=postgres
 */
import { loadavg } from 'node:os';
import { buildApp } from '../src/app.js';
import { testConfig } from '../src/config/index.js';
import { colourCountsInRegion } from '../src/modules/cases/cases.store.js';
import { type Store, sql } from '../src/platform/db/index.js';
import { type FreshStore, fmt, freshPostgres, freshSqlite, machine, median, pgReachable } from './lib.js';

const OPEN = Number(process.env.OPEN ?? 400_000);
const CLOSED = Number(process.env.CLOSED ?? 400_000);
const N = Number(process.env.N ?? 30);
const STORES = (process.env.STORES ?? 'sqlite,postgres').split(',');

/** Henan's 18 cities (4101…4117, 4190) × 12 districts × 20 townships */
const CITIES = [...Array.from({ length: 17 }, (_, i) => `41${String(i + 1).padStart(2, '0')}`), '4190'];
const TOWNSHIPS = CITIES.flatMap((c) =>
  Array.from({ length: 12 }, (_, d) =>
    Array.from(
      { length: 20 },
      (_, t) => `${c}${String(d + 1).padStart(2, '0')}${String(t + 1).padStart(3, '0')}`,
    ),
  ).flat(),
);

async function fill(store: Store, isPg: boolean): Promise<void> {
  const t = await buildApp({
    config: testConfig({ logLevel: 'silent' }),
    store,
    demo: 'on',
    startConsumers: false,
    warmUp: false,
  });
  await t.cases.seedHistory(20, () => false);
  await t.close();
  const cols = isPg
    ? (
        await sql<{ name: string }>`select column_name as name from information_schema.columns
          where table_name = 'cases' and table_schema = current_schema() order by ordinal_position`.execute(
          store.db,
        )
      ).rows.map((r) => r.name)
    : (await sql<{ name: string }>`select name from pragma_table_info('cases')`.execute(store.db)).rows.map(
        (r) => r.name,
      );
  await sql`create temporary table bench_townships (k integer primary key, code text not null)`.execute(
    store.db,
  );
  for (let i = 0; i < TOWNSHIPS.length; i += 500)
    await sql`insert into bench_townships (k, code) values ${sql.join(
      TOWNSHIPS.slice(i, i + 500).map((c, j) => sql`(${i + j}, ${c})`),
    )}`.execute(store.db);
  const colours = ['green', 'green', 'green', 'yellow', 'red'];
  const value = (c: string): ReturnType<typeof sql> => {
    switch (c) {
      case 'id':
        return sql`${sql.lit('bench-')} || s.n`;
      case 'case_number':
        return sql`${sql.lit('BENCH')} || s.n`;
      case 'decide_region_code':
      case 'hall_region_code':
        return sql`(select code from bench_townships where k = s.n % ${sql.lit(TOWNSHIPS.length)})`;
      case 'open':
        return sql`case when s.n < ${sql.lit(OPEN)} then 1 else 0 end`;
      case 'colour':
        return sql`case when s.n < ${sql.lit(OPEN)} then (case s.n % 5 ${sql.join(
          colours.map((k, i) => sql`when ${sql.lit(i)} then ${sql.lit(k)}`),
          sql` `,
        )} end) else 'none' end`;
      default:
        return sql`c.${sql.ref(c)}`;
    }
  };
  const series = isPg
    ? sql`generate_series(0, ${sql.lit(OPEN + CLOSED - 1)}) as s(n)`
    : sql`(with recursive g(n) as (select 0 union all select n + 1 from g where n < ${sql.lit(OPEN + CLOSED - 1)}) select n from g) as s`;
  await sql`insert into cases (${sql.join(cols.map((c) => sql.ref(c)))})
    select ${sql.join(cols.map(value))} from ${series}
    cross join (select * from cases order by id limit 1) as c`.execute(store.db);
  await sql`delete from cases where id not like 'bench-%'`.execute(store.db);
  if (isPg) await sql`analyze cases`.execute(store.db);
  else await sql`analyze`.execute(store.db);
}

/** the query as it was: the prefix as `like` alone */
const likeOnly = (db: Store['db'], prefix: string) =>
  sql<{ colour: string; n: number }>`select colour, count(*) as n from cases
    where open = 1 and decide_region_code like ${`${prefix}%`} group by colour`.execute(db);

const load = () => loadavg()[0]!.toFixed(1);
console.log(
  `region prefix bench · ${machine()} · ${fmt(OPEN, 0)} open + ${fmt(CLOSED, 0)} closed cases over ${TOWNSHIPS.length} townships · ${N} reads each · load ${load()}`,
);
const rows: string[] = [];
for (const kind of STORES) {
  if (kind === 'postgres' && !(await pgReachable())) {
    console.log('PostgreSQL not reachable: skipped');
    continue;
  }
  const fresh: FreshStore = kind === 'postgres' ? await freshPostgres() : await freshSqlite('NORMAL');
  try {
    const t0 = performance.now();
    await fill(fresh.store, kind === 'postgres');
    console.log(`${kind}: filled in ${fmt((performance.now() - t0) / 1000)} s`);
    for (const [label, prefix] of [
      ['province (41)', '41'],
      ['city (4101)', '4101'],
      ['district (410105)', '410105'],
    ] as const) {
      const a: number[] = [];
      const b: number[] = [];
      let same = true;
      for (let i = 0; i < N; i++) {
        // interleaved, so a change in the machine's speed falls on both
        let s = performance.now();
        const now = await colourCountsInRegion(fresh.store.db, prefix);
        a.push(performance.now() - s);
        s = performance.now();
        const was = await likeOnly(fresh.store.db, prefix);
        b.push(performance.now() - s);
        const total = Object.values(now).reduce((x, y) => x + y, 0);
        if (total !== was.rows.reduce((x, r) => x + Number(r.n), 0)) same = false;
      }
      const counted = Object.values(await colourCountsInRegion(fresh.store.db, prefix)).reduce(
        (x, y) => x + y,
        0,
      );
      rows.push(
        `| ${kind} | ${label} | ${fmt(counted, 0)} | ${fmt(median(a), 2)} | ${fmt(median(b), 2)} | ${same ? 'yes' : '**no**'} |`,
      );
    }
  } finally {
    await fresh.drop();
  }
}
console.log(`\nload ${load()}\n`);
console.log(
  '| store | supervisor of | open cases counted | range (shipped), ms | like alone (before), ms | same counts |',
);
console.log('|---|---|---:|---:|---:|---|');
for (const r of rows) console.log(r);
