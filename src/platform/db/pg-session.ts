import type pg from 'pg';

/**
 * PostgreSQL connections as Kysely's pg dialect sees them, with the hot statements prepared once
 * per connection (issue 17; ADR "PostgreSQL: hot statements prepared per connection"). Kysely
 * sends every statement as an unnamed one, which the server parses, analyses and plans at each
 * execution: on the case-action path that was about half of PostgreSQL's CPU per statement. Here
 * a text seen a second time gets a name (at most `maxPrepared` per process; one-off and variable
 * texts stay unnamed); each connection sends Parse for a name once, and Bind/Execute after that,
 * which is what pg does for a named query.
 *
 * What is kept: every statement still runs on the same connection, in the same order, in the same
 * transaction, and its error reaches its caller. A prepared `select *` (or `returning *`) whose
 * table has since gained a column fails once with "cached plan must not change result type":
 * - DDL run through this process (its own migrations) makes every connection drop its prepared
 *   statements before its next statement outside a transaction;
 * - after another node's migration (a rolling deploy, ADR 0023) the error can still reach one
 *   statement per connection and statement text: outside a transaction the connection drops its
 *   statements and runs it again; inside one the transaction fails as it would on a lost
 *   connection (503 STORE_UNAVAILABLE, to be tried again: open-errors.ts), and the connection drops
 *   its statements before its next transaction.
 */
export interface PgSessionOptions {
  /** name hot statements (server-side prepared statements); off for a pooler that cannot keep them */
  readonly prepare: boolean;
  /** distinct texts named in this process, at most */
  readonly maxPrepared?: number;
}

type QueryResult = { command: string; rowCount: number | null; rows: unknown[] };

const TRANSACTION_START = /^\s*(begin|start\s+transaction)\b/i;
const TRANSACTION_END = /^\s*(commit|rollback|end|abort)\s*;?\s*$/i;
const PREPARABLE = /^\s*(select|insert|update|delete|with)\b/i;
// statements that can change what a prepared statement returns (a TRUNCATE or a COMMENT cannot)
const DDL = /^\s*(create|alter|drop)\b/i;

/** A prepared statement the server will not run as it was prepared (a table changed under it). */
export function isStalePlan(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | undefined;
  return (
    (e?.code === '0A000' && /cached plan must not change result type/.test(e.message ?? '')) ||
    (e?.code === '26000' && /prepared statement/.test(e.message ?? ''))
  );
}

/** Names for hot texts, shared by the process's connections (each prepares a name once). */
export class StatementNames {
  private readonly names = new Map<string, string>();
  private readonly seen = new Set<string>();
  /** bumped by DDL: connections drop what they prepared before */
  generation = 0;
  constructor(private readonly max: number) {}

  nameFor(text: string): string | undefined {
    const hit = this.names.get(text);
    if (hit !== undefined) return hit;
    if (this.names.size >= this.max || !PREPARABLE.test(text)) return undefined;
    if (!this.seen.has(text)) {
      // the first sighting is remembered, not named: texts run once are not worth a slot
      if (this.seen.size >= 10 * this.max) this.seen.clear();
      this.seen.add(text);
      return undefined;
    }
    this.seen.delete(text);
    const name = `tongban_${this.names.size + 1}`;
    this.names.set(text, name);
    return name;
  }

  get size(): number {
    return this.names.size;
  }
}

interface RawConnection {
  parsedStatements: Record<string, string>;
  submittedNamedStatements: Record<string, string>;
}

/** One pooled connection as Kysely uses it: query(text, values) and release(). */
class Session {
  /** a transaction is open on this connection */
  private open = false;
  /** the connection's prepared statements are to be dropped before its next transaction */
  private stale = false;
  private generation: number;

  constructor(
    readonly raw: pg.PoolClient,
    private readonly names: StatementNames,
  ) {
    this.generation = names.generation;
  }

  query(text: unknown, values?: unknown[]): unknown {
    // a submittable (a cursor): passed on as it is
    if (typeof text !== 'string') return (this.raw.query as (q: unknown) => unknown)(text);
    return this.text(text, values);
  }

  private async text(text: string, values: unknown[] | undefined): Promise<QueryResult> {
    if (!this.open && (this.stale || this.generation !== this.names.generation)) await this.dropPrepared();
    if (TRANSACTION_START.test(text)) {
      const r = await this.send(text, values);
      this.open = true;
      return r;
    }
    if (TRANSACTION_END.test(text)) {
      try {
        return await this.send(text, values);
      } finally {
        this.open = false;
      }
    }
    if (DDL.test(text)) {
      try {
        return await this.send(text, values);
      } finally {
        this.names.generation++;
      }
    }
    try {
      return await this.statement(text, values);
    } catch (e) {
      if (!this.open && this.stale) {
        // outside a transaction the failed statement did nothing: drop the plans, run it again
        await this.dropPrepared();
        return await this.statement(text, values);
      }
      throw e;
    }
  }

  /** Runs one statement, named when it is hot; a stale plan marks the connection stale. */
  private statement(text: string, values: unknown[] | undefined): Promise<QueryResult> {
    const name = values?.length ? this.names.nameFor(text) : undefined;
    if (name === undefined) return this.send(text, values);
    return (this.raw.query({ name, text, values }) as unknown as Promise<QueryResult>).catch((e: unknown) => {
      if (isStalePlan(e)) this.stale = true;
      throw e;
    });
  }

  private send(text: string, values: unknown[] | undefined): Promise<QueryResult> {
    return this.raw.query(text, values) as unknown as Promise<QueryResult>;
  }

  private async dropPrepared(): Promise<void> {
    this.generation = this.names.generation;
    this.stale = false;
    const conn = (this.raw as unknown as { connection: RawConnection }).connection;
    if (Object.keys(conn.parsedStatements).length === 0) return;
    await this.raw.query('deallocate all');
    conn.parsedStatements = {};
    conn.submittedNamedStatements = {};
  }

  release(destroy?: boolean | Error): void {
    // a transaction still open (a rollback that failed) is never handed to the next user
    const open = this.open;
    this.open = false;
    this.raw.release(destroy || open || undefined);
  }
}

/**
 * The pool Kysely's PostgresDialect is given: the same pg pool, each client wrapped once (Kysely
 * keys its connections by the client object). With `prepare` off it is the pool itself.
 */
export function sessionPool(pool: pg.Pool, opts: PgSessionOptions): pg.Pool {
  if (!opts.prepare) return pool;
  const names = new StatementNames(opts.maxPrepared ?? 200);
  const sessions = new WeakMap<pg.PoolClient, Session>();
  return {
    async connect(): Promise<Session> {
      const raw = await pool.connect();
      let s = sessions.get(raw);
      if (!s) {
        s = new Session(raw, names);
        sessions.set(raw, s);
      }
      return s;
    },
    end: () => pool.end(),
  } as unknown as pg.Pool;
}
