import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { JUDGED } from '../test/search/judged.js';
import { fmt, median, percentile } from './lib.js';

/**
 * The real server at Zhengzhou scale, as an operator runs it: `tongban seed --scale zhengzhou`
 * into a SQLite data dir, then `npm start` (compiled, scripts/start.mjs). Measures the server
 * process's RSS once it answers (search index built), and `GET /api/v1/search` latency at a fixed
 * 200 requests/s from a paced client on the same machine, beside `GET /healthz` at the same rate
 * (the HTTP floor) in the same run.
 * The server's CPU time per request is read from outside (/proc/<pid>/stat, user + system) around
 * each paced run, so a loaded machine's queueing can be told from the server's own work. The HTML
 * `/search` page is driven the same way. Then, in this process over the same store, the in-process
 * baselines: the index alone (`search.search()`) and the whole Fastify route without a socket
 * (`app.inject()`), over the same queries.
 *   TONGBAN_BENCH_DIR=/path  reuse a seeded data dir (seeded when empty)
 *   SECONDS=20 RATE=200 RUNS=3
 *   SEED=search             seed only the searchable corpus (not the exchange's registers)
 *   PROFILE=/dir            start the server with --cpu-prof into that directory (written at exit)
 *   SERVER_NODE_ARGS='…'    the server's node flags (default: those of `npm start`; '' for none)
 *   INPROC=off              skip the in-process baselines (they build a second index here)
 */
const root = join(import.meta.dirname, '..');
const dir = process.env.TONGBAN_BENCH_DIR ?? mkdtempSync(join(tmpdir(), 'tongban-scale-'));
const RATE = Number(process.env.RATE ?? 200);
const SECONDS = Number(process.env.SECONDS ?? 20);
const RUNS = Number(process.env.RUNS ?? 3);
// the client is "many citizens behind one proxy": each request names one of ADDRESSES addresses in
// X-Forwarded-For, so the per-address search limit (120 a minute) is counted as in production and
// not hit (one address at 200/s would be refused after 120)
const ADDRESSES = 4096;
const env = {
  ...process.env,
  TONGBAN_DATA_DIR: dir,
  TONGBAN_DATABASE_URL: '',
  TONGBAN_LOG_LEVEL: 'warn',
  TONGBAN_TRUST_PROXY: '127.0.0.1',
};

/** The app over the bench's store in this process, as the server would build it. */
async function withApp<T>(
  demo: 'on' | 'off',
  fn: (t: Awaited<ReturnType<typeof import('../src/app.js').buildApp>>) => Promise<T>,
): Promise<T> {
  const { buildApp } = await import('../src/app.js');
  const { loadConfig } = await import('../src/config/index.js');
  const { openStore } = await import('../src/platform/db/index.js');
  const config = loadConfig({ ...process.env, ...env });
  const store = await openStore({ sqliteFile: join(dir, 'tongban.sqlite'), sqliteSynchronous: 'NORMAL' });
  const t = await buildApp({ config, store, demo, startConsumers: false });
  try {
    return await fn(t);
  } finally {
    await t.close();
    await store.close();
  }
}

if (!existsSync(join(dir, 'tongban.sqlite'))) {
  const t0 = performance.now();
  if (process.env.SEED === 'search') {
    // the searchable corpus only (catalogue, information, convenience), without the exchange's
    // registers of 10 million people and 1.5 million companies, which take many minutes to write
    await withApp('on', async (t) => {
      for (const m of t.modules)
        if (m.name !== 'exchange')
          await m.seedScale?.({ scale: 'zhengzhou', progress: () => ({ tick() {}, done() {} }) });
      await t.events.drain();
    });
  } else {
    const r = spawnSync(process.execPath, ['bin/tongban.js', 'seed', '--scale', 'zhengzhou'], {
      cwd: root,
      env,
      stdio: 'inherit',
    });
    if (r.status !== 0) throw new Error('seed failed');
  }
  console.log(`seeded the Zhengzhou-scale corpus in ${fmt((performance.now() - t0) / 1000)} s`);
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

async function start(port: number): Promise<{ child: ChildProcess; ms: number }> {
  const t0 = performance.now();
  const prof = process.env.PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROFILE}`] : [];
  // the flags `npm start` gives node (package.json), unless SERVER_NODE_ARGS says otherwise
  const startScript = (
    JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }
  ).scripts.start;
  const fromStart = startScript.replace(/^node /, '').replace(/ ?scripts\/start\.mjs$/, '');
  const nodeArgs = (process.env.SERVER_NODE_ARGS ?? fromStart).split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...prof, ...nodeArgs, 'scripts/start.mjs'], {
    cwd: root,
    env: { ...env, TONGBAN_PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200)
        return { child, ms: performance.now() - t0 };
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
/** The process's CPU time so far (user + system), in ms, read from outside it. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields 14 and 15 (utime, stime) are at 11 and 12 after the command name and state
  return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
}

/** Sends `rate` requests per second for `seconds`, open loop, and returns each latency in ms. */
async function paced(
  urls: readonly string[],
  rate: number,
  seconds: number,
): Promise<{ lat: number[]; errors: number }> {
  const lat: number[] = [];
  let errors = 0;
  const total = rate * seconds;
  const t0 = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const url = urls[i % urls.length]!;
    const s = performance.now();
    inflight.push(
      fetch(url, { headers: { 'x-forwarded-for': `10.77.${(i % ADDRESSES) >> 8}.${i % 256}` } })
        .then(async (r) => {
          await r.arrayBuffer();
          if (r.status !== 200) errors++;
          lat.push(performance.now() - s);
        })
        .catch(() => {
          errors++;
        }),
    );
  }
  await Promise.all(inflight);
  return { lat, errors };
}

const port = 3950;
const { child, ms } = await start(port);
const base = `http://127.0.0.1:${port}`;
const rss = rssMb(child.pid!);
const queries = JUDGED.map((j) => j.q);
const searchUrls = queries.map((q) => `${base}/api/v1/search?q=${encodeURIComponent(q)}`);
const pageUrls = queries.map((q) => `${base}/search?q=${encodeURIComponent(q)}`);
type Row = { p50: number; p95: number; p99: number; cpu: number; errors: number };
const kinds = { healthz: [`${base}/healthz`], api: searchUrls, page: pageUrls } as const;
const rows: Record<keyof typeof kinds, Row[]> = { healthz: [], api: [], page: [] };
const loads: number[] = [];
// what the server spends with no request at all (timers, the index's refresh, consumers): CPU per
// second, to read beside the per-request figures (each run's includes its seconds of this)
const idleC0 = cpuMs(child.pid!);
await new Promise((r) => setTimeout(r, 5000));
const idleCpuPerSecond = (cpuMs(child.pid!) - idleC0) / 5;
console.log(`server CPU with no requests: ${fmt(idleCpuPerSecond, 1)} ms per second`);
for (let run = 1; run <= RUNS; run++) {
  loads.push(loadavg()[0]!);
  for (const kind of Object.keys(kinds) as Array<keyof typeof kinds>) {
    const seconds = kind === 'healthz' ? Math.max(5, SECONDS / 4) : SECONDS;
    const c0 = cpuMs(child.pid!);
    const r = await paced(kinds[kind], RATE, seconds);
    const cpu = (cpuMs(child.pid!) - c0) / (RATE * seconds);
    const row = {
      p50: percentile(r.lat, 50),
      p95: percentile(r.lat, 95),
      p99: percentile(r.lat, 99),
      cpu,
      errors: r.errors,
    };
    rows[kind].push(row);
    console.log(
      `run ${run} ${kind}: p50 ${fmt(row.p50, 2)} ms, p95 ${fmt(row.p95, 2)} ms, p99 ${fmt(row.p99, 2)} ms; server CPU ${fmt(cpu, 3)} ms/request; errors ${row.errors}; load ${fmt(loadavg()[0]!, 2)}`,
    );
  }
}
const rssAfter = rssMb(child.pid!);
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));

