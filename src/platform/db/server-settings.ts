import { sql } from 'kysely';
import type { Store } from './store.js';

/**
 * PostgreSQL settings a node should warn of at start (docs/operations.md, "Keep autovacuum on"):
 * every case action updates its case's row, so with autovacuum off — or without the statistics it
 * runs on — `cases` and its indexes keep every dead version, and the case's read, its update and
 * the workbench's counts slow down with each run of updates (seen on a development server:
 * 78,000 dead rows beside 37,000 live after three minutes of load). SQLite has nothing to vacuum
 * between its checkpoints: no warning there.
 */
export interface SettingWarning {
  readonly setting: string;
  readonly value: string;
  readonly message: string;
}

/** The warnings for a server's settings (name → value, as pg_settings has them). */
export function warningsFor(settings: ReadonlyMap<string, string>): SettingWarning[] {
  const out: SettingWarning[] = [];
  for (const setting of ['autovacuum', 'track_counts']) {
    const value = settings.get(setting);
    if (value === 'off')
      out.push({
        setting,
        value,
        message: `PostgreSQL ${setting} is off: updated tables (cases above all) keep their dead rows and slow down; turn it on (docs/operations.md, "Keep autovacuum on")`,
      });
  }
  return out;
}

/** Reads the server's settings that {@link warningsFor} judges; none on SQLite. */
export async function serverSettingWarnings(store: Store): Promise<SettingWarning[]> {
  if (store.dialect !== 'postgres') return [];
  const r = await sql<{ name: string; setting: string }>`
    select name, setting from pg_settings where name in ('autovacuum', 'track_counts')`.execute(store.db);
  return warningsFor(new Map(r.rows.map((x) => [x.name, x.setting])));
}
