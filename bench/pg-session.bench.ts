/**
 * What preparing hot statements saves (src/platform/db/pg-session.ts): the same action-shaped work
 * on two stores of one PostgreSQL server, in alternating rounds — one as before (every statement
 * parsed, analysed and planned by the server at each execution), one with hot statements prepared
 * once per connection. The work of one "action" is what a case action asks of the store: four reads by key
 * outside a transaction (the bearer token, the account, its grants, the case), then a transaction
 * that updates the case row on its version, inserts the action and the event, and commits
 * (synchronous_commit on). CPU per action is read for this process (process.cpuUsage) and for the
 * database's PostgreSQL backends (/proc): the figures a loaded machine bends least.
 *
 *   node --import tsx bench/pg-session.bench.ts      (ROUNDS=6 ACTIONS=1000 CONCURRENCY=16)
 */
import { loadavg } from 'node:os';
import { type Store, openStore, sql } from '../src/platform/db/index.js';
import { pgCpu, pgCpuSince } from './cluster.js';
import { BENCH_PG_URL, fmt, machine, median, scratchDatabase } from './lib.js';

const ROUNDS = Number(process.env.ROUNDS ?? 6);
const ACTIONS = Number(process.env.ACTIONS ?? 1000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 16);
const ROWS = 2000;

async function prepare(store: Store): Promise<void> {
  const db = store.db;
  await sql`create table k (id text primary key, account text not null, v text not null)`.execute(db);
  await sql`create table c (id text primary key, n int not null, status text not null, projection text not null)`.execute(
    db,
  );
  await sql`create table a (case_id text not null, seq int not null, payload text not null, primary key (case_id, seq))`.execute(
    db,
  );
  await sql`create table e (seq bigserial primary key, id text not null, payload text not null)`.execute(db);
  await sql`insert into k select 'k' || i, 'acc' || i, repeat('x', 40) from generate_series(1, ${ROWS}) i`.execute(
    db,
  );
  await sql`insert into c select 'c' || i, 0, 'open', repeat('p', 400) from generate_series(1, ${ROWS}) i`.execute(
    db,
  );
}

async function oneAction(store: Store, i: number): Promise<void> {
  const db = store.db;
  const key = `k${(i % ROWS) + 1}`;
  const id = `c${(i % ROWS) + 1}`;
  await sql`select * from k where id = ${key}`.execute(db);
  await sql`select * from k where account = ${`acc${(i % ROWS) + 1}`} and id = ${key}`.execute(db);
  await sql`select * from k where id = ${key} and v <> ${''}`.execute(db);
  const row = (await sql<{ n: number }>`select * from c where id = ${id}`.execute(db)).rows[0]!;
  await db.transaction().execute(async (trx) => {
    const u =
      await sql`update c set n = ${row.n + 1}, status = ${'busy'}, projection = ${'q'.repeat(400)} where id = ${id} and n = ${row.n}`.execute(
        trx,
      );
    if (!u.numAffectedRows) return; // another loop took this row's version: as CONCURRENT_CHANGE
    await sql`insert into a (case_id, seq, payload) values (${id}, ${row.n + 1}, ${'{"type":"approve"}'})`.execute(
      trx,
    );
    await sql`insert into e (id, payload) values (${`${id}.${row.n + 1}`}, ${'{"caseNumber":"x"}'})`.execute(
      trx,
    );
  });
}

async function round(store: Store, url: string, from: number): Promise<{ nodeUs: number; pgUs: number }> {
  const pg0 = await pgCpu(url);
  const c0 = process.cpuUsage();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < ACTIONS) await oneAction(store, from + next++);
    }),
  );
  const c = process.cpuUsage(c0);
  const pgMs = pgCpuSince(pg0, await pgCpu(url));
  return { nodeUs: (c.user + c.system) / ACTIONS, pgUs: (pgMs * 1000) / ACTIONS };
}

console.log(
  `pg-session bench — ${machine()}; ${ROUNDS} rounds × ${ACTIONS} actions, ${CONCURRENCY} in flight`,
);
const variants = [
  { name: 'before: statements parsed by the server at each execution', preparedStatements: false },
  { name: 'hot statements prepared once per connection', preparedStatements: true },
];
const dbs = await Promise.all(variants.map(() => scratchDatabase(BENCH_PG_URL, 'tongban_pgs')));
const stores: Store[] = [];
const out = variants.map(() => ({ nodeUs: [] as number[], pgUs: [] as number[] }));
const loads: number[] = [];
try {
  for (const [i, v] of variants.entries()) {
    const store = await openStore({
      databaseUrl: dbs[i]!.url,
      poolSize: CONCURRENCY,
      preparedStatements: v.preparedStatements,
    });
    stores.push(store);
    await prepare(store);
    await round(store, dbs[i]!.url, 0); // warm-up: connections open, code compiled
  }
  for (let r = 0; r < ROUNDS; r++) {
    loads.push(loadavg()[0]!);
    // alternate which goes first, so neither always meets the machine in the same state
    const order = variants.map((_, i) => i);
    if (r % 2 === 1) order.reverse();
    for (const i of order) {
      const x = await round(stores[i]!, dbs[i]!.url, (r + 1) * ACTIONS);
      out[i]!.nodeUs.push(x.nodeUs);
      out[i]!.pgUs.push(x.pgUs);
    }
    console.log(
      `round ${r + 1}: ${variants.map((_, i) => `${fmt(out[i]!.nodeUs[r]!, 0)} + ${fmt(out[i]!.pgUs[r]!, 0)} µs`).join('; ')}; load ${fmt(loadavg()[0]!, 1)}`,
    );
  }
} finally {
  for (const s of stores) await s.close();
  for (const d of dbs) await d.drop();
}
console.log(`\nload average (1 min) during the rounds: ${loads.map((l) => fmt(l, 1)).join(', ')}`);
console.log(
  `| per action-shaped unit of work (median of ${ROUNDS} rounds) | this process, CPU µs | PostgreSQL backends, CPU µs |`,
);
console.log('|---|---:|---:|');
for (const [i, v] of variants.entries())
  console.log(`| ${v.name} | ${fmt(median(out[i]!.nodeUs), 0)} | ${fmt(median(out[i]!.pgUs), 0)} |`);
