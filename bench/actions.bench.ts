/**
 * Case actions over HTTP with real bearer tokens and real durability (issue 17, item 1): the app
 * as `npm start` runs it — one node on a SQLite file (synchronous=FULL, group commit, as shipped),
 * or three nodes on one fresh PostgreSQL database — loaded from another process (autocannon,
 * bench/load.client.ts) by many connections at once. Each connection loops: a citizen submits an
 * application; a clerk accepts one submitted ahead of the run; the approver starts and completes
 * the review step, approves, issues the result and completes it (7 actions, one whole lifecycle of
 * a seeded application). Every 2xx is durable (a SQLite COMMIT with fsync, or a PostgreSQL commit
 * with synchronous_commit on). Beside it, in the same run: bare Fastify (same client, same
 * connections, a JSON POST); the minimal action (bench/minimal-action.server.ts: Fastify and this
 * store doing only what any authenticated, checked, durable action must — the token's look-up, the
 * case's read, its guarded write with an event — on as many servers as nodes, same client); and the
 * store's single-row commit rate with as many in flight.
 * The nodes' CPU time is read from /proc: CPU µs per action is the figure a loaded machine
 * does not bend much.
 *
 *   node --import tsx bench/actions.bench.ts                          (SQLite, one node)
 *   STORE=postgres NODES=3 node --import tsx bench/actions.bench.ts   (three nodes, one PostgreSQL)
 *   SECONDS=15 RUNS=3 CONNECTIONS=64 APPLICATIONS=…                  (APPLICATIONS: enough for the runs)
 *   WARMUP=15            (seconds of load before the runs, default 3: V8 is still optimising after 3)
 *   BENCH_POOL_SIZE=20   (each node's PostgreSQL pool; TONGBAN_DB_POOL_SIZE)
 *   PROFILE=/dir         (the nodes write --cpu-prof profiles there at exit)
 *   PROFILE_CLIENT=/dir  (the load client's processes too)
 *   COUNT_STATEMENTS=/dir  (PostgreSQL: the nodes count the statements they send; per action by kind)
 *   COUNT_STATEMENT_TEXTS=1  (with COUNT_STATEMENTS: also the statements most sent, per action)
 *   BENCH_PORT=4260      (the nodes' first port, default 3960; bare Fastify on BENCH_PORT+30;
 *                        not a port fetch refuses, such as 4190)
 */
import type { ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import {
  type Node,
  type StoreKind,
  cpuMs,
  pgCpu,
  pgCpuSince,
  rssMb,
  runLoad,
  seed,
  statementCounts,
  statementTexts,
  type MinimalStore,
  seedMinimal,
  vacuumLikeAutovacuum,
  startBareFastify,
  startMinimal,
  startNodes,
  stopAll,
  storeCommitRate,
} from './cluster.js';
import { fmt, machine, median } from './lib.js';

const STORE = (process.env.STORE ?? 'sqlite') as StoreKind;
const NODES = Number(process.env.NODES ?? (STORE === 'postgres' ? 3 : 1));
const SECONDS = Number(process.env.SECONDS ?? 15);
const RUNS = Number(process.env.RUNS ?? 3);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 64);
const APPLICATIONS = Number(process.env.APPLICATIONS ?? 6000);
const POOL = Number(process.env.BENCH_POOL_SIZE ?? 10);
/** seconds of load before the runs (the minimal action's servers get as long) */
const WARMUP = Number(process.env.WARMUP ?? 3);
const ACTIONS_PER_LOOP = 7;
/** the nodes listen on PORT, PORT+1, …; bare Fastify on PORT+30 (another bench may hold 3960) */
const PORT = Number(process.env.BENCH_PORT ?? 3960);

const loads: number[] = [loadavg()[0]!];
console.log(
  `actions bench — ${machine()}; ${STORE}, ${NODES} node(s), ${CONNECTIONS} connections, ${WARMUP} s warm-up, ${SECONDS} s × ${RUNS} runs`,
);
const t0 = performance.now();
const seeded = await seed(STORE, APPLICATIONS);
console.log(
  `seeded the demo city and ${fmt(APPLICATIONS, 0)} applications in ${fmt((performance.now() - t0) / 1000)} s`,
);

const split = (urls: string[]) =>
  urls.map((url, i) => ({
    url,
    connections: Math.floor(CONNECTIONS / urls.length) + (i < CONNECTIONS % urls.length ? 1 : 0),
  }));

