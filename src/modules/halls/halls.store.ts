import type { Kysely, Migration } from 'kysely';
import { type Executor, type Generated, columnTypes, runPrecompiled, sql } from '../../platform/db/index.js';
import { announcedAfterCommit, notifyOnInsert } from '../../platform/events/index.js';

/**
 * Queue tickets, their numbering counters, the calls the screens show, visits, appointment slots
 * and appointments. Every table carries region_code (the hall's division). Kysely only.
 */
export type HallsTables = {
  /** the last number given per hall, China date and line: one row, bumped atomically */
  halls_counters: { hall_id: string; day: string; line: string; last: number; region_code: string };
  halls_tickets: {
    id: string;
    hall_id: string;
    region_code: string;
    day: string;
    line: string;
    number: number;
    label: string;
    source: string;
    /** 1: checked in from an appointment (goes first), 0 otherwise */
    priority: number;
    account_id: string | null;
    appointment_id: string | null;
    item_code: string | null;
    case_number: string | null;
    /** the case's deciding department (for the visit's event) */
    department_id: string | null;
    status: string;
    window: number | null;
    /** a transfer: the window that must call it next */
    target_window: number | null;
    taken_at: string;
    called_at: string | null;
    finished_at: string | null;
    calls: number;
    called_by: string | null;
    taken_by: string | null;
  };
  /**
   * Every call, recall, skip and transfer: the feed each node's poller reads after its cursor to
   * push to its screens. On PostgreSQL a seq may commit after a higher one (or never): the poller
   * waits a few seconds at such a gap before passing it (halls.feed.ts).
   */
  halls_calls: {
    seq: Generated<number>;
    hall_id: string;
    region_code: string;
    ticket: string;
    ticket_id: string;
    window: number;
    kind: string;
    at: string;
  };
  /** 跑动次数: one row per time an applicant was served at a window for a case */
  halls_visits: {
    id: string;
    case_number: string;
    hall_id: string;
    ticket_id: string;
    region_code: string;
    at: string;
  };
  /** booked against quota per hall, day, start time and line: one row, bumped conditionally */
  halls_slots: {
    hall_id: string;
    day: string;
    start: string;
    line: string;
    quota: number;
    booked: number;
    region_code: string;
  };
  halls_appointments: {
    id: string;
    hall_id: string;
    region_code: string;
    day: string;
    start: string;
    line: string;
    item_code: string | null;
    account_id: string;
    /** booked, cancelled, checkedIn; a booked one whose day has passed is a no-show */
    status: string;
    ticket_id: string | null;
    reminded_at: string | null;
    created_at: string;
    updated_at: string;
  };
  /** a kiosk's signed-in person: the token's hash, short-lived, ended by sign-out or inactivity */
  halls_kiosk_sessions: {
    token_hash: string;
    hall_id: string;
    region_code: string;
    account_id: string | null;
    display_name: string;
    expires_at: string;
    created_at: string;
  };
  /** a hall manager's windows and hours (JSON), replacing the regions module's when present */
  halls_layouts: {
    hall_id: string;
    region_code: string;
    windows: string;
    hours: string;
    updated_at: string;
    updated_by: string;
  };
  halls_quotas: {
    hall_id: string;
    line: string;
    per_slot: number;
    region_code: string;
    updated_at: string;
    updated_by: string;
  };
};

export const hdb = (db: Executor) => db.withTables<HallsTables>();

/** A hot statement, compiled once per dialect and shape (platform/db/precompiled.ts). */
const pre = <R>(
  db: Executor,
  key: string,
  build: (q: ReturnType<typeof hdb>, slot: (i: number) => never) => import('kysely').Compilable<R>,
  values: readonly unknown[],
) => runPrecompiled(db, hdb, `halls.${key}`, build, values);

const TICKET_COLUMNS = [
  'id',
  'hall_id',
  'region_code',
  'day',
  'line',
  'number',
  'label',
  'source',
  'priority',
  'account_id',
  'appointment_id',
  'item_code',
  'case_number',
  'department_id',
  'status',
  'window',
  'target_window',
  'taken_at',
  'called_at',
  'finished_at',
  'calls',
  'called_by',
  'taken_by',
] as const satisfies ReadonlyArray<keyof HallsTables['halls_tickets']>;

