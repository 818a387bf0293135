import type { Kysely, Migration } from 'kysely';
import { type Executor, columnTypes, runPrecompiled } from '../../platform/db/index.js';
import { notifyOnChange } from '../../platform/events/index.js';
import type { DepartmentSeed, HallSeed } from './regions.demo.js';
import type {
  Department,
  ExerciseLevel,
  Hall,
  HallKind,
  HallWindow,
  OpeningPeriod,
  Region,
  RegionKind,
  RegionLevel,
  WindowKind,
} from './regions.types.js';

/**
 * Divisions, departments, halls and windows. Every table carries region_code (the division a
 * row belongs to) so a sharded PostgreSQL can place it with its region.
 */
export type RegionsTables = {
  regions_divisions: {
    code: string;
    name: string;
    level: string;
    kind: string;
    parent_code: string | null;
    /** the division itself: a division is its own region */
    region_code: string;
  };
  regions_departments: {
    id: string;
    kind: string;
    name: string;
    name_en: string;
    level: string;
    region_code: string;
    credit_code: string;
    demo: number;
  };
  regions_halls: {
    id: string;
    code: string;
    kind: string;
    name: string;
    region_code: string;
    address: string;
    lat: number;
    lng: number;
    hours: string;
    phone: string;
    demo: number;
  };
  regions_windows: {
    id: string;
    hall_id: string;
    region_code: string;
    number: number;
    kind: string;
  };
};

/** The directory's tables: a committed change to any of them makes every node forget what it kept. */
export const DIRECTORY_TABLES = [
  'regions_divisions',
  'regions_departments',
  'regions_halls',
  'regions_windows',
] as const satisfies ReadonlyArray<keyof RegionsTables>;

