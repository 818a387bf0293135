import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readSync, renameSync, rmSync, statSync } from 'node:fs';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { pgTarget } from './open-errors.js';
import type { Store } from './store.js';

/**
 * `tongban backup --to FILE` and `tongban restore --from FILE` (ADR 0017). SQLite: the online
 * backup API (a consistent copy while the node writes) and the copy is itself a SQLite file.
 * PostgreSQL: pg_dump's custom format (one snapshot) and pg_restore in one transaction. A restore
 * goes into an empty store only.
 */
export class BackupError extends Error {
  constructor(
    message: string,
    /** the process exit code the CLI answers with (docs/operations.md, Backups) */
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'BackupError';
  }
}

export const BACKUP_EXIT = {
  /** the backup file is not one tongban can restore (or is for the other kind of store) */
  badFile: 65, // EX_DATAERR
  /** the target store already holds tables: restore goes into an empty store only */
  notEmpty: 75, // (sysexits has no "not empty"; 75 is otherwise unused here)
  /** pg_dump / pg_restore missing or failed */
  tool: 69, // EX_UNAVAILABLE
  /** the backup file cannot be written */
  cannotWrite: 73, // EX_CANTCREAT
} as const;

export type BackupKind = 'sqlite' | 'postgres-custom';

/** What kind of backup a file holds, from its first bytes. */
export function backupKind(file: string): BackupKind | undefined {
  if (!existsSync(file) || !statSync(file).isFile()) return undefined;
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(16);
    const n = readSync(fd, head, 0, 16, 0);
    if (n >= 16 && head.toString('latin1') === 'SQLite format 3\0') return 'sqlite';
    if (n >= 5 && head.subarray(0, 5).toString('latin1') === 'PGDMP') return 'postgres-custom';
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** The tables the store holds (its schema, not PostgreSQL's or SQLite's own). */
export async function listTables(store: Store): Promise<string[]> {
  if (store.dialect === 'sqlite') {
    const r = await sql<{ name: string }>`
      select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`.execute(
      store.db,
    );
    return r.rows.map((x) => x.name);
  }
  const r = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema not in ('pg_catalog', 'information_schema') and table_type = 'BASE TABLE'
    order by table_name`.execute(store.db);
  return r.rows.map((x) => x.name);
}

/** Rows per table, for checking a restore (and for operators: `tongban backup` prints the total). */
export async function tableCounts(store: Store): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of await listTables(store)) {
    const r = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(t)}`.execute(store.db);
    out[t] = Number(r.rows[0]?.n ?? 0);
  }
  return out;
}

/** pg_dump / pg_restore with the connection in the environment (never a password on the command line). */
function runPgTool(tool: 'pg_dump' | 'pg_restore', databaseUrl: string, args: string[]): Promise<void> {
  const t = pgTarget(databaseUrl);
  const u = new URL(databaseUrl);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PGHOST: t.host,
    PGPORT: t.port,
    PGUSER: t.user,
    PGDATABASE: t.database,
  };
  if (u.password) env.PGPASSWORD = decodeURIComponent(u.password);
  const ssl = u.searchParams.get('sslmode');
  if (ssl) env.PGSSLMODE = ssl;
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(
        new BackupError(
          e.code === 'ENOENT'
            ? `${tool} is not installed on this machine (Debian: apt-get install postgresql-client, the server's major version or newer)`
            : `${tool} could not be started: ${e.message}`,
          BACKUP_EXIT.tool,
        ),
      ),
    );
    child.on('exit', (code) => {
      if (code === 0) resolve();
      else
        reject(
          new BackupError(
            `${tool} failed (exit ${code}): ${err.trim().split('\n').slice(-3).join(' / ')}`,
            BACKUP_EXIT.tool,
          ),
        );
    });
  });
}

export interface BackupResult {
  kind: BackupKind;
  file: string;
  bytes: number;
  tables: number;
  rows: number;
}

/**
 * Writes a consistent backup of the open store to `to` (written beside it and renamed into place,
 * so a failed backup never leaves a half file under the name).
 */
export async function backupStore(store: Store, to: string): Promise<BackupResult> {
  const tmp = `${to}.partial-${process.pid}`;
  const counts = await tableCounts(store);
  try {
    if (store.dialect === 'sqlite') {
      if (!store.sqlite)
        throw new BackupError('this store has no SQLite handle to back up', BACKUP_EXIT.tool);
      await store.sqlite.backup(tmp);
    } else {
      const loc = store.location;
      if (!loc || !('databaseUrl' in loc))
        throw new BackupError('this store does not say where it lives', BACKUP_EXIT.tool);
      await runPgTool('pg_dump', loc.databaseUrl, [
        '--format=custom',
        '--no-owner',
        '--no-privileges',
        `--file=${tmp}`,
      ]);
    }
    renameSync(tmp, to);
  } catch (e) {
    rmSync(tmp, { force: true });
    if (e instanceof BackupError) throw e;
    throw new BackupError(
      `the backup could not be written to ${to}: ${(e as Error).message}`,
      BACKUP_EXIT.cannotWrite,
    );
  }
  return {
    kind: store.dialect === 'sqlite' ? 'sqlite' : 'postgres-custom',
    file: to,
    bytes: statSync(to).size,
    tables: Object.keys(counts).length,
    rows: Object.values(counts).reduce((a, b) => a + b, 0),
  };
}

