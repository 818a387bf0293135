import { type Executor, dialectOf, sql } from '../../platform/db/index.js';

/**
 * The stream position up to which every event's transaction has finished: a build that reads
 * the store after taking it has seen at least those transactions' effects, so replaying from it
 * misses nothing (replaying more is harmless: index updates are idempotent upserts).
 * On PostgreSQL only transactions older than the oldest running one count (see outbox.ts).
 */
export async function headPosition(db: Executor): Promise<{ tx: string; seq: number }> {
  if (dialectOf(db) === 'postgres') {
    const r = await sql<{ tx: string; seq: number }>`
      select tx::text as tx, seq from events
      where tx < pg_snapshot_xmin(pg_current_snapshot())
      order by events.tx desc, events.seq desc
      limit 1`.execute(db);
    const row = r.rows[0];
    return row ? { tx: String(row.tx), seq: Number(row.seq) } : { tx: '0', seq: 0 };
  }
  const r = await sql<{ seq: number | null }>`select max(seq) as seq from events`.execute(db);
  return { tx: '0', seq: Number(r.rows[0]?.seq ?? 0) };
}
