import type { Kysely, Migration } from 'kysely';
import { type Executor, getMeta, setMeta } from '../db/index.js';
import type { DayEntry, DayKind, DaySource } from './calendar.types.js';

/**
 * calendar_days holds the national calendar (region_code '') and local overrides (region_code a
 * region-code prefix). One row per region and date: a day off or a working day, with its name.
 */
export type CalendarTables = {
  calendar_days: {
    region_code: string;
    date: string;
    kind: string;
    name: string;
    name_en: string;
    source: string;
    updated_at: string;
    updated_by: string | null;
  };
};

export const calendarMigrations: Record<string, Migration> = {
  'calendar.0001_days': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('calendar_days')
        .addColumn('region_code', 'text', (c) => c.notNull())
        .addColumn('date', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('calendar_days_pk', ['region_code', 'date'])
        .execute();
    },
  },
  // the English name for explanations, and who changed a day when (the audit of a notice entry)
  'calendar.0002_names_audit': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('calendar_days')
        .addColumn('name_en', 'text', (c) => c.notNull().defaultTo(''))
        .execute();
      await db.schema
        .alterTable('calendar_days')
        .addColumn('updated_at', 'text', (c) => c.notNull().defaultTo(''))
        .execute();
      await db.schema.alterTable('calendar_days').addColumn('updated_by', 'text').execute();
    },
  },
};

const cdb = (db: Executor) => db.withTables<CalendarTables>();

/** platform_meta keys */
export const VERSION_KEY = 'calendar.version';
export const PACKAGE_YEARS_KEY = 'calendar.package_years';

export async function readAllDays(db: Executor): Promise<DayEntry[]> {
  const rows = await cdb(db)
    .selectFrom('calendar_days')
    .select(['region_code', 'date', 'kind', 'name', 'name_en', 'source'])
    .orderBy('region_code')
    .orderBy('date')
    .execute();
  return rows.map((r) => ({
    regionCode: r.region_code,
    date: r.date,
    kind: r.kind as DayKind,
    name: r.name,
    nameEn: r.name_en,
    source: r.source as DaySource,
  }));
}

export async function listDays(
  db: Executor,
  q: { regionCode: string; from: string; to: string },
): Promise<DayEntry[]> {
  const rows = await cdb(db)
    .selectFrom('calendar_days')
    .select(['region_code', 'date', 'kind', 'name', 'name_en', 'source'])
    .where('region_code', '=', q.regionCode)
    .where('date', '>=', q.from)
    .where('date', '<=', q.to)
    .orderBy('date')
    .execute();
  return rows.map((r) => ({
    regionCode: r.region_code,
    date: r.date,
    kind: r.kind as DayKind,
    name: r.name,
    nameEn: r.name_en,
    source: r.source as DaySource,
  }));
}

/** National years (YYYY) that have at least one row. */
export async function nationalYears(db: Executor): Promise<number[]> {
  const rows = await cdb(db)
    .selectFrom('calendar_days')
    .select('date')
    .where('region_code', '=', '')
    .execute();
  return [...new Set(rows.map((r) => Number(r.date.slice(0, 4))))].sort((a, b) => a - b);
}

type Row = CalendarTables['calendar_days'];
const toRow = (e: DayEntry, now: string, actor: string | null): Row => ({
  region_code: e.regionCode,
  date: e.date,
  kind: e.kind,
  name: e.name,
  name_en: e.nameEn,
  source: e.source,
  updated_at: now,
  updated_by: actor,
});

/** Inserts or replaces days (an administrator's entry). */
export async function upsertDays(
  trx: Executor,
  days: DayEntry[],
  now: string,
  actor: string | null,
): Promise<void> {
  for (let i = 0; i < days.length; i += 200) {
    const rows = days.slice(i, i + 200).map((d) => toRow(d, now, actor));
    await cdb(trx)
      .insertInto('calendar_days')
      .values(rows)
      .onConflict((oc) =>
        oc.columns(['region_code', 'date']).doUpdateSet((eb) => ({
          kind: eb.ref('excluded.kind'),
          name: eb.ref('excluded.name'),
          name_en: eb.ref('excluded.name_en'),
          source: eb.ref('excluded.source'),
          updated_at: eb.ref('excluded.updated_at'),
          updated_by: eb.ref('excluded.updated_by'),
        })),
      )
      .execute();
  }
}

/** Inserts days that are not there yet (seeding never overwrites an administrator's entry). */
export async function insertMissingDays(trx: Executor, days: DayEntry[], now: string): Promise<void> {
  for (let i = 0; i < days.length; i += 200) {
    const rows = days.slice(i, i + 200).map((d) => toRow(d, now, null));
    await cdb(trx)
      .insertInto('calendar_days')
      .values(rows)
      .onConflict((oc) => oc.columns(['region_code', 'date']).doNothing())
      .execute();
  }
}

/** Deletes the given dates of a region; returns those that existed. */
export async function deleteDays(trx: Executor, regionCode: string, dates: string[]): Promise<string[]> {
  const found = await cdb(trx)
    .selectFrom('calendar_days')
    .select('date')
    .where('region_code', '=', regionCode)
    .where('date', 'in', dates)
    .execute();
  const existing = found.map((r) => r.date).sort();
  if (existing.length) {
    await cdb(trx)
      .deleteFrom('calendar_days')
      .where('region_code', '=', regionCode)
      .where('date', 'in', existing)
      .execute();
  }
  return existing;
}

export const readVersion = (db: Executor): Promise<string | undefined> => getMeta(db, VERSION_KEY);
export const writeVersion = (trx: Executor, version: string, now: string): Promise<void> =>
  setMeta(trx, VERSION_KEY, version, now);

export async function readPackageYears(db: Executor): Promise<number[]> {
  const v = await getMeta(db, PACKAGE_YEARS_KEY);
  return v ? (JSON.parse(v) as number[]) : [];
}
export const writePackageYears = (trx: Executor, years: number[], now: string): Promise<void> =>
  setMeta(trx, PACKAGE_YEARS_KEY, JSON.stringify(years), now);
