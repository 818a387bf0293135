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
import { GroupCommitDriver, groupCommitDialect } from './group-commit.js';
import { appliedMigrations, newerMigrations } from './phases.js';
import { Announcer, WAKE_CHANNEL, sessionPool } from './pg-session.js';
import {
  type PgTarget,
  missingDatabaseError,
  pgOpenError,
  pgTarget,
  sqliteOpenError,
} from './open-errors.js';

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
  /**
   * Where the store lives, for the platform's own tools (backup and restore, platform/db/backup.ts):
   * the SQLite file (or ':memory:'), or the PostgreSQL URL. Modules never use it.
   */
  readonly location?: { readonly sqliteFile: string } | { readonly databaseUrl: string };
  /** SQLite: the driver's handle (online backup); undefined on PostgreSQL */
  readonly sqlite?: SQLite.Database;
  /** SQLite with group commit: batches committed and transactions they carried (bench, /metrics) */
  readonly groupCommit?: { readonly batches: number; readonly transactions: number };
  /**
   * SQLite with group commit: keeps the open batch open while no other transaction joins it
   * (GroupCommitDriver.holdBatch); returns the function that ends the hold
   */
  holdBatch?(): () => void;
  /** PostgreSQL: the pool's connections now (/metrics); undefined on SQLite (one connection) */
  poolStats?(): { total: number; idle: number; waiting: number };
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  databaseUrl?: string | undefined;
  /** SQLite file path, or ':memory:' */
  sqliteFile?: string;
  /**
   * SQLite in memory: start from this image of a database (better-sqlite3's `serialize()`) instead
   * of an empty one — the tests' copy of a store seeded once per run (test/helpers/template.ts)
   */
  sqliteImage?: Buffer;
  sqliteSynchronous?: 'FULL' | 'NORMAL';
  poolSize?: number;
  /** PostgreSQL: a connection was closed by the server, idle or in use (logged; the pool reconnects) */
  onIdleConnectionError?: (err: Error) => void;
  /** PostgreSQL: a NOTIFY announcing committed rows failed (the other nodes find them at their poll) */
  onAnnounceError?: (err: Error) => void;
  /** PostgreSQL: the database did not exist and was created (this role may create databases) */
  onDatabaseCreated?: (database: string) => void;
  /** SQLite file with synchronous=FULL: concurrent transactions share one COMMIT (default on) */
  groupCommit?: boolean;
  /** PostgreSQL: how long the first connection may take before the server counts as unreachable */
  connectTimeoutMs?: number;
  /**
   * PostgreSQL: hot statements prepared once per connection (default on; pg-session.ts). Off for
   * a connection pooler in transaction mode that does not keep prepared statements.
   */
  preparedStatements?: boolean;
}

/**
 * Connects once before the pool is made, so that a store which cannot be opened fails with a
 * StoreOpenError (one line, its own exit code: open-errors.ts) rather than a driver's stack. A
 * missing database is created when the role may create databases.
 */
async function probePostgres(opts: OpenStoreOptions & { databaseUrl: string }): Promise<void> {
  const t = pgTarget(opts.databaseUrl);
  const timeout = opts.connectTimeoutMs ?? 10_000;
  const tryConnect = async (url: string, then?: (c: pg.Client) => Promise<unknown>) => {
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeout });
    c.on('error', () => {}); // a connection dropped after the probe: the probe's own await reports it
    try {
      await c.connect();
      await (then ? then(c) : c.query('select 1'));
    } finally {
      await c.end().catch(() => {});
    }
  };
  try {
    await tryConnect(opts.databaseUrl);
    return;
  } catch (e) {
    if ((e as { code?: string }).code !== '3D000') throw pgOpenError(e, t);
  }
  await createDatabase(opts.databaseUrl, t, tryConnect);
  opts.onDatabaseCreated?.(t.database);
}

