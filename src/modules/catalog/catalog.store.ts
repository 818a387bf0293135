import type { Kysely, Migration } from 'kysely';
import { divisionPrefix } from '../../platform/codes/index.js';
import { type Executor, type Generated, columnTypes, startsWithPrefix } from '../../platform/db/index.js';
import type {
  Bundle,
  Guide,
  ItemListQuery,
  ItemVersion,
  NegativeListEdition,
  NegativeListEntry,
  PowerListQuery,
  RealNameLevel,
  VersionStatus,
} from './catalog.types.js';
import { POWER_TYPES, implementationCodeOf } from './catalog.types.js';

/**
 * Versions of implementation lists, append-only: a published row is only ever touched again to
 * mark it superseded or withdrawn. The guide is canonical JSON; the columns that lists, filters
 * and the search index need are copied out of it.
 */
export type CatalogTables = {
  catalog_item_versions: {
    implementation_code: string;
    version: number;
    status: string;
    basic_code: string;
    variant: string;
    name: string;
    type: string;
    department_id: string;
    department_code: string;
    department_name: string;
    region_code: string;
    exercise_level: string;
    depth: number;
    promised_limit: number;
    statutory_limit: number;
    handling_kind: string;
    /** `|theme|theme|` so a theme filters with LIKE on both dialects */
    themes: string;
    audiences: string;
    effective_from: string | null;
    withdrawn_at: string | null;
    published_at: string | null;
    created_at: string;
    updated_at: string;
    created_by: string | null;
    published_by: string | null;
    demo: number;
    /** 实名等级 the item needs (copied out of the guide; older guides lack it, this column holds it) */
    real_name_level: number;
    guide: string;
  };
  catalog_bundles: {
    code: string;
    region_code: string;
    name: string;
    audience: string;
    definition: string;
    updated_at: string;
  };
  /** editions of the market-access negative list (负面清单), each kept whole */
  catalog_negative_editions: {
    edition: string;
    title: string;
    published_on: string;
    created_at: string;
  };
  catalog_negative_measures: {
    edition: string;
    code: string;
    position: number;
    category: string;
    measure: string;
    basis: string | null;
    /** JSON array of the 基本编码 of the items that grant the permission */
    basic_codes: string;
  };
  /** raw JSON rows: the benchmark's baseline (same rows, no validation, no columns) */
  catalog_bench_scratch: { id: Generated<number>; body: string };
};

