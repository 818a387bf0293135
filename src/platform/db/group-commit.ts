import type SQLite from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  SelectQueryNode,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type Dialect as KyselyDialect,
  type Kysely,
} from 'kysely';

/**
 * Group commit for SQLite (synchronous=FULL): the transactions of concurrent requests share one
 * durable COMMIT, so one fsync serves many of them, and no request's guarantee changes — a
 * transaction's commit resolves only once the COMMIT that holds it has returned (the WAL synced).
 *
 * One writer connection. A logical transaction takes the writer (one at a time, in arrival order),
 * runs inside a SAVEPOINT of the batch's outer transaction, and releases it (or rolls back to it:
 * a failed transaction leaves nothing, the others keep theirs). When nobody waits for the writer,
 * or the batch is full, the batch commits and every transaction in it resolves together; if that
 * COMMIT fails, every transaction in the batch fails (none was acknowledged).
 *
 * Statements outside a transaction: a read-only one runs on a second, reader connection, which sees
 * only committed — and so durable — data (WAL), never a batch still open; a writing one runs on the
 * writer as a one-statement transaction of the batch and resolves with it.
 */
export interface GroupCommitOptions {
  /** the most transactions one COMMIT carries before the next waits for a new batch */
  readonly maxBatch?: number;
}

export interface GroupCommitStats {
  batches: number;
  transactions: number;
}

interface Batch {
  readonly done: Promise<void>;
  resolve(): void;
  reject(e: unknown): void;
  size: number;
  failed?: unknown;
}

function newBatch(): Batch {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const done = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // a batch nobody awaits (all its transactions rolled back) must not be an unhandled rejection
  done.catch(() => {});
  return { done, resolve, reject, size: 0 };
}

function run(db: SQLite.Database, q: CompiledQuery): QueryResult<unknown> {
  const stmt = db.prepare(q.sql);
  if (stmt.reader) return { rows: stmt.all(q.parameters as unknown[]) };
  const { changes, lastInsertRowid } = stmt.run(q.parameters as unknown[]);
  return {
    numAffectedRows: BigInt(changes),
    insertId: lastInsertRowid === undefined || lastInsertRowid === null ? undefined : BigInt(lastInsertRowid),
    rows: [],
  };
}

const SAVEPOINT = 'tb_group';

export class GroupCommitDriver implements Driver {
  readonly stats: GroupCommitStats = { batches: 0, transactions: 0 };
  readonly #writer: SQLite.Database;
  readonly #reader: SQLite.Database;
  readonly #max: number;
  /** who holds the writer, and who waits for it, in order */
  #held = false;
  readonly #waiting: Array<() => void> = [];
  #batch: Batch | undefined;
  #flushScheduled = false;
  /** the open batch and its size when a holder asked to keep it open (holdBatch) */
  #hold: { batch: Batch; size: number } | undefined;

  constructor(writer: SQLite.Database, reader: SQLite.Database, opts: GroupCommitOptions = {}) {
    this.#writer = writer;
    this.#reader = reader;
    this.#max = opts.maxBatch ?? 256;
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return new GroupConnection(this);
  }

  async releaseConnection(): Promise<void> {}

  async destroy(): Promise<void> {
    await this.flushNow();
    this.#reader.close();
    this.#writer.close();
  }

  // ── the writer ────────────────────────────────────────────────────────────────────────────

