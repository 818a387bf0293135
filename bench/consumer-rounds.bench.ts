/**
 * The event consumers' rounds on three nodes sharing one PostgreSQL database (issue 17): what the
 * consumers cost per event, at a paced rate, apart from the requests that append the events.
 * Three apps in this process (each its own pool, bus with every module's consumers, and wake-up
 * listener) on one scratch database seeded with the demo city; events of the kinds case actions
 * append (copied from the demo's own case events, new ids) are inserted at RATE per second, each
 * in its own transaction, by three plain connections that are not counted; then the consumers are
 * left to catch up. Printed per run: statements the apps sent per event (by kind), transactions
 * per event, this process's CPU per event and the PostgreSQL backends' CPU per event (all the
 * scratch database's backends, the appenders' included: the same on both sides of an A/B).
 * Run it in two checkouts one after the other for an A/B; the rate fixes how often rounds run,
 * so the figures do not move much with the machine's load.
 *
 *   RATE=300 SECONDS=10 RUNS=3 node --import tsx bench/consumer-rounds.bench.ts   (ADR 0033)
 */
import { loadavg } from 'node:os';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { testConfig } from '../src/config/index.js';
import { newId, systemClock } from '../src/kernel/index.js';
import { type Store, openStore, sql } from '../src/platform/db/index.js';
import type { EventsTables } from '../src/platform/events/index.js';
import { pgCpu, pgCpuSince } from './cluster.js';
import { countStatement, newCounts } from './count-statements.mjs';
import { BENCH_PG_URL, fmt, machine, median, scratchDatabase } from './lib.js';

const RATE = Number(process.env.RATE ?? 300);
const SECONDS = Number(process.env.SECONDS ?? 10);
const RUNS = Number(process.env.RUNS ?? 3);

// every statement the apps send (the appenders' clients are marked and left out)
const counts = newCounts();
const NOT_COUNTED = Symbol('not counted');
const query = pg.Client.prototype.query as (...a: unknown[]) => unknown;
pg.Client.prototype.query = function (this: pg.Client & { [NOT_COUNTED]?: true }, ...a: unknown[]) {
  const c = a[0] as string | { text?: string };
  const text = typeof c === 'string' ? c : c?.text;
  if (typeof text === 'string' && !this[NOT_COUNTED]) countStatement(counts, text);
  return query.apply(this, a);
} as typeof pg.Client.prototype.query;

