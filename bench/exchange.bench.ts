import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { cpuOf, startServer, stop, tokenOf } from './exchange.procs.js';
import { testConfig } from '../src/config/index.js';
import { systemClock } from '../src/kernel/index.js';
import {
  type BulkTable,
  type Store,
  inTransaction,
  metaMigrations,
  migrate,
  openBulkLoad,
  openStore,
  sql,
} from '../src/platform/db/index.js';
import { eventsMigrations } from '../src/platform/events/index.js';
import { createPersonalDataCipher } from '../src/platform/privacy/index.js';
import { exchangeMigrations } from '../src/modules/exchange/index.js';
import {
  generatedPerson,
  insertRows,
  populationRow,
  readRecord,
} from '../src/modules/exchange/exchange.registers.js';
import { REGISTER_TABLES, seedRegisters } from '../src/modules/exchange/exchange.seed.js';
import type { ExchangeContext } from '../src/modules/exchange/exchange.context.js';
import {
  BENCH_PG_URL,
  type ScratchDatabase,
  fmt,
  machine,
  median,
  percentile,
  scratchDatabase,
} from './lib.js';

/**
 * The data-sharing exchange (issue 12).
 *  1. registers: `tongban seed --scale`'s load of PEOPLE generated persons (sealed ID number and
 *     address, keyed hash) and their social-insurance records into a fresh SQLite file (and, with
 *     PG=postgres://…, a fresh PostgreSQL database), beside the store's bulk-insert ceiling in the
 *     same run (a bare table of the same width, no key, the same values made beforehand, inserted
 *     by the same loader) and the path before (532af05: Kysely, one thread, BEFORE_PEOPLE rows).
 *  2. lookups over HTTP: POST /api/v1/exchange/lookup with a real client-credentials token, the
 *     grant check, masking and the access record + outbox event committed before each answer,
 *     at full load (50 connections) and at a steady 1,000/s (p95); beside, in the same run, the
 *     same app's GET /api/v1/me with the same token (the authenticated ceiling), bare Fastify
 *     answering the same POST and the raw store read of the same row (in process).
 * PARTS=http runs part 2 only, PARTS=registers part 1 only. STORE=postgres runs part 2 on
 * PostgreSQL (BENCH_DATABASE_URL, else the machine's own; a scratch database per server).
 * CONNECTIONS: autocannon's connections at full load (default 100). The servers run in child
 * processes, autocannon in this one.
 * ONLY=app,before (a comma list of app, me, bare, single, before) measures only those variants;
 * PROFILE=DIR starts the app's server with `--cpu-prof --cpu-prof-dir=DIR` (the profile is written
 * when the bench stops it); GC_STATS=1 has each app server print its group-commit counts
 * (commits, transactions) when it stops. PACED=N: the steady rate (default 1,000/s), whose server
 * CPU per request is printed too (the same arrivals for every variant: steadier than the full-load
 * figure on a loaded machine); FULL=0 skips the full-load runs.
 * Medians of RUNS runs, app and bare taking turns; `uptime` load printed with the figures, and each
 * server's CPU time per request (process.cpuUsage in the server), steadier than rates on a shared
 * machine.
 */
const RUNS = Number(process.env.RUNS ?? 3);
const PEOPLE = Number(process.env.PEOPLE ?? 200_000);
const BEFORE_PEOPLE = Number(process.env.BEFORE_PEOPLE ?? 20_000);
const CEILING_ROWS = Math.min(PEOPLE, 100_000);
const DURATION = Number(process.env.DURATION ?? 10);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 100);
const STORE = process.env.STORE === 'postgres' ? 'postgres' : 'sqlite';
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
const silent = () => ({ tick() {}, done() {} });

console.log(`exchange bench · ${machine()} · RUNS=${RUNS} PEOPLE=${fmt(PEOPLE, 0)} · load ${load()}`);

