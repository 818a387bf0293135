import type { Kysely, Migration } from 'kysely';
import type { Executor } from './store.js';

/** Key-value facts about this store (demo seeded, versions); tiny and platform-wide. */
export type MetaTables = {
  platform_meta: { key: string; value: string; updated_at: string };
};

export const metaMigrations: Record<string, Migration> = {
  'platform.0001_meta': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('platform_meta')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
};

export async function getMeta(db: Executor, key: string): Promise<string | undefined> {
  const r = await db
    .withTables<MetaTables>()
    .selectFrom('platform_meta')
    .select('value')
    .where('key', '=', key)
    .executeTakeFirst();
  return r?.value;
}

export async function setMeta(db: Executor, key: string, value: string, now: string): Promise<void> {
  await db
    .withTables<MetaTables>()
    .insertInto('platform_meta')
    .values({ key, value, updated_at: now })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: now }))
    .execute();
}
