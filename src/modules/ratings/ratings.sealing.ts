import { type Migration, sql } from 'kysely';
import type { Executor } from '../../platform/db/index.js';
import type { FreeText } from './ratings.context.js';
import { SYSTEM_STEP_ACTIONS } from './ratings.rate.js';

/**
 * The upgrade step of the free text sealed at rest (ratings.context `FreeText`): every value of
 * the columns below still stored in clear — written before ratings.0002, or by a node of the
 * previous release during a rolling deploy — sealed in place, row by row. Idempotent: a sealed
 * value is skipped, so it runs again safely (`tongban ratings seal-text`). Answers how many rows it
 * changed.
 *
 * Sealed or clear is decided as the reader decides it (`FreeText.isSealed`: the value opens with
 * this key — the AES-GCM tag checks it), never by its look: a clear text may itself start with
 * `v1.` or take the envelope's shape, and a pattern in SQL (`not like 'v1.%'`, as before) left such
 * a text in clear for good. So every row with text is read once, in key order, 200 at a time, and
 * each value tried: a pass over a sealed store reads and opens every value once (an operator's
 * command after a deploy, not a request path).
 *
 * The notes of the steps the system makes (SYSTEM_STEP_ACTIONS: a number of days, a level) name no
 * one and are left clear.
 */
const FREE_TEXT: ReadonlyArray<{
  table: string;
  keys: readonly string[];
  columns: readonly string[];
  /** rows whose text is never personal (made by the system) */
  skip?: { column: string; values: readonly string[] };
}> = [
  { table: 'ratings', keys: ['id'], columns: ['text'] },
  { table: 'ratings_complaints', keys: ['id'], columns: ['title', 'body', 'answer'] },
  {
    table: 'ratings_rectification_steps',
    keys: ['rectification_id', 'seq'],
    columns: ['note'],
    skip: { column: 'action', values: SYSTEM_STEP_ACTIONS },
  },
  { table: 'ratings_deliveries', keys: ['id'], columns: ['body'] },
];

export async function sealStoredText(db: Executor, text: FreeText): Promise<number> {
  let changed = 0;
  for (const { table, keys, columns, skip } of FREE_TEXT) {
    const someText = sql.join(
      columns.map((c) => sql`${sql.ref(c)} is not null`),
      sql` or `,
    );
    const personal = skip
      ? sql`${sql.ref(skip.column)} not in (${sql.join(skip.values.map((v) => sql.lit(v)))})`
      : sql`1 = 1`;
    const keyList = sql.join(keys.map((k) => sql.ref(k)));
    let after: ReadonlyArray<string | number | null> | undefined;
    for (;;) {
      const past = after ? sql`(${keyList}) > (${sql.join(after.map((v) => sql`${v}`))})` : sql`1 = 1`;
      const rows = (
        await sql<Record<string, string | number | null>>`select ${sql.join(
          [...keys, ...columns].map((c) => sql.ref(c)),
        )} from ${sql.table(table)} where (${someText}) and ${personal} and ${past}
        order by ${keyList} limit 200`.execute(db)
      ).rows;
      if (rows.length === 0) break;
      after = keys.map((k) => rows[rows.length - 1]![k] ?? null);
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