export const hallsMigrations: Record<string, Migration> = {
  'halls.0001_queue': {
    async up(db: Kysely<unknown>) {
      const t = columnTypes(db);
      await db.schema
        .createTable('halls_counters')
        .addColumn('hall_id', 'text', (c) => c.notNull())
        .addColumn('day', 'text', (c) => c.notNull())
        .addColumn('line', 'text', (c) => c.notNull())
        .addColumn('last', t.bigint, (c) => c.notNull())
        .addColumn('region_code', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('halls_counters_pk', ['hall_id', 'day', 'line'])
        .execute();
      await db.schema
        .createTable('halls_tickets')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('hall_id', 'text', (c) => c.notNull())
        .addColumn('region_code', 'text', (c) => c.notNull())
        .addColumn('day', 'text', (c) => c.notNull())
        .addColumn('line', 'text', (c) => c.notNull())
        .addColumn('number', t.bigint, (c) => c.notNull())
        .addColumn('label', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('priority', t.bigint, (c) => c.notNull().defaultTo(0))
        .addColumn('account_id', 'text')
        .addColumn('appointment_id', 'text')
        .addColumn('item_code', 'text')
        .addColumn('case_number', 'text')
        .addColumn('department_id', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('window', t.bigint)
        .addColumn('target_window', t.bigint)
        .addColumn('taken_at', 'text', (c) => c.notNull())
        .addColumn('called_at', 'text')
        .addColumn('finished_at', 'text')
        .addColumn('calls', t.bigint, (c) => c.notNull().defaultTo(0))
        .addColumn('called_by', 'text')
        .addColumn('taken_by', 'text')
        .addUniqueConstraint('halls_tickets_number', ['hall_id', 'day', 'line', 'number'])
        .execute();
      await db.schema
        .createIndex('halls_tickets_queue')
        .on('halls_tickets')
        .columns(['hall_id', 'day', 'status', 'line'])
        .execute();
      await db.schema
        .createIndex('halls_tickets_account')
        .on('halls_tickets')
        .columns(['account_id', 'hall_id', 'day'])
        .execute();
      await db.schema
        .createTable('halls_calls')
        .addColumn('seq', t.serial, (c) => (t.isPostgres ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('hall_id', 'text', (c) => c.notNull())
        .addColumn('region_code', 'text', (c) => c.notNull())
        .addColumn('ticket', 'text', (c) => c.notNull())
        .addColumn('ticket_id', 'text', (c) => c.notNull())
        .addColumn('window', t.bigint, (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('halls_calls_hall').on('halls_calls').columns(['hall_id', 'seq']).execute();
      await db.schema
        .createTable('halls_visits')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('case_number', 'text', (c) => c.notNull())
        .addColumn('hall_id', 'text', (c) => c.notNull())
        .addColumn('ticket_id', 'text', (c) => c.notNull().unique())
        .addColumn('region_code', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('halls_visits_case').on('halls_visits').column('case_number').execute();
    },
  },
  'halls.0002_appointments': {
    async up(db: Kysely<unknown>) {
      const t = columnTypes(db);
      await db.schema
        .createTable('halls_slots')
        .addColumn('hall_id', 'text', (c) => c.notNull())
        .addColumn('day', 'text', (c) => c.notNull())
        .addColumn('start', 'text', (c) => c.notNull())
        .addColumn('line', 'text', (c) => c.notNull())
        .addColumn('quota', t.bigint, (c) => c.notNull())
        .addColumn('booked', t.bigint, (c) => c.notNull().defaultTo(0))
        .addColumn('region_code', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('halls_slots_pk', ['hall_id', 'day', 'start', 'line'])
        .execute();
      await db.schema
        .createTable('halls_appointments')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('hall_id', 'text', (c) => c.notNull())
        .addColumn('region_code', 'text', (c) => c.notNull())
        .addColumn('day', 'text', (c) => c.notNull())
        .addColumn('start', 'text', (c) => c.notNull())
        .addColumn('line', 'text', (c) => c.notNull())
        .addColumn('item_code', 'text')
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('ticket_id', 'text')
        .addColumn('reminded_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('halls_appointments_account')
        .on('halls_appointments')
        .columns(['account_id', 'day'])
        .execute();
      await db.schema
        .createIndex('halls_appointments_hall')
        .on('halls_appointments')
        .columns(['hall_id', 'day', 'status'])
        .execute();
      // a hall manager's quota per slot for a line (none: two per window serving it)
      await db.schema
        .createTable('halls_quotas')
        .addColumn('hall_id', 'text', (c) => c.notNull())
        .addColumn('line', 'text', (c) => c.notNull())
        .addColumn('per_slot', t.bigint, (c) => c.notNull())
        .addColumn('region_code', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('updated_by', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('halls_quotas_pk', ['hall_id', 'line'])
        .execute();
    },
  },
  'halls.0003_kiosk': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('halls_kiosk_sessions')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('hall_id', 'text', (c) => c.notNull())
        .addColumn('region_code', 'text', (c) => c.notNull())
        .addColumn('account_id', 'text')
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
  /**
   * One waiting ticket per person and hall a day, kept by the store: two requests racing past the
   * use case's check (PostgreSQL, read committed) cannot both insert. A check-in from an
   * appointment is exempt (it goes first, whatever else the person holds). Duplicates an older
   * node let through are cancelled first (the earliest number of each person's stays waiting).
   */
  'halls.0004_one_waiting_ticket': {
    async up(db: Kysely<unknown>) {
      const h = db as unknown as Kysely<HallsTables>;
      const dup = await h
        .selectFrom('halls_tickets as t')
        .select('t.id')
        .where('t.status', '=', 'waiting')
        .where('t.account_id', 'is not', null)
        .where('t.source', '<>', 'appointment')
        .where((eb) =>
          eb.exists(
            eb
              .selectFrom('halls_tickets as e')
              .select('e.id')
              .whereRef('e.account_id', '=', 't.account_id')
              .whereRef('e.hall_id', '=', 't.hall_id')
              .whereRef('e.day', '=', 't.day')
              .where('e.status', '=', 'waiting')
              .where('e.source', '<>', 'appointment')
              .whereRef('e.taken_at', '<', 't.taken_at'),
          ),
        )
        .execute();
      if (dup.length > 0)
        await h
          .updateTable('halls_tickets')
          .set({ status: 'cancelled' })
          .where(
            'id',
            'in',
            dup.map((d) => d.id),
          )
          .execute();
      await db.schema
        .createIndex('halls_tickets_one_waiting')
        .on('halls_tickets')
        .columns(['account_id', 'hall_id', 'day'])
        .unique()
        .where((eb) =>
          eb.and([
            eb(sql.ref('status'), '=', sql.lit('waiting')),
            eb(sql.ref('account_id'), 'is not', null),
            eb(sql.ref('source'), '<>', sql.lit('appointment')),
          ]),
        )
        .execute();
    },
  },
  'halls.0005_layouts': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('halls_layouts')
        .addColumn('hall_id', 'text', (c) => c.primaryKey())
        .addColumn('region_code', 'text', (c) => c.notNull())
        .addColumn('windows', 'text', (c) => c.notNull())
        .addColumn('hours', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('updated_by', 'text', (c) => c.notNull())
        .execute();
    },
  },
  /**
   * The queue's index in the order windows call (line, then appointments first, then number):
   * a ticket's position is counted from the index alone and a window's candidates are read in
   * order, instead of reading every waiting ticket of the hall's day (bench/halls.bench.ts).
   */
  'halls.0006_queue_order': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createIndex('halls_tickets_line_order')
        .on('halls_tickets')
        .columns(['hall_id', 'day', 'status', 'line', 'priority desc', 'number'])
        .execute();
      await db.schema.dropIndex('halls_tickets_queue').execute();
    },
  },
  /** PostgreSQL: a committed call wakes every node's screen feed at once (platform/events/wakeups.ts) */
  'halls.0007_wake_on_call': {
    async up(db: Kysely<unknown>) {
      await notifyOnInsert(db, 'halls_calls');
    },
  },
  /** PostgreSQL: a committed call announced by the store after its commit (ADR 0035) */
  'halls.0008_call_announced_after_commit': {
    async up(db: Kysely<unknown>) {
      await announcedAfterCommit(db, 'halls_calls');
    },
  },
};

export type TicketRow = HallsTables['halls_tickets'];
export type LayoutRow = HallsTables['halls_layouts'];

export async function layoutOf(db: Executor, hallId: string): Promise<LayoutRow | undefined> {
  return (
    await pre(
      db,
      'layoutOf',
      (q, slot) => q.selectFrom('halls_layouts').selectAll().where('hall_id', '=', slot(0)),
      [hallId],
    )
  ).rows[0];
}

export async function saveLayout(db: Executor, row: LayoutRow): Promise<void> {
  await hdb(db)
    .insertInto('halls_layouts')
    .values(row)
    .onConflict((oc) =>
      oc.column('hall_id').doUpdateSet({
        windows: row.windows,
        hours: row.hours,
        updated_at: row.updated_at,
        updated_by: row.updated_by,
      }),
    )
    .execute();
}

/** The next number of a hall's line on a day: one atomic upsert, so no two tickets share one. */
export async function nextNumber(
  db: Executor,
  k: { hallId: string; day: string; line: string; regionCode: string },
): Promise<number> {
  const r = await pre(
    db,
    'nextNumber',
    (q, slot) =>
      q
        .insertInto('halls_counters')
        .values({ hall_id: slot(0), day: slot(1), line: slot(2), last: 1, region_code: slot(3) })
        .onConflict((oc) =>
          oc.columns(['hall_id', 'day', 'line']).doUpdateSet({ last: sql<number>`halls_counters.last + 1` }),
        )
        .returning('last'),
    [k.hallId, k.day, k.line, k.regionCode],
  );
  return Number(r.rows[0]!.last);
}

export async function insertTicket(db: Executor, row: TicketRow): Promise<void> {
  await pre(
    db,
    'insertTicket',
    (q, slot) =>
      q
        .insertInto('halls_tickets')
        .values(Object.fromEntries(TICKET_COLUMNS.map((c, i) => [c, slot(i)])) as never),
    TICKET_COLUMNS.map((c) => row[c]),
  );
}

/** The store refused a second waiting ticket of one person (halls_tickets_one_waiting). */
export function isOneWaitingViolation(e: unknown): boolean {
  const err = e as { code?: unknown; message?: unknown; constraint?: unknown };
  return (
    (err?.code === '23505' && err.constraint === 'halls_tickets_one_waiting') ||
    (typeof err?.message === 'string' &&
      /UNIQUE constraint failed: halls_tickets\.account_id, halls_tickets\.hall_id, halls_tickets\.day/.test(
        err.message,
      ))
  );
}

const toTicket = (r: TicketRow): TicketRow => ({
  ...r,
  number: Number(r.number),
  priority: Number(r.priority),
  window: r.window === null ? null : Number(r.window),
  target_window: r.target_window === null ? null : Number(r.target_window),
  calls: Number(r.calls),
});

export async function ticketById(db: Executor, id: string): Promise<TicketRow | undefined> {
  const r = (
    await pre(
      db,
      'ticketById',
      (q, slot) => q.selectFrom('halls_tickets').selectAll().where('id', '=', slot(0)),
      [id],
    )
  ).rows[0];
  return r ? toTicket(r) : undefined;
}

export async function waitingTicketOf(
  db: Executor,
  accountId: string,
  hallId: string,
  day: string,
): Promise<TicketRow | undefined> {
  const r = (
    await pre(
      db,
      'waitingTicketOf',
      (q, slot) =>
        q
          .selectFrom('halls_tickets')
          .selectAll()
          .where('account_id', '=', slot(0))
          .where('hall_id', '=', slot(1))
          .where('day', '=', slot(2))
          .where('status', '=', 'waiting')
          .limit(1),
      [accountId, hallId, day],
    )
  ).rows[0];
  return r ? toTicket(r) : undefined;
}

/** Waiting tickets ahead of one in its line: appointments first, then by the time taken. */
export async function aheadOf(db: Executor, t: TicketRow): Promise<number> {
  const r = await pre(
    db,
    'aheadOf',
    (q, slot) =>
      q
        .selectFrom('halls_tickets')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('hall_id', '=', slot(0))
        .where('day', '=', slot(1))
        .where('line', '=', slot(2))
        .where('status', '=', 'waiting')
        .where((eb) =>
          eb.or([
            eb('priority', '>', slot(3)),
            eb.and([eb('priority', '=', slot(3)), eb('number', '<', slot(4))]),
          ]),
        ),
    [t.hall_id, t.day, t.line, t.priority, t.number],
  );
  return Number(r.rows[0]?.n ?? 0);
}

/** Waiting tickets per line of a hall on a day. */
export async function waitingByLine(db: Executor, hallId: string, day: string): Promise<Map<string, number>> {
  const rows = await hdb(db)
    .selectFrom('halls_tickets')
    .select((eb) => ['line', eb.fn.countAll<number>().as('n')])
    .where('hall_id', '=', hallId)
    .where('day', '=', day)
    .where('status', '=', 'waiting')
    .groupBy('line')
    .execute();
  return new Map(rows.map((r) => [r.line, Number(r.n)]));
}

/** The service times (called → finished, ms) of the last tickets finished in a line today. */
export async function recentServiceMs(
  db: Executor,
  hallId: string,
  day: string,
  line: string,
  limit = 20,
): Promise<number[]> {
  const { rows } = await pre(
    db,
    `recentServiceMs.${limit}`,
    (q, slot) =>
      q
        .selectFrom('halls_tickets')
        .select(['called_at', 'finished_at'])
        .where('hall_id', '=', slot(0))
        .where('day', '=', slot(1))
        .where('line', '=', slot(2))
        .where('status', '=', 'done')
        .where('finished_at', 'is not', null)
        .orderBy('finished_at', 'desc')
        .limit(limit),
    [hallId, day, line],
  );
  return rows
    .filter((r) => r.called_at && r.finished_at)
    .map((r) => Date.parse(r.finished_at!) - Date.parse(r.called_at!));
}

/**
 * The candidates a window may call next, best first: those transferred to it, then appointments,
 * then by number. The caller claims one with `claim` (which may lose it to another window).
 */
export async function candidates(
  db: Executor,
  k: {
    hallId: string;
    day: string;
    window: number;
    lines: readonly string[];
    /** the window serves only these items (and tickets for no item); absent or empty: all */
    items?: readonly string[] | undefined;
  },
  limit = 8,
): Promise<TicketRow[]> {
  const items = k.items?.length ? [...k.items] : [];
  const lines = [...k.lines];
  const { rows } = await pre(
    db,
    `candidates.${lines.length}.${items.length}.${limit}`,
    (q, slot) =>
      q
        .selectFrom('halls_tickets')
        .selectAll()
        .where('hall_id', '=', slot(0))
        .where('day', '=', slot(1))
        .where('status', '=', 'waiting')
        .where((eb) =>
          eb.or([
            eb('target_window', '=', slot(2)),
            eb.and([
              eb('target_window', 'is', null),
              eb(
                'line',
                'in',
                lines.map((_, i) => slot(3 + i)),
              ),
              ...(items.length
                ? [
                    eb.or([
                      eb('item_code', 'is', null),
                      eb(
                        'item_code',
                        'in',
                        items.map((_, i) => slot(3 + lines.length + i)),
                      ),
                    ]),
                  ]
                : []),
            ]),
          ]),
        )
        .orderBy(sql`case when target_window is null then 0 else 1 end`, 'desc')
        .orderBy('priority', 'desc')
        .orderBy('number')
        .limit(limit),
    [k.hallId, k.day, k.window, ...lines, ...items],
  );
  return rows.map(toTicket);
}

/** Marks a waiting ticket called at a window; false when another window called it first. */
export async function claim(
  db: Executor,
  id: string,
  v: { window: number; at: string; by: string },
): Promise<boolean> {
  const r = await pre(
    db,
    'claim',
    (q, slot) =>
      q
        .updateTable('halls_tickets')
        .set({
          status: 'called',
          window: slot(0),
          called_at: slot(1),
          called_by: slot(2),
          calls: 1,
          target_window: null,
        })
        .where('id', '=', slot(3))
        .where('status', '=', 'waiting'),
    [v.window, v.at, v.by, id],
  );
  return Number(r.numAffectedRows ?? 0) === 1;
}

/** The ticket being served at a window now, if any. */
export async function servingAt(
  db: Executor,
  hallId: string,
  day: string,
  window: number,
): Promise<TicketRow | undefined> {
  const r = (
    await pre(
      db,
      'servingAt',
      (q, slot) =>
        q
          .selectFrom('halls_tickets')
          .selectAll()
          .where('hall_id', '=', slot(0))
          .where('day', '=', slot(1))
          .where('status', '=', 'called')
          .where('window', '=', slot(2))
          .orderBy('called_at', 'desc')
          .limit(1),
      [hallId, day, window],
    )
  ).rows[0];
  return r ? toTicket(r) : undefined;
}

/** Moves a ticket from one status to another; false when it was no longer in `from`. */
export async function moveTicket(
  db: Executor,
  id: string,
  from: string,
  set: Partial<
    Pick<TicketRow, 'status' | 'finished_at' | 'window' | 'target_window' | 'calls' | 'called_at'>
  >,
): Promise<boolean> {
  const keys = (Object.keys(set) as Array<keyof typeof set>).filter((k) => set[k] !== undefined).sort();
  const r = await pre(
    db,
    `moveTicket.${keys.join(',')}`,
    (q, slot) =>
      q
        .updateTable('halls_tickets')
        .set(Object.fromEntries(keys.map((k, i) => [k, slot(i)])) as never)
        .where('id', '=', slot(keys.length))
        .where('status', '=', slot(keys.length + 1)),
    [...keys.map((k) => set[k]), id, from],
  );
  return Number(r.numAffectedRows ?? 0) === 1;
}

export async function insertCall(
  db: Executor,
  c: {
    hall_id: string;
    region_code: string;
    ticket: string;
    ticket_id: string;
    window: number;
    kind: string;
    at: string;
  },
): Promise<void> {
  await pre(
    db,
    'insertCall',
    (q, slot) =>
      q.insertInto('halls_calls').values({
        hall_id: slot(0),
        region_code: slot(1),
        ticket: slot(2),
        ticket_id: slot(3),
        window: slot(4),
        kind: slot(5),
        at: slot(6),
      }),
    [c.hall_id, c.region_code, c.ticket, c.ticket_id, c.window, c.kind, c.at],
  );
}

export interface CallRow {
  seq: number;
  hall_id: string;
  ticket: string;
  window: number;
  kind: string;
  at: string;
}

/** Calls after a seq, by seq. */
export async function callsAfter(db: Executor, after: number, limit: number): Promise<CallRow[]> {
  const rows = await hdb(db)
    .selectFrom('halls_calls')
    .select(['seq', 'hall_id', 'ticket', 'window', 'kind', 'at'])
    .where('seq', '>', after)
    .orderBy('seq')
    .limit(limit)
    .execute();
  return rows.map((x) => ({ ...x, seq: Number(x.seq), window: Number(x.window) }));
}

/** The highest seq written so far (a new poller starts after it). */
export async function callsHead(db: Executor): Promise<number> {
  const r = await hdb(db)
    .selectFrom('halls_calls')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .executeTakeFirst();
  return Number(r?.seq ?? 0);
}

/** The latest calls of one hall, newest first (the screen's first paint). */
export async function recentCalls(db: Executor, hallId: string, limit: number): Promise<CallRow[]> {
  const rows = await hdb(db)
    .selectFrom('halls_calls')
    .select(['seq', 'hall_id', 'ticket', 'window', 'kind', 'at'])
    .where('hall_id', '=', hallId)
    .orderBy('seq', 'desc')
    .limit(limit)
    .execute();
  return rows.map((x) => ({ ...x, seq: Number(x.seq), window: Number(x.window) }));
}

export async function insertVisit(db: Executor, v: HallsTables['halls_visits']): Promise<void> {
  await hdb(db)
    .insertInto('halls_visits')
    .values(v)
    .onConflict((oc) => oc.column('ticket_id').doNothing())
    .execute();
}

export async function visitsOf(db: Executor, caseNumber: string): Promise<number> {
  const r = await hdb(db)
    .selectFrom('halls_visits')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('case_number', '=', caseNumber)
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

// ── appointments ─────────────────────────────────────────────────────────────────────────────

export type AppointmentRow = HallsTables['halls_appointments'];

export async function quotasOf(db: Executor, hallId: string): Promise<Map<string, number>> {
  const rows = await hdb(db)
    .selectFrom('halls_quotas')
    .select(['line', 'per_slot'])
    .where('hall_id', '=', hallId)
    .execute();
  return new Map(rows.map((r) => [r.line, Number(r.per_slot)]));
}

export async function setQuota(db: Executor, q: HallsTables['halls_quotas']): Promise<void> {
  await hdb(db)
    .insertInto('halls_quotas')
    .values(q)
    .onConflict((oc) =>
      oc
        .columns(['hall_id', 'line'])
        .doUpdateSet({ per_slot: q.per_slot, updated_at: q.updated_at, updated_by: q.updated_by }),
    )
    .execute();
}

/** Booked counts of a hall's slots on a day, by `start|line`. */
export async function bookedOn(db: Executor, hallId: string, day: string): Promise<Map<string, number>> {
  const rows = await hdb(db)
    .selectFrom('halls_slots')
    .select(['start', 'line', 'booked'])
    .where('hall_id', '=', hallId)
    .where('day', '=', day)
    .execute();
  return new Map(rows.map((r) => [`${r.start}|${r.line}`, Number(r.booked)]));
}

/**
 * Takes one place in a slot, never past its quota: the slot's row is made if missing, then
 * `booked + 1` only where `booked < quota`. On PostgreSQL concurrent bookings of one slot queue
 * on its row lock and each re-checks the condition after the one before commits; SQLite has one
 * writer. false: the slot is full.
 */
export async function takePlace(
  db: Executor,
  k: { hallId: string; day: string; start: string; line: string; quota: number; regionCode: string },
): Promise<boolean> {
  await hdb(db)
    .insertInto('halls_slots')
    .values({
      hall_id: k.hallId,
      day: k.day,
      start: k.start,
      line: k.line,
      quota: k.quota,
      booked: 0,
      region_code: k.regionCode,
    })
    .onConflict((oc) => oc.columns(['hall_id', 'day', 'start', 'line']).doNothing())
    .execute();
  const r = await hdb(db)
    .updateTable('halls_slots')
    .set({ booked: sql<number>`booked + 1` })
    .where('hall_id', '=', k.hallId)
    .where('day', '=', k.day)
    .where('start', '=', k.start)
    .where('line', '=', k.line)
    .where('booked', '<', k.quota)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function releasePlace(
  db: Executor,
  k: { hallId: string; day: string; start: string; line: string },
): Promise<void> {
  await hdb(db)
    .updateTable('halls_slots')
    .set({ booked: sql<number>`booked - 1` })
    .where('hall_id', '=', k.hallId)
    .where('day', '=', k.day)
    .where('start', '=', k.start)
    .where('line', '=', k.line)
    .where('booked', '>', 0)
    .execute();
}

export async function insertAppointment(db: Executor, a: AppointmentRow): Promise<void> {
  await hdb(db).insertInto('halls_appointments').values(a).execute();
}

export async function appointmentById(db: Executor, id: string): Promise<AppointmentRow | undefined> {
  return hdb(db).selectFrom('halls_appointments').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Moves an appointment from `booked` (only) to what `set` says; false when it was no longer booked. */
export async function updateBooked(
  db: Executor,
  id: string,
  set: Partial<
    Pick<AppointmentRow, 'status' | 'day' | 'start' | 'line' | 'ticket_id' | 'updated_at' | 'reminded_at'>
  >,
): Promise<boolean> {
  const r = await hdb(db)
    .updateTable('halls_appointments')
    .set(set)
    .where('id', '=', id)
    .where('status', '=', 'booked')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function activeAppointmentOn(
  db: Executor,
  accountId: string,
  hallId: string,
  day: string,
): Promise<AppointmentRow | undefined> {
  return hdb(db)
    .selectFrom('halls_appointments')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('hall_id', '=', hallId)
    .where('day', '=', day)
    .where('status', '=', 'booked')
    .executeTakeFirst();
}

/** 爽约: appointments still booked whose day has passed, from `since` (a China date) on, newest first. */
export async function noShowsOf(
  db: Executor,
  accountId: string,
  since: string,
  today: string,
): Promise<string[]> {
  const rows = await hdb(db)
    .selectFrom('halls_appointments')
    .select('day')
    .where('account_id', '=', accountId)
    .where('status', '=', 'booked')
    .where('day', '>=', since)
    .where('day', '<', today)
    .orderBy('day', 'desc')
    .execute();
  return rows.map((r) => r.day);
}

export async function appointmentsOf(
  db: Executor,
  accountId: string,
  from: string,
): Promise<AppointmentRow[]> {
  return hdb(db)
    .selectFrom('halls_appointments')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('day', '>=', from)
    .orderBy('day')
    .orderBy('start')
    .execute();
}

/** Booked appointments of a day not yet reminded (the reminder sweep). */
export async function unreminded(db: Executor, day: string, limit: number): Promise<AppointmentRow[]> {
  return hdb(db)
    .selectFrom('halls_appointments')
    .selectAll()
    .where('day', '=', day)
    .where('status', '=', 'booked')
    .where('reminded_at', 'is', null)
    .limit(limit)
    .execute();
}

/** Marks one booked appointment reminded; false when another node did first. */
export async function markReminded(db: Executor, id: string, at: string): Promise<boolean> {
  const r = await hdb(db)
    .updateTable('halls_appointments')
    .set({ reminded_at: at })
    .where('id', '=', id)
    .where('status', '=', 'booked')
    .where('reminded_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Waiting tickets per hall on a day (就近办's current wait). */
export async function waitingByHall(
  db: Executor,
  hallIds: readonly string[],
  day: string,
): Promise<Map<string, number>> {
  if (hallIds.length === 0) return new Map();
  const rows = await hdb(db)
    .selectFrom('halls_tickets')
    .select((eb) => ['hall_id', eb.fn.countAll<number>().as('n')])
    .where('hall_id', 'in', [...hallIds])
    .where('day', '=', day)
    .where('status', '=', 'waiting')
    .groupBy('hall_id')
    .execute();
  return new Map(rows.map((r) => [r.hall_id, Number(r.n)]));
}

// ── kiosk sessions ───────────────────────────────────────────────────────────────────────────

export type KioskSessionRow = HallsTables['halls_kiosk_sessions'];

export async function insertKioskSession(db: Executor, r: KioskSessionRow): Promise<void> {
  await hdb(db).insertInto('halls_kiosk_sessions').values(r).execute();
}

/** A live kiosk session, its expiry pushed on (each touch keeps it alive until the idle limit). */
export async function touchKioskSession(
  db: Executor,
  tokenHash: string,
  now: string,
  until: string,
): Promise<KioskSessionRow | undefined> {
  const r = await hdb(db)
    .selectFrom('halls_kiosk_sessions')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  if (!r) return undefined;
  await hdb(db)
    .updateTable('halls_kiosk_sessions')
    .set({ expires_at: until })
    .where('token_hash', '=', tokenHash)
    .execute();
  return r;
}

/** Ends a kiosk session, and every expired one with it. */
export async function endKioskSession(db: Executor, tokenHash: string, now: string): Promise<void> {
  await hdb(db)
    .deleteFrom('halls_kiosk_sessions')
    .where((eb) => eb.or([eb('token_hash', '=', tokenHash), eb('expires_at', '<=', now)]))
    .execute();
}

/** A hall's tickets of one day (the day's figures). */
export async function ticketsOfDay(db: Executor, hallId: string, day: string) {
  return hdb(db)
    .selectFrom('halls_tickets')
    .select(['line', 'status', 'source', 'taken_at', 'called_at', 'finished_at'])
    .where('hall_id', '=', hallId)
    .where('day', '=', day)
    .execute();
}

/** A hall's appointments of one day by status. */
export async function appointmentsOfDay(
  db: Executor,
  hallId: string,
  day: string,
): Promise<Map<string, number>> {
  const rows = await hdb(db)
    .selectFrom('halls_appointments')
    .select((eb) => ['status', eb.fn.countAll<number>().as('n')])
    .where('hall_id', '=', hallId)
    .where('day', '=', day)
    .groupBy('status')
    .execute();
  return new Map(rows.map((r) => [r.status, Number(r.n)]));
}
