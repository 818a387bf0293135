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
