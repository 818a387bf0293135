import { type Kysely, type Migration, sql } from 'kysely';
import { type Executor, startsWithPrefix } from '../../platform/db/index.js';
import type {
  ConvenienceClass,
  ConvenienceEntry,
  DisclosureDomain,
  Publication,
} from './disclosure.types.js';

export type DisclosureTables = {
  disclosure_publications: {
    id: string;
    region_code: string;
    department: string;
    domain: string;
    category: string;
    title: string;
    body: string;
    doc_number: string | null;
    published_on: string;
    created_at: string;
  };
  disclosure_convenience: {
    id: string;
    region_code: string;
    class: string;
    name: string;
    address: string;
    phone: string;
    hours: string;
    description: string;
    created_at: string;
    lat: number | null;
    lng: number | null;
  };
};

export const disclosureMigrations: Record<string, Migration> = {
  'disclosure.0001_publications': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('disclosure_publications')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('region_code', 'text', (c) => c.notNull())
        .addColumn('department', 'text', (c) => c.notNull())
        .addColumn('domain', 'text', (c) => c.notNull())
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('doc_number', 'text')
        .addColumn('published_on', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('disclosure_publications_list')
        .on('disclosure_publications')
        .columns(['published_on', 'id'])
        .execute();
      await db.schema
        .createIndex('disclosure_publications_domain')
        .on('disclosure_publications')
        .columns(['domain', 'published_on'])
        .execute();
      await db.schema
        .createIndex('disclosure_publications_region')
        .on('disclosure_publications')
        .columns(['region_code', 'published_on'])
        .execute();
      await db.schema
        .createTable('disclosure_convenience')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('region_code', 'text', (c) => c.notNull())
        .addColumn('class', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('address', 'text', (c) => c.notNull())
        .addColumn('phone', 'text', (c) => c.notNull())
        .addColumn('hours', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('disclosure_convenience_class')
        .on('disclosure_convenience')
        .columns(['class', 'region_code'])
        .execute();
    },
  },
};

disclosureMigrations['disclosure.0005_convenience_places'] = {
  // where each entry is, for nearest-first browsing; entries seeded before have none (listed last)
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('disclosure_convenience').addColumn('lat', 'double precision').execute();
    await db.schema.alterTable('disclosure_convenience').addColumn('lng', 'double precision').execute();
    await db.schema
      .createIndex('disclosure_convenience_region')
      .on('disclosure_convenience')
      .columns(['region_code', 'class'])
      .execute();
  },
};

const ddb = (db: Executor) => db.withTables<DisclosureTables>();
type PubRow = DisclosureTables['disclosure_publications'];
type ConvRow = DisclosureTables['disclosure_convenience'];

export const toPublication = (r: PubRow): Publication => ({
  id: r.id,
  regionCode: r.region_code,
  department: r.department,
  domain: r.domain as DisclosureDomain,
  category: r.category,
  title: r.title,
  body: r.body,
  docNumber: r.doc_number,
  publishedOn: r.published_on,
  createdAt: r.created_at,
});

export const toConvenience = (r: ConvRow): ConvenienceEntry => ({
  id: r.id,
  regionCode: r.region_code,
  class: r.class as ConvenienceClass,
  name: r.name,
  address: r.address,
  phone: r.phone,
  hours: r.hours,
  description: r.description,
  lat: r.lat === null || r.lat === undefined ? null : Number(r.lat),
  lng: r.lng === null || r.lng === undefined ? null : Number(r.lng),
  createdAt: r.created_at,
});

export const fromPublication = (p: Publication): PubRow => ({
  id: p.id,
  region_code: p.regionCode,
  department: p.department,
  domain: p.domain,
  category: p.category,
  title: p.title,
  body: p.body,
  doc_number: p.docNumber ?? null,
  published_on: p.publishedOn,
  created_at: p.createdAt,
});

export const fromConvenience = (c: ConvenienceEntry): ConvRow => ({
  id: c.id,
  region_code: c.regionCode,
  class: c.class,
  name: c.name,
  address: c.address,
  phone: c.phone,
  hours: c.hours,
  description: c.description,
  created_at: c.createdAt,
  lat: c.lat ?? null,
  lng: c.lng ?? null,
});

/** rows per INSERT: 10 columns × 1,000 stays under both dialects' parameter limits */
const BATCH = 1000;

export async function insertPublications(db: Executor, rows: readonly Publication[]): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH) {
    await ddb(db)
      .insertInto('disclosure_publications')
      .values(rows.slice(i, i + BATCH).map(fromPublication))
      .execute();
  }
}

export async function insertConvenience(db: Executor, rows: readonly ConvenienceEntry[]): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH) {
    await ddb(db)
      .insertInto('disclosure_convenience')
      .values(rows.slice(i, i + BATCH).map(fromConvenience))
      .execute();
  }
}

export async function findPublication(db: Executor, id: string): Promise<Publication | undefined> {
  const r = await ddb(db)
    .selectFrom('disclosure_publications')
    .selectAll()
    .where('id', '=', id)
    .where(sql.ref('status'), '=', 'published')
    .executeTakeFirst();
  return r ? toPublication(r) : undefined;
}