console.log(`consumer rounds bench — ${machine()}; 3 nodes, ${RATE} events/s, ${SECONDS} s × ${RUNS} runs`);
const db = await scratchDatabase(BENCH_PG_URL, 'tongban_bench_rounds');
const stores: Store[] = [];
const apps: Awaited<ReturnType<typeof buildApp>>[] = [];
const appenders: pg.Client[] = [];
const rows: Array<{ perEvent: Record<string, number>; cpuUs: number; pgUs: number; catchUpMs: number }> = [];
try {
  const quiet = testConfig({ logLevel: 'silent' });
  for (let i = 0; i < 3; i++) {
    stores.push(await openStore({ databaseUrl: db.url, poolSize: 4 }));
    apps.push(
      await buildApp({
        config: quiet,
        store: stores[i]!,
        clock: systemClock,
        demo: i === 0 ? 'on' : 'off',
        startConsumers: true,
      }),
    );
  }
  // cases through the cases service: their events are the templates
  await apps[0]!.modules.find((m) => m.name === 'cases')!.seedScale!({
    cases: 150,
    progress: () => ({ tick() {}, done() {} }),
  });
  await Promise.all(apps.map((a) => a.events.drain()));
  const templates = (
    await sql<
      Pick<
        EventsTables['events'],
        'type' | 'aggregate_type' | 'aggregate_id' | 'region_code' | 'actor' | 'payload'
      >
    >`select type, aggregate_type, aggregate_id, region_code, actor, payload from events
       where aggregate_type = 'case' order by seq limit 2000`.execute(stores[0]!.db)
  ).rows;
  if (templates.length === 0) throw new Error('no case events in the demo city');
  console.log(`${templates.length} case events of the demo as templates`);
  for (let i = 0; i < 3; i++) {
    const c = new pg.Client({ connectionString: db.url }) as pg.Client & { [NOT_COUNTED]?: true };
    c[NOT_COUNTED] = true;
    await c.connect();
    appenders.push(c);
  }
  let k = 0;
  const append = (c: pg.Client) => {
    const t = templates[k++ % templates.length]!;
    return c.query(
      'insert into events (id, type, aggregate_type, aggregate_id, region_code, actor, payload, created_at) values ($1, $2, $3, $4, $5, $6, $7, $8)',
      [
        newId(),
        t.type,
        t.aggregate_type,
        t.aggregate_id,
        t.region_code,
        t.actor,
        t.payload,
        new Date().toISOString(),
      ],
    );
  };
  const caughtUp = async () => (await apps[0]!.events.status()).every((s) => s.lag === 0);
  for (let r = 0; r < RUNS + 1; r++) {
    const warm = r === 0; // a first, shorter run: the code paths compiled, the pools filled
    const seconds = warm ? 3 : SECONDS;
    const c0 = { ...counts };
    const cpu0 = process.cpuUsage();
    const pg0 = await pgCpu(db.url);
    const t0 = performance.now();
    let sent = 0;
    const inflight = new Set<Promise<unknown>>();
    while (performance.now() - t0 < seconds * 1000) {
      const due = Math.floor(((performance.now() - t0) / 1000) * RATE);
      while (sent < due) {
        const p = append(appenders[sent % 3]!).finally(() => inflight.delete(p));
        inflight.add(p);
        sent++;
      }
      await new Promise((res) => setTimeout(res, 5));
    }
    await Promise.all(inflight);
    const t1 = performance.now();
    while (!(await caughtUp())) await new Promise((res) => setTimeout(res, 20));
    const catchUpMs = performance.now() - t1;
    const cpu = process.cpuUsage(cpu0);
    const pgMs = pgCpuSince(pg0, await pgCpu(db.url));
    const perEvent: Record<string, number> = {};
    for (const [key, v] of Object.entries(counts))
      perEvent[key] = (v - c0[key as keyof typeof counts]) / sent;
    const row = { perEvent, cpuUs: (cpu.user + cpu.system) / sent, pgUs: (pgMs * 1000) / sent, catchUpMs };
    if (!warm) rows.push(row);
    console.log(
      `${warm ? 'warm-up' : `run ${r}`}: ${sent} events; statements per event ${Object.entries(perEvent)
        .map(([key, v]) => `${key} ${fmt(v, 2)}`)
        .join(
          ', ',
        )}; CPU ${fmt(row.cpuUs, 0)} µs/event (this process), PostgreSQL ${fmt(row.pgUs, 0)} µs/event; caught up ${fmt(catchUpMs, 0)} ms after the last; load ${fmt(loadavg()[0]!, 1)}`,
    );
  }
} finally {
  for (const a of apps) await a.close();
  for (const s of stores) await s.close();
  for (const c of appenders) await c.end();
  await db.drop();
}
const m = (f: (r: (typeof rows)[number]) => number, d = 0) => fmt(median(rows.map(f)), d);
console.log(`\n| measure (median of ${rows.length} runs, ${RATE} events/s, 3 nodes) | value |`);
console.log('|---|---:|');
for (const key of Object.keys(rows[0]?.perEvent ?? {}))
  console.log(`| statements per event, ${key} (the apps) | ${m((r) => r.perEvent[key]!, 2)} |`);
console.log(`| CPU per event, this process (3 apps) | ${m((r) => r.cpuUs)} µs |`);
console.log(`| PostgreSQL backends' CPU per event | ${m((r) => r.pgUs)} µs |`);
console.log(`| consumers caught up after the last event | ${m((r) => r.catchUpMs)} ms |`);
