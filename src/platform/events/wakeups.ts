import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { WAKE_CHANNEL, columnTypes } from '../db/index.js';

/**
 * Wake-ups: a node learns at once that another node (or itself) committed rows to a table that
 * it polls — the outbox (`events`: the event consumers, the search index) and the halls' calls
 * (`halls_calls`: the calling screens' SSE feed) — instead of waiting for its next poll; and that a
 * table it keeps a copy of changed (the regions directory: `notifyOnChange`).
 *
 * PostgreSQL: every process that commits rows of `events` or `halls_calls` sends
 * `pg_notify('tongban_wake', <table>)` after the commit, outside the transaction, coalesced (the
 * store's Announcer, platform/db/pg-session.ts; ADR 0035 — a NOTIFY inside the writing transaction
 * serialised every such commit). The regions directory's rarely written tables keep a
 * statement-level trigger (`notifyOnChange`), delivered when, and only if, the changing
 * transaction commits, once per transaction and table. Each node keeps ONE connection
 * of its own (outside the pool) that LISTENs and reconnects when it is lost; on reconnecting it
 * wakes every subscriber once, for what it may have missed meanwhile.
 * SQLite (one node): the app wakes the subscribers in process after a request that appended
 * events has been answered (its transaction has committed by then).
 *
 * The polls stay: a wake-up only makes the next read come sooner. A lost notification (the
 * listener reconnecting, an event held back behind an older transaction) costs at most a poll.
 * While the PostgreSQL listener is connected nothing committed goes unannounced, so the pollers
 * then space their fallback polls to at least LISTENING_POLL_MS (`fallbackMs`): an idle node's
 * polls were most of its CPU and its backends' (docs/benchmarks.md, issue 17).
 */
export { WAKE_CHANNEL };

/**
 * The fallback poll's interval while the PostgreSQL listener is connected. What only a poll then
 * catches: an event held back behind another transaction for longer than the readers' re-reads
 * (about a second), and a calling-screen gap passed after its grace.
 */
export const LISTENING_POLL_MS = 5000;

export interface Wakeups {
  /** calls `fn` whenever rows of `table` were committed (by any node); returns the unsubscribe */
  on(table: string, fn: () => void): () => void;
  /** this node committed rows of `table` (in-process wake-up; harmless when NOTIFY also comes) */
  local(table: string): void;
  /** notifications received from the store since start (tests, /metrics) */
  readonly received: number;
  /** PostgreSQL: the listening connection's backend pid, while connected */
  readonly listenerPid: number | undefined;
  /**
   * The interval a poller waits before its next fallback poll, given its own: the same while a
   * wake-up could be missed (SQLite, where other processes' commits are not announced; the
   * PostgreSQL listener not connected), at least LISTENING_POLL_MS while the listener is connected.
   */
  fallbackMs(ms: number): number;
  /** connects the listener (PostgreSQL); resolves once LISTEN is in place or the first try failed */
  start(): Promise<void>;
  close(): Promise<void>;
}

function dispatcher() {
  const subs = new Map<string, Set<() => void>>();
  return {
    on(table: string, fn: () => void) {
      let s = subs.get(table);
      if (!s) {
        s = new Set();
        subs.set(table, s);
      }
      s.add(fn);
      return () => void s.delete(fn);
    },
    fire(table: string) {
      for (const fn of subs.get(table) ?? []) fn();
    },
    fireAll() {
      for (const s of subs.values()) for (const fn of s) fn();
    },
  };
}

/** One node on SQLite: wake-ups within the process only. */
export function inProcessWakeups(): Wakeups {
  const d = dispatcher();
  return {
    on: d.on,
    local: d.fire,
    received: 0,
    listenerPid: undefined,
    fallbackMs: (ms) => ms,
    start: async () => {},
    close: async () => {},
  };
}

/**
 * The node's listening connection on PostgreSQL, connected by `start()` (when the first attempt
 * fails it keeps retrying in the background, and the polls carry on meanwhile).
 */
