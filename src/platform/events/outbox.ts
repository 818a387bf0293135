import { type CompiledQuery, type Generated, type Kysely, type Migration, sql } from 'kysely';
import type { Clock } from '../../kernel/index.js';
import { deepFreeze, newId } from '../../kernel/index.js';
import {
  type Db,
  type Executor,
  type Store,
  columnTypes,
  dialectOf,
  insertPrecompiled,
  runPrecompiled,
} from '../db/index.js';
import { type Wakeups, announcedAfterCommit, notifyOnInsert } from './wakeups.js';

/**
 * The transactional outbox. A state change appends its event with `appendEvent(trx, …)` in the
 * same transaction, so an event exists if and only if the change committed. Consumers read the
 * stream in order from a stored position and write their effects and their new position in one
 * transaction, so a crash can neither lose nor double-count an event.
 *
 * Order: on SQLite there is one writer, so the sequence number is commit order. On PostgreSQL a
 * sequence number is taken before commit, so a later number can become visible first; each event
 * therefore records its transaction id (xid8) and consumers read only transactions older than the
 * oldest one still running (pg_snapshot_xmin), ordered by (xid, seq). Nothing can appear behind
 * a position once it has been passed.
 */
export type EventsTables = {
  events: {
    seq: Generated<number>;
    id: string;
    tx: Generated<string>;
    type: string;
    aggregate_type: string;
    aggregate_id: string;
    region_code: string | null;
    actor: string | null;
    payload: string;
    created_at: string;
  };
  event_consumers: {
    name: string;
    position_tx: string;
    position_seq: number;
    processed: number;
    updated_at: string;
    last_error: string | null;
  };
};

export interface NewEvent {
  /** dotted, past tense: `cases.accepted`, `licences.issued` */
  type: string;
  aggregateType: string;
  aggregateId: string;
  regionCode?: string | null;
  /** the acting account id (never a name or an ID number) */
  actor?: string | null;
  payload?: Record<string, unknown>;
}

export interface EventRecord {
  seq: number;
  id: string;
  tx: string;
  type: string;
  aggregateType: string;
  aggregateId: string;
  regionCode: string | null;
  actor: string | null;
  payload: Record<string, unknown>;
  createdAt: string;
}