/**
 * Restores `from` into the store, which must be empty (no tables: a new database, or no SQLite file
 * yet). The store is opened but never migrated before the restore; the node's next start migrates
 * the restored data forward if the backup came from an older release.
 */
export async function restoreStore(
  store: Store,
  from: string,
): Promise<{ kind: BackupKind; tables: number }> {
  const kind = backupKind(from);
  if (!kind)
    throw new BackupError(
      `${from} is not a tongban backup (a SQLite file or a pg_dump custom-format file)`,
      BACKUP_EXIT.badFile,
    );
  if (kind === 'sqlite' && store.dialect !== 'sqlite')
    throw new BackupError(
      `${from} is a SQLite backup: restore it into a SQLite store (TONGBAN_DATABASE_URL unset)`,
      BACKUP_EXIT.badFile,
    );
  if (kind === 'postgres-custom' && store.dialect !== 'postgres')
    throw new BackupError(
      `${from} is a PostgreSQL backup: restore it into a PostgreSQL store (TONGBAN_DATABASE_URL)`,
      BACKUP_EXIT.badFile,
    );
  const existing = await listTables(store);
  if (existing.length > 0)
    throw new BackupError(
      `the store (${store.description}) is not empty: it holds ${existing.length} tables; restore goes into an empty store only (a new database, or a data directory without tongban.sqlite)`,
      BACKUP_EXIT.notEmpty,
    );
  if (kind === 'sqlite') {
    const src = new SQLite(from, { readonly: true, fileMustExist: true });
    try {
      const check = src.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new BackupError(`${from} is damaged: ${String(check)}`, BACKUP_EXIT.badFile);
    } finally {
      src.close();
    }
    const db = store.sqlite;
    if (!db) throw new BackupError('this store has no SQLite handle', BACKUP_EXIT.tool);
    // copied through the store's own connection, in one transaction: the schema as the backup
    // wrote it (tables, then indexes, triggers and views), then every row.
    // This writes on the writer connection itself, past the group-commit driver (group-commit.ts),
    // which is sound only while no batch of the driver is open on it: a restore goes into an empty
    // store, opened without migrating, before any node serves it (a serving node has migrated, so
    // its store holds tables and is refused above), and the one statement run through the driver
    // first (listTables) is a read, which runs on the reader connection and opens no batch. Then the
    // transaction below is the connection's own, durable at its COMMIT (synchronous=FULL). A caller
    // restoring inside a transaction of its own is refused: the copy would nest in that batch
    // (ATTACH is allowed there) and be reported restored before it was committed, or rolled back.
    if (db.inTransaction)
      throw new BackupError(
        'the store has a transaction open: restore runs alone, into a store nothing else uses',
        BACKUP_EXIT.tool,
      );
    db.prepare('attach database ? as backup_src').run(from);
    try {
      const objects = db
        .prepare(
          `select type, name, sql from backup_src.sqlite_master
           where sql is not null and name not like 'sqlite_%'
           order by case type when 'table' then 0 when 'index' then 1 else 2 end, rowid`,
        )
        .all() as Array<{ type: string; name: string; sql: string }>;
      const quote = (n: string) => `"${n.replace(/"/g, '""')}"`;
      db.transaction(() => {
        for (const o of objects) db.exec(o.sql);
        for (const o of objects)
          if (o.type === 'table')
            db.exec(`insert into main.${quote(o.name)} select * from backup_src.${quote(o.name)}`);
        const seq = db.prepare("select 1 from backup_src.sqlite_master where name = 'sqlite_sequence'").get();
        if (seq) {
          // the inserts above moved the counters already; the backup's own values win
          db.exec('delete from main.sqlite_sequence');
          db.exec('insert into main.sqlite_sequence select * from backup_src.sqlite_sequence');
        }
      })();
    } finally {
      db.exec('detach database backup_src');
    }
  } else {
    const loc = store.location;
    if (!loc || !('databaseUrl' in loc))
      throw new BackupError('this store does not say where it lives', BACKUP_EXIT.tool);
    await runPgTool('pg_restore', loc.databaseUrl, [
      '--no-owner',
      '--no-privileges',
      '--exit-on-error',
      '--single-transaction',
      `--dbname=${pgTarget(loc.databaseUrl).database}`,
      from,
    ]);
  }
  return { kind, tables: (await listTables(store)).length };
}
