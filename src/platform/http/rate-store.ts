import { createHmac } from 'node:crypto';
import { type Kysely, type Migration, sql } from 'kysely';
import { type Executor, columnTypes } from '../db/index.js';

/**
 * Rate-limit counters in the store, so that a limit holds across every node behind the proxy (a
 * stranger whose requests the proxy spreads over three nodes gets the limit once, not three
 * times). The class is @fastify/rate-limit's custom store interface (`incr`, `child`). One row per
 * key and window; the key is an HMAC under a key derived from the secret, so the table holds no
 * address, login or phone. On PostgreSQL the table is UNLOGGED: counters need no fsync and may be
 * lost in a crash (the limits start again). SQLite is one node: app.ts keeps its counters in
 * memory there (no write per search), and this store is used where the store is shared.
 */
export type RateCounterTables = {
  platform_rate_counters: { key: string; window_start: number; hits: number; expires_at: number };
};

export const rateCounterMigrations: Record<string, Migration> = {
  'platform.0002_rate_counters': {
    async up(db: Kysely<unknown>) {
      const t = columnTypes(db);
      let create = db.schema
        .createTable('platform_rate_counters')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('window_start', t.bigint, (c) => c.notNull())
        .addColumn('hits', 'integer', (c) => c.notNull())
        .addColumn('expires_at', t.bigint, (c) => c.notNull());
      if (t.isPostgres) create = create.modifyFront(sql`unlogged`);
      await create.execute();
      await db.schema
        .createIndex('platform_rate_counters_expires')
        .on('platform_rate_counters')
        .column('expires_at')
        .execute();
    },
  },
};

type IncrCallback = (err: Error | null, res?: { current: number; ttl: number }) => void;

/** One counter: hits in the window that started at `window_start`, atomically, on either store. */
export async function incrementCounter(
  db: Executor,
  key: string,
  windowMs: number,
  now: number,
): Promise<{ current: number; ttl: number }> {
  const r = await sql<{ hits: number | string; window_start: number | string }>`
    insert into platform_rate_counters (key, window_start, hits, expires_at)
    values (${key}, ${now}, 1, ${now + windowMs})
    on conflict (key) do update set
      hits = case when platform_rate_counters.expires_at <= ${now} then 1
                  else platform_rate_counters.hits + 1 end,
      window_start = case when platform_rate_counters.expires_at <= ${now} then ${now}
                          else platform_rate_counters.window_start end,
      expires_at = case when platform_rate_counters.expires_at <= ${now} then ${now + windowMs}
                        else platform_rate_counters.expires_at end
    returning hits, window_start`.execute(db);
  const row = r.rows[0]!;
  return { current: Number(row.hits), ttl: Math.max(0, Number(row.window_start) + windowMs - now) };
}

/** Rows whose window has ended (a few per call, so no call is long). */
export async function sweepCounters(db: Executor, now: number): Promise<void> {
  await db
    .withTables<RateCounterTables>()
    .deleteFrom('platform_rate_counters')
    .where('expires_at', '<', now)
    .execute();
}

/**
 * The class @fastify/rate-limit constructs (`store: storeRateLimit(db, secret)` in its options).
 * Errors reach the plugin, which refuses the request (a limit that cannot be counted fails closed).
 */
export function storeRateLimit(db: Executor, keySecret: Buffer, now: () => number = Date.now) {
  let calls = 0;
  const keyOf = (k: string) => createHmac('sha256', keySecret).update(k).digest('base64url');
  class StoreRateLimit {
    incr(key: string, cb: IncrCallback, timeWindow: number): void {
      const t = now();
      incrementCounter(db, keyOf(key), timeWindow, t).then(
        (res) => {
          cb(null, res);
          // now and then, the ended windows go (any node; the delete is idempotent)
          if (++calls % 500 === 0) sweepCounters(db, t).catch(() => {});
        },
        (err: Error) => cb(err),
      );
    }
    child(): StoreRateLimit {
      return new StoreRateLimit();
    }
  }
  return StoreRateLimit;
}