export const catalogMigrations: Record<string, Migration> = {
  'catalog.0001_versions': {
    async up(db: Kysely<unknown>) {
      const t = columnTypes(db);
      await db.schema
        .createTable('catalog_item_versions')
        .addColumn('implementation_code', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('basic_code', 'text', (c) => c.notNull())
        .addColumn('variant', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('department_id', 'text', (c) => c.notNull())
        .addColumn('department_code', 'text', (c) => c.notNull())
        .addColumn('department_name', 'text', (c) => c.notNull())
        .addColumn('region_code', 'text', (c) => c.notNull())
        .addColumn('exercise_level', 'text', (c) => c.notNull())
        .addColumn('depth', 'integer', (c) => c.notNull())
        .addColumn('promised_limit', 'integer', (c) => c.notNull())
        .addColumn('statutory_limit', 'integer', (c) => c.notNull())
        .addColumn('handling_kind', 'text', (c) => c.notNull())
        .addColumn('themes', 'text', (c) => c.notNull())
        .addColumn('audiences', 'text', (c) => c.notNull())
        .addColumn('effective_from', 'text')
        .addColumn('withdrawn_at', 'text')
        .addColumn('published_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text')
        .addColumn('published_by', 'text')
        .addColumn('demo', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('guide', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('catalog_item_versions_pk', ['implementation_code', 'version'])
        .execute();
      await db.schema
        .createIndex('catalog_versions_status_region')
        .on('catalog_item_versions')
        .columns(['status', 'region_code'])
        .execute();
      await db.schema
        .createIndex('catalog_versions_status_dept')
        .on('catalog_item_versions')
        .columns(['status', 'department_id'])
        .execute();
      await db.schema
        .createIndex('catalog_versions_status_code')
        .on('catalog_item_versions')
        .columns(['status', 'implementation_code'])
        .execute();
      await db.schema
        .createIndex('catalog_versions_basic')
        .on('catalog_item_versions')
        .columns(['basic_code'])
        .execute();
      await db.schema
        .createTable('catalog_bundles')
        .addColumn('code', 'text', (c) => c.notNull())
        .addColumn('region_code', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('audience', 'text', (c) => c.notNull())
        .addColumn('definition', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('catalog_bundles_pk', ['code', 'region_code'])
        .execute();
      await db.schema
        .createTable('catalog_negative_list')
        .addColumn('code', 'text', (c) => c.primaryKey())
        .addColumn('region_code', 'text', (c) => c.notNull())
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('measure', 'text', (c) => c.notNull())
        .addColumn('basic_codes', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('catalog_bench_scratch')
        .addColumn('id', t.serial, (c) => (t.isPostgres ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('body', 'text', (c) => c.notNull())
        .execute();
    },
  },
};

catalogMigrations['catalog.0002_real_name_level'] = {
  // items published before the real-name level was declared need L2, the default for applications
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('catalog_item_versions')
      .addColumn('real_name_level', 'integer', (c) => c.notNull().defaultTo(2))
      .execute();
  },
};

catalogMigrations['catalog.0003_negative_list_editions'] = {
  // the negative list becomes editions of measures read by /lists/negative; the seed-time table
  // (one unversioned row per code, read by nothing) is copied into the 2022 edition and dropped
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('catalog_negative_editions')
      .addColumn('edition', 'text', (c) => c.primaryKey())
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('published_on', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('catalog_negative_measures')
      .addColumn('edition', 'text', (c) => c.notNull())
      .addColumn('code', 'text', (c) => c.notNull())
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('category', 'text', (c) => c.notNull())
      .addColumn('measure', 'text', (c) => c.notNull())
      .addColumn('basis', 'text')
      .addColumn('basic_codes', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('catalog_negative_measures_pk', ['edition', 'code'])
      .execute();
    const old = db.withTables<{
      catalog_negative_list: { code: string; category: string; measure: string; basic_codes: string };
    }>();
    const rows = await old.selectFrom('catalog_negative_list').selectAll().orderBy('code').execute();
    if (rows.length) {
      const m = db.withTables<CatalogTables>();
      await m
        .insertInto('catalog_negative_editions')
        .values({
          edition: '2022',
          title: '市场准入负面清单（2022年版）',
          published_on: '2022-03-12',
          created_at: new Date().toISOString(),
        })
        .execute();
      await m
        .insertInto('catalog_negative_measures')
        .values(
          rows.map((r, i) => ({
            edition: '2022',
            code: r.code,
            position: i + 1,
            category: r.category,
            measure: r.measure,
            basis: null,
            basic_codes: r.basic_codes,
          })),
        )
        .execute();
    }
    await db.schema.dropTable('catalog_negative_list').execute();
  },
};

const cdb = (db: Executor) => db.withTables<CatalogTables>();
type VersionRow = CatalogTables['catalog_item_versions'];

export function versionRow(
  g: Guide,
  meta: {
    version: number;
    status: VersionStatus;
    now: string;
    actor: string | null;
    effectiveFrom?: string | null;
    publishedAt?: string | null;
  },
): VersionRow {
  return {
    implementation_code: implementationCodeOf(g),
    version: meta.version,
    status: meta.status,
    basic_code: g.basicCode,
    variant: g.variant,
    name: g.name,
    type: g.type,
    department_id: g.implementingBody.departmentId,
    department_code: g.implementingBody.creditCode,
    department_name: g.implementingBody.name,
    region_code: g.regionCode,
    exercise_level: g.exerciseLevel,
    depth: g.online.depth,
    promised_limit: g.promisedLimit.days,
    statutory_limit: g.statutoryLimit.days,
    handling_kind: g.handlingKind,
    themes: `|${g.themes.join('|')}|`,
    audiences: `|${g.audiences.join('|')}|`,
    effective_from: meta.effectiveFrom ?? null,
    withdrawn_at: null,
    published_at: meta.publishedAt ?? null,
    created_at: meta.now,
    updated_at: meta.now,
    created_by: meta.actor,
    published_by: meta.status === 'published' ? meta.actor : null,
    demo: g.demo ? 1 : 0,
    real_name_level: g.realNameLevel,
    guide: JSON.stringify(g),
  };
}

export function toItemVersion(r: VersionRow): ItemVersion {
  return {
    implementationCode: r.implementation_code,
    version: Number(r.version),
    status: r.status as VersionStatus,
    effectiveFrom: r.effective_from,
    withdrawnAt: r.withdrawn_at,
    publishedAt: r.published_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    departmentName: r.department_name,
    // a guide stored before catalog.0002 has no realNameLevel: the column holds its default
    guide: { ...(JSON.parse(r.guide) as Guide), realNameLevel: Number(r.real_name_level) as RealNameLevel },
  };
}

/** Rows per INSERT: 30 columns × 300 rows stays under SQLite's and PostgreSQL's parameter limits. */
const BATCH = 300;

export async function insertVersions(
  db: Executor,
  rows: readonly VersionRow[],
  onBatch?: (n: number) => void,
): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH) {
    const chunk = rows.slice(i, i + BATCH);
    await cdb(db).insertInto('catalog_item_versions').values(chunk).execute();
    onBatch?.(chunk.length);
  }
}

export async function getVersion(
  db: Executor,
  code: string,
  version: number,
): Promise<ItemVersion | undefined> {
  const r = await cdb(db)
    .selectFrom('catalog_item_versions')
    .selectAll()
    .where('implementation_code', '=', code)
    .where('version', '=', version)
    .executeTakeFirst();
  return r ? toItemVersion(r) : undefined;
}

export async function getPublished(db: Executor, code: string): Promise<ItemVersion | undefined> {
  const r = await cdb(db)
    .selectFrom('catalog_item_versions')
    .selectAll()
    .where('status', '=', 'published')
    .where('implementation_code', '=', code)
    .executeTakeFirst();
  return r ? toItemVersion(r) : undefined;
}

/** The open draft or review version of an item, if any. */
export async function getOpen(db: Executor, code: string): Promise<ItemVersion | undefined> {
  const r = await cdb(db)
    .selectFrom('catalog_item_versions')
    .selectAll()
    .where('implementation_code', '=', code)
    .where('status', 'in', ['draft', 'review'])
    .executeTakeFirst();
  return r ? toItemVersion(r) : undefined;
}

export async function listVersions(db: Executor, code: string) {
  const rows = await cdb(db)
    .selectFrom('catalog_item_versions')
    .select([
      'version',
      'status',
      'effective_from',
      'withdrawn_at',
      'published_at',
      'created_at',
      'updated_at',
      'name',
    ])
    .where('implementation_code', '=', code)
    .orderBy('version', 'desc')
    .execute();
  return rows.map((r) => ({
    version: Number(r.version),
    status: r.status as VersionStatus,
    effectiveFrom: r.effective_from,
    withdrawnAt: r.withdrawn_at,
    publishedAt: r.published_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    name: r.name,
  }));
}

export async function maxVersions(db: Executor, codes: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (let i = 0; i < codes.length; i += 500) {
    const rows = await cdb(db)
      .selectFrom('catalog_item_versions')
      .select((eb) => ['implementation_code', eb.fn.max('version').as('v')])
      .where('implementation_code', 'in', codes.slice(i, i + 500))
      .groupBy('implementation_code')
      .execute();
    for (const r of rows) out.set(r.implementation_code, Number(r.v));
  }
  return out;
}

export async function updateDraftRow(
  db: Executor,
  code: string,
  version: number,
  row: VersionRow,
): Promise<number> {
  const { implementation_code: _c, version: _v, created_at: _ca, created_by: _cb, ...rest } = row;
  const r = await cdb(db)
    .updateTable('catalog_item_versions')
    .set(rest)
    .where('implementation_code', '=', code)
    .where('version', '=', version)
    .where('status', '=', 'draft')
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function setStatus(
  db: Executor,
  code: string,
  version: number,
  from: readonly VersionStatus[],
  to: VersionStatus,
  extra: Partial<
    Pick<VersionRow, 'effective_from' | 'withdrawn_at' | 'published_at' | 'published_by' | 'updated_at'>
  > = {},
): Promise<number> {
  const r = await cdb(db)
    .updateTable('catalog_item_versions')
    .set({ status: to, ...extra })
    .where('implementation_code', '=', code)
    .where('version', '=', version)
    .where('status', 'in', [...from])
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Marks the published versions of these items superseded (a new version is being published). */
export async function supersedePublished(db: Executor, codes: readonly string[], now: string): Promise<void> {
  for (let i = 0; i < codes.length; i += 500) {
    await cdb(db)
      .updateTable('catalog_item_versions')
      .set({ status: 'superseded', withdrawn_at: now, updated_at: now })
      .where('status', '=', 'published')
      .where('implementation_code', 'in', codes.slice(i, i + 500))
      .execute();
  }
}

export interface ListFilters extends Omit<ItemListQuery, 'page' | 'pageSize'> {
  status?: VersionStatus | 'open' | undefined;
  basicCode?: string | undefined;
}

function filtered(db: Executor, f: ListFilters) {
  let q = cdb(db).selectFrom('catalog_item_versions');
  if (f.status === 'open') q = q.where('status', 'in', ['draft', 'review']);
  else q = q.where('status', '=', f.status ?? 'published');
  if (f.q) q = q.where('name', 'like', `%${f.q.replace(/[%_]/g, '')}%`);
  // the division and every division below it, as /search and /disclosure filter
  if (f.region) q = q.where(startsWithPrefix('region_code', divisionPrefix(f.region)));
  if (f.department)
    q = q.where((eb) =>
      eb.or([eb('department_id', '=', f.department!), eb('department_code', '=', f.department!)]),
    );
  if (f.type) q = q.where('type', '=', f.type);
  if (f.theme) q = q.where('themes', 'like', `%|${f.theme.replace(/[%_|]/g, '')}|%`);
  if (f.depth) q = q.where('depth', '=', f.depth);
  if (f.level) q = q.where('exercise_level', '=', f.level);
  if (f.basicCode) q = q.where('basic_code', '=', f.basicCode);
  return q;
}

export async function listItems(db: Executor, f: ListFilters, page: number, pageSize: number) {
  const [{ n }] = (await filtered(db, f)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .execute()) as [{ n: number }];
  const rows = await filtered(db, f)
    .select([
      'implementation_code',
      'version',
      'status',
      'basic_code',
      'name',
      'type',
      'department_id',
      'department_name',
      'region_code',
      'exercise_level',
      'depth',
      'promised_limit',
      'statutory_limit',
      'handling_kind',
      'updated_at',
    ])
    .orderBy('region_code')
    .orderBy('department_name')
    .orderBy('basic_code')
    .orderBy('implementation_code')
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .execute();
  return { total: Number(n), rows };
}

/** Published versions in code order after a cursor, for the search index. */
export async function publishedAfter(db: Executor, cursor: string, limit: number): Promise<ItemVersion[]> {
  const rows = await cdb(db)
    .selectFrom('catalog_item_versions')
    .selectAll()
    .where('status', '=', 'published')
    .where('implementation_code', '>', cursor)
    .orderBy('implementation_code')
    .limit(limit)
    .execute();
  return rows.map(toItemVersion);
}

export async function departmentsWithItems(db: Executor) {
  const rows = await cdb(db)
    .selectFrom('catalog_item_versions')
    .select((eb) => ['department_id', 'department_name', 'region_code', eb.fn.countAll<number>().as('n')])
    .where('status', '=', 'published')
    .groupBy(['department_id', 'department_name', 'region_code'])
    .orderBy('region_code')
    .orderBy('department_name')
    .execute();
  return rows.map((r) => ({
    id: r.department_id,
    name: r.department_name,
    regionCode: r.region_code,
    count: Number(r.n),
  }));
}

/**
 * Published items per theme code, in one query: rows are grouped by their `|a|b|` theme list and
 * the lists split here (a theme named twice on one item counts once, as `like '%|a|%'` would).
 */
export async function themeCounts(db: Executor): Promise<Map<string, number>> {
  const rows = await cdb(db)
    .selectFrom('catalog_item_versions')
    .select((eb) => ['themes', eb.fn.countAll<number>().as('n')])
    .where('status', '=', 'published')
    .groupBy('themes')
    .execute();
  const counts = new Map<string, number>();
  for (const r of rows) {
    for (const theme of new Set(r.themes.split('|').filter(Boolean)))
      counts.set(theme, (counts.get(theme) ?? 0) + Number(r.n));
  }
  return counts;
}

export async function* allPublished(db: Executor, batch = 1000): AsyncGenerator<ItemVersion[]> {
  let cursor = '';
  for (;;) {
    const page = await publishedAfter(db, cursor, batch);
    if (page.length === 0) return;
    yield page;
    cursor = page[page.length - 1]!.implementationCode;
  }
}

export async function putBundles(db: Executor, bundles: readonly Bundle[], now: string): Promise<void> {
  for (const b of bundles) {
    await cdb(db)
      .deleteFrom('catalog_bundles')
      .where('code', '=', b.code)
      .where('region_code', '=', b.regionCode)
      .execute();
    await cdb(db)
      .insertInto('catalog_bundles')
      .values({
        code: b.code,
        region_code: b.regionCode,
        name: b.name,
        audience: b.audience,
        definition: JSON.stringify(b),
        updated_at: now,
      })
      .execute();
  }
}

export async function listBundles(db: Executor, regionPrefix?: string): Promise<Bundle[]> {
  let q = cdb(db).selectFrom('catalog_bundles').select('definition').orderBy('code');
  if (regionPrefix) q = q.where(startsWithPrefix('region_code', regionPrefix));
  return (await q.execute()).map((r) => JSON.parse(r.definition) as Bundle);
}

/** Writes one edition of the negative list whole (an edition already written is replaced). */
export async function putNegativeEdition(db: Executor, e: NegativeListEdition, now: string): Promise<void> {
  await cdb(db).deleteFrom('catalog_negative_measures').where('edition', '=', e.edition).execute();
  await cdb(db).deleteFrom('catalog_negative_editions').where('edition', '=', e.edition).execute();
  await cdb(db)
    .insertInto('catalog_negative_editions')
    .values({ edition: e.edition, title: e.title, published_on: e.publishedOn, created_at: now })
    .execute();
  await cdb(db)
    .insertInto('catalog_negative_measures')
    .values(
      e.entries.map((x, i) => ({
        edition: e.edition,
        code: x.code,
        position: i + 1,
        category: x.category,
        measure: x.measure,
        basis: x.basis ?? null,
        basic_codes: JSON.stringify(x.basicCodes),
      })),
    )
    .execute();
}

export async function negativeEditions(db: Executor) {
  const rows = await cdb(db)
    .selectFrom('catalog_negative_editions')
    .selectAll()
    .orderBy('edition', 'desc')
    .execute();
  return rows.map((r) => ({ edition: r.edition, title: r.title, publishedOn: r.published_on }));
}

export async function negativeMeasures(db: Executor, edition: string): Promise<NegativeListEntry[]> {
  const rows = await cdb(db)
    .selectFrom('catalog_negative_measures')
    .selectAll()
    .where('edition', '=', edition)
    .orderBy('position')
    .execute();
  return rows.map((r) => ({
    code: r.code,
    category: r.category as NegativeListEntry['category'],
    measure: r.measure,
    ...(r.basis ? { basis: r.basis } : {}),
    basicCodes: JSON.parse(r.basic_codes) as string[],
  }));
}

/** Published items by 基本编码: name and how many bodies implement it (the negative list's links). */
export async function itemsByBasicCodes(db: Executor, codes: readonly string[]) {
  const out = new Map<string, { name: string; implementations: number }>();
  for (let i = 0; i < codes.length; i += 500) {
    const rows = await cdb(db)
      .selectFrom('catalog_item_versions')
      .select((eb) => ['basic_code', eb.fn.min('name').as('name'), eb.fn.countAll<number>().as('n')])
      .where('status', '=', 'published')
      .where('basic_code', 'in', codes.slice(i, i + 500))
      .groupBy('basic_code')
      .execute();
    for (const r of rows) out.set(r.basic_code, { name: String(r.name), implementations: Number(r.n) });
  }
  return out;
}

/**
 * 权力清单 rows: the power items (types 01–10) in force — now, or on a past China day `asOf`
 * (the version published before that day ended and not yet superseded or withdrawn then).
 */
function powerFiltered(db: Executor, f: Omit<PowerListQuery, 'page' | 'pageSize'>) {
  let q = cdb(db)
    .selectFrom('catalog_item_versions')
    .where('type', 'in', [...POWER_TYPES]);
  if (f.asOf) {
    // the end of that day in China (UTC+8) is 16:00 UTC on the same date
    const cut = `${f.asOf}T16:00:00.000Z`;
    q = q
      .where('status', 'in', ['published', 'superseded', 'withdrawn'])
      .where('published_at', '<', cut)
      .where((eb) => eb.or([eb('withdrawn_at', 'is', null), eb('withdrawn_at', '>=', cut)]));
  } else q = q.where('status', '=', 'published');
  if (f.department)
    q = q.where((eb) =>
      eb.or([eb('department_id', '=', f.department!), eb('department_code', '=', f.department!)]),
    );
  if (f.type) q = q.where('type', '=', f.type);
  if (f.basicCode) q = q.where('basic_code', '=', f.basicCode);
  if (f.q) {
    const like = `%${f.q.replace(/[%_\\]/g, '')}%`;
    q = q.where((eb) => eb.or([eb('name', 'like', like), eb('basic_code', 'like', like)]));
  }
  return q;
}

export async function powerList(
  db: Executor,
  f: Omit<PowerListQuery, 'page' | 'pageSize'>,
  page: number,
  pageSize: number,
): Promise<{ total: number; rows: ItemVersion[] }> {
  const [{ n }] = (await powerFiltered(db, f)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .execute()) as [{ n: number }];
  const rows = await powerFiltered(db, f)
    .selectAll()
    .orderBy('region_code')
    .orderBy('department_name')
    .orderBy('basic_code')
    .orderBy('implementation_code')
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .execute();
  return { total: Number(n), rows: rows.map(toItemVersion) };
}

/** Every row of a power list, in pages, for the CSV and JSON exports. */
export async function* powerListAll(
  db: Executor,
  f: Omit<PowerListQuery, 'page' | 'pageSize'>,
  batch = 500,
): AsyncGenerator<ItemVersion[]> {
  let cursor = '';
  for (;;) {
    const rows = await powerFiltered(db, f)
      .selectAll()
      .where('implementation_code', '>', cursor)
      .orderBy('implementation_code')
      .limit(batch)
      .execute();
    if (rows.length === 0) return;
    yield rows.map(toItemVersion);
    cursor = rows[rows.length - 1]!.implementation_code;
  }
}

export async function scratchInsert(db: Executor, bodies: readonly string[]): Promise<void> {
  for (let i = 0; i < bodies.length; i += 1000) {
    await cdb(db)
      .insertInto('catalog_bench_scratch')
      .values(bodies.slice(i, i + 1000).map((body) => ({ body })))
      .execute();
  }
}