  async takeWriter(): Promise<void> {
    if (!this.#held) {
      this.#held = true;
      return;
    }
    await new Promise<void>((r) => this.#waiting.push(r));
  }

  /** Hands the writer to the next waiter; with none, the open batch commits. */
  giveWriter(): void {
    const next = this.#waiting.shift();
    if (next) {
      if (this.#batch && (this.#batch.size >= this.#max || this.#batch.failed !== undefined)) {
        // a full batch commits (a failed one fails) before the next transaction starts a new one
        this.#commitBatch();
      }
      next();
      return;
    }
    this.#held = false;
    this.#scheduleFlush();
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled || !this.#batch) return;
    this.#flushScheduled = true;
    // after the I/O callbacks already due (requests whose transactions are about to begin join
    // this batch), then commit if nobody took the writer meanwhile
    setImmediate(() => {
      this.#flushScheduled = false;
      if (this.#held || !this.#batch) return;
      // held open and nobody else has joined it since: it waits for its holder's next part
      if (this.#hold?.batch === this.#batch && this.#batch.size === this.#hold.size) return;
      this.#commitBatch();
    });
  }

  /**
   * Keeps the open batch open while the writer is free, as long as no other transaction joins
   * it: for work done in parts that should share one COMMIT (the event consumers' round, ADR
   * 0031) and yet let the requests waiting for the writer in between. A transaction that joins
   * the held batch commits it as usual (with the parts so far) once the writer is free again;
   * the holder's next part then opens a new batch. The returned function ends the hold (and
   * commits the batch if nothing else holds the writer).
   */
  holdBatch(): () => void {
    const b = this.#batch;
    if (!b) return () => {};
    this.#hold = { batch: b, size: b.size };
    return () => {
      if (this.#hold?.batch === b) this.#hold = undefined;
      this.#scheduleFlush();
    };
  }

  /** Commits the open batch now (the writer is not in a transaction's hands). */
  #commitBatch(): void {
    const b = this.#batch;
    if (!b) return;
    this.#batch = undefined;
    this.stats.batches++;
    if (b.failed !== undefined) {
      if (this.#writer.inTransaction) this.#writer.exec('rollback');
      b.reject(b.failed);
      return;
    }
    try {
      this.#writer.exec('commit');
      b.resolve();
    } catch (e) {
      if (this.#writer.inTransaction) {
        try {
          this.#writer.exec('rollback');
        } catch {
          /* the connection reports the first error */
        }
      }
      b.reject(e);
    }
  }

  async flushNow(): Promise<void> {
    await this.takeWriter();
    try {
      this.#commitBatch();
    } finally {
      this.#held = false;
      const next = this.#waiting.shift();
      if (next) {
        this.#held = true;
        next();
      }
    }
  }

  /** Joins (or opens) the batch: the caller holds the writer. */
  beginLogical(): Batch {
    if (!this.#batch) {
      this.#writer.exec('begin immediate');
      this.#batch = newBatch();
    }
    this.#writer.exec(`savepoint ${SAVEPOINT}`);
    this.#batch.size++;
    this.stats.transactions++;
    return this.#batch;
  }

  endLogical(batch: Batch, commit: boolean): void {
    if (!this.#writer.inTransaction) {
      // SQLite ended the outer transaction itself (an I/O error, a full disk): the whole batch fails
      batch.failed ??= new Error(
        'the store ended the transaction (I/O error?): nothing in this batch was written',
      );
      return;
    }
    if (!commit) this.#writer.exec(`rollback to ${SAVEPOINT}`);
    this.#writer.exec(`release ${SAVEPOINT}`);
  }

  execWriter(q: CompiledQuery): QueryResult<unknown> {
    return run(this.#writer, q);
  }

  execReader(q: CompiledQuery): QueryResult<unknown> | undefined {
    let stmt: SQLite.Statement;
    try {
      stmt = this.#reader.prepare(q.sql);
    } catch {
      // the reader could not prepare it (DDL against a schema it has not re-read yet): the writer will
      return undefined;
    }
    if (!stmt.readonly) return undefined;
    if (stmt.reader) return { rows: stmt.all(q.parameters as unknown[]) };
    stmt.run(q.parameters as unknown[]);
    return { rows: [] };
  }

  // ── transactions (Kysely calls these with the connection it acquired) ────────────────────

  async beginTransaction(conn: DatabaseConnection): Promise<void> {
    await (conn as GroupConnection).begin();
  }

  async commitTransaction(conn: DatabaseConnection): Promise<void> {
    await (conn as GroupConnection).end(true);
  }

  async rollbackTransaction(conn: DatabaseConnection): Promise<void> {
    await (conn as GroupConnection).end(false);
  }

  async savepoint(conn: DatabaseConnection, name: string): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw(`savepoint "${name.replace(/"/g, '""')}"`));
  }

  async rollbackToSavepoint(conn: DatabaseConnection, name: string): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw(`rollback to "${name.replace(/"/g, '""')}"`));
  }

  async releaseSavepoint(conn: DatabaseConnection, name: string): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw(`release "${name.replace(/"/g, '""')}"`));
  }
}

class GroupConnection implements DatabaseConnection {
  #batch: Batch | undefined;
  constructor(private readonly d: GroupCommitDriver) {}

  async begin(): Promise<void> {
    await this.d.takeWriter();
    try {
      this.#batch = this.d.beginLogical();
    } catch (e) {
      this.d.giveWriter();
      throw e;
    }
  }

  /** Ends this transaction's part, hands the writer on, and (on commit) waits for the batch's COMMIT. */
  async end(commit: boolean): Promise<void> {
    const b = this.#batch;
    if (!b) throw new Error('no transaction');
    this.#batch = undefined;
    try {
      this.d.endLogical(b, commit);
    } catch (e) {
      b.failed ??= e;
    } finally {
      this.d.giveWriter();
    }
    if (commit) await b.done;
  }

  async executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
    if (this.#batch) return this.d.execWriter(q) as QueryResult<R>;
    // outside a transaction: a read sees committed (durable) data only; a write joins a batch
    const read = this.d.execReader(q);
    if (read) return read as QueryResult<R>;
    await this.begin();
    let result: QueryResult<unknown>;
    try {
      result = this.d.execWriter(q);
    } catch (e) {
      await this.end(false);
      throw e;
    }
    await this.end(true);
    return result as QueryResult<R>;
  }

  async *streamQuery<R>(q: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    if (!SelectQueryNode.is(q.query)) throw new Error('only select queries stream');
    const r = (
      this.#batch ? this.d.execWriter(q) : (this.d.execReader(q) ?? this.d.execWriter(q))
    ) as QueryResult<R>;
    for (const row of r.rows) yield { rows: [row] };
  }
}

/** The SQLite adapter of a store with group commit (how {@link readsBesideTransactions} knows it). */
class GroupCommitAdapter extends SqliteAdapter {}

/**
 * Whether this store runs a read outside a transaction on a connection of its own even while a
 * transaction is open (SQLite with group commit: the reader connection): such a read, made from
 * inside a transaction, neither waits for that transaction (Kysely's one-connection SQLite driver
 * would) nor takes a second connection from a pool that open transactions may have exhausted
 * (PostgreSQL). And it is the read that costs: the reader finds its page cache emptied by every
 * COMMIT since its last read (WAL), where the writer's cache stays warm.
 */
export function readsBesideTransactions(db: { getExecutor(): { readonly adapter: unknown } }): boolean {
  return db.getExecutor().adapter instanceof GroupCommitAdapter;
}

/** A Kysely dialect over the group-commit driver. */
export function groupCommitDialect(driver: GroupCommitDriver): KyselyDialect {
  return {
    createDriver: () => driver,
    createQueryCompiler: () => new SqliteQueryCompiler(),
    createAdapter: () => new GroupCommitAdapter(),
    createIntrospector: (db: Kysely<unknown>) => new SqliteIntrospector(db),
  };
}