export const regionsMigrations: Record<string, Migration> = {
  'regions.0001_directory': {
    async up(db: Kysely<unknown>) {
      const t = columnTypes(db);
      await db.schema
        .createTable('regions_divisions')
        .addColumn('code', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('level', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('parent_code', 'text')
        .addColumn('region_code', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('regions_divisions_parent')
        .on('regions_divisions')
        .columns(['parent_code', 'code'])
        .execute();
      await db.schema
        .createTable('regions_departments')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('name_en', 'text', (c) => c.notNull())
        .addColumn('level', 'text', (c) => c.notNull())
        .addColumn('region_code', 'text', (c) => c.notNull())
        .addColumn('credit_code', 'text', (c) => c.notNull().unique())
        .addColumn('demo', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      // one agency of a kind per region: the routing key
      await db.schema
        .createIndex('regions_departments_region_kind')
        .on('regions_departments')
        .columns(['region_code', 'kind'])
        .unique()
        .execute();
      await db.schema
        .createTable('regions_halls')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('code', 'text', (c) => c.notNull().unique())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('region_code', 'text', (c) => c.notNull())
        .addColumn('address', 'text', (c) => c.notNull())
        .addColumn('lat', 'double precision', (c) => c.notNull())
        .addColumn('lng', 'double precision', (c) => c.notNull())
        .addColumn('hours', 'text', (c) => c.notNull())
        .addColumn('phone', 'text', (c) => c.notNull())
        .addColumn('demo', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.createIndex('regions_halls_region').on('regions_halls').column('region_code').execute();
      await db.schema
        .createTable('regions_windows')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('hall_id', 'text', (c) => c.notNull().references('regions_halls.id'))
        .addColumn('region_code', 'text', (c) => c.notNull())
        .addColumn('number', t.bigint, (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addUniqueConstraint('regions_windows_hall_number', ['hall_id', 'number'])
        .execute();
    },
  },
  // PostgreSQL: a committed change to the directory wakes every node, which forgets what it kept
  // of it (regions.service.ts). Expand-phase: the previous release ignores the notifications.
  'regions.0002_wake_on_change': {
    async up(db: Kysely<unknown>) {
      for (const table of DIRECTORY_TABLES) await notifyOnChange(db, table);
    },
  },
};

const rdb = (db: Executor) => db.withTables<RegionsTables>();

/** Rows per INSERT: well under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters. */
const BATCH = 1000;

async function insertBatches<T extends keyof RegionsTables>(
  db: Executor,
  table: T,
  rows: ReadonlyArray<RegionsTables[T]>,
) {
  for (let i = 0; i < rows.length; i += BATCH) {
    // the rows are the table's own row type; Kysely cannot narrow a generic table's insert type
    await rdb(db)
      .insertInto(table)
      .values(rows.slice(i, i + BATCH) as never)
      .execute();
  }
}

type DivisionRow = RegionsTables['regions_divisions'];
type DepartmentRow = RegionsTables['regions_departments'];
type HallRow = RegionsTables['regions_halls'];

const toRegion = (r: DivisionRow): Region => ({
  code: r.code,
  name: r.name,
  level: r.level as RegionLevel,
  kind: r.kind as RegionKind,
  parentCode: r.parent_code,
});

const toDepartment = (r: DepartmentRow): Department => ({
  id: r.id,
  kind: r.kind,
  name: r.name,
  nameEn: r.name_en,
  level: r.level as ExerciseLevel,
  regionCode: r.region_code,
  creditCode: r.credit_code,
  demo: r.demo === 1,
});

const toHall = (r: HallRow, windows: number): Hall => ({
  id: r.id,
  code: r.code,
  kind: r.kind as HallKind,
  name: r.name,
  regionCode: r.region_code,
  address: r.address,
  lat: Number(r.lat),
  lng: Number(r.lng),
  hours: JSON.parse(r.hours) as OpeningPeriod[],
  phone: r.phone,
  windows,
  demo: r.demo === 1,
});

export async function countDivisions(db: Executor): Promise<number> {
  const r = await rdb(db)
    .selectFrom('regions_divisions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

export async function insertDirectory(
  db: Executor,
  data: {
    divisions: readonly Region[];
    departments: ReadonlyArray<DepartmentSeed & { id: string }>;
    halls: ReadonlyArray<HallSeed & { id: string; windowIds: readonly string[] }>;
  },
): Promise<void> {
  await insertBatches(
    db,
    'regions_divisions',
    data.divisions.map((d) => ({
      code: d.code,
      name: d.name,
      level: d.level,
      kind: d.kind,
      parent_code: d.parentCode,
      region_code: d.code,
    })),
  );
  await insertBatches(
    db,
    'regions_departments',
    data.departments.map((d) => ({
      id: d.id,
      kind: d.kind,
      name: d.name,
      name_en: d.nameEn,
      level: d.level,
      region_code: d.regionCode,
      credit_code: d.creditCode,
      demo: 1,
    })),
  );
  await insertBatches(
    db,
    'regions_halls',
    data.halls.map((h) => ({
      id: h.id,
      code: h.code,
      kind: h.kind,
      name: h.name,
      region_code: h.regionCode,
      address: h.address,
      lat: h.lat,
      lng: h.lng,
      hours: JSON.stringify(h.hours),
      phone: h.phone,
      demo: 1,
    })),
  );
  await insertBatches(
    db,
    'regions_windows',
    data.halls.flatMap((h) =>
      h.windows.map((w, i) => ({
        id: h.windowIds[i]!,
        hall_id: h.id,
        region_code: h.regionCode,
        number: w.number,
        kind: w.kind,
      })),
    ),
  );
}

export async function findDivisions(db: Executor, codes: readonly string[]): Promise<Region[]> {
  if (codes.length === 0) return [];
  // a region's path is a few codes (province … village): one compiled statement per count
  const n = codes.length;
  if (n > 8)
    return (
      await rdb(db)
        .selectFrom('regions_divisions')
        .selectAll()
        .where('code', 'in', [...codes])
        .execute()
    ).map(toRegion);
  const r = await runPrecompiled(
    db,
    rdb,
    `regions.findDivisions:${n}`,
    (q, slot) =>
      q
        .selectFrom('regions_divisions')
        .selectAll()
        .where(
          'code',
          'in',
          Array.from({ length: n }, (_, i) => slot(i)),
        ),
    codes,
  );
  return r.rows.map(toRegion);
}

export async function childDivisions(db: Executor, parentCode: string): Promise<Region[]> {
  const rows = await rdb(db)
    .selectFrom('regions_divisions')
    .selectAll()
    .where('parent_code', '=', parentCode)
    .orderBy('code')
    .execute();
  return rows.map(toRegion);
}

/** Divisions whose name contains `q`, shallow levels first (a 区 before a 社区 of the same name). */
export async function searchDivisions(db: Executor, q: string, limit: number): Promise<Region[]> {
  // LIKE wildcards are dropped rather than escaped: the two dialects escape differently
  const needle = q.replace(/[\\%_]/g, '');
  if (needle === '') return [];
  const rows = await rdb(db)
    .selectFrom('regions_divisions')
    .selectAll()
    .where('name', 'like', `%${needle}%`)
    .orderBy((eb) => eb.fn('length', ['code']))
    .orderBy('code')
    .limit(limit)
    .execute();
  return rows.map(toRegion);
}

export async function departmentsIn(db: Executor, regionCodes: readonly string[]): Promise<Department[]> {
  if (regionCodes.length === 0) return [];
  const rows = await rdb(db)
    .selectFrom('regions_departments')
    .selectAll()
    .where('region_code', 'in', [...regionCodes])
    .orderBy('region_code')
    .orderBy('credit_code')
    .execute();
  return rows.map(toDepartment);
}

export async function departmentBy(
  db: Executor,
  where: { id: string } | { creditCode: string } | { regionCode: string; kind: string },
): Promise<Department | undefined> {
  // compiled once per lookup kind: a department by id is read on every application and 出证
  const by = 'id' in where ? 'id' : 'creditCode' in where ? 'creditCode' : 'kind';
  const values =
    'id' in where ? [where.id] : 'creditCode' in where ? [where.creditCode] : [where.regionCode, where.kind];
  const r = await runPrecompiled(
    db,
    rdb,
    `regions.departmentBy:${by}`,
    (q, slot) => {
      const s = q.selectFrom('regions_departments').selectAll();
      if (by === 'id') return s.where('id', '=', slot(0));
      if (by === 'creditCode') return s.where('credit_code', '=', slot(0));
      return s.where('region_code', '=', slot(0)).where('kind', '=', slot(1));
    },
    values,
  );
  const row = r.rows[0];
  return row ? toDepartment(row) : undefined;
}

/**
 * The agency of a kind in a division: the first by credit code, as routing over the division's
 * departments (departmentsIn's order) would pick it.
 */
export async function departmentOfKind(
  db: Executor,
  regionCode: string,
  kind: string,
): Promise<Department | undefined> {
  const r = await runPrecompiled(
    db,
    rdb,
    'regions.departmentOfKind',
    (q, slot) =>
      q
        .selectFrom('regions_departments')
        .selectAll()
        .where('region_code', '=', slot(0))
        .where('kind', '=', slot(1))
        .orderBy('credit_code')
        .limit(1),
    [regionCode, kind],
  );
  const row = r.rows[0];
  return row ? toDepartment(row) : undefined;
}

export async function hallsIn(db: Executor, regionCodes: readonly string[]): Promise<Hall[]> {
  if (regionCodes.length === 0) return [];
  const rows = await rdb(db)
    .selectFrom('regions_halls')
    .selectAll()
    .where('region_code', 'in', [...regionCodes])
    .execute();
  if (rows.length === 0) return [];
  const counts = await rdb(db)
    .selectFrom('regions_windows')
    .select((eb) => ['hall_id', eb.fn.countAll<number>().as('n')])
    .where(
      'hall_id',
      'in',
      rows.map((r) => r.id),
    )
    .groupBy('hall_id')
    .execute();
  const n = new Map(counts.map((c) => [c.hall_id, Number(c.n)]));
  return rows.map((r) => toHall(r, n.get(r.id) ?? 0));
}

export async function directoryCounts(db: Executor): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const levels = await rdb(db)
    .selectFrom('regions_divisions')
    .select((eb) => ['level', eb.fn.countAll<number>().as('n')])
    .groupBy('level')
    .execute();
  for (const l of levels) out[l.level] = Number(l.n);
  for (const table of ['regions_departments', 'regions_halls', 'regions_windows'] as const) {
    const r = await rdb(db)
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst();
    out[table.replace('regions_', '')] = Number(r?.n ?? 0);
  }
  return out;
}

/** One hall by its code (`H` + region code) with its windows in number order. */
export async function hallByCode(
  db: Executor,
  code: string,
): Promise<{ hall: Hall; windows: HallWindow[] } | undefined> {
  const r = await rdb(db).selectFrom('regions_halls').selectAll().where('code', '=', code).executeTakeFirst();
  if (!r) return undefined;
  const ws = await rdb(db)
    .selectFrom('regions_windows')
    .select(['number', 'kind'])
    .where('hall_id', '=', r.id)
    .orderBy('number')
    .execute();
  return {
    hall: toHall(r, ws.length),
    windows: ws.map((w) => ({ number: Number(w.number), kind: w.kind as WindowKind })),
  };
}

/** Every hall (844 in the demo city), without window counts: for nearest-first ordering by distance. */
export async function allHalls(db: Executor): Promise<Hall[]> {
  const rows = await rdb(db).selectFrom('regions_halls').selectAll().orderBy('code').execute();
  return rows.map((r) => toHall(r, 0));
}
