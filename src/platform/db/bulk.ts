import { closeSync, existsSync, fsyncSync, openSync } from 'node:fs';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import type { Dialect, Store } from './store.js';

/**
 * Bulk loads (`tongban seed --scale`: millions of generated register rows) written the fastest way
 * each store has, without giving up what a crash may leave behind (ADR 0027):
 *
 * - SQLite: its own connection to the file with `synchronous=OFF` and a large page cache, one
 *   prepared multi-row INSERT run over and over inside one transaction per batch (no query
 *   building per row). WAL stays on, so a crashed process (kill -9, out of memory) leaves the
 *   file as of its last commit — never a torn one; only a power loss during the load could
 *   corrupt it, which is why a loader marks the load as running beforehand (a node then refuses
 *   to start until the load is re-run). {@link BulkLoad.finish} syncs: back to `synchronous=FULL`
 *   and a TRUNCATE checkpoint that writes the WAL into the file and fsyncs it.
 * - PostgreSQL: one `INSERT … SELECT * FROM unnest($1::text[], …)` per batch (one parameter per
 *   column whatever the rows, no 65,535-parameter limit), each batch a transaction committed with
 *   `synchronous_commit = off` (a crash loses at most the last batches, never consistency); the
 *   durable commit that follows (the loader's marker) flushes the WAL up to it.
 *
 * Rows whose unique key is already taken are skipped (ON CONFLICT DO NOTHING), so a load that
 * was interrupted can simply be run again.
 */
export interface BulkColumn {
  readonly name: string;
  readonly type: 'text' | 'integer' | 'bigint';
}
export interface BulkTable {
  readonly name: string;
  readonly columns: readonly BulkColumn[];
}

export interface BulkLoad {
  readonly dialect: Dialect;
  /** rows flattened in column order (row 0's columns, then row 1's …), in one transaction */
  insert(table: BulkTable, values: readonly unknown[]): Promise<void>;
  /** a statement around the load (an index dropped before it and made after it) */
  exec(statement: string): Promise<void>;
  /**
   * ends the load and releases what it opened: SQLite durably (see above); PostgreSQL's batches
   * become durable with the next ordinary commit (the loader's marker), which flushes the WAL up to it
   */
  finish(): Promise<void>;
  /** releases what it opened without the durable end (after a failure) */
  close(): Promise<void>;
}

/** rows per prepared SQLite statement: fewer calls into the driver, under the variable limit */
const SQLITE_ROWS_PER_STATEMENT = 50;

export function openBulkLoad(store: Store): BulkLoad {
  return store.dialect === 'postgres' ? pgBulk(store) : sqliteBulk(store);
}

function sqliteBulk(store: Store): BulkLoad {
  const file = store.location && 'sqliteFile' in store.location ? store.location.sqliteFile : ':memory:';
  // an in-memory store has one connection; a file gets a connection of its own, so nothing the
  // app's connection has open (a group of commits) can be mixed into a batch
  const own = file !== ':memory:';
  const db = own ? new SQLite(file, { fileMustExist: true }) : store.sqlite;
  if (!db) throw new Error('bulk load: the SQLite store has no handle');
  if (own) {
    db.pragma('busy_timeout = 30000');
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -131072'); // 128 MB while loading; the connection is closed after
    db.pragma('temp_store = MEMORY');
  }
  const statements = new Map<string, SQLite.Statement>();
  const statement = (t: BulkTable, rows: number) => {
    const k = `${t.name}|${rows}`;
    let s = statements.get(k);
    if (!s) {
      const cols = t.columns.map((c) => `"${c.name}"`).join(', ');
      const one = `(${t.columns.map(() => '?').join(', ')})`;
      s = db.prepare(
        `insert into "${t.name}" (${cols}) values ${new Array(rows).fill(one).join(', ')} on conflict do nothing`,
      );
      statements.set(k, s);
    }
    return s;
  };
  const write = db.transaction((t: BulkTable, values: readonly unknown[]) => {
    const width = t.columns.length;
    const rows = values.length / width;
    const full = statement(t, SQLITE_ROWS_PER_STATEMENT);
    const step = SQLITE_ROWS_PER_STATEMENT * width;
    let at = 0;
    for (; at + step <= values.length; at += step) full.run(values.slice(at, at + step));
    const rest = rows - at / width;
    if (rest > 0) statement(t, rest).run(values.slice(at));
  });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    if (own) db.close();
  };
  return {
    dialect: 'sqlite',
    async insert(t, values) {
      if (values.length % t.columns.length !== 0) throw new Error(`bulk load: ragged rows for ${t.name}`);
      if (values.length) write(t, values);
    },
    async exec(statement) {
      db.exec(statement);
    },
    async finish() {
      db.pragma('synchronous = FULL');
      if (file !== ':memory:') {
        // the WAL into the file, the file fsynced, the WAL emptied: durable from here on
        db.pragma('wal_checkpoint(TRUNCATE)');
        // and whatever a reader kept the checkpoint from, and the pages the automatic checkpoints
        // wrote unsynced during the load: both files fsynced here, whatever the checkpoint did
        for (const f of [file, `${file}-wal`]) {
          if (!existsSync(f)) continue;
          const fd = openSync(f, 'r+');
          try {
            fsyncSync(fd);
          } finally {
            closeSync(fd);
          }
        }
      }
      await close();
    },
    close,
  };
}

function pgBulk(store: Store): BulkLoad {
  const db = store.db;
  return {
    dialect: 'postgres',
    async insert(t, values) {
      const width = t.columns.length;
      if (values.length % width !== 0) throw new Error(`bulk load: ragged rows for ${t.name}`);
      const rows = values.length / width;
      if (!rows) return;
      const columns = t.columns.map((c, j) => {
        const a = new Array<unknown>(rows);
        for (let r = 0; r < rows; r++) a[r] = values[r * width + j];
        return sql`${a}::${sql.raw(c.type)}[]`;
      });
      await db.transaction().execute(async (trx) => {
        await sql`set local synchronous_commit = off`.execute(trx);
        await sql`insert into ${sql.table(t.name)} (${sql.join(t.columns.map((c) => sql.ref(c.name)))})
          select * from unnest(${sql.join(columns)}) on conflict do nothing`.execute(trx);
      });
    },
    async exec(statement) {
      await sql.raw(statement).execute(db);
    },
    async finish() {
      // nothing to do here: the next commit made with synchronous_commit on (the loader's marker)
      // waits for the WAL up to it, and so for every batch before it
    },
    async close() {},
  };
}
