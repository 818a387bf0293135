import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JUDGED } from '../test/search/judged.js';
import { fmt, median, percentile } from './lib.js';

/**
 * The real server at Zhengzhou scale, as an operator runs it: `tongban seed --scale zhengzhou`
 * into a SQLite data dir, then `npm start` (compiled, scripts/start.mjs). Measures the server
 * process's RSS once it answers (search index built), and `GET /api/v1/search` latency at a fixed
 * 200 requests/s from a paced client on the same machine, beside `GET /healthz` at the same rate
 * (the HTTP floor) in the same run.
 *   TONGBAN_BENCH_DIR=/path  reuse a seeded data dir (seeded when empty)
 *   SECONDS=20 RATE=200 RUNS=3
 */
const root = join(import.meta.dirname, '..');
const dir = process.env.TONGBAN_BENCH_DIR ?? mkdtempSync(join(tmpdir(), 'tongban-scale-'));
const RATE = Number(process.env.RATE ?? 200);
const SECONDS = Number(process.env.SECONDS ?? 20);
const RUNS = Number(process.env.RUNS ?? 3);
const env = { ...process.env, TONGBAN_DATA_DIR: dir, TONGBAN_DATABASE_URL: '', TONGBAN_LOG_LEVEL: 'warn' };

if (!existsSync(join(dir, 'tongban.sqlite'))) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['bin/tongban.js', 'seed', '--scale', 'zhengzhou'], {
    cwd: root,
    env,
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error('seed failed');
  console.log(`seeded the Zhengzhou-scale corpus in ${fmt((performance.now() - t0) / 1000)} s`);
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

async function start(port: number): Promise<{ child: ChildProcess; ms: number }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['scripts/start.mjs'], {
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

/** Sends `rate` requests per second for `seconds`, open loop, and returns each latency in ms. */
async function paced(
  urls: string[],
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
      fetch(url)
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
const rows: Array<{ run: number; p50: number; p95: number; p99: number; hp95: number; errors: number }> = [];
for (let run = 1; run <= RUNS; run++) {
  const h = await paced([`${base}/healthz`], RATE, Math.max(5, SECONDS / 4));
  const s = await paced(searchUrls, RATE, SECONDS);
  rows.push({
    run,
    p50: percentile(s.lat, 50),
    p95: percentile(s.lat, 95),
    p99: percentile(s.lat, 99),
    hp95: percentile(h.lat, 95),
    errors: s.errors + h.errors,
  });
  console.log(
    `run ${run}: search p50 ${fmt(rows.at(-1)!.p50, 2)} ms, p95 ${fmt(rows.at(-1)!.p95, 2)} ms, p99 ${fmt(rows.at(-1)!.p99, 2)} ms; healthz p95 ${fmt(rows.at(-1)!.hp95, 2)} ms; errors ${rows.at(-1)!.errors}`,
  );
}
const rssAfter = rssMb(child.pid!);
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
console.log('| measure | value |');
console.log('|---|---:|');
console.log(`| start to first answer (index built), Zhengzhou-scale store | ${fmt(ms, 0)} ms |`);
console.log(`| server RSS once answering / after the load | ${fmt(rss, 0)} / ${fmt(rssAfter, 0)} MB |`);
console.log(
  `| GET /api/v1/search at ${RATE}/s, p50 / p95 / p99 (median of ${RUNS}) | ${fmt(median(rows.map((r) => r.p50)), 2)} / ${fmt(median(rows.map((r) => r.p95)), 2)} / ${fmt(median(rows.map((r) => r.p99)), 2)} ms |`,
);
console.log(`| baseline GET /healthz at ${RATE}/s, p95 | ${fmt(median(rows.map((r) => r.hp95)), 2)} ms |`);
if (!process.env.TONGBAN_BENCH_DIR) rmSync(dir, { recursive: true, force: true });
