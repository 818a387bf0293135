/**
 * Halls (issue 14): taking and calling queue tickets over HTTP with a real bearer token, beside a
 * bare Fastify route in the same run; the calling screens' fan-out (one SSE stream per hall's
 * screen, 844, plus FOLLOWERS citizens following their ticket, on one node; the streams are held
 * by a child process); 1,000 concurrent bookings for 10 places. Medians of RUNS runs; the load
 * average is printed with the figures (the machine is shared).
 *
 *   node --import tsx bench/halls.bench.ts
 *   RUNS=5 N=2000 CONCURRENCY=8 FOLLOWERS=10000 node --import tsx bench/halls.bench.ts
 *   STORE=postgres node --import tsx bench/halls.bench.ts
 */
import { fork } from 'node:child_process';
import { loadavg } from 'node:os';
import Fastify from 'fastify';
import { buildApp } from '../src/app.js';
import { testConfig } from '../src/config/index.js';
import { ManualClock, isDomainError } from '../src/kernel/index.js';
import type { Principal } from '../src/platform/access.js';
import { type FreshStore, fmt, freshPostgres, freshSqlite, machine, median, percentile } from './lib.js';

const RUNS = Number(process.env.RUNS ?? 3);
const N = Number(process.env.N ?? 1000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 8);
const FOLLOWERS = Number(process.env.FOLLOWERS ?? 10000);
const CALLS = Number(process.env.CALLS ?? 300);
const STORE = process.env.STORE === 'postgres' ? 'postgres' : 'sqlite';
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

// a Monday at 10:00 in Zhengzhou: every hall issues tickets
const clock = new ManualClock('2026-12-07T02:00:00Z');
const fresh: FreshStore = STORE === 'postgres' ? await freshPostgres() : await freshSqlite();
const t = await buildApp({
  config: testConfig({ logLevel: 'silent' }),
  store: fresh.store,
  clock,
  demo: 'on',
  startConsumers: false,
});
const base = await t.app.listen({ host: '127.0.0.1', port: 0 });
const admin = (await t.identity.tokenForLogin('admin')).token;
const every = (
  await t.store.db
    .withTables<{ regions_halls: { code: string } }>()
    .selectFrom('regions_halls')
    .select('code')
    .orderBy('code')
    .execute()
).map((r) => r.code);

const bare = Fastify();
bare.post('/api/v1/halls/:id/tickets', async (_req, reply) =>
  reply.code(201).send({ ticket: 'A001', position: 0 }),
);
const bareBase = await bare.listen({ host: '127.0.0.1', port: 0 });

const headers = { 'content-type': 'application/json', authorization: `Bearer ${admin}` };
async function post(url: string, body: unknown, want: number): Promise<void> {
  const r = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await r.text();
  if (r.status !== want) throw new Error(`${url}: ${r.status} ${text.slice(0, 200)}`);
}

/** n requests through CONCURRENCY clients: rate, p95 latency (ms), CPU µs per request. */
async function closedLoop(n: number, one: (i: number) => Promise<void>) {
  let next = 0;
  const lat: number[] = [];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < n; i = next++) {
        const s = performance.now();
        await one(i);
        lat.push(performance.now() - s);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { rate: n / seconds, p95: percentile(lat, 95), cpuUs: (cpu.user + cpu.system) / n };
}

// ── 1. taking and calling tickets over HTTP, beside bare Fastify ───────────────────────────
// township 便民服务中心 (four windows each: 1 咨询, 2–3 综合, 4 出件)
const townships = every.filter((c) => c.length === 10);
const halls20 = townships.slice(0, 20);
const results: Record<string, Array<{ rate: number; p95: number; cpuUs: number }>> = {
  take: [],
  call: [],
  bare: [],
};
const measures: Array<[string, () => Promise<{ rate: number; p95: number; cpuUs: number }>]> = [
  [
    'take',
    () => closedLoop(N, (i) => post(`${base}/api/v1/halls/${halls20[i % 20]}/tickets`, { line: 'A' }, 201)),
  ],
  // window 2 of each hall (a general window: line A)
  [
    'call',
    () => closedLoop(N, (i) => post(`${base}/api/v1/halls/${halls20[i % 20]}/windows/2/call`, {}, 200)),
  ],
  [
    'bare',
    () =>
      closedLoop(N, (i) => post(`${bareBase}/api/v1/halls/${halls20[i % 20]}/tickets`, { line: 'A' }, 201)),
  ],
];
for (let run = 0; run < RUNS; run++) {
  // take before call (calls need tickets); bare moves around
  const order = run % 2 === 0 ? measures : [measures[2]!, measures[0]!, measures[1]!];
  for (const [name, m] of order) results[name]!.push(await m());
}
console.log(`\n## halls (${STORE}) — ${machine()}`);
console.log(`load average after the ticket runs: ${load()}`);
console.log('| measure (median of runs) | requests/s | p95 ms | CPU µs / request |');
console.log('|---|---:|---:|---:|');
for (const [name, label] of [
  ['take', 'POST /api/v1/halls/{id}/tickets (admin token, 20 halls)'],
  ['call', 'POST /api/v1/halls/{id}/windows/2/call'],
  ['bare', 'bare Fastify, same JSON'],
] as const) {
  const r = results[name]!;
  console.log(
    `| ${label} | ${fmt(median(r.map((x) => x.rate)), 0)} | ${fmt(median(r.map((x) => x.p95)), 1)} | ${fmt(median(r.map((x) => x.cpuUs)), 0)} |`,
  );
}