// ── 1. registers ─────────────────────────────────────────────────────────────────────────────
// PARTS=http skips the registers (the lookups alone); PG=postgres://… adds PostgreSQL
if (process.env.PARTS !== 'http') {
  const secret = testConfig().secretKey;
  const cipher = createPersonalDataCipher(secret);
  const stores: Array<{ name: string; open: () => Promise<{ store: Store; done: () => Promise<void> }> }> = [
    {
      name: 'SQLite file (WAL)',
      async open() {
        const dir = mkdtempSync(join(tmpdir(), 'tb-xbench-'));
        const store = await openStore({ sqliteFile: join(dir, 'a.db'), sqliteSynchronous: 'FULL' });
        return {
          store,
          done: async () => {
            await store.close();
            rmSync(dir, { recursive: true, force: true });
          },
        };
      },
    },
  ];
  if (process.env.PG)
    stores.push({
      name: 'PostgreSQL 127.0.0.1',
      async open() {
        const scratch = await scratchDatabase(process.env.PG!, 'tongban_xbench');
        const store = await openStore({ databaseUrl: scratch.url });
        return {
          store,
          done: async () => {
            await store.close();
            await scratch.drop();
          },
        };
      },
    });
  const width = REGISTER_TABLES.population.columns.length;
  const bare: BulkTable = {
    name: 'bench_bare',
    columns: REGISTER_TABLES.population.columns.map((c, i) => ({ ...c, name: `c${i}` })),
  };
  for (const s of stores) {
    const seeded: number[] = [];
    const seededCpu: number[] = [];
    const ceiling: number[] = [];
    const before: number[] = [];
    let insuredShare = 0;
    for (let run = 0; run < RUNS; run++) {
      // the seed as `tongban seed --scale` runs it: workers generate, seal and hash; people in
      // keyed-hash order with their insurance records; the bulk loader writes
      let { store, done } = await s.open();
      await migrate(store.db, { ...metaMigrations, ...eventsMigrations, ...exchangeMigrations });
      const ctx = { db: store.db, clock: systemClock, cipher } as unknown as ExchangeContext;
      let t0 = performance.now();
      const cpu0 = process.cpuUsage();
      const r = await seedRegisters(ctx, { store, secret, people: PEOPLE, companies: 0, progress: silent });
      const secs = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      seeded.push((PEOPLE + r.insured) / secs);
      seededCpu.push((PEOPLE + r.insured) / ((cpu.user + cpu.system) / 1e6));
      insuredShare = r.insured / PEOPLE;
      // the ceiling: a bare table of the population's width (no key, no index), the same values
      // made beforehand, inserted the fastest way this store has (the same bulk loader)
      const rows = (
        await sql<Record<string, unknown>>`select * from exchange_population limit ${CEILING_ROWS}`.execute(
          store.db,
        )
      ).rows.map((x) => REGISTER_TABLES.population.columns.map((c) => x[c.name]));
      await sql
        .raw(
          `create table bench_bare (${bare.columns.map((c) => `${c.name} ${c.type === 'text' ? 'text' : 'bigint'}`).join(', ')})`,
        )
        .execute(store.db);
      const flat = rows.flat();
      const bulk = openBulkLoad(store);
      t0 = performance.now();
      for (let i = 0; i < flat.length; i += 20_000 * width)
        await bulk.insert(bare, flat.slice(i, i + 20_000 * width));
      await bulk.finish();
      ceiling.push(rows.length / ((performance.now() - t0) / 1000));
      await done();
      // before (532af05): generated and sealed on this thread, Kysely multi-row inserts of 500,
      // 5,000 rows per transaction, synchronous=FULL, random key order
      ({ store, done } = await s.open());
      await migrate(store.db, { ...metaMigrations, ...eventsMigrations, ...exchangeMigrations });
      const now = new Date().toISOString();
      t0 = performance.now();
      for (let a = 0; a < BEFORE_PEOPLE; a += 5000) {
        const batch: ReturnType<typeof populationRow>[] = [];
        for (let i = a; i < Math.min(BEFORE_PEOPLE, a + 5000); i++)
          batch.push(populationRow(cipher, generatedPerson(200 + i), true, now));
        await inTransaction(store.db, (trx) => insertRows(trx, 'exchange_population', batch, 500, true));
      }
      before.push(BEFORE_PEOPLE / ((performance.now() - t0) / 1000));
      await done();
    }
    console.log(`\n1. registers, ${s.name} · ${fmt(PEOPLE, 0)} people · load ${load()}`);
    console.log(
      `   seed (people + their ${fmt(insuredShare * 100, 0)} % insurance records): ${fmt(median(seeded), 0)} rows/s (median of ${RUNS}; runs ${seeded.map((x) => fmt(x, 0)).join(', ')})`,
    );
    console.log(`   per CPU-second (all threads):  ${fmt(median(seededCpu), 0)} rows`);
    console.log(
      `   bulk-insert ceiling:           ${fmt(median(ceiling), 0)} rows/s (bare table, same width, ${fmt(CEILING_ROWS, 0)} rows made beforehand, same loader)`,
    );
    console.log(
      `   before (532af05 path):         ${fmt(median(before), 0)} rows/s (${fmt(BEFORE_PEOPLE, 0)} people, Kysely, one thread)`,
    );
    console.log(
      `   10,000,000 people + records:   ≈ ${fmt((10_000_000 * (1 + insuredShare)) / median(seeded) / 60, 1)} min at this rate (extrapolated)`,
    );
  }
}

