/** Small helpers for benchmarks: medians and percentiles, printed beside their baselines. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[i]!;
}

export function fmt(n: number, digits = 1): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

export function machine(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return `Node ${process.version}, ${process.platform}/${process.arch}`;
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type Store, openStore } from '../src/platform/db/index.js';
import { type ScratchDatabase, scratchDatabase } from '../test/helpers/store.js';

/**
 * A throwaway PostgreSQL database (create, URL, drop with the tests' wait-then-force), for benches
 * that open their own store, client or child process on it.
 */
export { type ScratchDatabase, scratchDatabase };

/** A fresh, empty store for one bench run, and how to throw it away. */
export interface FreshStore {
  store: Store;
  drop(): Promise<void>;
}

/** The PostgreSQL server benches use: BENCH_DATABASE_URL, or the machine's own. */
export const BENCH_PG_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A SQLite WAL file in a new directory; synchronous = FULL (the production setting) unless asked. */
export async function freshSqlite(sync: 'FULL' | 'NORMAL' = 'FULL'): Promise<FreshStore> {
  const dir = mkdtempSync(join(tmpdir(), 'tongban-bench-'));
  const store = await openStore({ sqliteFile: join(dir, 'bench.db'), sqliteSynchronous: sync });
  return {
    store,
    async drop() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A new database on the bench's PostgreSQL server, dropped again by `drop()`. */
export async function freshPostgres(url = BENCH_PG_URL, poolSize = 4): Promise<FreshStore> {
  const db = await scratchDatabase(url, 'tongban_bench');
  const store = await openStore({ databaseUrl: db.url, poolSize });
  return {
    store,
    async drop() {
      await store.close();
      await db.drop();
    },
  };
}

export async function pgReachable(url = BENCH_PG_URL): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}
