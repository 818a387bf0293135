/**
 * The mixed workload (issue 17): a day at the platform in small — citizens read guides and search,
 * apply (one application in two with an uploaded material), follow their cases; clerks accept;
 * approvers open their department's queue, decide and issue results; supervisors open the dashboard;
 * a verifier reads the transparency log (checkpoint, tiles, inclusion proofs). Each connection loops over one
 * cycle of 27 requests, 19 reads and 8 writes (70 % reads; the table is in docs/benchmarks.md), with
 * real bearer tokens, against the app as `npm start` runs it: one node on a SQLite file
 * (synchronous=FULL, group commit) or three nodes on one PostgreSQL database; the load from its
 * own process (autocannon, bench/load.client.ts). Throughput and p50/p95/p99 per request kind,
 * the nodes' CPU per request (from /proc), beside bare Fastify and the store's single-row commit
 * rate measured in the same run.
 *
 *   node --import tsx bench/mixed.bench.ts                          (SQLite, one node)
 *   STORE=postgres NODES=3 node --import tsx bench/mixed.bench.ts   (three nodes, one PostgreSQL)
 *   SECONDS=20 RUNS=3 CONNECTIONS=32
 *   SOAK_SECONDS=600 node --import tsx bench/mixed.bench.ts         (the soak: one long run; every
 *       10 s each node's RSS from /proc/<pid>/status and the errors; the first and last minutes'
 *       median RSS compared)
 */
import { loadavg } from 'node:os';
import {
  CITY_ITEM,
  type LoadResult,
  type Node,
  REGION,
  type StoreKind,
  cpuMs,
  freePort,
  rssMb,
  runLoad,
  seed,
  startBareFastify,
  startNodes,
  stopAll,
  storeCommitRate,
  vacuumLikeAutovacuum,
} from './cluster.js';
import { fmt, machine, median } from './lib.js';

const STORE = (process.env.STORE ?? 'sqlite') as StoreKind;
const NODES = Number(process.env.NODES ?? (STORE === 'postgres' ? 3 : 1));
const SOAK = Number(process.env.SOAK_SECONDS ?? 0);
const SECONDS = SOAK || Number(process.env.SECONDS ?? 20);
const RUNS = SOAK ? 1 : Number(process.env.RUNS ?? 3);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 32);
const POOL = Number(process.env.BENCH_POOL_SIZE ?? 10);
const INTERVAL = 10;

// words citizens search for (the search bench's judged queries are the long list; these are the common ones)
const QUERIES = [
  '营业执照',
  '食品经营许可',
  '社保',
  '公积金提取',
  '身份证',
  '出生登记',
  '失业保险',
  '医保',
  '户口迁移',
  '不动产登记',
];

const loads: number[] = [loadavg()[0]!];
console.log(
  `mixed bench — ${machine()}; ${STORE}, ${NODES} node(s), ${CONNECTIONS} connections, ${SOAK ? `soak ${SOAK} s` : `${SECONDS} s × ${RUNS} runs`}`,
);
const t0 = performance.now();
// a few applications for the case views before a connection's own first one
const seeded = await seed(STORE, 50);
console.log(`seeded the demo city in ${fmt((performance.now() - t0) / 1000)} s`);

const split = (urls: string[]) =>
  urls.map((url, i) => ({
    url,
    connections: Math.floor(CONNECTIONS / urls.length) + (i < CONNECTIONS % urls.length ? 1 : 0),
  }));

type Row = { perSec: number; cpuUs: number; errors: number };
const app: Row[] = [];
const floor: Row[] = [];
const perKind = new Map<
  string,
  { p50: number[]; p95: number[]; p99: number[]; n: number; perSec: number[] }
>();
let samples: string[] = [];
const rss: Array<{
  t: number;
  mb: number[];
  heap: number[];
  requests: number;
  errors: number;
  ms: Record<string, number>;
}> = [];