// ── 2. fan-out: 844 screens + FOLLOWERS followers on this node ─────────────────────────────
const child = fork(new URL('./halls.sse-clients.ts', import.meta.url), [], {
  execArgv: ['--import', 'tsx'],
  env: { ...process.env, BASE: base, HALLS: every.join(','), FOLLOWERS: String(FOLLOWERS) },
});
const opened = performance.now();
await new Promise<void>((resolve, reject) => {
  child.on('message', (m: { ready?: boolean; error?: string }) => {
    if (m.ready) resolve();
    if (m.error) reject(new Error(m.error));
  });
});
console.log(
  `\n${every.length} screens + ${FOLLOWERS} followers open in ${fmt((performance.now() - opened) / 1000, 1)} s; streams held by this node: ${t.halls.feed.subscribers}`,
);
// one ticket per called hall, then CALLS calls over distinct halls, each timed from just before its request
const called = every.slice(0, CALLS);
for (const h of called) await post(`${base}/api/v1/halls/${h}/tickets`, { line: 'A' }, 201);
const sent = new Map<string, number>();
const now = () => performance.timeOrigin + performance.now();
await Promise.all(
  Array.from({ length: 4 }, async (_, w) => {
    for (let i = w; i < called.length; i += 4) {
      const h = called[i]!;
      const at = now();
      const r = await fetch(`${base}/api/v1/halls/${h}/windows/1/call`, {
        method: 'POST',
        headers,
        body: '{}',
      });
      const b = (await r.json()) as { ticket: string | null };
      if (b.ticket) sent.set(`${h}/${b.ticket}`, at);
    }
  }),
);
await new Promise((r) => setTimeout(r, 2000));
const arrivals = await new Promise<Array<[string, number]>>((resolve) => {
  child.once('message', (m: { arrivals?: Array<[string, number]> }) => m.arrivals && resolve(m.arrivals));
  child.send({ report: true });
});
const delays = arrivals.filter(([k]) => sent.has(k)).map(([k, at]) => at - sent.get(k)!);
const expected = [...sent.keys()].reduce((n, k) => {
  const hall = k.split('/')[0]!;
  const idx = every.indexOf(hall);
  return n + 1 + Math.floor(FOLLOWERS / every.length) + (idx < FOLLOWERS % every.length ? 1 : 0);
}, 0);
console.log(`load average after the fan-out: ${load()}`);
console.log('| fan-out | deliveries | expected | p50 ms | p99 ms | max ms |');
console.log('|---|---:|---:|---:|---:|---:|');
console.log(
  `| ${sent.size} calls to ${every.length} screens + ${FOLLOWERS} followers | ${delays.length} | ${expected} | ${fmt(percentile(delays, 50), 0)} | ${fmt(percentile(delays, 99), 0)} | ${fmt(Math.max(...delays), 0)} |`,
);

// ── 3. booking contention: 1,000 concurrent bookings for 10 places ─────────────────────────
const person = (accountId: string): Principal => ({
  accountId,
  kind: 'person',
  login: accountId,
  displayName: '*',
  realNameLevel: 2,
  grants: [{ role: 'citizen', permissions: ['halls.appointment'], regionPrefix: '', departmentId: null }],
  via: 'bearer',
});
const manager: Principal = {
  ...person('m'),
  kind: 'staff',
  grants: [{ role: 'departmentAdmin', permissions: ['halls.manage'], regionPrefix: '', departmentId: null }],
};
const booking: Array<{ ms: number; ok: number; full: number }> = [];
for (let run = 0; run < RUNS; run++) {
  const hall = townships[20 + run]!;
  await t.halls.service.setQuota(manager, hall, { line: 'B', perSlot: 10 });
  const slot = (await t.halls.service.slots(hall, '2026-12-08')).slots[0]!;
  const t0 = performance.now();
  const rs = await Promise.allSettled(
    Array.from({ length: 1000 }, (_, i) =>
      t.halls.service.book(person(`b${run}-${i}`), hall, {
        date: '2026-12-08',
        start: slot.start,
        line: 'B',
      }),
    ),
  );
  booking.push({
    ms: performance.now() - t0,
    ok: rs.filter((r) => r.status === 'fulfilled').length,
    full: rs.filter(
      (r) => r.status === 'rejected' && isDomainError(r.reason) && r.reason.code === 'HALLS.SLOT_FULL',
    ).length,
  });
}
console.log(`load average after the bookings: ${load()}`);
console.log('| booking contention (per run) | booked | refused full | ms for 1,000 |');
console.log('|---|---:|---:|---:|');
for (const b of booking)
  console.log(`| 1,000 concurrent for 10 places | ${b.ok} | ${b.full} | ${fmt(b.ms, 0)} |`);

await t.close();
await bare.close();
await fresh.drop();
process.exit(0);
