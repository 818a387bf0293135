import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { buildApp } from '../src/app.js';
import { testConfig } from '../src/config/index.js';
import { performanceConsumer, recountPerformance } from '../src/modules/stats/index.js';
import { sql } from '../src/platform/db/index.js';
import { readEvents } from '../src/platform/events/index.js';
import { fmt, freshSqlite, machine, median, percentile } from './lib.js';

/**
 * Supervision dashboards at city scale (issue 16): 1.6 million cases and 500,000 ratings.
 *
 * How the data is made: the demo city is seeded (its departments and divisions), then the events
 * that feed the aggregates are bulk-generated in SQL straight into the outbox — per case
 * `cases.submitted`, `cases.accepted` and (for 97 %) `cases.completed` with the payloads the cases
 * module writes; `ratings.rated` as the ratings module writes them — over the past twelve months
 * (China time) for every department of the city. The stats.performance consumer then folds the
 * whole stream as it would live. The cases tables are not filled: the dashboards never read them.
 *
 * Measured, over HTTP with a supervisor's bearer token, one request at a time: the figures JSON
 * (GET /api/v1/stats/performance, the city, twelve months) and the supervisor's page
 * (GET /supervision); beside them, in the same run, the full recount of the same figures from the
 * event stream (stats.recount.ts) and a bare recount of one figure (按时办结率 by department and
 * month) in one SQL statement. SQLite (the embedded store). CASES / RATINGS / N override.
 */
const CASES = Number(process.env.CASES ?? 1_600_000);
const RATINGS = Number(process.env.RATINGS ?? 500_000);
const N = Number(process.env.N ?? 40);
const load = () => loadavg()[0]!.toFixed(1);

const { store, drop } = await freshSqlite('NORMAL');
const config = testConfig({ logLevel: 'silent' });
const t = await buildApp({ config, store, demo: 'on', startConsumers: false, warmUp: false });
await t.events.drain();
const depts = (
  await sql<{ id: string; region_code: string }>`select id, region_code from regions_departments
    where region_code like '4101%' and length(region_code) = 6 order by id`.execute(store.db)
).rows;
console.log(`supervision bench · ${machine()} · load ${load()} · ${depts.length} departments`);

// ── the events, in SQL ────────────────────────────────────────────────────────────────────────
let t0 = performance.now();
await sql`create temp table bench_depts as select row_number() over (order by id) - 1 as k, id, region_code
  from regions_departments where region_code like '4101%' and length(region_code) = 6`.execute(store.db);
const D = depts.length;
// one row per case: its department, when it was filed (the past 360 days), its promised days
await sql`create temp table bench_cases as
  with recursive n(i) as (select 0 union all select i + 1 from n where i < ${CASES - 1})
  select i, 'B' || printf('%010d', i) as case_number, d.id as department_id, d.region_code,
    strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || (i % 360) || ' days', '-' || (i % 600) || ' minutes') as at,
    (i * 7) % 21 as promised
  from n join bench_depts d on d.k = (i * 2654435761) % ${D}`.execute(store.db);
const next = async () =>
  Number(
    (await sql<{ s: number }>`select coalesce(max(seq), 0) as s from events`.execute(store.db)).rows[0]!.s,
  );
const base = await next();
await sql`insert into events (seq, id, tx, type, aggregate_type, aggregate_id, region_code, actor, payload, created_at)
  select ${base} + i * 3 + 1, 'bs' || i, 0, 'cases.submitted', 'case', case_number, region_code, null,
    json_object('caseNumber', case_number, 'departmentId', department_id, 'channel', case when i % 5 = 0 then 'window' else 'online' end),
    at from bench_cases`.execute(store.db);
await sql`insert into events (seq, id, tx, type, aggregate_type, aggregate_id, region_code, actor, payload, created_at)
  select ${base} + i * 3 + 2, 'ba' || i, 0, 'cases.accepted', 'case', case_number, region_code, null,
    json_object('caseNumber', case_number, 'departmentId', department_id, 'action', 'accept', 'status', 'accepted',
      'promisedDays', promised, 'clock', json_object('state', 'running', 'colour', 'green')),
    strftime('%Y-%m-%dT%H:%M:%fZ', at, '+2 hours') from bench_cases`.execute(store.db);
await sql`insert into events (seq, id, tx, type, aggregate_type, aggregate_id, region_code, actor, payload, created_at)
  select ${base} + i * 3 + 3, 'bc' || i, 0, 'cases.completed', 'case', case_number, region_code, null,
    json_object('caseNumber', case_number, 'departmentId', department_id, 'action', 'complete', 'status', 'completed',
      'promisedDays', promised, 'clock', json_object('state', 'stopped', 'colour', 'none',
        'onTime', json(case when i % 31 = 0 then 'false' else 'true' end), 'elapsedWorkingDays', promised / 2)),
    strftime('%Y-%m-%dT%H:%M:%fZ', at, '+' || (promised / 2 + 1) || ' days')
  from bench_cases where i % 33 <> 0`.execute(store.db);