let nodes: Node[] = [];
let idleMsPerSecond = 0;
let pgIdleMsPerSecond = 0;
const pgUrl = STORE === 'postgres' ? seeded.env.TONGBAN_DATABASE_URL : undefined;
const pgSnap = async () => (pgUrl ? await pgCpu(pgUrl) : new Map<number, number>());
let bare: ChildProcess | undefined;
type Row = {
  perSec: number;
  lifecycles: number;
  cpuUs: number;
  /** PostgreSQL backends' CPU per action (the bench database's connections, /proc) */
  pgUs: number;
  /** seconds after the run until every event consumer had caught up (/readyz) */
  catchUpS: number;
  /** nodes' and PostgreSQL's CPU per action, the consumers' catch-up after the run included (idle taken out) */
  cpuAllUs: number;
  pgAllUs: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
};
const app: Row[] = [];
const floor: Row[] = [];
/** the minimal action (bench/minimal-action.server.ts) on as many servers as nodes: the stack's ceiling */
const minimal: Row[] = [];
let minimalStore: MinimalStore | undefined;
let minimalServers: ChildProcess[] = [];
let vacuumer: Awaited<ReturnType<typeof vacuumLikeAutovacuum>> | undefined;
const ceiling: number[] = [];
/** COUNT_STATEMENTS: statements per action by kind, per run (all nodes) and per node */
const statements: Array<{ perAction: Record<string, number>; perNode: number[] }> = [];
const perKind = new Map<string, { p50: number[]; p95: number[]; p99: number[]; n: number }>();
let samples: string[] = [];
let rssAfter: number[] = [];
let offset = 0;
try {
  bare = await startBareFastify(PORT + 30);
  minimalStore = await seedMinimal(STORE);
  minimalServers = await startMinimal(minimalStore, NODES, PORT + 40);
  nodes = await startNodes(seeded, NODES, PORT);
  const pids = nodes.map((n) => n.child.pid!);
  // the seed's events (every application submitted ahead) are consumed by the nodes after their
  // start: wait until /readyz says every consumer has caught up, so that neither the idle figure
  // nor the first run carries that backlog
  const t1 = performance.now();
  await Promise.all(nodes.map((n) => readyOrTimeout(n.url, 180_000)));
  console.log(`nodes ready (consumers caught up) ${fmt((performance.now() - t1) / 1000)} s after the start`);
  if (pgUrl) {
    vacuumer = await vacuumLikeAutovacuum(pgUrl);
    if (vacuumer.running)
      console.log(
        "the server's autovacuum is off: the bench vacuums the tables the actions update every 20 s (as autovacuum would; its CPU is in PostgreSQL's)",
      );
  }
  // what the nodes spend with no request at all (consumers polling, timers): read beside the
  // per-request figures, which include it
  const idle0 = pids.map(cpuMs);
  const pgIdle0 = await pgSnap();
  await new Promise((r) => setTimeout(r, 5000));
  idleMsPerSecond = pids.map((p, i) => cpuMs(p) - idle0[i]!).reduce((a, b) => a + b, 0) / 5;
  pgIdleMsPerSecond = pgCpuSince(pgIdle0, await pgSnap()) / 5;
  console.log(
    `nodes' CPU with no requests: ${fmt(idleMsPerSecond, 1)} ms per second (all nodes)${pgUrl ? `; PostgreSQL backends ${fmt(pgIdleMsPerSecond, 1)} ms per second` : ''}`,
  );
  const plan = (seconds: number, cases: string[]) => ({
    scenario: 'actions' as const,
    seconds,
    targets: split(nodes.map((n) => n.url)),
    tokens: seeded.tokens,
    itemCode: '11410100297017523N01003401100000',
    regionCode: '410105001',
    form: seeded.form,
    cases,
  });
  // warm-up: the nodes' code paths compiled, their pools filled. V8 goes on optimising for many
  // seconds under this load: after 3 s a 10 s run still spent ≈ 18 % of the nodes' CPU in its
  // compiler threads, after 22 s ≈ 6 % (perf, three PostgreSQL nodes) — WARMUP=15 for steady state
  const warm = await runLoad(plan(WARMUP, seeded.cases.slice(0, Math.max(2000, WARMUP * 700))));
  offset = Math.ceil((warm.result.kinds['accept (clerk)']?.count ?? 0) * 1.1) + CONNECTIONS;
  // the minimal action's servers warmed up the same way
  const minimalPlan = (seconds: number) => ({
    scenario: 'minimal' as const,
    seconds,
    targets: split(minimalServers.map((_, i) => `http://127.0.0.1:${PORT + 40 + i}`)),
    minimal: { tokens: minimalStore!.tokens, cases: minimalStore!.cases },
  });
  await runLoad(minimalPlan(WARMUP));
  for (let r = 0; r < RUNS; r++) {
    loads.push(loadavg()[0]!);
    // bare Fastify, same client and connections
    const b0 = cpuMs(bare!.pid!);
    const b = await runLoad({
      scenario: 'bare',
      seconds: Math.max(5, SECONDS / 3),
      targets: split([`http://127.0.0.1:${PORT + 30}`]),
    });
    const bareCpu = cpuMs(bare!.pid!) - b0;
    const bk = Object.values(b.result.kinds)[0]!;
    floor.push({
      perSec: (b.result.total - b.result.errors) / b.result.seconds,
      lifecycles: 0,
      cpuUs: (bareCpu * 1000) / Math.max(1, b.result.total),
      pgUs: 0,
      catchUpS: 0,
      cpuAllUs: 0,
      pgAllUs: 0,
      p50: bk.p50,
      p95: bk.p95,
      p99: bk.p99,
      errors: b.result.errors,
    });
    // the minimal action: the same client and connections, as many servers as nodes
    {
      const mp = minimalServers.map((c) => c.pid!);
      const m0 = mp.map(cpuMs);
      const mpgUrl = STORE === 'postgres' ? minimalStore!.where : undefined;
      const mpg0 = mpgUrl ? await pgCpu(mpgUrl) : undefined;
      const y = await runLoad(minimalPlan(Math.max(5, SECONDS / 2)));
      const mcpu = mp.map((p, i) => cpuMs(p) - m0[i]!).reduce((a, b) => a + b, 0);
      const mpg = mpgUrl && mpg0 ? pgCpuSince(mpg0, await pgCpu(mpgUrl)) : 0;
      const mk = Object.values(y.result.kinds)[0]!;
      const okm = y.result.total - y.result.errors;
      minimal.push({
        perSec: okm / y.result.seconds,
        lifecycles: 0,
        cpuUs: (mcpu * 1000) / Math.max(1, okm),
        pgUs: (mpg * 1000) / Math.max(1, okm),
        catchUpS: 0,
        cpuAllUs: 0,
        pgAllUs: 0,
        p50: mk.p50,
        p95: mk.p95,
        p99: mk.p99,
        errors: y.result.errors,
      });
    }
    // the app
    const s0 = await statementCounts(pids);
    const texts0 = statementTexts(pids);
    const c0 = pids.map(cpuMs);
    const pg0 = await pgSnap();
    const x = await runLoad(plan(SECONDS, seeded.cases.slice(offset)));
    const cpu = pids.map((p, i) => cpuMs(p) - c0[i]!).reduce((a, b) => a + b, 0);
    const pgMs = pgCpuSince(pg0, await pgSnap());
    const ok = x.result.total - x.result.errors;
    // what the run left to its event consumers (notices, the log, statistics, search) is part of
    // its cost: wait until they have caught up, and count their CPU beside the run's
    const c1 = pids.map(cpuMs);
    const pg1 = await pgSnap();
    const tc = performance.now();
    const behind = await consumersBehind(nodes[0]!.url);
    await readyOrTimeout(nodes[0]!.url, 180_000, 100);
    const catchUpS = (performance.now() - tc) / 1000;
    const catchCpu = Math.max(
      0,
      pids.map((p, i) => cpuMs(p) - c1[i]!).reduce((a, b) => a + b, 0) - idleMsPerSecond * catchUpS,
    );
    const catchPg = Math.max(0, pgCpuSince(pg1, await pgSnap()) - pgIdleMsPerSecond * catchUpS);
    const s1 = await statementCounts(pids);
    if (s1.size > 0) {
      const perAction: Record<string, number> = {};
      for (const [pid, now] of s1)
        for (const [k, v] of Object.entries(now))
          perAction[k] = (perAction[k] ?? 0) + (v - (s0.get(pid)?.[k] ?? 0)) / Math.max(1, ok);
      const perNode = pids.map(
        (pid) => ((s1.get(pid)?.all ?? 0) - (s0.get(pid)?.all ?? 0)) / Math.max(1, ok),
      );
      statements.push({ perAction, perNode });
      console.log(
        `  statements per action (all nodes): ${Object.entries(perAction)
          .map(([k, v]) => `${k} ${fmt(v, 2)}`)
          .join(', ')}; per node ${perNode.map((v) => fmt(v, 2)).join(' / ')}`,
      );
      const texts = [...statementTexts(pids)]
        .map(([k, v]) => [k, (v - (texts0.get(k) ?? 0)) / Math.max(1, ok)] as const)
        .filter(([, v]) => v >= 0.005)
        .sort((a, b) => b[1] - a[1]);
      for (const [k, v] of texts) console.log(`    ${fmt(v, 3)}  ${k.slice(0, 110)}`);
    }
    offset += Math.ceil((x.result.kinds['accept (clerk)']?.count ?? 0) * 1.05) + CONNECTIONS;
    const all = Object.values(x.result.kinds);
    const done = x.result.kinds['complete (approver)'];
    const pooled = (f: 'p50' | 'p95' | 'p99') => median(all.map((k) => k[f]));
    app.push({
      perSec: ok / x.result.seconds,
      lifecycles: ((done?.count ?? 0) - (done?.errors ?? 0)) / x.result.seconds,
      cpuUs: (cpu * 1000) / Math.max(1, ok),
      pgUs: (pgMs * 1000) / Math.max(1, ok),
      catchUpS,
      cpuAllUs: ((cpu + catchCpu) * 1000) / Math.max(1, ok),
      pgAllUs: ((pgMs + catchPg) * 1000) / Math.max(1, ok),
      p50: pooled('p50'),
      p95: pooled('p95'),
      p99: pooled('p99'),
      errors: x.result.errors,
    });
    for (const [k, v] of Object.entries(x.result.kinds)) {
      const e = perKind.get(k) ?? { p50: [], p95: [], p99: [], n: 0 };
      e.p50.push(v.p50);
      e.p95.push(v.p95);
      e.p99.push(v.p99);
      e.n += v.count;
      perKind.set(k, e);
      if (v.samples.length) samples = [...samples, ...v.samples.map((s) => `${k}: ${s}`)].slice(0, 6);
    }
    const last = app[app.length - 1]!;
    console.log(
      `run ${r + 1}: app ${fmt(last.perSec, 0)} actions/s, ${fmt(last.lifecycles, 0)} lifecycles/s, ${fmt(last.cpuUs, 0)} µs CPU/action${pgUrl ? ` (+ PostgreSQL ${fmt(last.pgUs, 0)})` : ''}, errors ${last.errors}; consumers caught up ${fmt(last.catchUpS, 1)} s after${behind ? ` (behind at the end: ${behind})` : ''}, CPU/action with their catch-up ${fmt(last.cpuAllUs, 0)} µs${pgUrl ? ` (+ PostgreSQL ${fmt(last.pgAllUs, 0)})` : ''} (client CPU ${fmt((x.clientCpuMs * 1000) / Math.max(1, x.result.total), 0)} µs/request); bare Fastify ${fmt(floor[r]!.perSec, 0)}/s, ${fmt(floor[r]!.cpuUs, 0)} µs CPU/request; minimal action ${fmt(minimal[r]!.perSec, 0)}/s, ${fmt(minimal[r]!.cpuUs, 0)} µs CPU${pgUrl ? ` + PostgreSQL ${fmt(minimal[r]!.pgUs, 0)}` : ''}, errors ${minimal[r]!.errors}; load ${fmt(loadavg()[0]!, 2)}`,
    );
    // another run like this one takes about as many applications as this one accepted
    const need = Math.ceil((x.result.kinds['accept (clerk)']?.count ?? 0) * 1.5) + CONNECTIONS;
    if (r + 1 < RUNS && offset + need > seeded.cases.length) {
      console.log(
        `(${fmt(seeded.cases.length - offset, 0)} applications left: stopping after run ${r + 1}; raise APPLICATIONS)`,
      );
      break;
    }
  }
  rssAfter = pids.map(rssMb);
} finally {
  if (vacuumer?.running) console.log(`vacuums during the bench: ${vacuumer.vacuums()}`);
  await vacuumer?.stop();
  await stopAll([...(bare ? [bare] : []), ...minimalServers, ...nodes.map((n) => n.child)]);
  // the seeded store (a SQLite dir, or a PostgreSQL database) goes whatever happened
  await seeded.drop();
  await minimalStore?.drop();
}
// the store's ceiling, with the nodes stopped: durable single-row commits, as many in flight as connections
for (let r = 0; r < Math.min(RUNS, 3); r++)
  ceiling.push(
    await storeCommitRate(
      STORE,
      STORE === 'postgres' ? NODES * POOL : CONNECTIONS,
      STORE === 'postgres' ? 20_000 : 20_000,
      NODES * POOL,
    ),
  );

