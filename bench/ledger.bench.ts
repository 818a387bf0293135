import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testConfig } from '../src/config/index.js';
import { newId, systemClock } from '../src/kernel/index.js';
import { type Store, metaMigrations, migrate } from '../src/platform/db/index.js';
import {
  EventBus,
  type EventRecord,
  type NewEvent,
  appendEvents,
  eventsMigrations,
} from '../src/platform/events/index.js';
import { createLogger } from '../src/platform/log.js';
import {
  type NewLeaf,
  appendLeaves,
  createLedgerService,
  leafFromEvent,
} from '../src/modules/ledger/ledger.service.js';
import { ledgerMigrations, readTiles } from '../src/modules/ledger/ledger.store.js';
import {
  HASH_SIZE,
  TILE_WIDTH,
  hashUp,
  hashesAtLevel,
  leafHash,
  rangeHash,
  subtreeSource,
} from '../src/modules/ledger/ledger.merkle.js';
import { verifyTiles } from '../src/modules/ledger/ledger.verify.js';
import { type FreshStore, fmt, freshSqlite, machine, median, percentile } from './lib.js';

/**
 * The transparency log.
 *  1. append: leaves/s into a SQLite file store (WAL, synchronous=FULL as in production), in
 *     transactions of BATCH leaves — entries, tiles and right edge written; beside it, in the same
 *     run, the raw SHA-256 rate of the same leaf hashes (the floor no log can beat) and the raw
 *     SQLite insert rate of the same rows (a prepared statement, no tree), and the whole
 *     path through the outbox (events already committed; the ledger consumer drains them).
 *  2. inclusion proofs: p50/p95 of building a proof from the stored tiles in a log of BIG leaves.
 *  3. verification from tiles: every full tile hashed and checked against the level above, and the
 *     root recomputed, for the BIG-leaf log read from SQLite. 10M leaves only with LEDGER_10M=1
 *     (computed on synthetic tiles in memory); otherwise the 10M figure is an extrapolation and
 *     printed as one.
 */
const RUNS = Number(process.env.RUNS ?? 3);
const N = Number(process.env.LEAVES ?? 100_000);
const BATCH = Number(process.env.BATCH ?? 2000);
const BIG = Number(process.env.BIG ?? 500_000);
const PROOFS = Number(process.env.PROOFS ?? 1000);

const dir = mkdtempSync(join(tmpdir(), 'tongban-ledger-bench-'));
const silent = createLogger('silent');

function synthEvent(i: number): EventRecord {
  return {
    seq: i + 1,
    id: newId(),
    tx: '0',
    type: i % 2 ? 'cases.accepted' : 'licences.issued',
    aggregateType: i % 2 ? 'case' : 'licence',
    aggregateId: `4101${String(i).padStart(10, '0')}`,
    regionCode: '410102',
    actor: newId(),
    payload: { step: i % 7, department: 'D-410100-SCJG' },
    createdAt: new Date(1_764_000_000_000 + i).toISOString(),
  };
}

/** A migrated SQLite file store (WAL, synchronous = FULL as in production). */
async function freshStore(): Promise<FreshStore> {
  const f = await freshSqlite();
  await migrate(f.store.db, { ...metaMigrations, ...eventsMigrations, ...ledgerMigrations });
  return f;
}

async function appendAll(store: Store, leaves: readonly NewLeaf[]): Promise<void> {
  for (let i = 0; i < leaves.length; i += BATCH) {
    const part = leaves.slice(i, i + BATCH);
    await store.db.transaction().execute((trx) => appendLeaves(trx, part, new Date().toISOString()));
  }
}

console.log(
  `ledger bench — ${machine()}; ${N.toLocaleString()} leaves per run, batches of ${BATCH}, ${RUNS} runs`,
);

