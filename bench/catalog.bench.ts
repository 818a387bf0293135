import { systemClock } from '../src/kernel/index.js';
import { inTransaction, metaMigrations, migrate } from '../src/platform/db/index.js';
import { eventsMigrations } from '../src/platform/events/index.js';
import { exportJsonText } from '../src/modules/catalog/catalog.io.js';
import { localRegions } from '../src/modules/catalog/catalog.regions.js';
import { createCatalogService } from '../src/modules/catalog/catalog.service.js';
import { catalogMigrations, scratchInsert } from '../src/modules/catalog/catalog.store.js';
import { implementationCodeOf } from '../src/modules/catalog/catalog.types.js';
import { fmt, machine, median, type FreshStore, freshPostgres, freshSqlite, pgReachable } from './lib.js';

/**
 * `tongban import items` of the generated Zhengzhou-scale list (3,498 power + 1,816
 * public-service items = 5,314): parse, check every row (schema, every quality rule, the
 * implementing body, duplicates), then publish all in one transaction with one event per item.
 * Baseline, in the same run and store: the same 5,314 guides as plain JSON text into a two-column
 * scratch table in one transaction (no parsing, no checks, no columns, no events). Also the demo
 * seed (454 items). SQLite is a WAL file with synchronous = FULL (the production setting);
 * PostgreSQL when reachable (BENCH_DATABASE_URL).
 */
const RUNS = Number(process.env.RUNS ?? 3);

const regions = localRegions();

async function runOnce(fresh: () => Promise<FreshStore>, json: string, bodies: string[]) {
  const f = await fresh();
  try {
    await migrate(f.store.db, { ...metaMigrations, ...eventsMigrations, ...catalogMigrations });
    const service = createCatalogService({ db: f.store.db, clock: systemClock, regions });
    let t = performance.now();
    const seeded = await service.seedDemo();
    const seedMs = performance.now() - t;
    t = performance.now();
    // the progress callbacks mark where checking ends and writing starts
    let writeStart = 0;
    const r = await service.importText(json, 'json', {
      progress: (label) => {
        if (label === 'write') writeStart = performance.now();
        return { tick() {}, done() {} };
      },
    });
    const importMs = performance.now() - t;
    const checkMs = writeStart - t;
    if (r.issues.length || r.imported !== bodies.length)
      throw new Error(`import failed: ${r.issues.length} issues`);
    t = performance.now();
    await inTransaction(f.store.db, (trx) => scratchInsert(trx, bodies));
    const rawMs = performance.now() - t;
    return { seedMs, seedItems: seeded.items, importMs, checkMs, rawMs };
  } finally {
    await f.drop();
  }
}

async function main() {
  const service = createCatalogService({ db: undefined as never, clock: systemClock, regions });
  let t = performance.now();
  const guides = await service.scaleGuides();
  const genMs = performance.now() - t;
  const json = exportJsonText(guides);
  const bodies = guides.map((g) => JSON.stringify({ implementationCode: implementationCodeOf(g), ...g }));
  t = performance.now();
  JSON.parse(json);
  const parseMs = performance.now() - t;
  console.log(
    `${machine()}; ${guides.length} items, ${fmt(json.length / 1e6, 1)} MB of JSON; median of ${RUNS} runs`,
  );
  console.log(`generate ${fmt(genMs, 0)} ms; JSON.parse of the file ${fmt(parseMs, 0)} ms`);
  const dialects: Array<[string, () => Promise<FreshStore>]> = [['SQLite', freshSqlite]];
  if (await pgReachable()) dialects.push(['PostgreSQL', freshPostgres]);
  for (const [name, fresh] of dialects) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await runOnce(fresh, json, bodies));
    const imp = median(runs.map((r) => r.importMs));
    const raw = median(runs.map((r) => r.rawMs));
    const seed = median(runs.map((r) => r.seedMs));
    const check = median(runs.map((r) => r.checkMs));
    console.log(
      `${name}: import ${fmt(imp, 0)} ms = ${fmt((guides.length / imp) * 1000, 0)} items/s; ` +
        `baseline raw JSON rows ${fmt(raw, 0)} ms = ${fmt((guides.length / raw) * 1000, 0)} rows/s (import × ${fmt(imp / raw, 1)}); ` +
        `of which parse + check ${fmt(check, 0)} ms, write ${fmt(imp - check, 0)} ms; ` +
        `demo seed ${runs[0]!.seedItems} items ${fmt(seed, 0)} ms`,
    );
  }
}

await main();