// ── 2. lookups over HTTP ─────────────────────────────────────────────────────────────────────
const ONLY = process.env.ONLY?.split(',');
const PACED = Number(process.env.PACED ?? 1000);
const FULL = process.env.FULL !== '0';
const PROFILE = process.env.PROFILE;
const server = (args: string[], dir = join(import.meta.dirname, '..'), profile = false) =>
  startServer(args, dir, profile && PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE}`] : []);

async function blast(url: string, headers: Record<string, string>, body: string | null, rate?: number) {
  const lat: number[] = [];
  const inst = autocannon({
    url,
    ...(body === null
      ? { method: 'GET' as const, headers }
      : { method: 'POST' as const, headers: { 'content-type': 'application/json', ...headers }, body }),
    connections: rate ? 20 : CONNECTIONS,
    ...(rate ? { overallRate: rate } : {}),
    duration: DURATION,
  });
  inst.on('response', (_c: unknown, _s: number, _b: number, ms: number) => lat.push(ms));
  const res = await inst;
  return {
    rps: res.requests.average,
    p50: percentile(lat, 50),
    p95: percentile(lat, 95),
    bad: res.errors + res.non2xx,
  };
}

if (process.env.PARTS !== 'registers') {
  const dir = mkdtempSync(join(tmpdir(), 'tb-xbench-http-'));
  // SQLite: a file per server (WAL, FULL); PostgreSQL: a scratch database per server
  const beforeDir = process.env.BEFORE;
  const scratch: ScratchDatabase[] = [];
  if (STORE === 'postgres')
    for (let i = 0; i < (beforeDir ? 3 : 2); i++)
      scratch.push(await scratchDatabase(BENCH_PG_URL, 'tb_xbench'));
  const file = scratch[0]?.url ?? join(dir, 'app.db');
  const app = await server(['app', file], undefined, true);
  const single = await server(['app-single', scratch[1]?.url ?? join(dir, 'single.db')]);
  const bare = await server(['bare']);
  // BEFORE=<checkout of an earlier commit>: that code's app measured in turns with this one (on
  // PostgreSQL the checkout needs this commit's bench/exchange.server.ts, which opens a URL)
  const before = beforeDir
    ? await server(['app', scratch[2]?.url ?? join(dir, 'before.db')], beforeDir)
    : undefined;
  try {
    const base = (p: unknown) => `http://127.0.0.1:${p}/api/v1/exchange/lookup`;
    const token = await tokenOf(app);
    const singleAuth = { authorization: `Bearer ${await tokenOf(single)}` };
    const beforeAuth = before ? { authorization: `Bearer ${await tokenOf(before)}` } : undefined;
    const body = JSON.stringify({ resource: '1-410100-GA-RK-0001', key: app.info.key, purpose: '基准测试' });
    const auth = { authorization: `Bearer ${token}` };
    const check = await fetch(base(app.info.port), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body,
    });
    if (check.status !== 200) throw new Error(`lookup answered ${check.status}: ${await check.text()}`);

    type Variant = 'app' | 'single' | 'bare' | 'me' | 'before';
    const full: Record<Variant, number[]> = { app: [], single: [], bare: [], me: [], before: [] };
    const cpuPer: Record<Variant, number[]> = { app: [], single: [], bare: [], me: [], before: [] };
    const p95: Record<Variant, number[]> = { app: [], single: [], bare: [], me: [], before: [] };
    // server CPU µs per request at a steady PACED/s: the same arrivals for every variant, so the
    // figure depends less on how fast a loaded machine lets the load generator send
    const pacedCpu: Record<Variant, number[]> = { app: [], single: [], bare: [], me: [], before: [] };
    const p50app: number[] = [];
    let bad = 0;
    // each variant at full load, its server's CPU time per request beside it, then at 1,000/s
    // the machine's ceiling for an authenticated route: GET /api/v1/me with the same token
    // (bearer resolution, the principal, helmet, the response schema; no store write)
    const me = (p: unknown) => `http://127.0.0.1:${p}/api/v1/me`;
    const measure = async (s: typeof app, headers: Record<string, string>, into: Variant) => {
      if (ONLY && !ONLY.includes(into)) return;
      const url = into === 'me' ? me(s.info.port) : base(s.info.port);
      const b = into === 'me' ? null : body;
      const c0 = await cpuOf(s.child);
      const r = FULL ? await blast(url, headers, b) : { rps: Number.NaN, bad: 0 };
      const c1 = FULL ? await cpuOf(s.child) : c0;
      full[into].push(r.rps);
      cpuPer[into].push((r.rps * DURATION) / ((c1 - c0) / 1e6));
      const r1 = await blast(url, headers, b, PACED);
      const c2 = await cpuOf(s.child);
      pacedCpu[into].push((c2 - c1) / (r1.rps * DURATION));
      p95[into].push(r1.p95);
      if (into === 'app') p50app.push(r1.p50);
      if (into === 'app' || into === 'single' || into === 'before') bad += r.bad + r1.bad;
    };
    for (let run = 0; run < RUNS; run++) {
      await measure(app, auth, 'app');
      await measure(app, auth, 'me');
      await measure(bare, {}, 'bare');
      await measure(single, singleAuth, 'single');
      if (before) await measure(before, beforeAuth!, 'before');
    }
    // the raw store read of the same row, in process (a second connection on the same file)
    const store = file.startsWith('postgres://')
      ? await openStore({ databaseUrl: file })
      : await openStore({ sqliteFile: file, sqliteSynchronous: 'FULL' });
    const cipher = createPersonalDataCipher(testConfig().secretKey);
    const reads: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const n = 20_000;
      const t0 = performance.now();
      for (let i = 0; i < n; i++) await readRecord(store.db, cipher, 'population', String(app.info.key));
      reads.push(n / ((performance.now() - t0) / 1000));
    }
    await store.close();
    const runs = (xs: number[]) => xs.map((x) => fmt(x, 0)).join(', ');
    const us = (v: Variant) => fmt(1e6 / median(cpuPer[v]), 0);
    console.log(
      `\n2. lookups over HTTP on ${STORE === 'postgres' ? 'PostgreSQL' : 'SQLite (WAL, FULL, group commit)'} (real token, grant check, masking, access record + event durable before each answer), ${CONNECTIONS} connections · load ${load()}`,
    );
    console.log(
      `   grouped commits:       ${fmt(median(full.app), 0)} lookups/s at ${CONNECTIONS} connections (runs ${runs(full.app)}); ${fmt(median(cpuPer.app), 0)} per server CPU-second`,
    );
    console.log(
      `   one commit per lookup: ${fmt(median(full.single), 0)} lookups/s (runs ${runs(full.single)}); ${fmt(median(cpuPer.single), 0)} per server CPU-second`,
    );
    if (before)
      console.log(
        `   before (${beforeDir}): ${fmt(median(full.before), 0)} lookups/s (runs ${runs(full.before)}); ${fmt(median(cpuPer.before), 0)} per server CPU-second; p95 at 1,000/s ${fmt(median(p95.before), 1)} ms`,
      );
    console.log(
      `   GET /api/v1/me:        ${fmt(median(full.me), 0)} req/s (same app, same token: the authenticated ceiling); ${fmt(median(cpuPer.me), 0)} per server CPU-second`,
    );
    console.log(
      `   bare Fastify, same:    ${fmt(median(full.bare), 0)} req/s; ${fmt(median(cpuPer.bare), 0)} per server CPU-second`,
    );
    console.log(
      `   raw store read:        ${fmt(median(reads), 0)} reads/s (the same row, decrypted, in process)`,
    );
    console.log(
      `   at 1,000/s: grouped p50 ${fmt(median(p50app), 1)} ms, p95 ${fmt(median(p95.app), 1)} ms; one commit per lookup p95 ${fmt(median(p95.single), 1)} ms; /api/v1/me p95 ${fmt(median(p95.me), 1)} ms; bare p95 ${fmt(median(p95.bare), 1)} ms`,
    );
    console.log(
      `   server CPU µs per request (median): lookup ${us('app')}, one commit per lookup ${us('single')}, /api/v1/me ${us('me')}, bare ${us('bare')}${before ? `, before ${us('before')}` : ''}`,
    );
    const paced = (v: Variant) => (pacedCpu[v].length ? fmt(median(pacedCpu[v]), 0) : '-');
    console.log(
      `   server CPU µs per request at ${fmt(PACED, 0)}/s (median): lookup ${paced('app')}, one commit per lookup ${paced('single')}, /api/v1/me ${paced('me')}, bare ${paced('bare')}${before ? `, before ${paced('before')}` : ''}`,
    );
    console.log(`   non-2xx or errors in the app runs: ${bad}`);
  } finally {
    await stop(app.child);
    await stop(single.child);
    await stop(bare.child);
    if (before) await stop(before.child);
    rmSync(dir, { recursive: true, force: true });
    for (const d of scratch) await d.drop();
  }
}
console.log(`\nload at the end ${load()}`);