export function pgWakeups(
  databaseUrl: string,
  opts: { onError?: (err: Error) => void; reconnectMs?: { min: number; max: number } } = {},
): Wakeups {
  const d = dispatcher();
  const backoff = opts.reconnectMs ?? { min: 100, max: 5000 };
  let client: pg.Client | undefined;
  let pid: number | undefined;
  let received = 0;
  let closed = false;
  let delay = backoff.min;
  let timer: NodeJS.Timeout | undefined;

  const lost = (c: pg.Client, err?: Error) => {
    if (client !== c) return; // already replaced
    client = undefined;
    pid = undefined;
    c.removeAllListeners('notification');
    c.end().catch(() => {});
    if (closed) return;
    if (err) opts.onError?.(err);
    timer = setTimeout(connect, delay).unref();
    delay = Math.min(delay * 2, backoff.max);
  };

  async function connect(): Promise<void> {
    if (closed) return;
    const c = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000 });
    client = c;
    c.on('error', (err) => lost(c, err));
    c.on('end', () => lost(c, new Error('the listening connection ended')));
    c.on('notification', (n) => {
      if (n.channel !== WAKE_CHANNEL) return;
      received++;
      d.fire(n.payload ?? '');
    });
    try {
      await c.connect();
      // the listener alone never keeps the process alive (the server and the pool do)
      (c as unknown as { connection?: { stream?: { unref?: () => void } } }).connection?.stream?.unref?.();
      await c.query(`listen ${WAKE_CHANNEL}`);
      const r = await c.query<{ pid: number }>('select pg_backend_pid() as pid');
      if (client !== c) return;
      pid = r.rows[0]?.pid;
      delay = backoff.min;
      // what was committed while no one listened: read it now rather than at the next poll
      d.fireAll();
    } catch (e) {
      lost(c, e as Error);
    }
  }

  return {
    on: d.on,
    start: () => (closed || client ? Promise.resolve() : connect()),
    local: d.fire,
    get received() {
      return received;
    },
    get listenerPid() {
      return pid;
    },
    fallbackMs: (ms) => (pid !== undefined ? Math.max(ms, LISTENING_POLL_MS) : ms),
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      const c = client;
      client = undefined;
      pid = undefined;
      await c?.end().catch(() => {});
    },
  };
}

/**
 * Migrations: on PostgreSQL, every committed transaction that inserts into `table` notifies
 * `tongban_wake` with the table's name (a statement-level trigger: one NOTIFY per statement,
 * merged into one per transaction). Nothing on SQLite. Expand-phase: the previous release ignores it.
 */
export async function notifyOnInsert(db: Kysely<unknown>, table: string): Promise<void> {
  await notifyOn(db, table, 'insert');
}

/**
 * Migrations: the insert trigger of `table` dropped (PostgreSQL): its inserts are announced after
 * their commit by the store instead (ANNOUNCED_TABLES; ADR 0035). Expand-phase: during a rolling
 * deploy the previous release's nodes are still woken by the new nodes' announcements, and find
 * their own and each other's rows at their polls (LISTENING_POLL_MS) — later, never lost.
 */
export async function announcedAfterCommit(db: Kysely<unknown>, table: string): Promise<void> {
  if (!columnTypes(db).isPostgres) return;
  await sql`drop trigger if exists ${sql.id(`${table}_wake`)} on ${sql.table(table)}`.execute(db);
}

/**
 * notifyOnInsert for every change: an insert, update or delete committed on `table` notifies
 * `tongban_wake` (what every node keeps of a rarely written table, forgotten when it changes).
 */
export async function notifyOnChange(db: Kysely<unknown>, table: string): Promise<void> {
  await notifyOn(db, table, 'insert or update or delete');
}

async function notifyOn(db: Kysely<unknown>, table: string, what: string): Promise<void> {
  if (!columnTypes(db).isPostgres) return;
  await sql`create or replace function tongban_wake() returns trigger language plpgsql as $$
    begin
      perform pg_notify(${sql.lit(WAKE_CHANNEL)}, tg_table_name);
      return null;
    end $$`.execute(db);
  await sql`create trigger ${sql.id(`${table}_wake`)} after ${sql.raw(what)} on ${sql.table(table)}
    for each statement execute function tongban_wake()`.execute(db);
}
