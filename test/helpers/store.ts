import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type Store, openStore } from '../../src/platform/db/index.js';

/**
 * A fresh, empty store for one test file: SQLite in memory by default, or a new PostgreSQL
 * database when TONGBAN_TEST_DATABASE_URL is set (dropped again by `close()`).
 */
export const testDialect = (): 'sqlite' | 'postgres' =>
  process.env.TONGBAN_TEST_DATABASE_URL ? 'postgres' : 'sqlite';

export async function openTestStore(): Promise<Store> {
  const base = process.env.TONGBAN_TEST_DATABASE_URL;
  if (!base) return openStore({ sqliteFile: ':memory:', sqliteSynchronous: 'NORMAL' });
  const name = `tongban_t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const u = new URL(base);
  u.pathname = `/${name}`;
  const store = await openStore({ databaseUrl: u.toString(), poolSize: 5 });
  return {
    ...store,
    async close() {
      await store.close();
      const a = new pg.Client({ connectionString: base });
      await a.connect();
      // connections still closing: give them a moment before forcing them out
      for (let i = 0; ; i++) {
        try {
          await a.query(
            i < 20 ? `drop database if exists ${name}` : `drop database if exists ${name} with (force)`,
          );
          break;
        } catch (e) {
          if (i >= 20) throw e;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      await a.end();
    },
  };
}
