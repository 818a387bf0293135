import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import {
  type ControlledTransaction,
  Kysely,
  type Migration,
  type MigrationProvider,
  Migrator,
  PostgresAdapter,
  PostgresDialect,
  SqliteDialect,
  type Transaction,
  sql,
} from 'kysely';
import pg from 'pg';

/**
 * The store: Kysely over better-sqlite3 (embedded, one WAL file) or over pg (PostgreSQL). The same
 * queries and migrations run on both; `dialect` is only consulted for the few statements that
 * differ (column types in migrations, locking, the outbox's transaction ids).
 */
export type Dialect = 'sqlite' | 'postgres';

/**
 * Modules see the database through `db.withTables<TheirTables>()`, so a store can name only its
 * own module's tables (ARCHITECTURE rule 3: never read another module's tables).
 */
// biome-ignore lint/complexity/noBannedTypes: the empty table map each module extends with withTables
export type NoTables = {};
export type Db = Kysely<NoTables>;
export type Tx = Transaction<NoTables>;
/** Either the store or a transaction on it: store functions take this so callers choose. */
export type Executor = Kysely<NoTables>;

export interface Store {
  readonly db: Db;
  readonly dialect: Dialect;
  /** human-readable, without credentials */
  readonly description: string;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  databaseUrl?: string | undefined;
  /** SQLite file path, or ':memory:' */
  sqliteFile?: string;
  sqliteSynchronous?: 'FULL' | 'NORMAL';
  poolSize?: number;
  /** PostgreSQL: an idle connection was closed by the server (logged; the pool reconnects) */
  onIdleConnectionError?: (err: Error) => void;
}

let pgTypesSet = false;
function setPgTypes(): void {
  if (pgTypesSet) return;
  pgTypesSet = true;
  // int8 (counts, sequences): numbers, not strings. Safe: our counters stay far below 2^53.
  pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));
  // numeric: numbers (averages, rates)
  pg.types.setTypeParser(1700, (v) => Number.parseFloat(v));
}

export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  if (opts.databaseUrl) {
    setPgTypes();
    const url = new URL(opts.databaseUrl);
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.poolSize ?? 10 });
    // An idle pooled connection that the server closes (a restart, a failover, an administrator)
    // emits 'error' on the pool; unhandled, that would kill the process. The pool replaces it.
    pool.on('error', (err) => opts.onIdleConnectionError?.(err));
    const db = new Kysely<NoTables>({ dialect: new PostgresDialect({ pool }) });
    await sql`select 1`.execute(db);
    return {
      db,
      dialect: 'postgres',
      description: `PostgreSQL ${url.hostname}:${url.port || 5432}${url.pathname}`,
      close: () => db.destroy(),
    };
  }
  const file = opts.sqliteFile ?? ':memory:';
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma(`synchronous = ${opts.sqliteSynchronous ?? 'FULL'}`);
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('cache_size = -65536');
  sqlite.pragma('temp_store = MEMORY');
  const db = new Kysely<NoTables>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return {
    db,
    dialect: 'sqlite',
    description: file === ':memory:' ? 'SQLite (in memory)' : `SQLite ${file}`,
    close: () => db.destroy(),
  };
}

/**
 * Kysely prepares every query it runs; on a hot path (a case action runs four statements) the
 * preparing costs about as much as the running. Compiled statements are therefore kept by their
 * SQL text (the parameters are bound per call), a few hundred at most; a statement that is busy
 * (an open iterator) is never handed out twice.
 */
function withStatementCache(sqlite: SQLite.Database, max = 500): SQLite.Database {
  const cache = new Map<string, SQLite.Statement>();
  const prepare = (source: string): SQLite.Statement => {
    const hit = cache.get(source);
    if (hit && !hit.busy) return hit;
    const stmt = sqlite.prepare(source);
    if (!hit) {
      if (cache.size >= max) cache.delete(cache.keys().next().value as string);
      cache.set(source, stmt);
    }
    return stmt;
  };
  return new Proxy(sqlite, {
    get(target, prop) {
      if (prop === 'prepare') return prepare;
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

export function dialectOf(db: { getExecutor(): { readonly adapter: unknown } }): Dialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/** Runs fn in a transaction, or inside the caller's transaction when one is given. */
export async function inTransaction<T>(db: Executor, fn: (trx: Tx) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db as Tx);
  return db.transaction().execute(fn);
}

export type { ControlledTransaction, Migration };

/** Column types that differ between the dialects, for migrations. */
export function columnTypes(db: { getExecutor(): { readonly adapter: unknown } }) {
  const pgd = dialectOf(db) === 'postgres';
  return {
    /** auto-incrementing 64-bit key */
    serial: pgd ? ('bigserial' as const) : ('integer' as const),
    blob: pgd ? ('bytea' as const) : ('blob' as const),
    bigint: pgd ? ('bigint' as const) : ('integer' as const),
    isPostgres: pgd,
  };
}

/** The migrations of every module, keyed `<module>.<nnnn>_<what>`. */
export async function migrate(db: Db, migrations: Record<string, Migration>): Promise<string[]> {
  const provider: MigrationProvider = { getMigrations: async () => migrations };
  const migrator = new Migrator({
    db,
    provider,
    // modules are added over time; each module's own migrations still run in name order
    allowUnorderedMigrations: true,
    migrationTableName: 'schema_migrations',
    migrationLockTableName: 'schema_migrations_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`migration ${failed?.migrationName ?? '?'} failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
