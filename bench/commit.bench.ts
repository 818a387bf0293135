/**
 * Where a durable write's time goes on SQLite (issue 17, item 1: group commit, measured first).
 * Interleaved in one run, each variant once per round, the median of the rounds:
 *   fsync            fdatasync of a 4 KiB write on the same file system: the durable-commit ceiling
 *   raw 1-row FULL   better-sqlite3, one INSERT per transaction, synchronous=FULL (WAL)
 *   unit FULL        a case-action-sized unit through Kysely (read a row, insert an action, update
 *                    the row, append an event) in its own transaction, FULL: what a request pays now
 *   unit ×8 FULL     eight such units in one transaction, FULL: what group commit would give 8
 *                    concurrent requests (one fsync shared)
 *   unit NORMAL      one unit per transaction without the fsync: the CPU ceiling of the statements
 *   N in flight      N concurrent callers, each its own transaction, group commit off and on
 * CPU time per unit beside the wall time: on a loaded machine the CPU time is the steadier figure.
 *
 *   node --import tsx bench/commit.bench.ts            (COMMIT_BENCH_N=2000 units, COMMIT_BENCH_ROUNDS=5)
 */
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { newId } from '../src/kernel/index.js';
import { type Executor, type Store, openStore, sql } from '../src/platform/db/index.js';
import { fmt, freshSqlite, machine, median } from './lib.js';

const N = Number(process.env.COMMIT_BENCH_N ?? 2000);
const ROUNDS = Number(process.env.COMMIT_BENCH_ROUNDS ?? 5);

type Result = { perSec: number; cpuUsPerUnit: number };

async function timed(units: number, fn: () => Promise<void> | void): Promise<Result> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { perSec: (units / ms) * 1000, cpuUsPerUnit: (c.user + c.system) / units };
}

function fsyncRate(): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), 'tb-fsync-'));
  const fd = openSync(join(dir, 'f'), 'w');
  const page = Buffer.alloc(4096, 1);
  return timed(N, () => {
    for (let i = 0; i < N; i++) {
      writeSync(fd, page, 0, page.length, (i % 64) * 4096);
      fdatasyncSync(fd);
    }
  }).finally(() => {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  });
}

function rawRowRate(): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), 'tb-raw-'));
  const db = new SQLite(join(dir, 'r.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('create table t (id integer primary key, v text)');
  const ins = db.prepare('insert into t (v) values (?)');
  return timed(N, () => {
    for (let i = 0; i < N; i++) db.transaction(() => ins.run('x'))();
  }).finally(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
}

async function schema(store: Store): Promise<void> {
  await sql`create table c (id text primary key, state text not null, n integer not null, updated_at text not null)`.execute(
    store.db,
  );
  await sql`create table a (id text primary key, case_id text not null, kind text not null, at text not null)`.execute(
    store.db,
  );
  await sql`create table e (seq integer primary key, type text not null, payload text not null)`.execute(
    store.db,
  );
  await sql`insert into c (id, state, n, updated_at) values ('c1', 'open', 0, '')`.execute(store.db);
}

/** One case-action-sized unit: four statements, as cases.actions runs them. */
async function unit(trx: Executor): Promise<void> {
  const now = new Date().toISOString();
  const row = await sql<{ n: number }>`select n from c where id = 'c1'`.execute(trx);
  await sql`insert into a (id, case_id, kind, at) values (${newId()}, 'c1', 'accept', ${now})`.execute(trx);
  await sql`update c set n = ${Number(row.rows[0]!.n) + 1}, updated_at = ${now} where id = 'c1'`.execute(trx);
  await sql`insert into e (type, payload) values ('cases.accepted', ${JSON.stringify({ at: now })})`.execute(
    trx,
  );
}

async function unitRate(sync: 'FULL' | 'NORMAL', perCommit: number): Promise<Result> {
  const f = await freshSqlite(sync);
  try {
    await schema(f.store);
    return await timed(N, async () => {
      for (let i = 0; i < N; i += perCommit)
        await f.store.db.transaction().execute(async (trx) => {
          for (let k = 0; k < perCommit; k++) await unit(trx);
        });
    });
  } finally {
    await f.drop();
  }
}

/** `inFlight` concurrent requests, each committing its own unit, as the HTTP layer issues them. */
async function concurrentRate(inFlight: number, groupCommit: boolean): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), 'tb-conc-'));
  const store = await openStore({ sqliteFile: join(dir, 'c.db'), sqliteSynchronous: 'FULL', groupCommit });
  try {
    await schema(store);
    let next = 0;
    const worker = async () => {
      while (next < N) {
        next++;
        await store.db.transaction().execute(unit);
      }
    };
    return await timed(N, () => Promise.all(Array.from({ length: inFlight }, worker)).then(() => {}));
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const variants: Array<[string, () => Promise<Result>]> = [
  ['fsync (fdatasync, 4 KiB)', fsyncRate],
  ['raw 1-row commit, FULL', rawRowRate],
  ['unit per commit, FULL (now)', () => unitRate('FULL', 1)],
  ['8 units per commit, FULL (group commit)', () => unitRate('FULL', 8)],
  ['32 units per commit, FULL', () => unitRate('FULL', 32)],
  ['unit per commit, NORMAL (no fsync)', () => unitRate('NORMAL', 1)],
  ['8 in flight, one commit each (group commit off)', () => concurrentRate(8, false)],
  ['8 in flight, group commit on', () => concurrentRate(8, true)],
  ['32 in flight, group commit off', () => concurrentRate(32, false)],
  ['32 in flight, group commit on', () => concurrentRate(32, true)],
];

const results = new Map<string, Result[]>();
const loads: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  loads.push(loadavg()[0]!);
  for (const [name, run] of variants) {
    const x = await run();
    results.set(name, [...(results.get(name) ?? []), x]);
  }
}
console.log(
  `commit bench: ${N} units × ${ROUNDS} interleaved rounds; ${machine()}; load (1 min) ${loads.map((l) => fmt(l, 2)).join(' ')}`,
);
console.log('| variant | units/s (median) | CPU µs per unit (median) |');
console.log('| --- | ---: | ---: |');
for (const [name] of variants) {
  const xs = results.get(name)!;
  console.log(
    `| ${name} | ${fmt(median(xs.map((x) => x.perSec)), 0)} | ${fmt(median(xs.map((x) => x.cpuUsPerUnit)), 0)} |`,
  );
}
