import type { Kysely, Migration } from 'kysely';
import { type Executor, columnTypes } from '../../platform/db/index.js';

/** Daily counters per event type and region: the first consumer of the outbox. */
export type StatsTables = {
  stats_event_counts: { day: string; type: string; region_code: string; count: number };
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
};

const sdb = (db: Executor) => db.withTables<StatsTables>();

export async function addCounts(
  db: Executor,
  rows: Array<{ day: string; type: string; regionCode: string; n: number }>,
): Promise<void> {
  for (const r of rows) {
    await sdb(db)
      .insertInto('stats_event_counts')
      .values({ day: r.day, type: r.type, region_code: r.regionCode, count: r.n })
      .onConflict((oc) =>
        oc
          .columns(['day', 'type', 'region_code'])
          .doUpdateSet((eb) => ({ count: eb('stats_event_counts.count', '+', r.n) })),
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
  if (q.regionPrefix) s = s.where('region_code', 'like', `${q.regionPrefix}%`);
  const rows = await s.execute();
  return rows.map((r) => ({ type: r.type, count: Number(r.count) }));
}
