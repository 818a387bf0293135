import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type Store, openStore, sql } from '../../src/platform/db/index.js';

/**
 * A fresh, empty store for one test file: SQLite in memory by default, or a new PostgreSQL
 * database when TONGBAN_TEST_DATABASE_URL is set (dropped again by `close()`).
 */
export const testDialect = (): 'sqlite' | 'postgres' =>
  process.env.TONGBAN_TEST_DATABASE_URL ? 'postgres' : 'sqlite';

/** A throwaway PostgreSQL database: its name, its URL, and how to drop it. */
export interface ScratchDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

/**
 * Creates a new, empty database on the server `base` points at (tests and benches) — or a copy of
 * the database `template` (test/helpers/template.ts). `drop()` waits up to a second for
 * connections still closing, then forces them out.
 */
export async function scratchDatabase(
  base: string,
  prefix = 'tongban_t',
  template?: string,
): Promise<ScratchDatabase> {
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`create database ${name}${template ? ` template ${template}` : ''}`);
  } finally {
    await admin.end();
  }
  const u = new URL(base);
  u.pathname = `/${name}`;
  return {
    name,
    url: u.toString(),
    async drop() {
      const a = new pg.Client({ connectionString: base });
      await a.connect();
      try {
        try {
          // waits up to 5 s (the server's own wait) for sessions that are still closing
          await a.query(`drop database if exists ${name}`);
        } catch {
          // a session the test left open (a node not closed, a transaction not ended): say which,
          // then end it — retrying would cost the server's 5 s wait each time
          const left = await a.query<{ state: string; query: string }>(
            'select state, left(query, 100) as query from pg_stat_activity where datname = $1',
            [name],
          );
          process.stderr.write(
            `test store ${name}: ${left.rows.length} session(s) left open after close: ${left.rows
              .map((r) => `${r.state}: ${r.query}`)
              .join(' | ')}\n`,
          );
          await a.query(`drop database if exists ${name} with (force)`);
        }
      } finally {
        await a.end();
      }
    },
  };
}

/**
 * The store a test runs on: a scratch PostgreSQL database (TONGBAN_TEST_DATABASE_URL), else SQLite
 * in memory — or, with `shipped` (or TONGBAN_TEST_SQLITE_FILE=1), SQLite as a node runs it: a file
 * in a new directory, synced on every commit, with group commit (ADR 0020) and its reader
 * connection, so the paths only that store takes (an action's read inside its transaction, ADR
 * 0032) are the ones tested. The directory goes with `close()`.
 */
export async function openTestStore(opts: { shipped?: boolean } = {}): Promise<Store> {
  const base = process.env.TONGBAN_TEST_DATABASE_URL;
  if (!base) {
    if (opts.shipped || process.env.TONGBAN_TEST_SQLITE_FILE) return shippedSqliteStore();
    return openStore({ sqliteFile: ':memory:', sqliteSynchronous: 'NORMAL' });
  }
  return scratchStore(await scratchDatabase(base));
}

/**
 * SQLite as a node runs it: a file in a new directory (a copy of `from`, else empty), synced on
 * every commit, with group commit and its reader connection. The directory goes with `close()`.
 */
export async function shippedSqliteStore(from?: string): Promise<Store> {
  const dir = mkdtempSync(join(tmpdir(), 'tongban-t-'));
  const file = join(dir, 'test.sqlite');
  if (from) copyFileSync(from, file);
  const store = await openStore({ sqliteFile: file, sqliteSynchronous: 'FULL' });
  return {
    ...store,
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A store on a scratch database, which its `close()` drops. */
export async function scratchStore(db: ScratchDatabase): Promise<Store> {
  // a pooled connection waited for longer than production's 10 s is a loaded test machine (the
  // 1,000-booking contention test at load 25), not a store gone: tests wait, they do not 503
  const store = await openStore({ databaseUrl: db.url, poolSize: 5, connectTimeoutMs: 60_000 });
  return {
    ...store,
    async close() {
      await store.close();
      await db.drop();
    },
  };
}

/**
 * Every event committed so far, in append order, read straight from the outbox table. Tests use
 * this rather than readEvents: on PostgreSQL the consumers' view stops below the oldest transaction
 * running anywhere on the server (ADR 0003), and parallel test files share that server.
 */
export async function committedEvents(store: Store): Promise<
  Array<{
    type: string;
    aggregateId: string;
    regionCode: string | null;
    actor: string | null;
    payload: Record<string, unknown>;
  }>
> {
  const r = await sql<{
    type: string;
    aggregate_id: string;
    region_code: string | null;
    actor: string | null;
    payload: string;
  }>`select type, aggregate_id, region_code, actor, payload from events order by seq`.execute(store.db);
  return r.rows.map((x) => ({
    type: x.type,
    aggregateId: x.aggregate_id,
    regionCode: x.region_code,
    actor: x.actor,
    payload: JSON.parse(x.payload) as Record<string, unknown>,
  }));
}
