import { type Migration, sql } from 'kysely';
import type { Executor } from '../../platform/db/index.js';
import type { FreeText } from './ratings.context.js';

/**
 * The upgrade step of the free text sealed at rest (ratings.context `FreeText`): every value of
 * the columns below still stored in clear — written before ratings.0002, or by a node of the
 * previous release during a rolling deploy — sealed in place, in batches of 200 rows. Idempotent:
 * a sealed value is skipped, so it runs again safely (`tongban ratings seal-text`). Answers how
 * many rows it changed. The clear values are found by SQL (`not like 'v1.%'`), so a pass over a
 * sealed store reads nothing.
 */
const FREE_TEXT: ReadonlyArray<{ table: string; keys: readonly string[]; columns: readonly string[] }> = [
  { table: 'ratings', keys: ['id'], columns: ['text'] },
  { table: 'ratings_complaints', keys: ['id'], columns: ['title', 'body', 'answer'] },
  { table: 'ratings_rectification_steps', keys: ['rectification_id', 'seq'], columns: ['note'] },
  { table: 'ratings_deliveries', keys: ['id'], columns: ['body'] },
];

export async function sealStoredText(db: Executor, text: FreeText): Promise<number> {
  let changed = 0;
  for (const { table, keys, columns } of FREE_TEXT) {
    const inClear = sql.join(
      columns.map((c) => sql`(${sql.ref(c)} is not null and ${sql.ref(c)} not like 'v1.%')`),
      sql` or `,
    );
    for (;;) {
      const rows = (
        await sql<Record<string, string | number | null>>`select ${sql.join(
          [...keys, ...columns].map((c) => sql.ref(c)),
        )} from ${sql.table(table)} where ${inClear} limit 200`.execute(db)
      ).rows;
      if (rows.length === 0) break;
      for (const row of rows) {
        const set = columns.flatMap((c) => {
          const v = row[c];
          return typeof v === 'string' && !text.isSealed(v) ? [sql`${sql.ref(c)} = ${text.seal(v)}`] : [];
        });
        if (set.length === 0) continue;
        await sql`update ${sql.table(table)} set ${sql.join(set)} where ${sql.join(
          keys.map((k) => sql`${sql.ref(k)} = ${row[k]}`),
          sql` and `,
        )}`.execute(db);
        changed++;
      }
    }
  }
  return changed;
}

/** ratings.0002: the free text stored before this release sealed (built with the key, as cases.0004). */
export function sealedTextMigrations(text: FreeText): Record<string, Migration> {
  return {
    'ratings.0002_seal_free_text': {
      async up(db) {
        await sealStoredText(db as unknown as Executor, text);
      },
    },
  };
}