export async function findConvenience(db: Executor, id: string): Promise<ConvenienceEntry | undefined> {
  const r = await ddb(db)
    .selectFrom('disclosure_convenience')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  return r ? toConvenience(r) : undefined;
}

export async function listPublications(
  db: Executor,
  q: { domain?: string | undefined; regionPrefix?: string | undefined; offset: number; limit: number },
): Promise<{ total: number; rows: Publication[] }> {
  let base = ddb(db).selectFrom('disclosure_publications').where(sql.ref('status'), '=', 'published');
  if (q.domain) base = base.where('domain', '=', q.domain);
  if (q.regionPrefix) base = base.where(startsWithPrefix('region_code', q.regionPrefix));
  const count = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  const rows = await base
    .selectAll()
    .orderBy('published_on', 'desc')
    .orderBy('id', 'desc')
    .offset(q.offset)
    .limit(q.limit)
    .execute();
  return { total: Number(count?.n ?? 0), rows: rows.map(toPublication) };
}

/** Keyset pages over publications, then convenience entries (the search index's build scan). */
export async function scanPublications(db: Executor, after: string, limit: number): Promise<Publication[]> {
  const rows = await ddb(db)
    .selectFrom('disclosure_publications')
    .selectAll()
    .where(sql.ref('status'), '=', 'published')
    .where('id', '>', after)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(toPublication);
}

export async function scanConvenience(
  db: Executor,
  after: string,
  limit: number,
): Promise<ConvenienceEntry[]> {
  const rows = await ddb(db)
    .selectFrom('disclosure_convenience')
    .selectAll()
    .where('id', '>', after)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(toConvenience);
}

export async function countAll(db: Executor): Promise<{ publications: number; convenience: number }> {
  const p = await ddb(db)
    .selectFrom('disclosure_publications')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where(sql.ref('status'), '=', 'published')
    .executeTakeFirst();
  const c = await ddb(db)
    .selectFrom('disclosure_convenience')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst();
  return { publications: Number(p?.n ?? 0), convenience: Number(c?.n ?? 0) };
}

/** A withdrawn publication: what the public page says in its place (the text stays in the record). */
export async function findWithdrawn(
  db: Executor,
  id: string,
): Promise<{ title: string; department: string; withdrawnOn: string; reason: string } | undefined> {
  const r = await db
    .withTables<{
      disclosure_publications: {
        id: string;
        title: string;
        department: string;
        status: string;
        withdrawn_on: string | null;
        withdrawn_reason: string | null;
      };
    }>()
    .selectFrom('disclosure_publications')
    .select(['title', 'department', 'withdrawn_on', 'withdrawn_reason'])
    .where('id', '=', id)
    .where('status', '=', 'withdrawn')
    .executeTakeFirst();
  return r
    ? {
        title: r.title,
        department: r.department,
        withdrawnOn: r.withdrawn_on ?? '',
        reason: r.withdrawn_reason ?? '',
      }
    : undefined;
}

interface ConvenienceFilter {
  class?: string | undefined;
  regionPrefix?: string | undefined;
}

function convenienceFiltered(db: Executor, f: ConvenienceFilter) {
  let q = ddb(db).selectFrom('disclosure_convenience');
  if (f.class) q = q.where('class', '=', f.class);
  if (f.regionPrefix) q = q.where(startsWithPrefix('region_code', f.regionPrefix));
  return q;
}

/** A page of convenience entries by name (no origin to measure from). */
export async function listConvenience(
  db: Executor,
  f: ConvenienceFilter & { offset: number; limit: number },
): Promise<{ total: number; rows: ConvenienceEntry[] }> {
  const c = await convenienceFiltered(db, f)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirst();
  const rows = await convenienceFiltered(db, f)
    .selectAll()
    .orderBy('name')
    .orderBy('id')
    .offset(f.offset)
    .limit(f.limit)
    .execute();
  return { total: Number(c?.n ?? 0), rows: rows.map(toConvenience) };
}

/** Every matching entry's id and place (for ranking by distance: 20,004 rows at most). */
export async function conveniencePlaces(
  db: Executor,
  f: ConvenienceFilter,
): Promise<Array<{ id: string; lat: number | null; lng: number | null }>> {
  const rows = await convenienceFiltered(db, f).select(['id', 'lat', 'lng']).execute();
  return rows.map((r) => ({
    id: r.id,
    lat: r.lat === null ? null : Number(r.lat),
    lng: r.lng === null ? null : Number(r.lng),
  }));
}

export async function convenienceByIds(db: Executor, ids: readonly string[]): Promise<ConvenienceEntry[]> {
  if (ids.length === 0) return [];
  const rows = await ddb(db)
    .selectFrom('disclosure_convenience')
    .selectAll()
    .where('id', 'in', ids)
    .execute();
  return rows.map(toConvenience);
}

/** Entries per class, in a division and below. */
export async function convenienceClassCounts(
  db: Executor,
  regionPrefix?: string,
): Promise<Map<string, number>> {
  const rows = await convenienceFiltered(db, { regionPrefix })
    .select((eb) => ['class', eb.fn.countAll<number>().as('n')])
    .groupBy('class')
    .execute();
  return new Map(rows.map((r) => [r.class, Number(r.n)]));
}
