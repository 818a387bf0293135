/**
 * Lookups, two builds side by side at the same time: this tree's bench/exchange.server.ts and a
 * baseline checkout's, each on its own SQLite file, each loaded by its own autocannon at the same
 * paced rate at the same moment, so a shared machine's load falls on both alike (the turns of
 * bench/exchange.bench.ts's BEFORE= see the load move between them). Prints, per run, each
 * server's CPU µs per lookup (process.cpuUsage in the server, after its log consumers caught up),
 * its p50/p95 latency and the lookups answered; then the medians and the load average.
 *
 *   BEFORE=/path/to/baseline-checkout node --import tsx bench/exchange-ab.bench.ts
 *   RATE=1000 DURATION=8 RUNS=3 CONNECTIONS=20 (FULL=1: unpaced, CONNECTIONS each, 100 by default)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { fmt, median, percentile } from './lib.js';
import { type ServerProc, cpuOf, startServer, stop, tokenOf } from './exchange.procs.js';

const BEFORE = process.env.BEFORE;
if (!BEFORE) throw new Error('BEFORE: the baseline checkout (with node_modules) to compare with');
const FULL = process.env.FULL === '1';
const RATE = Number(process.env.RATE ?? 1000);
const DURATION = Number(process.env.DURATION ?? 8);
const RUNS = Number(process.env.RUNS ?? 3);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? (FULL ? 100 : 20));
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

type Server = ServerProc;
const server = (dir: string, file: string) => startServer(['app', file], dir);

async function blast(s: Server, token: string, seconds: number) {
  const lat: number[] = [];
  const inst = autocannon({
    url: `http://127.0.0.1:${s.info.port}/api/v1/exchange/lookup`,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ resource: '1-410100-GA-RK-0001', key: s.info.key, purpose: '基准测试' }),
    connections: CONNECTIONS,
    ...(FULL ? {} : { overallRate: RATE }),
    duration: seconds,
  });
  inst.on('response', (_c: unknown, _s: number, _b: number, ms: number) => lat.push(ms));
  const res = await inst;
  return {
    n: res.requests.total,
    p50: percentile(lat, 50),
    p95: percentile(lat, 95),
    bad: res.errors + res.non2xx,
  };
}

const dir = mkdtempSync(join(tmpdir(), 'tb-xab-'));
const sides = [
  { name: 'before', dir: BEFORE },
  { name: 'this tree', dir: join(import.meta.dirname, '..') },
];
const servers: Server[] = [];
console.log(
  `exchange A/B side by side · ${FULL ? `full load, ${CONNECTIONS} connections each` : `${fmt(RATE, 0)}/s each`} · ${RUNS} × ${DURATION} s · load ${load()}`,
);
try {
  for (const [i, s] of sides.entries()) servers.push(await server(s.dir, join(dir, `${i}.db`)));
  const tokens = await Promise.all(servers.map(tokenOf));
  await Promise.all(servers.map((s, i) => blast(s, tokens[i]!, 2))); // warm-up
  const cpu: number[][] = [[], []];
  const p95: number[][] = [[], []];
  const rps: number[][] = [[], []];
  let bad = 0;
  for (let r = 0; r < RUNS; r++) {
    const c0 = await Promise.all(servers.map((s) => cpuOf(s.child)));
    const xs = await Promise.all(servers.map((s, i) => blast(s, tokens[i]!, DURATION)));
    const c1 = await Promise.all(servers.map((s) => cpuOf(s.child)));
    const line = xs.map((x, i) => {
      const us = (c1[i]! - c0[i]!) / x.n;
      cpu[i]!.push(us);
      p95[i]!.push(x.p95);
      rps[i]!.push(x.n / DURATION);
      bad += x.bad;
      return `${sides[i]!.name}: ${fmt(us, 0)} µs, p50 ${fmt(x.p50, 1)} p95 ${fmt(x.p95, 1)} ms, ${fmt(x.n / DURATION, 0)}/s`;
    });
    console.log(`run ${r + 1}: ${line.join(' · ')} · load ${load()}`);
  }
  for (const [i, s] of sides.entries())
    console.log(
      `${s.name.padEnd(10)} median: ${fmt(median(cpu[i]!), 0)} µs CPU per lookup, p95 ${fmt(median(p95[i]!), 1)} ms, ${fmt(median(rps[i]!), 0)} lookups/s`,
    );
  console.log(`non-2xx or errors: ${bad} · load at the end ${load()}`);
} finally {
  for (const s of servers) await stop(s.child);
  rmSync(dir, { recursive: true, force: true });
}