// ── 1. append throughput, beside raw SHA-256 of the same leaves ─────────────────────────────────
const leaves = Array.from({ length: N }, (_, i) => leafFromEvent(synthEvent(i)));
const rawRates: number[] = [];
const sqliteRates: number[] = [];
const appendRates: number[] = [];
const outboxRates: number[] = [];
for (let r = 0; r < RUNS; r++) {
  let t = performance.now();
  let x = 0;
  for (const l of leaves) x ^= leafHash(l.entry)[0]!;
  rawRates.push((N / (performance.now() - t)) * 1000);
  if (x < 0) console.log(x);

  // second baseline: the same leaf rows inserted with a prepared better-sqlite3 statement, no tree
  const raw = new Database(join(dir, `raw-${r}.sqlite`));
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = FULL');
  raw.exec(
    'create table l (idx integer primary key, entry text not null, event_id text not null unique, event_type text not null, object_type text not null, object_id text not null, region_code text, created_at text not null); create index l_object on l (object_type, object_id, idx);',
  );
  const ins = raw.prepare('insert into l values (?, ?, ?, ?, ?, ?, ?, ?)');
  t = performance.now();
  for (let i = 0; i < N; i += BATCH) {
    raw.transaction(() => {
      for (let j = i; j < Math.min(N, i + BATCH); j++) {
        const l = leaves[j]!;
        ins.run(
          j,
          l.entry.toString('utf8'),
          l.eventId,
          l.eventType,
          l.objectType,
          l.objectId,
          l.regionCode,
          l.time,
        );
      }
    })();
  }
  sqliteRates.push((N / (performance.now() - t)) * 1000);
  raw.close();

  const f1 = await freshStore();
  t = performance.now();
  await appendAll(f1.store, leaves);
  appendRates.push((N / (performance.now() - t)) * 1000);
  await f1.drop();

  // the real path: events committed first, then the ledger consumer drains the outbox
  const f2 = await freshStore();
  const s2 = f2.store;
  const events: NewEvent[] = Array.from({ length: N }, (_, i) => {
    const e = synthEvent(i);
    return {
      type: e.type,
      aggregateType: e.aggregateType,
      aggregateId: e.aggregateId,
      regionCode: e.regionCode,
      actor: e.actor,
      payload: e.payload,
    };
  });
  for (let i = 0; i < events.length; i += 2000) {
    const part = events.slice(i, i + 2000);
    await s2.db.transaction().execute((trx) => appendEvents(trx, systemClock, part));
  }
  const bus = new EventBus(s2, systemClock);
  bus.register({
    name: 'ledger.leaves',
    batchSize: BATCH,
    handle: (trx, evs) =>
      appendLeaves(trx, evs.map(leafFromEvent), new Date().toISOString()).then(() => undefined),
  });
  t = performance.now();
  await bus.drain();
  outboxRates.push((N / (performance.now() - t)) * 1000);
  await f2.drop();
}
console.log(
  `raw SHA-256 leaf hashes (same leaves):   ${fmt(median(rawRates), 0)} leaves/s  (runs: ${rawRates.map((x) => fmt(x, 0)).join(', ')})`,
);
console.log(
  `raw SQLite insert of the same rows:      ${fmt(median(sqliteRates), 0)} leaves/s  (runs: ${sqliteRates.map((x) => fmt(x, 0)).join(', ')})`,
);
console.log(
  `append (entries+tiles+edge, SQLite FULL): ${fmt(median(appendRates), 0)} leaves/s  (runs: ${appendRates.map((x) => fmt(x, 0)).join(', ')})`,
);
console.log(
  `append through the outbox consumer:      ${fmt(median(outboxRates), 0)} leaves/s  (runs: ${outboxRates.map((x) => fmt(x, 0)).join(', ')})`,
);

// ── 2. a BIG-leaf log: inclusion-proof latency ─────────────────────────────────────────────────
const bigStore = await freshStore();
const big = bigStore.store;
{
  const t = performance.now();
  for (let i = 0; i < BIG; i += 100_000) {
    const part = Array.from({ length: Math.min(100_000, BIG - i) }, (_, j) =>
      leafFromEvent(synthEvent(i + j)),
    );
    await appendAll(big, part);
  }
  console.log(`built a ${BIG.toLocaleString()}-leaf log in ${fmt((performance.now() - t) / 1000, 1)} s`);
}
const svc = createLedgerService({ store: big, clock: systemClock, config: testConfig(), log: silent });
const cp = await svc.publishCheckpoint();
const lat: number[] = [];
let seed = 12345;
for (let i = 0; i < PROOFS; i++) {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  const t = performance.now();
  await svc.proveInclusion(seed % cp.size, cp.size);
  lat.push(performance.now() - t);
}
console.log(
  `inclusion proof from stored tiles (size ${cp.size.toLocaleString()}, ${PROOFS} random leaves): p50 ${fmt(percentile(lat, 50), 2)} ms, p95 ${fmt(percentile(lat, 95), 2)} ms`,
);

