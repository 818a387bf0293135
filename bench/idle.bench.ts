/**
 * What idle app nodes cost (issue 17): the demo city and a few applications seeded, N nodes started
 * as `npm start` runs them (PostgreSQL by default: one database, three nodes), then no request at
 * all for WINDOWS windows of 5 s; each window prints the nodes' CPU (from /proc) and the PostgreSQL
 * backends' of the database (its connections). The first windows still carry the start (JIT, the
 * consumers catching up with the seed); the later ones are the timers and polls alone.
 *
 *   STORE=postgres NODES=3 WINDOWS=6 node --import tsx bench/idle.bench.ts   (BENCH_PORT=4360, APPS=300)
 */
import { loadavg } from 'node:os';
import { cpuMs, pgCpu, pgCpuSince, seed, startNodes, stopAll } from './cluster.js';
import { fmt, median } from './lib.js';

const kind = (process.env.STORE ?? 'postgres') as 'postgres' | 'sqlite';
const s = await seed(kind, Number(process.env.APPS ?? 300));
const nodes = await startNodes(
  s,
  Number(process.env.NODES ?? (kind === 'postgres' ? 3 : 1)),
  Number(process.env.BENCH_PORT ?? 4360),
);
const pids = nodes.map((n) => n.child.pid!);
const url = kind === 'postgres' ? s.env.TONGBAN_DATABASE_URL : undefined;
const all: number[] = [];
const pgAll: number[] = [];
try {
  for (let w = 0; w < Number(process.env.WINDOWS ?? 6); w++) {
    const c0 = pids.map(cpuMs);
    const p0 = url ? await pgCpu(url) : new Map<number, number>();
    await new Promise((r) => setTimeout(r, 5000));
    const c = pids.map((p, i) => (cpuMs(p) - c0[i]!) / 5);
    const pgMs = url ? pgCpuSince(p0, await pgCpu(url)) / 5 : 0;
    all.push(c.reduce((a, b) => a + b, 0));
    pgAll.push(pgMs);
    console.log(
      `${(w + 1) * 5} s: nodes ${c.map((x) => fmt(x, 0)).join(' / ')} ms/s; PostgreSQL backends ${fmt(pgMs, 0)} ms/s; load ${fmt(loadavg()[0]!, 1)}`,
    );
  }
} finally {
  await stopAll(nodes.map((n) => n.child));
  await s.drop();
}
const later = (xs: number[]) => median(xs.slice(Math.floor(xs.length / 3)));
console.log(
  `idle, median of the later windows: nodes ${fmt(later(all), 0)} ms/s (all), PostgreSQL backends ${fmt(later(pgAll), 0)} ms/s`,
);
