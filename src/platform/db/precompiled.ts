import type { Compilable, CompiledQuery, Kysely, QueryResult } from 'kysely';
import { type Executor, dialectOf } from './store.js';

/**
 * Hot statements built and compiled by Kysely once per dialect and shape, with placeholder values;
 * each call binds its values into that compiled SQL. The SQL is exactly what the builder gives, so
 * both dialects run what they ran before, without the per-call building and compiling (measured:
 * the larger part of a queue ticket's CPU time outside the store). The same idea as the cases
 * store's, for any module's tables: `tables` gives the module's typed view of the executor.
 */
interface Compiled {
  readonly query: CompiledQuery;
  /** for each bound parameter of the compiled SQL: the index of its value, or a constant of the statement */
  readonly order: ReadonlyArray<number | { readonly constant: unknown }>;
}
const compiled = new Map<string, Compiled>();
const SLOT = '\u0000slot:';

export function runPrecompiled<T, R>(
  db: Executor,
  tables: (db: Executor) => Kysely<T>,
  key: string,
  build: (q: Kysely<T>, slot: (i: number) => never) => Compilable<R>,
  values: readonly unknown[],
): Promise<QueryResult<R>> {
  const k = `${dialectOf(db)}|${key}`;
  let c = compiled.get(k);
  if (!c) {
    const query = build(tables(db), (i) => `${SLOT}${i}` as never).compile() as CompiledQuery;
    const order = query.parameters.map((v) =>
      typeof v === 'string' && v.startsWith(SLOT) ? Number(v.slice(SLOT.length)) : { constant: v },
    );
    c = { query, order };
    compiled.set(k, c);
  }
  const { query, order } = c;
  const parameters = order.map((o) => (typeof o === 'number' ? values[o] : o.constant));
  return db.executeQuery<R>({ ...query, parameters } as CompiledQuery<R>);
}

/** Rows per statement of {@link insertPrecompiled}: one compiled statement per count up to this. */
export const PRECOMPILED_INSERT_ROWS = 64;

/**
 * A multi-row insert of `rows` into `table` (every row giving `columns`), in statements of at most
 * PRECOMPILED_INSERT_ROWS rows, each compiled once per dialect and row count: a batch of lookups'
 * records or events goes in without building and compiling its statement every time. 64 rows of
 * 14 columns stay far below SQLite's bound-variable limit.
 */
export async function insertPrecompiled<T, Row extends Record<string, unknown>>(
  db: Executor,
  tables: (db: Executor) => Kysely<T>,
  table: string,
  columns: ReadonlyArray<keyof Row & string>,
  rows: readonly Row[],
): Promise<void> {
  const width = columns.length;
  for (let i = 0; i < rows.length; i += PRECOMPILED_INSERT_ROWS) {
    const n = Math.min(PRECOMPILED_INSERT_ROWS, rows.length - i);
    const values = new Array<unknown>(n * width);
    for (let j = 0; j < n; j++) {
      const row = rows[i + j]!;
      for (let k = 0; k < width; k++) values[j * width + k] = row[columns[k]!];
    }
    await runPrecompiled(
      db,
      tables,
      `insert:${table}:${columns.join(',')}:${n}`,
      (q, slot) =>
        (q as unknown as Kysely<Record<string, Record<string, unknown>>>)
          .insertInto(table)
          .values(
            Array.from({ length: n }, (_, j) =>
              Object.fromEntries(columns.map((c, k) => [c, slot(j * width + k)])),
            ),
          ),
      values,
    );
  }
}
