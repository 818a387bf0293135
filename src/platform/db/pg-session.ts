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
  /** told, after each commit, which announced tables the transaction inserted into (Announcer) */
  readonly announcer?: Announcer;
}

/**
 * The channel every node LISTENs on (platform/events/wakeups.ts); a notification's payload is the
 * name of the table whose rows were committed.
 */
export const WAKE_CHANNEL = 'tongban_wake';

/** The tables whose committed inserts are announced on WAKE_CHANNEL after the commit. */
export const ANNOUNCED_TABLES: ReadonlySet<string> = new Set(['events', 'halls_calls']);

const INSERT_INTO = /^\s*insert\s+into\s+(?:"([^"]+)"|([A-Za-z_][\w$]*))/i;
const INSERT_ANYWHERE = /\binsert\s+into\s+(?:"([^"]+)"|([A-Za-z_][\w$]*))/gi;
const WITH = /^\s*with\b/i;
const COMMIT = /^\s*(commit|end)\b/i;

/**
 * Announces committed inserts into the hot tables (`events`, `halls_calls`) with NOTIFY *after*
 * the commit, outside the writing transaction (ADR 0035). A NOTIFY inside a transaction makes its
 * COMMIT take a lock that every notifying transaction of the server shares until its commit is
 * flushed, so no two such commits share a WAL flush: with a trigger notifying on every insert into
 * `events`, every case action's commit waited for the one before it (pgbench on this machine, 30
 * clients, insert and commit: 7,151–8,109 transactions/s without, 2,906–3,162 with a NOTIFY inside).
 *
 * What is announced is coalesced: one NOTIFY statement in flight per process, on a pooled
 * connection, naming every table committed since the last one, and at most one every
 * `spacingMs` (ANNOUNCE_SPACING_MS). A process that dies between a commit and its announcement
 * leaves the other nodes to find the rows at their next poll (LISTENING_POLL_MS), as a lost
 * notification always did.
 */
/**
 * The least time between two NOTIFY statements of a process. A commit after a quiet spell is
 * announced at once; under load the commits of up to this long share one NOTIFY, and every node
 * woken by it reads their events in one round instead of several: at 2 ms, three nodes each sent
 * one about every 17 ms (their round trip) and the consumers read on every one. Three PostgreSQL
 * nodes, case actions, interleaved pairs (docs/benchmarks.md): 2 → 30 ms −6 % node CPU and −7 %
 * PostgreSQL CPU an action, 2 → 100 ms −8 % and −10 %. What it costs: under load a wake-up (a
 * consumer, a calling screen on another node) may come this much later.
 */
export const ANNOUNCE_SPACING_MS = 50;

export class Announcer {
  private readonly pending = new Set<string>();
  private inFlight = false;
  private lastStart = 0;
  /** NOTIFY statements sent (tests, benches) */
  sent = 0;

  constructor(
    private readonly send: (tables: string[]) => Promise<unknown>,
    private readonly opts: { spacingMs?: number; onError?: (err: Error) => void } = {},
  ) {}

  /**
   * Waits until nothing committed is left unannounced (a command that wrote and now closes its
   * store), for at most `ms`: the pool must outlive the last NOTIFY.
   */
  async settle(ms = 2000): Promise<void> {
    const end = performance.now() + ms;
    while ((this.inFlight || this.pending.size > 0) && performance.now() < end)
      await new Promise((r) => setTimeout(r, 1));
  }

  /** these tables' rows were committed by this process */
  committed(tables: Iterable<string>): void {
    for (const t of tables) this.pending.add(t);
    if (this.pending.size > 0 && !this.inFlight) this.schedule();
  }

  private schedule(): void {
    this.inFlight = true;
    const wait = Math.max(
      0,
      (this.opts.spacingMs ?? ANNOUNCE_SPACING_MS) - (performance.now() - this.lastStart),
    );
    const go = () => {
      this.lastStart = performance.now();
      const tables = [...this.pending];
      this.pending.clear();
      this.sent++;
      this.send(tables)
        .catch((e: unknown) => this.opts.onError?.(e as Error))
        .finally(() => {
          this.inFlight = false;
          if (this.pending.size > 0) this.schedule();
        });
    };
    // after the callbacks already due, so that the commits finishing now share this NOTIFY
    if (wait > 0) setTimeout(go, wait).unref();
    else setImmediate(go);
  }
}

