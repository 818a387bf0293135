import { type Kysely, type Migration, sql } from 'kysely';
import type { Executor } from '../../platform/db/index.js';

/**
 * 主动公开 as a workflow: a publication is drafted, reviewed and published by its department,
 * and may be withdrawn with a reason (its text stays). The steps are appended to
 * `disclosure_publication_actions`; the publication row carries the projection (status, dates).
 * Rows written before the workflow (the generator's corpus) are `published`.
 */
export type PublishingTables = {
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
    status: string;
    department_id: string | null;
    made_on: string | null;
    effective_from: string | null;
    expires_on: string | null;
    withdrawn_on: string | null;
    withdrawn_reason: string | null;
    attachments: string;
  };
  disclosure_publication_actions: {
    id: string;
    publication_id: string;
    region_code: string;
    seq: number;
    type: string;
    payload: string;
    actor: string | null;
    at: string;
  };
};

export const publishingMigrations: Record<string, Migration> = {
  'disclosure.0003_publication_workflow': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('disclosure_publications')
        .addColumn('status', 'text', (c) => c.notNull().defaultTo('published'))
        .execute();
      for (const col of [
        'department_id',
        'made_on',
        'effective_from',
        'expires_on',
        'withdrawn_on',
        'withdrawn_reason',
      ])
        await db.schema.alterTable('disclosure_publications').addColumn(col, 'text').execute();
      await db.schema
        .alterTable('disclosure_publications')
        .addColumn('attachments', 'text', (c) => c.notNull().defaultTo('[]'))
        .execute();
      await db.schema
        .createIndex('disclosure_publications_workflow')
        .on('disclosure_publications')
        .columns(['department_id', 'status', 'made_on'])
        .execute();
      await db.schema
        .createTable('disclosure_publication_actions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('publication_id', 'text', (c) => c.notNull())
        .addColumn('region_code', 'text', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('actor', 'text')
        .addColumn('at', 'text', (c) => c.notNull())
        .addUniqueConstraint('disclosure_publication_actions_seq', ['publication_id', 'seq'])
        .execute();
    },
  },
};

const pdb = (db: Executor) => db.withTables<PublishingTables>();
export type PublicationRow = PublishingTables['disclosure_publications'];
export type PublicationActionRow = PublishingTables['disclosure_publication_actions'];

export async function insertPublicationRow(db: Executor, row: PublicationRow): Promise<void> {
  await pdb(db).insertInto('disclosure_publications').values(row).execute();
}

export async function findPublicationRow(db: Executor, id: string): Promise<PublicationRow | undefined> {
  return pdb(db).selectFrom('disclosure_publications').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function updatePublicationRow(
  db: Executor,
  id: string,
  set: Partial<Omit<PublicationRow, 'id'>>,
): Promise<void> {
  await pdb(db).updateTable('disclosure_publications').set(set).where('id', '=', id).execute();
}

export async function publicationActions(db: Executor, id: string): Promise<PublicationActionRow[]> {
  return pdb(db)
    .selectFrom('disclosure_publication_actions')
    .selectAll()
    .where('publication_id', '=', id)
    .orderBy('seq')
    .execute();
}

export async function insertPublicationAction(db: Executor, row: PublicationActionRow): Promise<void> {
  await pdb(db).insertInto('disclosure_publication_actions').values(row).execute();
}

/** A department's publications in one status, oldest made first (the 20-day clock's order). */
export async function departmentPublications(
  db: Executor,
  departmentId: string,
  statuses: readonly string[],
  limit: number,
): Promise<PublicationRow[]> {
  return pdb(db)
    .selectFrom('disclosure_publications')
    .selectAll()
    .where('department_id', '=', departmentId)
    .where('status', 'in', [...statuses])
    .orderBy('made_on')
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Published rows for feeds and the sitemap, newest first, by domain or department name. */
export async function publishedForFeed(
  db: Executor,
  q: { domain?: string | undefined; department?: string | undefined; limit: number },
): Promise<PublicationRow[]> {
  let b = pdb(db).selectFrom('disclosure_publications').selectAll().where('status', '=', 'published');
  if (q.domain) b = b.where('domain', '=', q.domain);
  if (q.department) b = b.where('department', '=', q.department);
  return b.orderBy('published_on', 'desc').orderBy('id', 'desc').limit(q.limit).execute();
}

/** Keyset pages of (id, published_on) over every published row (the sitemap). */
export async function publishedIds(
  db: Executor,
  after: string,
  limit: number,
): Promise<Array<{ id: string; published_on: string }>> {
  return pdb(db)
    .selectFrom('disclosure_publications')
    .select(['id', 'published_on'])
    .where('status', '=', 'published')
    .where('id', '>', after)
    .orderBy('id')
    .limit(limit)
    .execute();
}

export async function countPublished(db: Executor): Promise<number> {
  const r = await pdb(db)
    .selectFrom('disclosure_publications')
    .select(sql<number>`count(*)`.as('n'))
    .where('status', '=', 'published')
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}