// ── 3. verification from tiles ─────────────────────────────────────────────────────────────────
async function loadLevel(store: Store, level: number): Promise<Map<number, Buffer>> {
  const m = new Map<number, Buffer>();
  const count = Math.ceil(hashesAtLevel(cp.size, level) / TILE_WIDTH);
  for (let from = 0; from < count; from += 2000) {
    for (const r of await readTiles(store.db, level, from, from + 2000)) m.set(r.idx, r.hashes);
  }
  return m;
}
const verifyMs: number[] = [];
for (let r = 0; r < RUNS; r++) {
  const t = performance.now();
  const levels = new Map<number, Map<number, Buffer>>();
  for (let l = 0; hashesAtLevel(cp.size, l) > 0; l++) levels.set(l, await loadLevel(big, l));
  const res = await verifyTiles(cp.size, Buffer.from(cp.rootHash, 'base64'), async (l, i) =>
    levels.get(l)?.get(i),
  );
  if (res.failures.length) throw new Error(res.failures.join('; '));
  verifyMs.push(performance.now() - t);
}
const perLeafUs = (median(verifyMs) * 1000) / cp.size;
console.log(
  `verify ${cp.size.toLocaleString()} leaves from their tiles (read from SQLite + hashed): median ${fmt(median(verifyMs) / 1000, 2)} s (${fmt(perLeafUs, 3)} µs/leaf)`,
);
if (process.env.LEDGER_10M === '1') {
  // synthetic tiles in memory: 10M leaf hashes, then each level from the one below
  const size = 10_000_000;
  const lv = new Map<number, Map<number, Buffer>>();
  const l0 = new Map<number, Buffer>();
  for (let k = 0; k * TILE_WIDTH < size; k++) {
    const w = Math.min(TILE_WIDTH, size - k * TILE_WIDTH);
    const parts: Buffer[] = [];
    for (let i = 0; i < w; i++)
      parts.push(
        createHash('sha256')
          .update(`leaf ${k * TILE_WIDTH + i}`)
          .digest(),
      );
    l0.set(k, Buffer.concat(parts));
  }
  lv.set(0, l0);
  for (let l = 1; hashesAtLevel(size, l) > 0; l++) {
    const below = lv.get(l - 1)!;
    const hs: Buffer[] = [];
    for (let k = 0; below.get(k)?.length === TILE_WIDTH * HASH_SIZE; k++) {
      const t = below.get(k)!;
      hs.push(
        hashUp(Array.from({ length: TILE_WIDTH }, (_, i) => t.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE))),
      );
    }
    const m = new Map<number, Buffer>();
    for (let k = 0; k * TILE_WIDTH < hs.length; k++)
      m.set(k, Buffer.concat(hs.slice(k * TILE_WIDTH, (k + 1) * TILE_WIDTH)));
    lv.set(l, m);
  }
  const loadTile = async (l: number, i: number) => lv.get(l)?.get(i);
  const root = await rangeHash(subtreeSource(loadTile), 0, size);
  const t = performance.now();
  const res = await verifyTiles(size, root, loadTile);
  if (res.failures.length) throw new Error(res.failures.join('; '));
  console.log(
    `verify 10,000,000 leaves from tiles (in memory, measured): ${fmt((performance.now() - t) / 1000, 2)} s`,
  );
} else {
  console.log(
    `verify 10,000,000 leaves from tiles: EXTRAPOLATED linearly from the ${cp.size.toLocaleString()}-leaf run ≈ ${fmt((perLeafUs * 10_000_000) / 1e6, 1)} s (set LEDGER_10M=1 to measure)`,
  );
}
await bigStore.drop();
rmSync(dir, { recursive: true, force: true });