export const eventsMigrations: Record<string, Migration> = {
  'events.0001_outbox': {
    async up(db: Kysely<unknown>) {
      const t = columnTypes(db);
      await db.schema
        .createTable('events')
        .addColumn('seq', t.serial, (c) => (t.isPostgres ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('tx', t.isPostgres ? sql`xid8` : 'integer', (c) =>
          c.notNull().defaultTo(t.isPostgres ? sql`pg_current_xact_id()` : 0),
        )
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('aggregate_type', 'text', (c) => c.notNull())
        .addColumn('aggregate_id', 'text', (c) => c.notNull())
        .addColumn('region_code', 'text')
        .addColumn('actor', 'text')
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('events_tx_seq').on('events').columns(['tx', 'seq']).execute();
      await db.schema
        .createIndex('events_aggregate')
        .on('events')
        .columns(['aggregate_type', 'aggregate_id', 'seq'])
        .execute();
      await db.schema
        .createTable('event_consumers')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('position_tx', 'text', (c) => c.notNull())
        .addColumn('position_seq', t.bigint, (c) => c.notNull())
        .addColumn('processed', t.bigint, (c) => c.notNull().defaultTo(0))
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('last_error', 'text')
        .execute();
    },
  },
  // On SQLite `tx` is always 0 and the stream is read by `seq` alone: the (tx, seq) index only
  // cost one more B-tree write per event. PostgreSQL reads by (tx, seq) and keeps it.
  'events.0002_sqlite_without_tx_index': {
    async up(db: Kysely<unknown>) {
      if (columnTypes(db).isPostgres) return;
      await db.schema.dropIndex('events_tx_seq').ifExists().execute();
    },
  },
  // On SQLite, `seq` without AUTOINCREMENT: a new row takes the largest seq + 1, so seq still only
  // grows (events are never deleted, and a retention job would never delete the newest); what
  // AUTOINCREMENT added was a write to sqlite_sequence per event. The table is rebuilt with every
  // row and seq as they were.
  'events.0003_sqlite_plain_seq': {
    async up(db: Kysely<unknown>) {
      if (columnTypes(db).isPostgres) return;
      await sql`create table events_plain (
        seq integer primary key,
        id text not null unique,
        tx integer not null default 0,
        type text not null,
        aggregate_type text not null,
        aggregate_id text not null,
        region_code text,
        actor text,
        payload text not null,
        created_at text not null
      )`.execute(db);
      await sql`insert into events_plain (seq, id, tx, type, aggregate_type, aggregate_id, region_code, actor, payload, created_at)
        select seq, id, tx, type, aggregate_type, aggregate_id, region_code, actor, payload, created_at from events order by seq`.execute(
        db,
      );
      await sql`drop table events`.execute(db);
      await sql`alter table events_plain rename to events`.execute(db);
      await db.schema
        .createIndex('events_aggregate')
        .on('events')
        .columns(['aggregate_type', 'aggregate_id', 'seq'])
        .execute();
    },
  },
  // PostgreSQL: a committed insert wakes every node's readers of the stream at once (wakeups.ts)
  'events.0004_wake_on_insert': {
    async up(db: Kysely<unknown>) {
      await notifyOnInsert(db, 'events');
    },
  },
  // PostgreSQL: committed events announced by the store after the commit, not by a trigger
  // inside it (a NOTIFY there serialised every case action's commit: ADR 0035)
  'events.0005_announced_after_commit': {
    async up(db: Kysely<unknown>) {
      await announcedAfterCommit(db, 'events');
    },
  },
};

const edb = (db: Executor) => db.withTables<EventsTables>();

export type EventInsert = Omit<EventsTables['events'], 'seq' | 'tx'>;
const EVENT_COLUMNS = [
  'id',
  'type',
  'aggregate_type',
  'aggregate_id',
  'region_code',
  'actor',
  'payload',
  'created_at',
] as const satisfies ReadonlyArray<keyof EventInsert>;
const compiledInsert = new Map<string, { q: CompiledQuery; order: Array<(typeof EVENT_COLUMNS)[number]> }>();

/** The one-row insert as Kysely compiles it for this dialect, with this row's values bound. */
function singleInsert(trx: Executor, row: EventInsert): CompiledQuery {
  const d = dialectOf(trx);
  let c = compiledInsert.get(d);
  if (!c) {
    const slots = Object.fromEntries(EVENT_COLUMNS.map((k) => [k, `\u0000${k}`])) as unknown as EventInsert;
    const q = edb(trx).insertInto('events').values(slots).compile() as CompiledQuery;
    const order = q.parameters.map((v) => String(v).slice(1) as (typeof EVENT_COLUMNS)[number]);
    if (!order.every((k) => EVENT_COLUMNS.includes(k)))
      throw new Error('events insert: unexpected parameters');
    c = { q, order };
    compiledInsert.set(d, c);
  }
  return { ...c.q, parameters: c.order.map((k) => row[k]) };
}

let appendCalls = 0;
/**
 * How many times this process has appended events (committed or not): the app compares it before
 * and after a request to wake this node's readers in process (SQLite, one node: wakeups.ts).
 */
export const appendedSoFar = (): number => appendCalls;

const toRow = (e: NewEvent, now: string): EventInsert => ({
  id: newId(),
  type: e.type,
  aggregate_type: e.aggregateType,
  aggregate_id: e.aggregateId,
  region_code: e.regionCode ?? null,
  actor: e.actor ?? null,
  payload: JSON.stringify(e.payload ?? {}),
  created_at: now,
});

/** The columns of an event's row as {@link eventToInsert} gives it, in the order an insert names them. */
export const EVENT_INSERT_COLUMNS: ReadonlyArray<keyof EventInsert> = EVENT_COLUMNS;

/**
 * An event's row for a store that inserts it in a statement of its own making: on PostgreSQL a
 * case action's update, its record and its event go as one statement (modules/cases, ADR 0036).
 * The row is the one appendEvent would insert; the statement must insert it with the write it
 * records, atomically. Counted as an append.
 */
export function eventToInsert(clock: Clock, e: NewEvent): EventInsert {
  appendCalls++;
  return toRow(e, clock.now().toISOString());
}

/** Appends events inside the caller's transaction. Payloads must hold no unmasked personal data. */
export async function appendEvents(trx: Executor, clock: Clock, events: NewEvent[]): Promise<string[]> {
  if (events.length === 0) return [];
  appendCalls++;
  const now = clock.now().toISOString();
  const rows = events.map((e) => toRow(e, now));
  if (rows.length === 1) {
    // one event (a case action, the common case): the statement compiled once per dialect
    await trx.executeQuery(singleInsert(trx, rows[0]!));
    return [rows[0]!.id];
  }
  // several (a batch of lookups, an import): statements of up to 64 rows, each compiled once
  await insertPrecompiled(trx, edb, 'events', EVENT_COLUMNS, rows);
  return rows.map((r) => r.id);
}

export const appendEvent = async (trx: Executor, clock: Clock, e: NewEvent): Promise<string> =>
  (await appendEvents(trx, clock, [e]))[0]!;

type EventRow = EventsTables['events'] & { seq: number; tx: string };

/**
 * The record as read, frozen with its payload: on SQLite consumers at the same position share one
 * read and one parse of each event (EventBus.roundTogether), so one that changed an event would
 * change what the next one sees. Frozen, such a change throws (ES modules are strict) in the
 * consumer that tried it; a consumer that needs a different shape builds its own object.
 */
function toRecord(r: EventRow, tx: string = String(r.tx)): EventRecord {
  return deepFreeze({
    seq: Number(r.seq),
    id: r.id,
    tx,
    type: r.type,
    aggregateType: r.aggregate_type,
    aggregateId: r.aggregate_id,
    regionCode: r.region_code,
    actor: r.actor,
    payload: JSON.parse(r.payload) as Record<string, unknown>,
    createdAt: r.created_at,
  });
}

/**
 * Reads events after a position, in stream order, only from finished transactions. On PostgreSQL
 * the order is the columns' (`events.tx`: the transaction id as xid8), never the text `tx` the
 * row is returned as: ordered as text, 100000 came before 99999 and a consumer's position went
 * back, so it handled events again each time the server's transaction ids gained a digit.
 */
export async function readEvents(
  db: Executor,
  after: { tx: string; seq: number },
  limit: number,
): Promise<EventRecord[]> {
  if (dialectOf(db) === 'postgres') {
    const r = await sql<EventRow>`
      select seq, id, tx::text as tx, type, aggregate_type, aggregate_id, region_code, actor, payload, created_at
      from events
      where (events.tx, events.seq) > (${after.tx}::xid8, ${after.seq}::bigint)
        and events.tx < pg_snapshot_xmin(pg_current_snapshot())
      order by events.tx, events.seq
      limit ${limit}`.execute(db);
    return r.rows.map((row) => toRecord(row));
  }
  // every consumer reads every event: the statement compiled once
  const r = await runPrecompiled(
    db,
    edb,
    'events.after',
    (q, slot) => q.selectFrom('events').selectAll().where('seq', '>', slot(0)).orderBy('seq').limit(slot(1)),
    [after.seq, limit],
  );
  return r.rows.map((row) => toRecord(row as EventRow, '0'));
}

/**
 * PostgreSQL: whether an event beyond `after` is committed but not yet readable by `readEvents`
 * (an older transaction still runs). A reader woken by NOTIFY looks again shortly when so.
 * Always false on SQLite (one writer: what is committed is readable).
 */
export async function heldBackAfter(db: Executor, after: { tx: string; seq: number }): Promise<boolean> {
  if (dialectOf(db) !== 'postgres') return false;
  // the first event past the position, along the (tx, seq) index: as a prepared statement's generic
  // plan an `exists (…)` was a scan of the whole table (10 ms at 50,000 events), this stays a probe
  const r = await sql<{ behind: boolean }>`
    select (
      select 1 from events where (tx, seq) > (${after.tx}::xid8, ${after.seq}::bigint) order by tx, seq limit 1
    ) is not null as behind`.execute(db);
  return r.rows[0]?.behind === true;
}

/**
 * How many committed events lie beyond each named consumer's position (for /readyz). On SQLite
 * seq has no gaps (the rowid: largest + 1, and events are never deleted), so that is the head's
 * seq minus the position, read from the primary key. On PostgreSQL sequence numbers have gaps
 * (a rolled-back transaction spends its numbers), so the events past the position are counted
 * along the (tx, seq) index: nothing to count when a consumer has caught up. A consumer that has
 * not run yet (no row) has the whole stream ahead of it.
 */
async function eventsBehind(db: Db, names: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (names.length === 0) return out;
  if (dialectOf(db) === 'postgres') {
    const r = await sql<{ name: string; behind: string | number }>`
      select n.name, (
        select count(*) from events e
        where (e.tx, e.seq) > (coalesce(c.position_tx, '0')::xid8, coalesce(c.position_seq, 0))
      ) as behind
      from unnest(${[...names]}::text[]) as n(name)
      left join event_consumers c on c.name = n.name`.execute(db);
    for (const row of r.rows) out.set(row.name, Number(row.behind));
    return out;
  }
  const head = await edb(db)
    .selectFrom('events')
    .select((eb) => eb.fn.max('seq').as('last'))
    .executeTakeFirst();
  const last = Number(head?.last ?? 0);
  const rows = await edb(db)
    .selectFrom('event_consumers')
    .select(['name', 'position_seq'])
    .where('name', 'in', names)
    .execute();
  const position = new Map(rows.map((row) => [row.name, Number(row.position_seq)]));
  for (const name of names) out.set(name, Math.max(0, last - (position.get(name) ?? 0)));
  return out;
}

/**
 * SQLite under load: the least time between the starts of two rounds of the consumers. Every
 * round costs each consumer with work a transaction (its position read and written, its own
 * fixed work: the ledger reads its state and tiles) and the round a commit; with events arriving
 * all the time, rounds a few milliseconds apart would carry a few events each.
 */
const ROUND_MS = 100;

/**
 * SQLite: the longest stretch a round of the consumers keeps the writer (and its open batch)
 * before giving it back: the batch then commits with the requests' transactions that joined it,
 * and the requests waiting meanwhile go in before the round's next piece. A round holding the
 * writer for all its transactions at once made every lookup arriving meanwhile wait for all of
 * them and their commit (ADR 0031, p95 at 1,000/s 13.9 → 23.2 ms).
 */
const PIECE_MS = 2;
/**
 * SQLite: the fewest events a consumer's transaction in a round takes. A transaction has fixed
 * work (the ledger reads and rewrites its state and the right edge's tiles, up to 8 KB each):
 * with 16, a round of 300 lookups' events on the loaded machine cost twice the CPU per event of
 * one transaction per consumer (bench/consumer-round.bench.ts); with 128, ≈ 1.25×.
 */
const PIECE_MIN_EVENTS = 128;
/** SQLite: the events a consumer's first transaction takes, before its time per event is known */
const PIECE_FIRST_EVENTS = 128;

/**
 * PostgreSQL, the wake-up listener connected: after a round that found every consumer held by
 * another node, this node starts no round for this long. The node holding them runs a round
 * for what each NOTIFY announces (it gets every NOTIFY too); without the pause the other nodes
 * spent a transaction on every NOTIFY of a steady load only to find the rows locked.
 */
const LOST_MS = 100;

export interface Consumer {
  /** stable name; its position is stored under it */
  readonly name: string;
  readonly batchSize?: number;
  /**
   * Handles a batch inside the transaction that also advances the position. Effects written
   * through `trx` are therefore exactly-once; effects outside the store must be idempotent.
   */
  handle(trx: Executor, events: EventRecord[]): Promise<void>;
}

export interface ConsumerStatus {
  name: string;
  positionSeq: number;
  processed: number;
  lag: number;
  lastError: string | null;
}

/** A consumer's handler failed inside a shared round (PostgreSQL): the round is rolled back. */
class ConsumerFailed extends Error {
  constructor(
    readonly consumer: Consumer,
    override readonly cause: unknown,
  ) {
    super(`event consumer ${consumer.name} failed`);
  }
}

/**
 * Runs consumers: after each commit that was signalled with `poke()`, when the store says events
 * were committed (`wakeups`: NOTIFY on PostgreSQL, from any node), and on a timer (the fallback).
 * On PostgreSQL a round is one transaction for all the consumers this node can lock (SKIP
 * LOCKED), so with several app nodes each batch is handled by one of them (roundShared); on
 * SQLite the consumers share one read and one group commit (roundTogether).
 */
export class EventBus {
  private readonly consumers: Consumer[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private again = false;
  private stopped = false;
  private idleWaiters: Array<() => void> = [];
  /** consumers whose event_consumers row this bus has already made sure of */
  private readonly ensured = new Set<string>();
  private unwake: (() => void) | undefined;
  /** re-reads after a wake-up found committed events still held back (PostgreSQL) */
  private heldBackRetries = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  /** the current run was started by a wake-up */
  private woken = false;
  /** ends the wait between two rounds under load (stop) */
  private endPause: (() => void) | undefined;
  /**
   * PostgreSQL: consumers whose handler failed in a shared round; each runs in a transaction of
   * its own until a batch of it passes (roundShared)
   */
  private readonly alone = new Set<string>();
  /** PostgreSQL: no round before this instant (performance.now()): another node ran them (LOST_MS) */
  private heldOffUntil = 0;
  private heldOffTimer: NodeJS.Timeout | undefined;
  /** polls the timer ran (the fallback); a wake-up or poke() is not counted */
  timerPolls = 0;
  /** SQLite: each consumer's recent time per event in a round (ms), which sizes its pieces */
  private readonly msPerEvent = new Map<string, number>();
  /** SQLite: the pieces the rounds gave the writer back after (tests, bench) */
  pieces = 0;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly opts: {
      pollMs?: number;
      /** SQLite under load: the least time between the starts of two rounds (ROUND_MS) */
      roundMs?: number;
      /** SQLite: the longest a round keeps the writer before giving it back (PIECE_MS) */
      pieceMs?: number;
      onError?: (consumer: string, err: unknown) => void;
      /** the store's wake-ups: consumers run as soon as events are committed anywhere */
      wakeups?: Wakeups;
    } = {},
  ) {}

  register(c: Consumer): void {
    if (this.consumers.some((x) => x.name === c.name))
      throw new Error(`consumer registered twice: ${c.name}`);
    this.consumers.push(c);
  }

  start(): void {
    this.stopped = false;
    const tick = () => {
      this.poke();
      // the fallback poll, spaced out while the store announces every commit (wakeups.ts)
      const ms = this.opts.wakeups?.fallbackMs(this.opts.pollMs ?? 500) ?? this.opts.pollMs ?? 500;
      if (!this.stopped)
        this.timer = setTimeout(() => {
          this.timerPolls++;
          tick();
        }, ms).unref();
      // unref'd: the fallback poll alone never keeps a process alive (the server, the pool and a
      // CLI's own work do). A drain() never waits on this timer: it waits for a running loop,
      // whose pause between rounds (below) stays ref'd for that reason.
    };
    tick();
    this.unwake ??= this.opts.wakeups?.on('events', () => {
      this.heldBackRetries = 0;
      this.woken = true;
      this.poke();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.endPause?.();
    this.unwake?.();
    this.unwake = undefined;
    if (this.timer) clearTimeout(this.timer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.heldOffTimer) clearTimeout(this.heldOffTimer);
    this.heldOffTimer = undefined;
    while (this.running) await new Promise((r) => setTimeout(r, 5));
  }

  /** Waits `ms` between two rounds; stop() ends the wait. */
  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        this.endPause = undefined;
        resolve();
      }, ms); // not unref'd: a drain() awaiting the paused loop must not see the process end
      this.endPause = () => {
        clearTimeout(t);
        this.endPause = undefined;
        resolve();
      };
    });
  }

  /** Ask the consumers to look for new events soon (called after commits). */
  poke(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    const wait = this.heldOffUntil - performance.now();
    if (wait > 0) {
      // another node holds the consumers and handles what this poke announces: look later
      this.heldOffTimer ??= setTimeout(() => {
        this.heldOffTimer = undefined;
        this.poke();
      }, wait).unref();
      return;
    }
    this.running = true;
    void this.loop();
  }

  private async loop(): Promise<void> {
    try {
      do {
        this.again = false;
        const started = performance.now();
        let progressed: boolean;
        if (this.store.dialect === 'postgres') {
          const r = await this.roundShared(false);
          progressed = r.handled > 0;
          // PostgreSQL with the listener connected, every commit of events anywhere pokes this
          // bus (during a round too), so another round at once only when poked meanwhile or a
          // batch was full; and none for a while when another node held every consumer: it gets
          // the same NOTIFYs and runs the rounds (LOST_MS). Without the listener, as before.
          if (this.opts.wakeups?.listenerPid !== undefined) {
            if (r.lostAll) {
              this.again = false;
              this.woken = false; // what is held back is the holder's to wait for
              this.heldOffUntil = performance.now() + LOST_MS;
            } else if (r.full) this.again = true;
            continue;
          }
        } else progressed = await this.roundTogether();
        // poked while the round ran and it found work: events keep coming (load). On SQLite the
        // next round waits until ROUND_MS after this one began, so that each consumer's batch
        // gathers what came meanwhile rather than a round — a transaction per consumer and a
        // commit — running for every few events. A lone event is handled at once, as before.
        const busy = this.again && progressed;
        if (progressed) this.again = true;
        const wait = (this.opts.roundMs ?? ROUND_MS) - (performance.now() - started);
        if (busy && wait > 0 && this.store.dialect !== 'postgres' && !this.stopped) await this.pause(wait);
      } while (this.again && !this.stopped);
      // PostgreSQL: an event whose NOTIFY arrived can still be held back behind an older
      // transaction still running (pg_snapshot_xmin); look again shortly rather than at the
      // next poll, a bounded number of times
      const woken = this.woken;
      this.woken = false;
      if (woken && !this.stopped && this.heldBackRetries < 50 && (await this.heldBack())) {
        this.heldBackRetries++;
        if (this.retryTimer) clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => {
          this.woken = true;
          this.poke();
        }, 20).unref();
      }
    } catch (e) {
      this.opts.onError?.('events', e);
    } finally {
      this.running = false;
      const w = this.idleWaiters;
      this.idleWaiters = [];
      for (const f of w) f();
    }
  }

  /**
   * PostgreSQL (several nodes share the consumers): one transaction for the round. It locks, with
   * one statement, the position rows of this node's consumers that no other node holds
   * (`FOR UPDATE SKIP LOCKED`: a consumer another node is running is skipped, without a
   * transaction of its own), reads the events after each distinct position once (consumers that
   * keep up share one read and one parse), runs each consumer's handler on its events, writes
   * every moved position with one statement and commits once: effects and positions together,
   * so each event is handled once across the nodes and a crash mid-round leaves nothing.
   *
   * A handler that fails rolls the round back (PostgreSQL aborts the transaction on a failed
   * statement, and a savepoint per consumer would cost two statements each round). The round is
   * then run again at once without it, and from the next round on the failed consumer runs in a
   * transaction of its own (the per-consumer path, `runBatch`) until a batch of its passes, so
   * that it can neither hold back the others nor lose their work. `rethrow` (drain): a failure is
   * thrown, once the others' round has run, rather than only recorded. Returns the number of
   * events handled (all consumers).
   */
  private async roundShared(rethrow: boolean): Promise<{ handled: number; full: boolean; lostAll: boolean }> {
    let handled = 0;
    let full = false;
    let lostAll = false;
    /** consumers whose handler failed in this call's shared transaction: run alone from the next */
    const failed: ConsumerFailed[] = [];
    let shared = this.consumers.filter((c) => !this.alone.has(c.name));
    while (shared.length > 0 && !this.stopped) {
      try {
        const r = await this.sharedTransaction(shared);
        handled += r.handled;
        full = r.full;
        lostAll = r.locked === 0 && shared.length === this.consumers.length;
        break;
      } catch (e) {
        if (!(e instanceof ConsumerFailed)) {
          if (rethrow) throw e;
          this.opts.onError?.('events', e);
          return { handled, full, lostAll: false };
        }
        failed.push(e);
        this.alone.add(e.consumer.name);
        shared = shared.filter((c) => c !== e.consumer);
        this.opts.onError?.(e.consumer.name, e.cause);
        await this.recordError(e.consumer.name, e.cause);
      }
    }
    for (const c of this.consumers) {
      if (!this.alone.has(c.name) || failed.some((f) => f.consumer === c) || this.stopped) continue;
      try {
        const n = await this.runBatch(c);
        handled += n;
        if (n >= (c.batchSize ?? 500)) full = true;
        this.alone.delete(c.name); // a batch passed (or nothing to do): back into the shared round
      } catch (e) {
        if (rethrow) throw e;
        this.opts.onError?.(c.name, e);
        await this.recordError(c.name, e);
      }
    }
    // drain() reports a failed batch, as when each consumer had a transaction of its own
    if (rethrow && failed.length > 0) throw failed[0]!.cause;
    return { handled, full, lostAll };
  }

  /** The round's transaction (PostgreSQL, see roundShared); a handler's failure as ConsumerFailed. */
  private async sharedTransaction(
    consumers: Consumer[],
  ): Promise<{ handled: number; locked: number; full: boolean }> {
    for (const c of consumers) await this.ensureConsumer(c.name);
    const byName = new Map(consumers.map((c) => [c.name, c]));
    return this.store.db.transaction().execute(async (trx) => {
      const locked = await sql<{ name: string; position_tx: string; position_seq: string | number }>`
        select name, position_tx, position_seq from event_consumers
        where name = any(${[...byName.keys()]}::text[])
        for update skip locked`.execute(trx);
      if (locked.rows.length === 0) return { handled: 0, locked: 0, full: false }; // other nodes hold them
      // the events after each distinct position, read once for the consumers at it
      const at = new Map<string, { tx: string; seq: number; limit: number; events?: EventRecord[] }>();
      for (const r of locked.rows) {
        const key = `${r.position_tx}/${r.position_seq}`;
        const n = byName.get(r.name)!.batchSize ?? 500;
        const p = at.get(key);
        if (p) p.limit = Math.max(p.limit, n);
        else at.set(key, { tx: r.position_tx, seq: Number(r.position_seq), limit: n });
      }
      for (const p of at.values()) p.events = await readEvents(trx, p, p.limit);
      const moved: Array<{ name: string; tx: string; seq: number; n: number }> = [];
      let full = false;
      const lockedRow = new Map(locked.rows.map((r) => [r.name, r]));
      for (const c of consumers) {
        const r = lockedRow.get(c.name);
        if (!r) continue; // another node runs it

        const events = at.get(`${r.position_tx}/${r.position_seq}`)!.events!.slice(0, c.batchSize ?? 500);
        if (events.length === 0) continue;
        try {
          await c.handle(trx, events);
        } catch (e) {
          throw new ConsumerFailed(c, e);
        }
        if (events.length >= (c.batchSize ?? 500)) full = true;
        const last = events[events.length - 1]!;
        moved.push({ name: c.name, tx: last.tx, seq: last.seq, n: events.length });
      }
      if (moved.length === 0) return { handled: 0, locked: locked.rows.length, full };
      await sql`
        update event_consumers as c
        set position_tx = v.tx, position_seq = v.seq, processed = c.processed + v.n,
          updated_at = ${this.clock.now().toISOString()}, last_error = null
        from unnest(${moved.map((m) => m.name)}::text[], ${moved.map((m) => m.tx)}::text[],
          ${moved.map((m) => m.seq)}::bigint[], ${moved.map((m) => m.n)}::bigint[]) as v(name, tx, seq, n)
        where c.name = v.name`.execute(trx);
      return { handled: moved.reduce((a, m) => a + m.n, 0), locked: locked.rows.length, full };
    });
  }

  /**
   * SQLite (one node, one writer): the consumers' positions and the committed events after them
   * are read first, once per distinct position (consumers that keep up share one read and one
   * parse of each event), and only the consumers with something to do open a transaction — all
   * at once, so that their transactions share one group commit instead of taking one commit
   * each in turn. Each transaction still reads its own position and writes it with its effects,
   * so each event is handled once: committed events never change and a new event's seq is
   * larger than every committed one (the rowid), so the events after the position read inside
   * the transaction are a prefix-free suffix of the events read before it.
   */
  private async roundTogether(): Promise<boolean> {
    const ahead = new Map<Consumer, { from: number; events: EventRecord[] }>();
    try {
      for (const c of this.consumers) await this.ensureConsumer(c.name);
      const rows = await edb(this.store.db)
        .selectFrom('event_consumers')
        .select(['name', 'position_seq'])
        .where(
          'name',
          'in',
          this.consumers.map((c) => c.name),
        )
        .execute();
      const position = new Map(rows.map((r) => [r.name, Number(r.position_seq)]));
      const limit = new Map<number, number>();
      for (const c of this.consumers) {
        const from = position.get(c.name) ?? 0;
        limit.set(from, Math.max(limit.get(from) ?? 0, c.batchSize ?? 500));
      }
      const read = new Map<number, EventRecord[]>();
      for (const [from, n] of limit)
        read.set(from, await readEvents(this.store.db, { tx: '0', seq: from }, n));
      for (const c of this.consumers) {
        const from = position.get(c.name) ?? 0;
        const events = read.get(from)!.slice(0, c.batchSize ?? 500);
        if (events.length > 0) ahead.set(c, { from, events });
      }
    } catch (e) {
      this.opts.onError?.('events', e);
      return false;
    }
    // The transactions follow one another on the writer, each joining the open batch, for at most
    // PIECE_MS; then the round gives the writer back for two turns of the event loop (the
    // requests waiting meanwhile run, and their transactions join the batch and commit it) and
    // goes on with a new piece. A consumer whose events would take longer than a piece takes them
    // in several transactions.
    const pieceMs = this.opts.pieceMs ?? PIECE_MS;
    const results: Array<Promise<boolean>> = [];
    let last: Promise<unknown> | undefined;
    let pieceStart = performance.now();
    // Between pieces the batch is held open unless a request's transaction joins it (which then
    // commits it with the pieces so far: the requests' commit, not one more), so a round with no
    // requests meanwhile still commits once. Without holdBatch (no group commit) each piece
    // waits for its own commit.
    const canHold = this.store.holdBatch !== undefined;
    let unhold: (() => void) | undefined;
    try {
      for (const [c, pre] of ahead) {
        let from = pre.from;
        for (let i = 0; i < pre.events.length && !this.stopped; ) {
          if (last && performance.now() - pieceStart >= pieceMs) {
            if (canHold) {
              unhold?.();
              unhold = this.store.holdBatch!();
              // two turns: the requests waiting for I/O start and queue their transactions, then
              // those transactions run and, having joined, commit the batch before the next piece
              await new Promise<void>((r) => setImmediate(r));
              await new Promise<void>((r) => setImmediate(r));
            } else {
              await last;
              await new Promise<void>((r) => setImmediate(r));
            }
            this.pieces++;
            pieceStart = performance.now();
            if (this.stopped) break;
          }
          const perEvent = this.msPerEvent.get(c.name);
          const take = perEvent
            ? Math.max(PIECE_MIN_EVENTS, Math.floor(pieceMs / perEvent))
            : PIECE_FIRST_EVENTS;
          const events = pre.events.slice(i, i + take);
          const t0 = performance.now();
          let bodyDone!: (n: number) => void;
          const body = new Promise<number>((r) => {
            bodyDone = r;
          });
          const committed = this.runBatch(c, { from, events }, bodyDone);
          const result = committed.then(
            (n) => n > 0,
            async (e) => {
              this.opts.onError?.(c.name, e);
              await this.recordError(c.name, e);
              return false;
            },
          );
          results.push(result);
          last = result;
          // the transaction's body has run (the writer goes to the next one), or it failed
          const n = await Promise.race([body, result.then(() => -1)]);
          if (n !== events.length) break; // failed, or the position moved: the next round sees
          const ms = (performance.now() - t0) / n;
          this.msPerEvent.set(c.name, perEvent === undefined ? ms : perEvent * 0.7 + ms * 0.3);
          from = events[events.length - 1]!.seq;
          i += n;
        }
      }
    } finally {
      unhold?.();
    }
    return (await Promise.all(results)).some(Boolean);
  }

  /** Creates the consumer's position row once per bus (it is never deleted). */
  private async ensureConsumer(name: string): Promise<void> {
    if (this.ensured.has(name)) return;
    await edb(this.store.db)
      .insertInto('event_consumers')
      .values({
        name,
        position_tx: '0',
        position_seq: 0,
        processed: 0,
        updated_at: this.clock.now().toISOString(),
        last_error: null,
      })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    this.ensured.add(name);
  }

  /**
   * Processes one batch for one consumer; returns the number of events handled. `pre`: the
   * committed events after position `from`, read before the transaction (SQLite).
   */
  private async runBatch(
    c: Consumer,
    pre?: { from: number; events: EventRecord[] },
    /** called with the number handled once the transaction's body has run (before its commit) */
    bodyDone?: (n: number) => void,
  ): Promise<number> {
    const db = this.store.db;
    const pgd = this.store.dialect === 'postgres';
    await this.ensureConsumer(c.name);
    return db.transaction().execute(async (trx) => {
      // SQLite: the statement compiled once (a round runs it for every consumer and piece)
      const pos = pgd
        ? await edb(trx)
            .selectFrom('event_consumers')
            .selectAll()
            .where('name', '=', c.name)
            .forUpdate()
            .skipLocked()
            .executeTakeFirst()
        : (
            await runPrecompiled(
              trx,
              edb,
              'events.position',
              (q, slot) => q.selectFrom('event_consumers').selectAll().where('name', '=', slot(0)),
              [c.name],
            )
          ).rows[0];
      if (!pos) {
        bodyDone?.(0);
        return 0; // another node holds this consumer now
      }
      const at = Number(pos.position_seq);
      const events =
        pre && !pgd && at >= pre.from
          ? pre.events.filter((e) => e.seq > at)
          : await readEvents(trx, { tx: pos.position_tx, seq: at }, c.batchSize ?? 500);
      if (events.length === 0) {
        bodyDone?.(0);
        return 0;
      }
      await c.handle(trx, events);
      const last = events[events.length - 1]!;
      await runPrecompiled(
        trx,
        edb,
        'events.position.write',
        (q, slot) =>
          q
            .updateTable('event_consumers')
            .set({
              position_tx: slot(0),
              position_seq: slot(1),
              processed: slot(2),
              updated_at: slot(3),
              last_error: null,
            })
            .where('name', '=', slot(4)),
        [last.tx, last.seq, Number(pos.processed) + events.length, this.clock.now().toISOString(), c.name],
      );
      bodyDone?.(events.length);
      return events.length;
    });
  }

  private async recordError(name: string, e: unknown): Promise<void> {
    try {
      await edb(this.store.db)
        .updateTable('event_consumers')
        .set({ last_error: String((e as Error)?.message ?? e).slice(0, 500) })
        .where('name', '=', name)
        .execute();
    } catch {
      /* the store itself may be failing; the log has the error */
    }
  }

  /** Runs every consumer until none has anything left (tests, CLI, shutdown). */
  async drain(opts: { timeoutMs?: number } = {}): Promise<void> {
    const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
    for (;;) {
      if (this.running) {
        await new Promise<void>((r) => this.idleWaiters.push(r));
        continue;
      }
      this.running = true;
      let handled = 0;
      try {
        if (this.store.dialect === 'postgres') handled = (await this.roundShared(true)).handled;
        else for (const c of this.consumers) handled += await this.runBatch(c);
      } finally {
        this.running = false;
      }
      if (handled > 0) continue;
      // Nothing readable. On PostgreSQL committed events can still be held back while an older
      // transaction (of any database in the cluster) runs: wait for them rather than return early.
      // (drain asks the same question from the consumers' side, one probe each: from the events'
      // side it was a scan of the whole table once they had caught up, 200–260 ms at 300,000 events)
      if (!(await this.heldBack())) return;
      if (Date.now() > deadline) throw new Error('event consumers did not catch up in time');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /**
   * PostgreSQL: some consumer's next event is committed but not yet readable (an older
   * transaction still runs). Along the (tx, seq) index, one probe per consumer.
   */
  private async heldBack(): Promise<boolean> {
    if (this.store.dialect !== 'postgres' || this.consumers.length === 0) return false;
    const r = await sql<{ behind: boolean }>`
      select exists (
        select 1 from event_consumers c
        where c.name in (${sql.join(this.consumers.map((c) => c.name))})
          and exists (select 1 from events e where (e.tx, e.seq) > (c.position_tx::xid8, c.position_seq))
      ) as behind`.execute(this.store.db);
    return r.rows[0]?.behind === true;
  }

  async status(): Promise<ConsumerStatus[]> {
    const db = this.store.db;
    const names = this.consumers.map((c) => c.name);
    const rows = await edb(db).selectFrom('event_consumers').selectAll().execute();
    const behind = await eventsBehind(db, names);
    return this.consumers.map((c) => {
      const r = rows.find((x) => x.name === c.name);
      const positionSeq = Number(r?.position_seq ?? 0);
      const processed = Number(r?.processed ?? 0);
      return {
        name: c.name,
        positionSeq,
        processed,
        // committed events beyond this consumer's position
        lag: behind.get(c.name) ?? 0,
        lastError: r?.last_error ?? null,
      };
    });
  }
}
