import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { Config } from '../../src/config/index.js';
import { type Clock, ManualClock } from '../../src/kernel/index.js';
import { type Store, openStore } from '../../src/platform/db/index.js';
import {
  type ScratchDatabase,
  scratchDatabase,
  scratchStore,
  shippedSqliteStore,
  testDialect,
} from './store.js';

/**
 * The demo city seeded once per test run and copied for every test app that asks for it.
 *
 * Seeding the demo city costs a test process 2–3 s of CPU (and the PostgreSQL server as much
 * again); about sixty test files seed it. scripts/run-tests.mjs therefore hands its processes a
 * directory (TONGBAN_TEST_TEMPLATES) and a run id (TONGBAN_TEST_RUN): the first process that needs
 * a seeded store of a given kind seeds a template — an in-memory SQLite database written to that
 * directory as an image, or a PostgreSQL database `tongban_tpl_<run>_<key>` — and every app that
 * asks for the same kind afterwards starts on a copy of it (`new Database(image)`, or
 * `CREATE DATABASE … TEMPLATE`). A process that finds the template still being made seeds its own
 * store as before rather than wait. The runner removes the templates when the run ends.
 *
 * The copy is the demo city exactly as the seed left it, opened again: what a second start on a
 * seeded store sees (`npm start` twice), so an app built on it does not seed (its `seeded` is
 * false) and warms up from the store. A template's kind (its key) is everything the seed reads:
 * the whole configuration and the clock's instant — only a ManualClock (fixed until the test moves
 * it) or no clock at all (the system clock: a template is at most one run old). A configuration
 * that carries functions (a fake verifier) or any other clock gets no template: the store is
 * seeded as before. Outside the runner (a file run on its own) there are no templates.
 */

/** The template's key for this configuration and clock, or null when the store must be seeded. */
export function templateKey(config: Config, clock: Clock | undefined): string | null {
  if (!process.env.TONGBAN_TEST_TEMPLATES || !process.env.TONGBAN_TEST_RUN) return null;
  if (clock !== undefined && !(clock instanceof ManualClock)) return null;
  if (carriesFunctions(config)) return null;
  const at = clock ? clock.now().toISOString() : 'system';
  return createHash('sha256')
    .update(JSON.stringify({ dialect: testDialect(), at, config }))
    .digest('hex')
    .slice(0, 12);
}

function carriesFunctions(v: unknown, seen = new Set<unknown>()): boolean {
  if (typeof v === 'function') return true;
  if (v === null || typeof v !== 'object' || seen.has(v) || Buffer.isBuffer(v)) return false;
  seen.add(v);
  return Object.values(v).some((x) => carriesFunctions(x, seen));
}

/**
 * A fresh store copied from the template `key`, making the template first (with `seed`, which
 * seeds the store it is given and leaves it closed to nobody but itself) when no process has.
 * Null when another process is making it right now: the caller seeds a store of its own.
 */
export async function storeFromTemplate(
  key: string,
  seed: (store: Store) => Promise<void>,
  opts: { shipped?: boolean } = {},
): Promise<Store | null> {
  return testDialect() === 'postgres'
    ? pgFromTemplate(key, seed)
    : sqliteFromTemplate(key, seed, opts.shipped ?? false);
}

async function sqliteFromTemplate(
  key: string,
  seed: (store: Store) => Promise<void>,
  shipped: boolean,
): Promise<Store | null> {
  const file = join(process.env.TONGBAN_TEST_TEMPLATES!, `${key}.sqlite`);
  if (!existsSync(file)) {
    try {
      closeSync(openSync(`${file}.lock`, 'wx'));
    } catch {
      return null; // another process is making it
    }
    const store = await openStore({ sqliteFile: ':memory:', sqliteSynchronous: 'NORMAL' });
    try {
      await seed(store);
      writeFileSync(`${file}.part`, store.sqlite!.serialize());
      renameSync(`${file}.part`, file);
    } finally {
      await store.close();
    }
  }
  if (!shipped)
    return openStore({
      sqliteFile: ':memory:',
      sqliteSynchronous: 'NORMAL',
      sqliteImage: readFileSync(file),
    });
  // as a node runs it: a copy of the template as a file, synced on every commit, with group commit
  return shippedSqliteStore(file);
}

async function pgFromTemplate(key: string, seed: (store: Store) => Promise<void>): Promise<Store | null> {
  const base = process.env.TONGBAN_TEST_DATABASE_URL!;
  const template = `tongban_tpl_${process.env.TONGBAN_TEST_RUN!.replace(/[^a-z0-9]/g, '')}_${key}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    const r = await admin.query<{ note: string | null }>(
      `select shobj_description(oid, 'pg_database') as note from pg_database where datname = $1`,
      [template],
    );
    if (r.rows.length === 0) {
      try {
        await admin.query(`create database ${template}`);
      } catch (e) {
        // another process is making it: 42P04 once its database exists, or 23505 (the catalog's
        // unique index) when both create statements ran at the same moment (seen in a PostgreSQL run)
        const code = (e as { code?: string }).code;
        if (code === '42P04' || code === '23505') return null;
        throw e;
      }
      const u = new URL(base);
      u.pathname = `/${template}`;
      const store = await openStore({ databaseUrl: u.toString(), poolSize: 5, connectTimeoutMs: 60_000 });
      try {
        await seed(store);
      } finally {
        await store.close();
      }
      // a copy needs nobody connected to the template: no more connections (autovacuum's neither),
      // and readers copy it only once this says it is complete
      await admin.query(`alter database ${template} with allow_connections false`);
      await admin.query(`comment on database ${template} is 'ready'`);
    } else if (r.rows[0]!.note !== 'ready') return null;
  } finally {
    await admin.end();
  }
  let db: ScratchDatabase;
  try {
    db = await scratchDatabase(base, 'tongban_t', template);
  } catch (e) {
    // the copy refused (the template busy for longer than PostgreSQL waits): seed as before
    console.error(`template ${template} not copied (${(e as Error).message}); seeding this store`);
    return null;
  }
  return scratchStore(db);
}