/**
 * The table a statement inserts into, if it is one of ANNOUNCED_TABLES; for a statement with
 * data-modifying CTEs (`with u as (update …) insert into "events" …`, a case action on PostgreSQL
 * in one statement) the first announced table any of its inserts names.
 */
export function announcedInsert(text: string): string | undefined {
  const m = INSERT_INTO.exec(text);
  if (m) {
    const table = (m[1] ?? m[2] ?? '').toLowerCase();
    return ANNOUNCED_TABLES.has(table) ? table : undefined;
  }
  if (!WITH.test(text)) return undefined;
  // the same few texts at every action: scanned once each
  if (withInserts.has(text)) return withInserts.get(text);
  let found: string | undefined;
  for (const w of text.matchAll(INSERT_ANYWHERE)) {
    const table = (w[1] ?? w[2] ?? '').toLowerCase();
    if (ANNOUNCED_TABLES.has(table)) {
      found = table;
      break;
    }
  }
  if (withInserts.size >= 500) withInserts.clear();
  withInserts.set(text, found);
  return found;
}
const withInserts = new Map<string, string | undefined>();

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

/**
 * A parameter list of this many or more (`in ($1, $2, …)`): a batch read whose text changes with
 * the batch's size (an event consumer reading its batch's cases, contacts, links). Each size seen
 * twice would take one of the process's `max` names for good, so over a node's uptime they would
 * fill the slots that later hot texts need; they are sent unnamed (parsed each time) instead.
 */
const LONG_PARAMETER_LIST = /\bin\s*\(\s*\$\d+(?:\s*,\s*\$\d+){7,}/i;

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
    if (this.names.size >= this.max || !PREPARABLE.test(text) || LONG_PARAMETER_LIST.test(text))
      return undefined;
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
  /** the announced tables the open transaction inserted into */
  private readonly wrote = new Set<string>();

  constructor(
    readonly raw: pg.PoolClient,
    private readonly names: StatementNames | undefined,
    private readonly announcer: Announcer | undefined,
  ) {
    this.generation = names?.generation ?? 0;
  }

  query(text: unknown, values?: unknown[]): unknown {
    // a submittable (a cursor): passed on as it is
    if (typeof text !== 'string') return (this.raw.query as (q: unknown) => unknown)(text);
    return this.text(text, values);
  }

  private async text(text: string, values: unknown[] | undefined): Promise<QueryResult> {
    const names = this.names;
    if (names && !this.open && (this.stale || this.generation !== names.generation))
      await this.dropPrepared();
    if (TRANSACTION_START.test(text)) {
      const r = await this.send(text, values);
      this.open = true;
      this.wrote.clear();
      return r;
    }
    if (TRANSACTION_END.test(text)) {
      try {
        const r = await this.send(text, values);
        // a COMMIT of a failed transaction answers ROLLBACK: nothing of it was committed
        if (COMMIT.test(text) && r.command !== 'ROLLBACK' && this.wrote.size > 0)
          this.announcer?.committed(this.wrote);
        return r;
      } finally {
        this.open = false;
        this.wrote.clear();
      }
    }
    if (DDL.test(text)) {
      try {
        return await this.send(text, values);
      } finally {
        if (names) names.generation++;
      }
    }
    const r = await this.retried(text, values);
    const table = this.announcer ? announcedInsert(text) : undefined;
    if (table !== undefined) {
      if (this.open) this.wrote.add(table);
      else this.announcer?.committed([table]);
    }
    return r;
  }

  private async retried(text: string, values: unknown[] | undefined): Promise<QueryResult> {
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
    const name = values?.length ? this.names?.nameFor(text) : undefined;
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
    this.generation = this.names?.generation ?? 0;
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
    this.wrote.clear();
    this.raw.release(destroy || open || undefined);
  }
}

/**
 * The pool Kysely's PostgresDialect is given: the same pg pool, each client wrapped once (Kysely
 * keys its connections by the client object). With `prepare` off it is the pool itself.
 */
export function sessionPool(pool: pg.Pool, opts: PgSessionOptions): pg.Pool {
  if (!opts.prepare && !opts.announcer) return pool;
  const names = opts.prepare ? new StatementNames(opts.maxPrepared ?? 200) : undefined;
  const sessions = new WeakMap<pg.PoolClient, Session>();
  return {
    async connect(): Promise<Session> {
      const raw = await pool.connect();
      let s = sessions.get(raw);
      if (!s) {
        s = new Session(raw, names, opts.announcer);
        sessions.set(raw, s);
      }
      return s;
    },
    end: () => pool.end(),
  } as unknown as pg.Pool;
}
