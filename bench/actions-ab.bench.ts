/**
 * Case actions, two builds side by side: a baseline checkout's node and this tree's node, each on a
 * copy of one seeded SQLite store, each loaded by its own client at the same paced rate at the same
 * time, so a shared machine's load falls on both alike. Prints each node's CPU µs per action per run
 * (from /proc) and the medians. On a loaded machine this compares two builds where one build's
 * figure alone (bench/actions.bench.ts) moves with the load.
 *
 *   BASE=/path/to/baseline-checkout node --import tsx bench/actions-ab.bench.ts
 *   (BASE: e.g. `git archive main | tar -x -C /tmp/base` with node_modules linked in)
 *   RATE=200 SECONDS=10 RUNS=3 CONNECTIONS=32 APPLICATIONS=4000
 *   OWN_SCHEMA=1  (the baseline on a store it seeded itself: its own migrations, without this tree's)
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as here from './cluster.js';
import { fmt, median } from './lib.js';

const BASE = process.env.BASE;
if (!BASE) throw new Error('BASE: the baseline checkout (with node_modules) to compare with');
const RATE = Number(process.env.RATE ?? 200);
const SECONDS = Number(process.env.SECONDS ?? 10);
const RUNS = Number(process.env.RUNS ?? 3);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 32);
const APPLICATIONS = Number(process.env.APPLICATIONS ?? 4000);
const base = (await import(join(BASE, 'bench', 'cluster.ts'))) as typeof here;

const seeded = await here.seed('sqlite', APPLICATIONS);
// OWN_SCHEMA=1: the baseline seeds a store of its own, on its own migrations, so what this tree's
// migrations add (indexes a write maintains) is in the comparison; by default it runs on a copy of
// this tree's store (the expanded schema, as in a rolling deploy), which compares the code alone
const ownSchema = process.env.OWN_SCHEMA === '1';
const copyDir = mkdtempSync(join(tmpdir(), 'tongban-ab-'));
if (!ownSchema) cpSync(seeded.env.TONGBAN_DATA_DIR!, copyDir, { recursive: true });
const baseSeeded = ownSchema
  ? await base.seed('sqlite', APPLICATIONS)
  : { ...seeded, env: { ...seeded.env, TONGBAN_DATA_DIR: copyDir } };
const sides = [
  { name: 'baseline', cluster: base, seeded: baseSeeded, port: 3971 },
  { name: 'this tree', cluster: here, seeded, port: 3972 },
];
const nodes: here.Node[] = [];
try {
  for (const s of sides) nodes.push(...(await s.cluster.startNodes(s.seeded, 1, s.port)));
  const plan = (i: number, seconds: number, offset: number, rate?: number) => ({
    scenario: 'actions' as const,
    seconds,
    ...(rate ? { rate } : {}),
    targets: [{ url: nodes[i]!.url, connections: CONNECTIONS }],
    tokens: sides[i]!.seeded.tokens,
    itemCode: '11410100297017523N01003401100000',
    regionCode: '410105001',
    form: sides[i]!.seeded.form,
    cases: sides[i]!.seeded.cases.slice(offset),
  });
  const offsets = [0, 0];
  const took = (r: Awaited<ReturnType<typeof here.runLoad>>) =>
    Math.ceil((r.result.kinds['accept (clerk)']?.count ?? 0) * 1.1) + CONNECTIONS;
  const warm = await Promise.all(sides.map((s, i) => s.cluster.runLoad(plan(i, 3, 0))));
  warm.forEach((w, i) => {
    offsets[i] = took(w);
  });
  const cpu: number[][] = [[], []];
  for (let r = 0; r < RUNS; r++) {
    const c0 = nodes.map((n) => here.cpuMs(n.child.pid!));
    const xs = await Promise.all(sides.map((s, i) => s.cluster.runLoad(plan(i, SECONDS, offsets[i]!, RATE))));
    const line = xs.map((x, i) => {
      const ok = x.result.total - x.result.errors;
      const us = ((here.cpuMs(nodes[i]!.child.pid!) - c0[i]!) * 1000) / Math.max(1, ok);
      cpu[i]!.push(us);
      offsets[i]! += took(x);
      return `${sides[i]!.name} ${fmt(ok / x.result.seconds, 0)} actions/s, ${fmt(us, 0)} µs CPU/action, errors ${x.result.errors}`;
    });
    console.log(`run ${r + 1} (load ${fmt(loadavg()[0]!, 1)}): ${line.join('; ')}`);
  }
  console.log(
    `median CPU per action: ${sides.map((s, i) => `${s.name} ${fmt(median(cpu[i]!), 0)} µs`).join(', ')}; RSS ${nodes.map((n) => `${fmt(here.rssMb(n.child.pid!), 0)} MB`).join(' / ')}`,
  );
} finally {
  await here.stopAll(nodes.map((n) => n.child));
  rmSync(copyDir, { recursive: true, force: true });
  if (ownSchema) await baseSeeded.drop();
  await seeded.drop();
}