const rbase = await next();
await sql`insert into events (seq, id, tx, type, aggregate_type, aggregate_id, region_code, actor, payload, created_at)
  select ${rbase} + i + 1, 'br' || i, 0, 'ratings.rated', 'rating', 'R' || i, region_code, null,
    json_object('caseNumber', case_number, 'stage', 'completed', 'channel', 'web', 'level', 1 + (i * 7 + i / 3) % 5,
      'departmentId', department_id, 'regionCode', region_code, 'itemCode', null,
      'realName', json(case when i % 3 = 0 then 'false' else 'true' end), 'anonymous', json('false')),
    strftime('%Y-%m-%dT%H:%M:%fZ', at, '+10 days')
  from bench_cases where i < ${RATINGS}`.execute(store.db);
const events = await next();
console.log(
  `generated ${CASES} cases and ${RATINGS} ratings: ${events} events in ${fmt((performance.now() - t0) / 1000)} s`,
);

// ── the consumer folds the stream ─────────────────────────────────────────────────────────────
t0 = performance.now();
const consumer = performanceConsumer({ batchSize: 20_000 });
let position = 0;
for (;;) {
  const batch = await readEvents(store.db, { tx: '0', seq: position }, 20_000);
  if (batch.length === 0) break;
  await store.db.transaction().execute((trx) => consumer.handle(trx, batch));
  position = batch[batch.length - 1]!.seq;
}
await sql`insert into event_consumers (name, position_tx, position_seq, processed, updated_at)
  values ('stats.performance', '0', ${position}, ${events}, ${new Date().toISOString()})
  on conflict (name) do update set position_seq = excluded.position_seq`.execute(store.db);
const cells = Number(
  (await sql<{ n: number }>`select count(*) as n from stats_performance`.execute(store.db)).rows[0]!.n,
);
console.log(
  `consumer folded ${events} events into ${cells} cells in ${fmt((performance.now() - t0) / 1000)} s`,
);

// ── over HTTP ─────────────────────────────────────────────────────────────────────────────────
await t.app.listen({ host: '127.0.0.1', port: 0 });
const url = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
const token = (await t.identity.tokenForLogin('supervisor')).token;
const headers = { authorization: `Bearer ${token}`, accept: 'text/html' };
async function timeHttp(path: string): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < N + 3; i++) {
    const s = performance.now();
    const r = await fetch(`${url}${path}`, { headers });
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`${path}: ${r.status}`);
    if (i >= 3) out.push(performance.now() - s);
  }
  return out;
}
async function timeQuery(f: () => Promise<unknown>, runs: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    await f();
    out.push(performance.now() - s);
  }
  return out;
}
const onTimeRecount = () =>
  sql`select strftime('%Y-%m', created_at, '+8 hours') as month, json_extract(payload, '$.departmentId') as d,
      sum(case when json_extract(payload, '$.clock.onTime') = 1 then 1 else 0 end) * 100.0 / count(*) as on_time
    from events where type = 'cases.completed' and created_at >= ${new Date(Date.now() - 366 * 86_400_000).toISOString()}
    group by 1, 2`.execute(store.db);

const row = (what: string, xs: number[], cpu?: number) =>
  console.log(
    `${what.padEnd(58)} median ${fmt(median(xs))} ms · p95 ${fmt(percentile(xs, 95))} ms · n=${xs.length}${
      cpu === undefined ? '' : ` · CPU ${fmt(cpu)} ms/request`
    } · load ${load()}`,
  );
// the server runs in this process: its CPU time per request is the figure the shared machine's
// load does not inflate. ROUNDS rounds, each timing every view N times, interleaved, so a burst of
// load on the shared machine lands on all of them alike.
const county = depts.find((d) => !d.region_code.endsWith('00'))!.region_code;
const dept = depts.find((d) => d.region_code === county)!.id;
const views = [
  ['GET /api/v1/stats/performance (JSON, city, 12 months)', '/api/v1/stats/performance'],
  [`GET /api/v1/stats/performance?region=${county} (a county)`, `/api/v1/stats/performance?region=${county}`],
  ['GET /api/v1/stats/performance?department= (one dept)', `/api/v1/stats/performance?department=${dept}`],
  ['GET /supervision (page, city: 3 charts + tables)', '/supervision'],
  [`GET /supervision?region=${county} (page, a county)`, `/supervision?region=${county}`],
] as const;
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const all = new Map<string, { xs: number[]; cpu: number; medians: number[]; p95s: number[] }>();
for (let round = 1; round <= ROUNDS; round++) {
  for (const [what, path] of views) {
    const c0 = process.cpuUsage();
    const xs = await timeHttp(path);
    const c = process.cpuUsage(c0);
    const cpu = (c.user + c.system) / 1000 / (N + 3);
    row(`round ${round}: ${what}`, xs, cpu);
    const acc = all.get(what) ?? { xs: [], cpu: 0, medians: [], p95s: [] };
    all.set(what, acc);
    acc.xs.push(...xs);
    acc.cpu += cpu / ROUNDS;
    acc.medians.push(median(xs));
    acc.p95s.push(percentile(xs, 95));
  }
}
for (const [what, a] of all) {
  row(`all rounds: ${what}`, a.xs, a.cpu);
  console.log(
    `  per round: medians ${a.medians.map((x) => fmt(x)).join(', ')} ms · p95s ${a.p95s.map((x) => fmt(x)).join(', ')} ms`,
  );
}
row('baseline: recount of 按时办结率 by dept × month (one SQL)', await timeQuery(onTimeRecount, 3));
row(
  'baseline: full recount of every counter (stats.recount.ts)',
  await timeQuery(() => recountPerformance(store.db), 1),
);
await t.close();
await drop();