/** The consumers behind the stream's head, most behind first (`ledger 5,120, stats 3,004, …`), from /readyz. */
async function consumersBehind(url: string): Promise<string> {
  try {
    const r = (await (await fetch(`${url}/readyz`)).json()) as {
      consumers?: Array<{ name: string; lag: number }>;
    };
    return (r.consumers ?? [])
      .filter((c) => c.lag > 0)
      .sort((a, b) => b.lag - a.lag)
      .map((c) => `${c.name} ${fmt(c.lag, 0)}`)
      .join(', ');
  } catch {
    return '';
  }
}

/** Waits until the node's /readyz answers 200 (every event consumer caught up), or `ms` passed. */
async function readyOrTimeout(url: string, ms: number, everyMs = 500): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  console.log(`${url}: consumers still catching up after ${ms / 1000} s`);
}

const m = (rows: Row[], f: keyof Row, d = 0) => fmt(median(rows.map((r) => r[f])), d);
console.log(`\nload average (1 min) during the runs: ${loads.map((l) => fmt(l, 1)).join(', ')}`);
console.log(`| measure (median of ${app.length} runs) | value |`);
console.log('|---|---:|');
console.log(
  `| case actions over HTTP, ${NODES} ${STORE} node(s), ${CONNECTIONS} connections | ${m(app, 'perSec')} actions/s |`,
);
console.log(`| whole lifecycles (submit … complete) | ${m(app, 'lifecycles')} lifecycles/s |`);
console.log(
  `| action latency p50 / p95 / p99 (median over kinds) | ${m(app, 'p50', 1)} / ${m(app, 'p95', 1)} / ${m(app, 'p99', 1)} ms |`,
);
console.log(`| app CPU per action (all nodes, from /proc) | ${m(app, 'cpuUs')} µs |`);
if (pgUrl) console.log(`| PostgreSQL backends' CPU per action (/proc) | ${m(app, 'pgUs')} µs |`);
console.log(
  `| event consumers caught up after a run / CPU per action with their catch-up | ${m(app, 'catchUpS', 1)} s / ${m(app, 'cpuAllUs')} µs${pgUrl ? ` + PostgreSQL ${m(app, 'pgAllUs')} µs` : ''} |`,
);
console.log(`| nodes' CPU with no requests (all nodes) | ${fmt(idleMsPerSecond, 1)} ms per second |`);
if (pgUrl)
  console.log(`| PostgreSQL backends' CPU with no requests | ${fmt(pgIdleMsPerSecond, 1)} ms per second |`);