/** In this process over the same store: the index alone and the whole route without a socket. */
async function inProcess(): Promise<{ index: number[]; inject: number[]; injectPage: number[] }> {
  const { searchServiceOf } = await import('../src/modules/search/index.js');
  return withApp('off', async (t) => {
    const search = searchServiceOf(t.modules)!;
    const index: number[] = [];
    const inject: number[] = [];
    const injectPage: number[] = [];
    for (let rep = 0; rep < 10; rep++) {
      for (const q of queries) {
        let s = performance.now();
        search.search({ q, pageSize: 10 });
        index.push(performance.now() - s);
        s = performance.now();
        const remoteAddress = `10.78.${rep}.${inject.length % 256}`;
        const r = await t.app.inject({
          method: 'GET',
          url: `/api/v1/search?q=${encodeURIComponent(q)}`,
          remoteAddress,
        });
        inject.push(performance.now() - s);
        if (r.statusCode !== 200) throw new Error(`inject ${r.statusCode}`);
        s = performance.now();
        const p = await t.app.inject({
          method: 'GET',
          url: `/search?q=${encodeURIComponent(q)}`,
          remoteAddress,
        });
        injectPage.push(performance.now() - s);
        if (p.statusCode !== 200) throw new Error(`inject ${p.statusCode}`);
      }
    }
    return { index, inject, injectPage };
  });
}
const ip = process.env.INPROC === 'off' ? undefined : await inProcess();

const med = (k: keyof typeof kinds, f: keyof Row, d = 2) => fmt(median(rows[k].map((r) => r[f])), d);
console.log(`\nload average during the runs (1 min): ${loads.map((l) => fmt(l, 1)).join(', ')}`);
console.log('| measure | value |');
console.log('|---|---:|');
console.log(`| start to first answer (index built), Zhengzhou-scale store | ${fmt(ms, 0)} ms |`);
console.log(`| server RSS once answering / after the load | ${fmt(rss, 0)} / ${fmt(rssAfter, 0)} MB |`);
console.log(`| server CPU with no requests | ${fmt(idleCpuPerSecond, 1)} ms per second |`);
for (const [k, label] of [
  ['api', 'GET /api/v1/search'],
  ['page', 'GET /search (HTML)'],
  ['healthz', 'baseline GET /healthz'],
] as const) {
  console.log(
    `| ${label} at ${RATE}/s, p50 / p95 / p99 (median of ${RUNS}) | ${med(k, 'p50')} / ${med(k, 'p95')} / ${med(k, 'p99')} ms |`,
  );
  console.log(`| ${label}: server CPU per request | ${med(k, 'cpu', 3)} ms |`);
}
if (ip) {
  console.log(
    `| in process: the index alone, p50 / p95 (${fmt(ip.index.length, 0)} queries) | ${fmt(percentile(ip.index, 50), 2)} / ${fmt(percentile(ip.index, 95), 2)} ms |`,
  );
  console.log(
    `| in process: inject() GET /api/v1/search, p50 / p95 | ${fmt(percentile(ip.inject, 50), 2)} / ${fmt(percentile(ip.inject, 95), 2)} ms |`,
  );
  console.log(
    `| in process: inject() GET /search (HTML), p50 / p95 | ${fmt(percentile(ip.injectPage, 50), 2)} / ${fmt(percentile(ip.injectPage, 95), 2)} ms |`,
  );
}
if (!process.env.TONGBAN_BENCH_DIR) rmSync(dir, { recursive: true, force: true });