/** A node's V8 heap in use (MB), from its own /metrics (prom-client's nodejs_heap_size_used_bytes). */
async function heapMb(url: string): Promise<number> {
  try {
    const m = /^nodejs_heap_size_used_bytes (\S+)$/m.exec(await (await fetch(`${url}/metrics`)).text());
    return m ? Number(m[1]) / 1048576 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}
let nodes: Node[] = [];
let vacuumer: Awaited<ReturnType<typeof vacuumLikeAutovacuum>> | undefined;
let idleMsPerSecond = 0;
// free ports: fixed ones collide with another bench or a developer's node on a shared machine
const barePort = await freePort();
const bare = await startBareFastify(barePort);
try {
  nodes = await startNodes(seeded, NODES);
  const pids = nodes.map((n) => n.child.pid!);
  // what the nodes spend with no request at all (consumers polling, timers): read beside the
  // per-request figures, which include it
  const idle0 = pids.map(cpuMs);
  await new Promise((r) => setTimeout(r, 5000));
  idleMsPerSecond = pids.map((p, i) => cpuMs(p) - idle0[i]!).reduce((a, b) => a + b, 0) / 5;
  console.log(`nodes' CPU with no requests: ${fmt(idleMsPerSecond, 1)} ms per second (all nodes)`);
  const first = nodes[0]!.url;
  // what the verifier and the citizens read: the log's size now, published guides
  const checkpoint = await (await fetch(`${first}/log/checkpoint`)).text();
  const logSize = Number(checkpoint.split('\n')[1]);
  const items = await (
    await fetch(`${first}/api/v1/items?pageSize=100`, { headers: { accept: 'application/json' } })
  ).text();
  const guides = [...new Set([...items.matchAll(/"([0-9A-Z]{32})"/g)].map((m) => m[1]!))].slice(0, 60);
  if (!guides.length || !(logSize > 0))
    throw new Error(`no guides (${guides.length}) or an empty log (${logSize})`);
  const plan = (seconds: number) => ({
    scenario: 'mixed' as const,
    seconds,
    interval: SOAK ? INTERVAL : 0,
    targets: split(nodes.map((n) => n.url)),
    tokens: seeded.tokens,
    itemCode: CITY_ITEM,
    regionCode: REGION,
    form: seeded.form,
    material: seeded.material,
    cases: seeded.cases,
    guides,
    queries: QUERIES,
    logSize,
  });
  // a server with autovacuum off (this machine's): vacuumed as autovacuum would (cluster.ts)
  const pgUrl = STORE === 'postgres' ? seeded.env.TONGBAN_DATABASE_URL : undefined;
  vacuumer = pgUrl ? await vacuumLikeAutovacuum(pgUrl) : undefined;
  if (vacuumer?.running)
    console.log("the server's autovacuum is off: the bench vacuums the tables the actions update every 20 s");
  await runLoad(plan(3)); // warm-up
  for (let r = 0; r < RUNS; r++) {
    loads.push(loadavg()[0]!);
    if (!SOAK) {
      const b0 = cpuMs(bare.pid!);
      const b = await runLoad({
        scenario: 'bare',
        seconds: Math.max(5, SECONDS / 4),
        targets: split([`http://127.0.0.1:${barePort}`]),
      });
      floor.push({
        perSec: (b.result.total - b.result.errors) / b.result.seconds,
        cpuUs: ((cpuMs(bare.pid!) - b0) * 1000) / Math.max(1, b.result.total),
        errors: b.result.errors,
      });
    }
    const c0 = pids.map(cpuMs);
    const started = performance.now();
    const x: { result: LoadResult } = await runLoad(plan(SECONDS), (iv) => {
      const at = { t: Math.round((performance.now() - started) / 1000), mb: pids.map(rssMb) };
      // the heap beside the RSS: what the JavaScript holds, apart from SQLite's page cache and buffers
      void Promise.all(nodes.map((n) => heapMb(n.url))).then((heap) => {
        const last = { ...at, heap, requests: iv.requests, errors: iv.errors, ms: iv.ms ?? {} };
        rss.push(last);
        console.log(
          `  t=${last.t}s RSS ${last.mb.map((m) => fmt(m, 0)).join('/')} MB, heap used ${heap.map((m) => fmt(m, 0)).join('/')} MB, ${fmt(iv.requests / INTERVAL, 0)} req/s, errors ${iv.errors}, load ${fmt(loadavg()[0]!, 1)}`,
        );
      });
    });
    const cpu = pids.map((p, i) => cpuMs(p) - c0[i]!).reduce((a, b) => a + b, 0);
    app.push({
      perSec: (x.result.total - x.result.errors) / x.result.seconds,
      cpuUs: (cpu * 1000) / Math.max(1, x.result.total),
      errors: x.result.errors,
    });
    for (const [k, v] of Object.entries(x.result.kinds)) {
      const e = perKind.get(k) ?? { p50: [], p95: [], p99: [], n: 0, perSec: [] };
      e.p50.push(v.p50);
      e.p95.push(v.p95);
      e.p99.push(v.p99);
      e.perSec.push(v.count / x.result.seconds);
      e.n += v.count;
      perKind.set(k, e);
      if (v.samples.length) samples = [...samples, ...v.samples.map((s) => `${k}: ${s}`)].slice(0, 8);
    }
    const a = app[app.length - 1]!;
    console.log(
      `run ${r + 1}: ${fmt(a.perSec, 0)} requests/s, ${fmt(a.cpuUs, 0)} µs node CPU/request, errors ${a.errors}${floor[r] ? `; bare Fastify ${fmt(floor[r]!.perSec, 0)}/s, ${fmt(floor[r]!.cpuUs, 0)} µs` : ''}; load ${fmt(loadavg()[0]!, 1)}`,
    );
  }
} finally {
  if (vacuumer?.running) console.log(`vacuums during the bench: ${vacuumer.vacuums()}`);
  await vacuumer?.stop();
  await stopAll([bare, ...nodes.map((n) => n.child)]);
  // the seeded store (a SQLite dir, or a PostgreSQL database) goes whatever happened
  await seeded.drop();
}
const ceiling: number[] = [];
if (!SOAK)
  for (let r = 0; r < Math.min(RUNS, 3); r++)
    ceiling.push(
      await storeCommitRate(STORE, STORE === 'postgres' ? NODES * POOL : CONNECTIONS, 20_000, NODES * POOL),
    );

const md = (xs: number[], d = 1) => fmt(median(xs), d);
console.log(`\nload average (1 min) during the runs: ${loads.map((l) => fmt(l, 1)).join(', ')}`);
console.log(`| measure (median of ${app.length} run(s)) | value |`);
console.log('|---|---:|');
console.log(
  `| mixed workload, ${NODES} ${STORE} node(s), ${CONNECTIONS} connections | ${md(
    app.map((r) => r.perSec),
    0,
  )} requests/s |`,
);
console.log(
  `| node CPU per request (all nodes, from /proc) | ${md(
    app.map((r) => r.cpuUs),
    0,
  )} µs |`,
);
console.log(`| nodes' CPU with no requests (all nodes) | ${fmt(idleMsPerSecond, 1)} ms per second |`);
console.log(`| errors (non-2xx or socket) | ${app.map((r) => r.errors).join(', ')} |`);
if (floor.length)
  console.log(
    `| baseline: bare Fastify JSON POST, same client and connections | ${md(
      floor.map((r) => r.perSec),
      0,
    )}/s, ${md(
      floor.map((r) => r.cpuUs),
      0,
    )} µs CPU/request |`,
  );
if (ceiling.length)
  console.log(`| baseline: the store's durable single-row commits | ${fmt(median(ceiling), 0)}/s |`);
console.log('\n| request kind | per s | p50 | p95 | p99 (ms, median of runs) |');
console.log('|---|---:|---:|---:|---:|');
for (const [k, v] of [...perKind].sort((a, b) => a[0].localeCompare(b[0])))
  console.log(`| ${k} | ${md(v.perSec, 1)} | ${md(v.p50)} | ${md(v.p95)} | ${md(v.p99)} |`);
if (samples.length) console.log(`\nerror samples:\n${samples.join('\n')}`);
if (SOAK && rss.length) {
  const perMinute = Math.round(60 / INTERVAL);
  const firstMin = rss.slice(0, perMinute);
  const lastMin = rss.slice(-perMinute);
  console.log(
    '\n| minute | RSS per node, median (MB) | RSS lowest (MB) | heap used, median (MB) | requests/s | errors |',
  );
  console.log('|---:|---|---|---|---:|---:|');
  for (let m = 0; m * perMinute < rss.length; m++) {
    const xs = rss.slice(m * perMinute, (m + 1) * perMinute);
    console.log(
      `| ${m + 1} | ${pidsMedian(xs)} | ${perNode(xs, (v) => Math.min(...v), 'mb')} | ${perNode(xs, median, 'heap')} | ${fmt(xs.reduce((s, x) => s + x.requests, 0) / (xs.length * INTERVAL), 0)} | ${xs.reduce((s, x) => s + x.errors, 0)} |`,
    );
  }
  console.log(
    `\nfirst minute's median RSS ${pidsMedian(firstMin)} MB, last minute's ${pidsMedian(lastMin)} MB; errors in all ${rss.reduce((s, x) => s + x.errors, 0)}`,
  );
  // which request kinds slowed as the tables grew: mean latency in the second minute (after the
  // warm-up) and in the last, the kinds that grew most first
  const second = rss.slice(perMinute, 2 * perMinute);
  const meanOf = (xs: typeof rss, k: string) => median(xs.map((x) => x.ms[k]).filter((v) => v !== undefined));
  const kinds = [...new Set(rss.flatMap((x) => Object.keys(x.ms)))]
    .map((k) => ({ k, a: meanOf(second, k), b: meanOf(lastMin, k) }))
    .filter((x) => Number.isFinite(x.a) && Number.isFinite(x.b))
    .sort((x, y) => y.b - y.a - (x.b - x.a));
  console.log('\n| request kind | mean ms, minute 2 | mean ms, last minute | change |');
  console.log('|---|---:|---:|---:|');
  for (const { k, a, b } of kinds)
    console.log(`| ${k} | ${fmt(a, 1)} | ${fmt(b, 1)} | ${b >= a ? '+' : ''}${fmt(b - a, 1)} |`);
}

function perNode(
  xs: Array<{ mb: number[]; heap: number[] }>,
  f: (v: number[]) => number,
  k: 'mb' | 'heap',
): string {
  const n = xs[0]?.[k].length ?? 0;
  return Array.from({ length: n }, (_, i) => fmt(f(xs.map((x) => x[k][i]!)), 0)).join(' / ');
}

function pidsMedian(xs: Array<{ mb: number[] }>): string {
  const n = xs[0]?.mb.length ?? 0;
  return Array.from({ length: n }, (_, i) => fmt(median(xs.map((x) => x.mb[i]!)), 0)).join(' / ');
}
