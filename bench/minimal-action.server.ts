/**
 * The least a case action can cost on this stack — the ceiling beside the app in
 * bench/actions.bench.ts: Fastify and the platform's own store (the SQLite group commit at
 * synchronous=FULL, or the PostgreSQL pool), with none of the platform's work. `POST
 * /cases/:id/actions` does what any service with the same guarantees must: it looks the bearer
 * token up (by its SHA-256, as the platform keeps tokens), reads the case, writes the case guarded
 * by the version it read together with the action's event, and answers once that is durable.
 * SQLite: the token read on the reader connection, the case's read and write in one transaction
 * of a group-commit batch (as ADR 0032 reads an action's case). PostgreSQL: the token and the case
 * read by two statements, the write one statement that commits alone (as ADR 0036's actAlone).
 * Its tables (`mini_*`) are made and filled by `seedMinimal` in bench/cluster.ts.
 *   node --import tsx bench/minimal-action.server.ts PORT (SQLITE_FILE | POSTGRES_URL)
 */
import { createHash, randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { sql } from 'kysely';
import { openStore } from '../src/platform/db/store.js';

const port = Number(process.argv[2] ?? 3995);
const where = process.argv[3];
if (!where) throw new Error('usage: minimal-action.server.ts PORT (SQLITE_FILE | POSTGRES_URL)');
const store = await openStore(
  where.startsWith('postgres')
    ? { databaseUrl: where, poolSize: Number(process.env.BENCH_POOL_SIZE ?? 10) }
    : { sqliteFile: where, sqliteSynchronous: 'FULL' },
);
const db = store.db;

interface CaseRow {
  version: number;
  status: string;
}
const fail = (code: number, error: string) => Object.assign(new Error(error), { statusCode: code, error });

const app = Fastify({ logger: false });
app.get('/healthz', async () => 'ok');
app.post<{ Params: { id: string }; Body: { action?: unknown } }>('/cases/:id/actions', async (req) => {
  const auth = req.headers.authorization;
  if (!auth?.startsWith('Bearer ')) throw fail(401, 'UNAUTHENTICATED');
  const hash = createHash('sha256').update(auth.slice(7)).digest('hex');
  const now = new Date().toISOString();
  const token = (
    await sql<{ account_id: string; expires_at: string }>`
      select account_id, expires_at from mini_tokens where hash = ${hash}`.execute(db)
  ).rows[0];
  if (!token || token.expires_at <= now) throw fail(401, 'UNAUTHENTICATED');
  const action = req.body?.action;
  if (typeof action !== 'string' || action.length > 40) throw fail(400, 'VALIDATION');
  const id = req.params.id;
  const payload = JSON.stringify({ action, by: token.account_id });
  let version: number;
  if (store.dialect === 'postgres') {
    const c = (await sql<CaseRow>`select version, status from mini_cases where id = ${id}`.execute(db))
      .rows[0];
    if (!c) throw fail(404, 'NOT_FOUND');
    const w = await sql<{ id: string }>`
      with u as (
        update mini_cases set version = version + 1, status = ${action}, updated_at = ${now}
        where id = ${id} and version = ${c.version} returning id)
      insert into mini_events (id, aggregate_id, type, actor, payload, created_at)
      select ${randomUUID()}, u.id, ${action}, ${token.account_id}, ${payload}, ${now} from u
      returning aggregate_id`.execute(db);
    if (w.rows.length === 0) throw fail(409, 'CONCURRENT_CHANGE');
    version = c.version + 1;
  } else {
    version = await db.transaction().execute(async (trx) => {
      const c = (await sql<CaseRow>`select version, status from mini_cases where id = ${id}`.execute(trx))
        .rows[0];
      if (!c) throw fail(404, 'NOT_FOUND');
      await sql`update mini_cases set version = version + 1, status = ${action}, updated_at = ${now}
        where id = ${id}`.execute(trx);
      await sql`insert into mini_events (id, aggregate_id, type, actor, payload, created_at)
        values (${randomUUID()}, ${id}, ${action}, ${token.account_id}, ${payload}, ${now})`.execute(trx);
      return c.version + 1;
    });
  }
  return { caseId: id, action, version };
});
await app.listen({ host: '127.0.0.1', port });
process.on('SIGTERM', () => void app.close().then(() => store.close().then(() => process.exit(0))));
