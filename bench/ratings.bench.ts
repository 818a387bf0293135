/**
 * 好差评 intake over HTTP: ratings per second one node takes (POST /api/v1/cases/{n}/ratings with
 * the applicant's real bearer token: the case read through the port, the unique insert, the event
 * and — for one in ten, a 差评 — the rectification on the working-day clock, one transaction),
 * beside, in the same run and against the same app, the case-action rate (POST …/actions
 * {accept} by a window's token) and a bare Fastify route answering the same JSON. Each measure is
 * a closed loop of CONCURRENCY clients over its own fresh cases; the three take turns, in an order
 * that rotates between runs; medians of RUNS runs. CPU time per request (server and client share
 * the process) is printed because the machine is shared.
 *
 *   node --import tsx bench/ratings.bench.ts            (SQLite file, FULL durability as shipped)
 *   RUNS=5 CASES=400 CONCURRENCY=8 node --import tsx bench/ratings.bench.ts
 *   STORE=postgres node --import tsx bench/ratings.bench.ts
 */
import { loadavg } from 'node:os';
import Fastify from 'fastify';
import { buildApp } from '../src/app.js';
import { testConfig } from '../src/config/index.js';
import { validForm } from '../test/helpers/forms.js';
import { type FreshStore, fmt, freshPostgres, freshSqlite, machine, median } from './lib.js';

const RUNS = Number(process.env.RUNS ?? 3);
const CASES = Number(process.env.CASES ?? 300);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 8);
const STORE = process.env.STORE === 'postgres' ? 'postgres' : 'sqlite';
// 食品小经营店登记 (郑州市市场监督管理局), applied for online by the demo citizen
const ITEM = '11410100297017523N01003401100000';

const fresh: FreshStore = STORE === 'postgres' ? await freshPostgres() : await freshSqlite();
const t = await buildApp({
  config: testConfig({ logLevel: 'silent' }),
  store: fresh.store,
  demo: 'on',
  startConsumers: false,
});
const base = await t.app.listen({ host: '127.0.0.1', port: 0 });
const citizen = (await t.identity.tokenForLogin('citizen')).token;
const admin = (await t.identity.tokenForLogin('admin')).token;
const form = await validForm(t as never, ITEM);

const bare = Fastify();
bare.post('/api/v1/cases/:n/ratings', async (_req, reply) =>
  reply.code(201).send({ id: 'x', level: 5, stage: 'accepted' }),
);
const bareBase = await bare.listen({ host: '127.0.0.1', port: 0 });

const json = (token: string | undefined, body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
  body: JSON.stringify(body),
});

async function post(url: string, init: RequestInit, want: number): Promise<void> {
  const r = await fetch(url, init);
  const text = await r.text();
  if (r.status !== want) throw new Error(`${url}: ${r.status} ${text.slice(0, 200)}`);
}

/** Runs `n` requests through CONCURRENCY clients; requests per second and CPU µs per request. */
async function closedLoop(
  n: number,
  one: (i: number) => Promise<void>,
): Promise<{ rate: number; cpuUs: number }> {
  let next = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < n; i = next++) await one(i);
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { rate: n / seconds, cpuUs: (cpu.user + cpu.system) / n };
}

/** CASES new cases of the citizen (not timed). */
async function submitted(): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < CASES; i++) {
    const r = await fetch(
      `${base}/api/v1/cases`,
      json(citizen, { implementationCode: ITEM, regionCode: '410105001', form }),
    );
    if (r.status !== 201) throw new Error(`submit: ${r.status} ${await r.text()}`);
    out.push(((await r.json()) as { caseNumber: string }).caseNumber);
  }
  return out;
}

const accept = (cases: string[]) =>
  closedLoop(cases.length, (i) =>
    post(`${base}/api/v1/cases/${cases[i]}/actions`, json(admin, { action: 'accept' }), 200),
  );
// nine in ten good ratings, one in ten a 差评 that opens a rectification
const rate = (cases: string[]) =>
  closedLoop(cases.length, (i) =>
    post(
      `${base}/api/v1/cases/${cases[i]}/ratings`,
      json(citizen, {
        level: i % 10 === 0 ? 2 : 5 - (i % 2),
        stage: 'accepted',
        channel: 'web',
        indicators: i % 10 === 0 ? ['efficiency'] : ['convenience', 'guideAccuracy'],
      }),
      201,
    ),
  );
const bareRate = () =>
  closedLoop(CASES, (i) =>
    post(
      `${bareBase}/api/v1/cases/${i}/ratings`,
      json(citizen, { level: 5, stage: 'accepted', channel: 'web' }),
      201,
    ),
  );

type Measure = 'ratings' | 'accept' | 'bare';
const results: Record<Measure, Array<{ rate: number; cpuUs: number }>> = {
  ratings: [],
  accept: [],
  bare: [],
};
const orders: Measure[][] = [
  ['ratings', 'accept', 'bare'],
  ['accept', 'bare', 'ratings'],
  ['bare', 'ratings', 'accept'],
];
// warm-up (JIT, caches, prepared statements): not counted
{
  const w = await submitted();
  await accept(w);
  await rate(w);
  await bareRate();
}
for (let run = 0; run < RUNS; run++) {
  // fresh cases for each measure: the actions' and the ratings' own (each case is rated once)
  const forAccept = await submitted();
  const forRating = await submitted();
  await accept(forRating);
  for (const m of orders[run % orders.length]!) {
    if (m === 'ratings') results.ratings.push(await rate(forRating));
    else if (m === 'accept') results.accept.push(await accept(forAccept));
    else results.bare.push(await bareRate());
  }
}
const ratings = await t.ratings.countRatings();

console.log(
  `ratings bench · ${machine()} · ${STORE} · ${RUNS} runs × ${CASES} requests, ${CONCURRENCY} clients`,
);
console.log(
  `load average at the end: ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
console.log('| measure (median of runs) | requests/s | CPU µs / request |');
console.log('|---|---:|---:|');
const row = (label: string, m: Measure) =>
  console.log(
    `| ${label} | ${fmt(median(results[m].map((x) => x.rate)), 0)} | ${fmt(median(results[m].map((x) => x.cpuUs)), 0)} |`,
  );
row('rating intake, POST …/ratings (10 % 差评 with a rectification)', 'ratings');
row('case action, POST …/actions {accept}', 'accept');
row('bare Fastify, the same JSON post', 'bare');
console.log(
  `runs (ratings/s): ${results.ratings.map((x) => fmt(x.rate, 0)).join(', ')}; ratings stored: ${ratings}`,
);

await bare.close();
await t.close();
await fresh.drop();