async function createDatabase(
  databaseUrl: string,
  t: PgTarget,
  tryConnect: (url: string, then?: (c: pg.Client) => Promise<unknown>) => Promise<void>,
): Promise<void> {
  // CREATE DATABASE runs from another database: the maintenance database `postgres`, else template1
  const via = t.database === 'postgres' ? ['template1'] : ['postgres', 'template1'];
  let last: unknown;
  for (const maintenance of via) {
    const u = new URL(databaseUrl);
    u.pathname = `/${encodeURIComponent(maintenance)}`;
    try {
      await tryConnect(u.toString(), (c) =>
        c.query(`create database ${pg.escapeIdentifier(t.database)}`).catch((e: { code?: string }) => {
          if (e.code !== '42P04') throw e; // another node created it at the same moment: fine
        }),
      );
      return;
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === '42501') throw missingDatabaseError(t, `user "${t.user}" may not create databases`, e);
      if (code !== '3D000') {
        const classified = pgOpenError(e, t);
        if (classified.problem !== 'other') throw classified;
      }
      last = e;
    }
  }
  throw missingDatabaseError(t, `it could not be created (${(last as Error)?.message ?? last})`, last);
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
    await probePostgres({ ...opts, databaseUrl: opts.databaseUrl });
    const pool = new pg.Pool({
      connectionString: opts.databaseUrl,
      max: opts.poolSize ?? 10,
      // a server that does not answer (a primary gone, a failover under way) fails a request with
      // STORE_UNAVAILABLE (503) after this long instead of holding it without end
      connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000,
    });
    // An idle pooled connection that the server closes (a restart, a failover, an administrator)
    // emits 'error' on the pool; unhandled, that would kill the process. The pool replaces it.
    pool.on('error', (err) => opts.onIdleConnectionError?.(err));
    // A connection lost while checked out between two statements of a transaction emits 'error'
    // on the client, where pg-pool listens only while it is idle: without a listener of our own
    // the process dies with the primary. The statement in flight (or the next) fails with the
    // error, the request answers STORE_UNAVAILABLE, and the pool drops the dead client on release.
    pool.on('connect', (client) => {
      client.on('error', (err) => opts.onIdleConnectionError?.(err));
    });
    // committed inserts into the hot tables announced after their commit, coalesced (ADR 0035)
    const announcer = new Announcer(
      (tables) => pool.query('select pg_notify($1, t) from unnest($2::text[]) as t', [WAKE_CHANNEL, tables]),
      { onError: (err) => opts.onAnnounceError?.(err) },
    );
    // hot statements prepared once per connection (pg-session.ts)
    const sessions = sessionPool(pool, { prepare: opts.preparedStatements ?? true, announcer });
    const db = new Kysely<NoTables>({ dialect: new PostgresDialect({ pool: sessions }) });
    await sql`select 1`.execute(db);
    return {
      db,
      dialect: 'postgres',
      description: `PostgreSQL ${url.hostname}:${url.port || 5432}${url.pathname}`,
      location: { databaseUrl: opts.databaseUrl },
      poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
      // what was committed last is announced before the pool ends
      close: async () => {
        await announcer.settle();
        await db.destroy();
      },
    };
  }
  const file = opts.sqliteFile ?? ':memory:';
  let sqlite: SQLite.Database | undefined;
  try {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    sqlite = opts.sqliteImage && file === ':memory:' ? new SQLite(opts.sqliteImage) : new SQLite(file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma(`synchronous = ${opts.sqliteSynchronous ?? 'FULL'}`);
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('cache_size = -65536');
    sqlite.pragma('temp_store = MEMORY');
    // a file that opens but cannot be written (read-only file or file system) fails here, not at
    // the first citizen's request
    if (file !== ':memory:') sqlite.exec('begin immediate; rollback');
  } catch (e) {
    sqlite?.close();
    throw sqliteOpenError(e, file);
  }
  // a file synced on every commit: concurrent transactions share one COMMIT (group-commit.ts)
  const grouped =
    file !== ':memory:' && (opts.sqliteSynchronous ?? 'FULL') === 'FULL' && opts.groupCommit !== false;
  let driver: GroupCommitDriver | undefined;
  if (grouped) {
    const reader = new SQLite(file, { readonly: true, fileMustExist: true });
    reader.pragma('busy_timeout = 5000');
    // 16 MB: the reader's cache is emptied whenever another connection has committed (WAL), so
    // on a node that writes it rarely holds more; the writer's 64 MB is what actions read from
    // (ADR 0032). Both fill to their bound when left to, in the node's RSS; the file's pages stay
    // in the kernel's page cache beside them, so a miss costs a read from memory, not the disk
    reader.pragma('cache_size = -16384');
    driver = new GroupCommitDriver(withStatementCache(sqlite), withStatementCache(reader));
  }
  const db = new Kysely<NoTables>({
    dialect: driver
      ? groupCommitDialect(driver)
      : new SqliteDialect({ database: withStatementCache(sqlite) }),
  });
  return {
    db,
    dialect: 'sqlite',
    description:
      file === ':memory:' ? 'SQLite (in memory)' : `SQLite ${file}${grouped ? ' (group commit)' : ''}`,
    ...(driver ? { groupCommit: driver.stats, holdBatch: () => driver.holdBatch() } : {}),
    location: { sqliteFile: file },
    sqlite,
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
  // a newer release's migrations already applied (its node migrated; this one starts beside it
  // in a rolling deploy): passed to the migrator as done, so this release runs on the expanded
  // schema (ADR 0023) instead of refusing the store
  const newer = newerMigrations(await appliedMigrations(db), migrations);
  const provider: MigrationProvider = { getMigrations: async () => ({ ...newer, ...migrations }) };
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