if (statements.length > 0)
  for (const k of Object.keys(statements[0]!.perAction))
    console.log(
      `| statements per action, ${k} (all nodes) | ${fmt(median(statements.map((x) => x.perAction[k] ?? 0)), 2)} |`,
    );
console.log(`| errors (non-2xx or socket) | ${app.map((r) => r.errors).join(', ')} |`);
console.log(`| node RSS after the runs | ${rssAfter.map((x) => fmt(x, 0)).join(' / ')} MB |`);
console.log(
  `| baseline: bare Fastify JSON POST, same client and connections | ${m(floor, 'perSec')}/s, ${m(floor, 'cpuUs')} µs CPU/request, p99 ${m(floor, 'p99', 1)} ms |`,
);
console.log(
  `| baseline: the minimal action (token, read, guarded write + event; Fastify and this store, no platform), ${NODES} server(s), same client | ${m(minimal, 'perSec')}/s, ${m(minimal, 'cpuUs')} µs CPU/request${pgUrl ? ` + PostgreSQL ${m(minimal, 'pgUs')} µs` : ''}, p99 ${m(minimal, 'p99', 1)} ms, errors ${minimal.map((r) => r.errors).join(', ')} |`,
);
console.log(
  `| baseline: the store's durable single-row commits, ${STORE === 'postgres' ? `${NODES * POOL} connections` : `${CONNECTIONS} in flight (group commit)`} | ${fmt(median(ceiling), 0)}/s |`,
);
console.log(
  `| goal (issue 17) | ${STORE === 'postgres' ? '≥ 2,000 actions/s across three nodes' : '≥ 5,000 actions/s on one node'} |`,
);
console.log('\n| request kind | requests | p50 | p95 | p99 (ms, median of runs) |');
console.log('|---|---:|---:|---:|---:|');
for (const [k, v] of perKind)
  console.log(
    `| ${k} | ${fmt(v.n, 0)} | ${fmt(median(v.p50), 1)} | ${fmt(median(v.p95), 1)} | ${fmt(median(v.p99), 1)} |`,
  );
if (samples.length) console.log(`\nerror samples:\n${samples.join('\n')}`);
void ACTIONS_PER_LOOP;
