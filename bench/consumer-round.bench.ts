/**
 * The event consumers' round on SQLite (ADR 0031): N lookup events are committed, a round of the
 * app's own consumers (the transparency log, statistics, …) is started as under load, and a
 * request's write arrives just after it began. Prints, per variant, when that write got the writer
 * and when it was committed (what a lookup arriving then waits, beside its own work), the round's
 * wall time, and the process's CPU µs per event for the round and the drain after it. Variants:
 * `one` — the round never gives the writer back (pieceMs = ∞); a number — pieceMs. They take
 * turns in one process, so a shared machine's load falls on all alike.
 *
 *   VARIANTS=one,2,5 N=300 ROUNDS=12 node --import tsx bench/consumer-round.bench.ts
 *
 * Run in a checkout from before the pieces (copy this file there) with VARIANTS=one for the code
 * before. The bus's options and its stopped flag are reached past TypeScript's `private`: the
 * bus's timer and wake-ups are stopped so that only the rounds started here run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../src/app.js';
import { testConfig } from '../src/config/index.js';
import { systemClock } from '../src/kernel/index.js';
import { inTransaction, openStore, sql } from '../src/platform/db/index.js';
import { appendEvents } from '../src/platform/events/index.js';
import { median } from './lib.js';

const N = Number(process.env.N ?? 300);
const ROUNDS = Number(process.env.ROUNDS ?? 12);
const VARIANTS = (process.env.VARIANTS ?? 'one,2').split(',');
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

const dir = mkdtempSync(join(tmpdir(), 'tb-round-'));
const store = await openStore({ sqliteFile: join(dir, 'a.db'), sqliteSynchronous: 'FULL' });
const t = await buildApp({ config: testConfig({ logLevel: 'silent' }), store, demo: 'on' });
await t.events.drain();
await t.events.stop();
const bus = t.events as unknown as { stopped: boolean; opts: { pieceMs?: number }; poke(): void };
bus.stopped = false;
await sql`create table bench_probe (x integer)`.execute(store.db);
// an access event as a lookup appends it (ids and hashes only)
const event = (id: string) => ({
  type: 'exchange.accessed',
  aggregateType: 'exchangeAccess',
  aggregateId: id,
  regionCode: '410100',
  actor: 'client:bench',
  payload: {
    resource: '1-410100-GA-RK-0001',
    department: 'bench',
    subjectHash: 'f'.repeat(64),
    fields: ['idNumber', 'name', 'gender'],
    purposeSha256: 'a'.repeat(64),
    caseSha256: null,
    grant: 'bench',
    outcome: 'ok',
  },
});
type Figures = {
  began: number[];
  committed: number[];
  round: number[];
  cpu: number[];
  commits: number[];
  txs: number[];
};
const res = new Map<string, Figures>(
  VARIANTS.map((v) => [v, { began: [], committed: [], round: [], cpu: [], commits: [], txs: [] }]),
);
console.log(`consumers' round · N=${N} · ${ROUNDS} rounds a variant · load ${load()}`);
let made = 0;
for (let r = 0; r < ROUNDS; r++) {
  for (const v of r % 2 ? [...VARIANTS].reverse() : VARIANTS) {
    const f = res.get(v)!;
    bus.opts.pieceMs = v === 'one' ? Number.POSITIVE_INFINITY : Number(v);
    await inTransaction(store.db, (trx) =>
      appendEvents(
        trx,
        systemClock,
        Array.from({ length: N }, () => event(`bench${made++}`)),
      ),
    );
    const g0 = { ...(store.groupCommit ?? { batches: 0, transactions: 0 }) };
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    bus.poke();
    const write = new Promise<void>((ok) => setImmediate(ok))
      .then(() =>
        inTransaction(store.db, (trx) => {
          f.began.push(performance.now() - t0);
          return sql`insert into bench_probe values (1)`.execute(trx);
        }),
      )
      .then(() => f.committed.push(performance.now() - t0));
    await t.events.drain();
    await write;
    f.round.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    f.cpu.push((c.user + c.system) / N);
    f.commits.push((store.groupCommit?.batches ?? 0) - g0.batches);
    f.txs.push((store.groupCommit?.transactions ?? 0) - g0.transactions);
  }
}
for (const [v, f] of res)
  console.log(
    `${(v === 'one' ? 'one piece' : `${v} ms pieces`).padEnd(12)} the write began at ${median(f.began).toFixed(1)} ms, committed at ${median(f.committed).toFixed(1)} ms (most ${Math.max(...f.committed).toFixed(1)}); round ${median(f.round).toFixed(1)} ms; ${median(f.cpu).toFixed(1)} µs CPU per event; ${median(f.commits)} commits, ${median(f.txs)} transactions (medians)`,
  );
console.log(`load at the end ${load()}`);
await store.close().catch(() => {});
rmSync(dir, { recursive: true, force: true });
process.exit(0);
