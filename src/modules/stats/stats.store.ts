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
  if (q.regionPrefix) s = s.where('region_code', 'like', `${q.regionPrefix}%`);
  const rows = await s.execute();
  return rows.map((r) => ({ type: r.type, count: Number(r.count) }));
}
