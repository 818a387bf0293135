import type { Kysely, Migration } from 'kysely';
import { type Executor, columnTypes, sql, startsWithPrefix } from '../../platform/db/index.js';
import {
  COUNTERS,
  type CellKey,
  type Counters,
  type OpenCase,
  type Rectification,
} from './stats.performance.js';

/** Daily counters per event type and region: the first consumer of the outbox. */
export type StatsTables = {
  stats_event_counts: { day: string; type: string; region_code: string; count: number };
  /** the supervision counters (stats.performance.ts) per China month × deciding region × department */
  stats_performance: { month: string; region_code: string; department_id: string } & Counters;
  /** open cases as the figures follow them: 红黄牌 counts and their drill-down, visits so far */
  stats_open_cases: {
    case_number: string;
    department_id: string;
    region_code: string;
    channel: string;
    visits: number;
    status: string;
    colour: string;
    due: string | null;
    submitted_at: string;
  };
  /** rectifications (差评整改) by the month they were opened, so a close counts where it belongs */
  stats_rectifications: {
    rectification_id: string;
    month: string;
    region_code: string;
    department_id: string;
    called_back: number;
    closed: number;
  };
};

export const statsMigrations: Record<string, Migration> = {
  'stats.0001_event_counts': {
    async up(db: Kysely<unknown>) {
      const t = columnTypes(db);
      await db.schema
        .createTable('stats_event_counts')
        .addColumn('day', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('region_code', 'text', (c) => c.notNull())
        .addColumn('count', t.bigint, (c) => c.notNull())
        .addPrimaryKeyConstraint('stats_event_counts_pk', ['day', 'type', 'region_code'])
        .execute();
    },
  },
  'stats.0002_performance': {
    async up(db: Kysely<unknown>) {
      const t = columnTypes(db);
      let perf = db.schema
        .createTable('stats_performance')
        .addColumn('month', 'text', (c) => c.notNull())
        .addColumn('region_code', 'text', (c) => c.notNull())
        .addColumn('department_id', 'text', (c) => c.notNull());
      for (const k of COUNTERS) perf = perf.addColumn(k, t.bigint, (c) => c.notNull().defaultTo(0));
      await perf
        .addPrimaryKeyConstraint('stats_performance_pk', ['month', 'region_code', 'department_id'])
        .execute();
      // a department's own rows (its page, its ranking line)
      await db.schema
        .createIndex('stats_performance_department')
        .on('stats_performance')
        .columns(['department_id', 'month'])
        .execute();
      await db.schema
        .createTable('stats_open_cases')
        .addColumn('case_number', 'text', (c) => c.primaryKey())
        .addColumn('department_id', 'text', (c) => c.notNull())
        .addColumn('region_code', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('visits', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('colour', 'text', (c) => c.notNull())
        .addColumn('due', 'text')
        .addColumn('submitted_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('stats_open_cases_colour')
        .on('stats_open_cases')
        .columns(['colour', 'region_code', 'department_id'])
        .execute();
      await db.schema
        .createTable('stats_rectifications')
        .addColumn('rectification_id', 'text', (c) => c.primaryKey())
        .addColumn('month', 'text', (c) => c.notNull())
        .addColumn('region_code', 'text', (c) => c.notNull())
        .addColumn('department_id', 'text', (c) => c.notNull())
        .addColumn('called_back', 'integer', (c) => c.notNull())
        .addColumn('closed', 'integer', (c) => c.notNull())
        .execute();
    },
  },
  'stats.0004_event_counts_china_day': {
    // the daily counts were kept by UTC day; they are China days now (UTC+8): counted again from
    // the start of the stream (the consumer's position row is made again at 0)
    async up(db: Kysely<unknown>) {
      await sql`delete from stats_event_counts`.execute(db);
      const tables = await db.introspection.getTables();
      if (tables.some((t) => t.name === 'event_consumers'))
        await sql`delete from event_consumers where name = 'stats.event-counts'`.execute(db);
    },
  },
  'stats.0003_performance_month_department': {
    // the department × month rows in their order (the JSON's pages of rows)
    async up(db: Kysely<unknown>) {
      await db.schema
        .createIndex('stats_performance_month_department')
        .on('stats_performance')
        .columns(['month', 'department_id', 'region_code'])
        .execute();
    },
  },
};

const sdb = (db: Executor) => db.withTables<StatsTables>();

/** 4 bound values a row: 500 rows stay far below SQLite's 32,766 bound variables per statement. */
const COUNT_CHUNK = 500;

/** Adds to the counters: one multi-row upsert per 500 keys (a key repeated in `rows` is summed first). */
export async function addCounts(
  db: Executor,
  rows: Array<{ day: string; type: string; regionCode: string; n: number }>,
): Promise<void> {
  // one row per key: PostgreSQL refuses an upsert that would update the same row twice
  const byKey = new Map<string, { day: string; type: string; region_code: string; count: number }>();
  for (const r of rows) {
    const k = JSON.stringify([r.day, r.type, r.regionCode]);
    const cur = byKey.get(k);
    if (cur) cur.count += r.n;
    else byKey.set(k, { day: r.day, type: r.type, region_code: r.regionCode, count: r.n });
  }
  const values = [...byKey.values()];
  for (let i = 0; i < values.length; i += COUNT_CHUNK) {
    await sdb(db)
      .insertInto('stats_event_counts')
      .values(values.slice(i, i + COUNT_CHUNK))
      .onConflict((oc) =>
        oc.columns(['day', 'type', 'region_code']).doUpdateSet((eb) => ({
          count: eb('stats_event_counts.count', '+', eb.ref('excluded.count')),
        })),
      )
      .execute();
  }
}

export async function countsByType(db: Executor, q: { from?: string; to?: string; regionPrefix?: string }) {
  let s = sdb(db)
    .selectFrom('stats_event_counts')
    .select((eb) => ['type', eb.fn.sum<number>('count').as('count')])
    .groupBy('type')
    .orderBy('type');
  if (q.from) s = s.where('day', '>=', q.from);
  if (q.to) s = s.where('day', '<=', q.to);
  if (q.regionPrefix) s = s.where(startsWithPrefix('region_code', q.regionPrefix));
  const rows = await s.execute();
  return rows.map((r) => ({ type: r.type, count: Number(r.count) }));
}

// ── supervision figures ────────────────────────────────────────────────────────────────────

/** 3 + 24 bound values a row: 500 rows stay below SQLite's limit too. */
const CELL_CHUNK = 500;

/** Adds counter increments to their cells (one multi-row upsert per 500 cells). */
export async function addPerformance(
  db: Executor,
  cells: ReadonlyArray<{ key: CellKey; add: Counters }>,
): Promise<void> {
  const rows = cells.map((c) => ({
    month: c.key.month,
    region_code: c.key.regionCode,
    department_id: c.key.departmentId,
    ...c.add,
  }));
  for (let i = 0; i < rows.length; i += CELL_CHUNK) {
    await sdb(db)
      .insertInto('stats_performance')
      .values(rows.slice(i, i + CELL_CHUNK))
      .onConflict((oc) =>
        oc
          .columns(['month', 'region_code', 'department_id'])
          .doUpdateSet((eb) =>
            Object.fromEntries(
              COUNTERS.map((k) => [k, eb(`stats_performance.${k}`, '+', eb.ref(`excluded.${k}`))]),
            ),
          ),
      )
      .execute();
  }
}

export async function openCasesByNumber(db: Executor, numbers: readonly string[]): Promise<OpenCase[]> {
  const out: OpenCase[] = [];
  for (let i = 0; i < numbers.length; i += 500) {
    const rows = await sdb(db)
      .selectFrom('stats_open_cases')
      .selectAll()
      .where('case_number', 'in', numbers.slice(i, i + 500))
      .execute();
    for (const r of rows)
      out.push({
        caseNumber: r.case_number,
        departmentId: r.department_id,
        regionCode: r.region_code,
        channel: r.channel,
        visits: Number(r.visits),
        status: r.status,
        colour: r.colour,
        due: r.due,
        submittedAt: r.submitted_at,
      });
  }
  return out;
}

/** Writes the open cases a batch changed: upserts, and deletes the ones it closed. */
export async function saveOpenCases(
  db: Executor,
  changed: ReadonlyArray<[string, OpenCase | null]>,
): Promise<void> {
  const gone = changed.filter(([, v]) => v === null).map(([k]) => k);
  const rows = changed.flatMap(([, v]) =>
    v
      ? [
          {
            case_number: v.caseNumber,
            department_id: v.departmentId,
            region_code: v.regionCode,
            channel: v.channel,
            visits: v.visits,
            status: v.status,
            colour: v.colour,
            due: v.due,
            submitted_at: v.submittedAt,
          },
        ]
      : [],
  );
  for (let i = 0; i < gone.length; i += 500)
    await sdb(db)
      .deleteFrom('stats_open_cases')
      .where('case_number', 'in', gone.slice(i, i + 500))
      .execute();
  for (let i = 0; i < rows.length; i += 500)
    await sdb(db)
      .insertInto('stats_open_cases')
      .values(rows.slice(i, i + 500))
      .onConflict((oc) =>
        oc.column('case_number').doUpdateSet((eb) => ({
          visits: eb.ref('excluded.visits'),
          status: eb.ref('excluded.status'),
          colour: eb.ref('excluded.colour'),
          due: eb.ref('excluded.due'),
        })),
      )
      .execute();
}

export async function rectificationsById(db: Executor, ids: readonly string[]): Promise<Rectification[]> {
  const out: Rectification[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await sdb(db)
      .selectFrom('stats_rectifications')
      .selectAll()
      .where('rectification_id', 'in', ids.slice(i, i + 500))
      .execute();
    for (const r of rows)
      out.push({
        rectificationId: r.rectification_id,
        month: r.month,
        regionCode: r.region_code,
        departmentId: r.department_id,
        calledBack: Number(r.called_back) === 1,
        closed: Number(r.closed) === 1,
      });
  }
  return out;
}

export async function saveRectifications(db: Executor, rows: readonly Rectification[]): Promise<void> {
  const values = rows.map((r) => ({
    rectification_id: r.rectificationId,
    month: r.month,
    region_code: r.regionCode,
    department_id: r.departmentId,
    called_back: r.calledBack ? 1 : 0,
    closed: r.closed ? 1 : 0,
  }));
  for (let i = 0; i < values.length; i += 500)
    await sdb(db)
      .insertInto('stats_rectifications')
      .values(values.slice(i, i + 500))
      .onConflict((oc) =>
        oc.column('rectification_id').doUpdateSet((eb) => ({
          called_back: eb.ref('excluded.called_back'),
          closed: eb.ref('excluded.closed'),
        })),
      )
      .execute();
}

export interface PerformanceFilter {
  /** months, inclusive */
  readonly from: string;
  readonly to: string;
  /** a region-code prefix ('' = everywhere) */
  readonly regionPrefix: string;
  readonly departmentId?: string | undefined;
}

/** The counters of the cells within a filter, one row per cell. */
export async function performanceCells(
  db: Executor,
  f: PerformanceFilter,
): Promise<Array<{ key: CellKey; counters: Counters }>> {
  let q = sdb(db)
    .selectFrom('stats_performance')
    .selectAll()
    .where('month', '>=', f.from)
    .where('month', '<=', f.to);
  if (f.regionPrefix) q = q.where(startsWithPrefix('region_code', f.regionPrefix));
  if (f.departmentId) q = q.where('department_id', '=', f.departmentId);
  const rows = await q.execute();
  return rows.map((r) => ({
    key: { month: r.month, regionCode: r.region_code, departmentId: r.department_id },
    counters: Object.fromEntries(COUNTERS.map((k) => [k, Number(r[k])])) as Counters,
  }));
}

/** One row of `performanceSums`: the grouping's key (the other parts ''), the summed counters. */
export interface PerformanceSum {
  readonly month: string;
  readonly departmentId: string;
  readonly regionCode: string;
  readonly counters: Counters;
}

/**
 * The counters of the cells within a filter, summed in SQL: the database adds the cells up, so a
 * page reads a few hundred rows instead of every department × region × month cell of the city.
 * - `month`: one row per month;
 * - `departmentRegion`: one row per department and region (a department's figures, and a county's
 *   as the sum of its departments' rows — a department decides in one region, so this is a few
 *   hundred rows for a city, not months × departments);
 * - `departmentMonth`: one row per department × month in (month, department) order, a page of
 *   them (`offset`, `limit`): the index stats_performance_month_department gives that order, so
 *   SQLite groups as it walks the index and stops at the page's end instead of sorting every cell.
 * The month range is the leading column of the primary key and of that index, a department its own
 * index (stats_performance_department); a region prefix is a residual predicate on the month range.
 */
export async function performanceSums(
  db: Executor,
  f: PerformanceFilter,
  by: 'month' | 'departmentRegion' | { departmentMonth: { offset: number; limit: number } | 'all' },
): Promise<PerformanceSum[]> {
  let q = sdb(db)
    .selectFrom('stats_performance')
    .where('month', '>=', f.from)
    .where('month', '<=', f.to)
    .select((eb) => COUNTERS.map((k) => eb.fn.sum<number | string>(k).as(k)));
  if (f.regionPrefix) q = q.where(startsWithPrefix('region_code', f.regionPrefix));
  if (f.departmentId) q = q.where('department_id', '=', f.departmentId);
  const counters = (r: Record<string, unknown>) =>
    Object.fromEntries(COUNTERS.map((k) => [k, Number(r[k] ?? 0)])) as Counters;
  if (by === 'month') {
    const rows = await q.select('month').groupBy('month').orderBy('month').execute();
    return rows.map((r) => ({ month: r.month, departmentId: '', regionCode: '', counters: counters(r) }));
  }
  if (by === 'departmentRegion') {
    const rows = await q
      .select(['department_id', 'region_code'])
      .groupBy(['department_id', 'region_code'])
      .execute();
    return rows.map((r) => ({
      month: '',
      departmentId: r.department_id,
      regionCode: r.region_code,
      counters: counters(r),
    }));
  }
  let dm = q
    .select((eb) => ['month', 'department_id', eb.fn.max('region_code').as('region_code')])
    .groupBy(['month', 'department_id'])
    .orderBy('month')
    .orderBy('department_id');
  const page = by.departmentMonth;
  if (page !== 'all') dm = dm.limit(page.limit).offset(page.offset);
  const rows = await dm.execute();
  return rows.map((r) => ({
    month: r.month,
    departmentId: r.department_id,
    regionCode: String(r.region_code),
    counters: counters(r),
  }));
}

/** Every cell (the recount test compares them all). */
export async function allPerformanceCells(db: Executor) {
  return performanceCells(db, { from: '0000-00', to: '9999-99', regionPrefix: '' });
}

/** Open cases by clock colour, department and region (红黄牌), within a filter. */
export async function cardCounts(
  db: Executor,
  f: { regionPrefix: string; departmentId?: string | undefined },
): Promise<Array<{ departmentId: string; regionCode: string; colour: string; count: number }>> {
  let q = sdb(db)
    .selectFrom('stats_open_cases')
    .select((eb) => ['department_id', 'region_code', 'colour', eb.fn.countAll<number>().as('n')])
    .where('colour', 'in', ['yellow', 'red'])
    .groupBy(['department_id', 'region_code', 'colour']);
  if (f.regionPrefix) q = q.where(startsWithPrefix('region_code', f.regionPrefix));
  if (f.departmentId) q = q.where('department_id', '=', f.departmentId);
  const rows = await q.execute();
  return rows.map((r) => ({
    departmentId: r.department_id,
    regionCode: r.region_code,
    colour: r.colour,
    count: Number(r.n),
  }));
}

/** The open cases behind a card count (drill-down), most urgent first. */
export async function cardCases(
  db: Executor,
  f: { regionPrefix: string; departmentId?: string | undefined; colour: 'yellow' | 'red'; limit: number },
): Promise<OpenCase[]> {
  let q = sdb(db)
    .selectFrom('stats_open_cases')
    .selectAll()
    .where('colour', '=', f.colour)
    .orderBy('due')
    .orderBy('case_number')
    .limit(f.limit);
  if (f.regionPrefix) q = q.where(startsWithPrefix('region_code', f.regionPrefix));
  if (f.departmentId) q = q.where('department_id', '=', f.departmentId);
  const rows = await q.execute();
  return rows.map((r) => ({
    caseNumber: r.case_number,
    departmentId: r.department_id,
    regionCode: r.region_code,
    channel: r.channel,
    visits: Number(r.visits),
    status: r.status,
    colour: r.colour,
    due: r.due,
    submittedAt: r.submitted_at,
  }));
}
