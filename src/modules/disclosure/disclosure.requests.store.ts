import { type Kysely, type Migration, sql } from 'kysely';
import { type Executor, columnTypes, dialectOf } from '../../platform/db/index.js';

/**
 * 依申请公开 at rest: a request (who asked is sealed personal data), its actions (append-only:
 * the record the law wants; state and clock are folded from them), stored files by content hash,
 * and the per-body daily counter the request numbers take.
 */
export type RequestTables = {
  disclosure_requests: {
    request_number: string;
    region_code: string;
    body_id: string;
    body_name: string;
    channel: string;
    received_on: string;
    requester_account_id: string | null;
    requester_kind: string;
    /** an organisation's type (the annual report's sub-columns); null for a person */
    requester_org_type: string | null;
    /** Requester as JSON, sealed (AES-256-GCM, the personal-data cipher) */
    requester_sealed: string;
    description: string;
    purpose: string | null;
    form: string;
    delivery: string;
    public_register: number;
    forwarded_from: string | null;
    /** projections of the action fold, for queues and counts; the actions are the record */
    state: string;
    due_on: string | null;
    reply_kind: string | null;
    answered_on: string | null;
    created_at: string;
    created_by: string | null;
  };
  disclosure_request_actions: {
    id: string;
    request_number: string;
    region_code: string;
    seq: number;
    type: string;
    /** China date the action belongs to (the clock's day) */
    day: string;
    payload: string;
    actor: string | null;
    at: string;
  };
  disclosure_files: {
    sha256: string;
    media_type: string;
    size: number;
    content: Buffer;
    created_at: string;
  };
  disclosure_counters: { key: string; value: number };
};

export const requestMigrations: Record<string, Migration> = {
  'disclosure.0002_requests': {
    async up(db: Kysely<unknown>) {
      const t = columnTypes(db);
      await db.schema
        .createTable('disclosure_requests')
        .addColumn('request_number', 'text', (c) => c.primaryKey())
        .addColumn('region_code', 'text', (c) => c.notNull())
        .addColumn('body_id', 'text', (c) => c.notNull())
        .addColumn('body_name', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('received_on', 'text', (c) => c.notNull())
        .addColumn('requester_account_id', 'text')
        .addColumn('requester_kind', 'text', (c) => c.notNull())
        .addColumn('requester_sealed', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('purpose', 'text')
        .addColumn('form', 'text', (c) => c.notNull())
        .addColumn('delivery', 'text', (c) => c.notNull())
        .addColumn('public_register', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('forwarded_from', 'text')
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('due_on', 'text')
        .addColumn('reply_kind', 'text')
        .addColumn('answered_on', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text')
        .execute();
      await db.schema
        .createIndex('disclosure_requests_queue')
        .on('disclosure_requests')
        .columns(['body_id', 'state', 'due_on'])
        .execute();
      await db.schema
        .createIndex('disclosure_requests_requester')
        .on('disclosure_requests')
        .columns(['requester_account_id', 'created_at'])
        .execute();
      await db.schema
        .createIndex('disclosure_requests_received')
        .on('disclosure_requests')
        .columns(['region_code', 'received_on'])
        .execute();
      await db.schema
        .createTable('disclosure_request_actions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('request_number', 'text', (c) => c.notNull())
        .addColumn('region_code', 'text', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('day', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('actor', 'text')
        .addColumn('at', 'text', (c) => c.notNull())
        .addUniqueConstraint('disclosure_request_actions_seq', ['request_number', 'seq'])
        .execute();
      await db.schema
        .createTable('disclosure_files')
        .addColumn('sha256', 'text', (c) => c.primaryKey())
        .addColumn('media_type', 'text', (c) => c.notNull())
        .addColumn('size', 'integer', (c) => c.notNull())
        .addColumn('content', t.blob, (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('disclosure_counters')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'integer', (c) => c.notNull())
        .execute();
    },
  },
};

requestMigrations['disclosure.0006_requester_org_type'] = {
  // requests filed before it count as 其他 in the organisation columns
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('disclosure_requests').addColumn('requester_org_type', 'text').execute();
  },
};

const rdb = (db: Executor) => db.withTables<RequestTables>();
export type RequestRow = RequestTables['disclosure_requests'];
export type ActionRow = RequestTables['disclosure_request_actions'];

/** The next number of a key's sequence, in the caller's transaction (one upsert, both dialects). */
export async function nextCounter(db: Executor, key: string): Promise<number> {
  const r = await rdb(db)
    .insertInto('disclosure_counters')
    .values({ key, value: 1 })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: sql<number>`disclosure_counters.value + 1` }))
    .returning('value')
    .executeTakeFirstOrThrow();
  return Number(r.value);
}

export async function insertRequest(db: Executor, row: RequestRow): Promise<void> {
  await rdb(db).insertInto('disclosure_requests').values(row).execute();
}

export async function findRequest(
  db: Executor,
  requestNumber: string,
  opts: { lock?: boolean } = {},
): Promise<RequestRow | undefined> {
  let q = rdb(db).selectFrom('disclosure_requests').selectAll().where('request_number', '=', requestNumber);
  // PostgreSQL: one action at a time per request (SQLite has a single writer anyway)
  if (opts.lock && dialectOf(db) === 'postgres') q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function actionsOf(db: Executor, requestNumber: string): Promise<ActionRow[]> {
  return rdb(db)
    .selectFrom('disclosure_request_actions')
    .selectAll()
    .where('request_number', '=', requestNumber)
    .orderBy('seq')
    .execute();
}

export async function insertAction(db: Executor, row: ActionRow): Promise<void> {
  await rdb(db).insertInto('disclosure_request_actions').values(row).execute();
}

export async function updateProjection(
  db: Executor,
  requestNumber: string,
  p: Pick<RequestRow, 'state' | 'due_on' | 'reply_kind' | 'answered_on'>,
): Promise<void> {
  await rdb(db)
    .updateTable('disclosure_requests')
    .set(p)
    .where('request_number', '=', requestNumber)
    .execute();
}

export async function putFile(
  db: Executor,
  f: { sha256: string; mediaType: string; data: Buffer; at: string },
): Promise<void> {
  await rdb(db)
    .insertInto('disclosure_files')
    .values({
      sha256: f.sha256,
      media_type: f.mediaType,
      size: f.data.length,
      content: f.data,
      created_at: f.at,
    })
    .onConflict((oc) => oc.column('sha256').doNothing())
    .execute();
}

export async function getFile(
  db: Executor,
  sha256: string,
): Promise<{ mediaType: string; data: Buffer } | undefined> {
  const r = await rdb(db)
    .selectFrom('disclosure_files')
    .select(['media_type', 'content'])
    .where('sha256', '=', sha256)
    .executeTakeFirst();
  return r ? { mediaType: r.media_type, data: Buffer.from(r.content) } : undefined;
}

export async function queueOf(
  db: Executor,
  q: { bodyId: string; open: boolean; offset: number; limit: number },
): Promise<{ total: number; rows: RequestRow[] }> {
  const OPEN = ['running', 'consulting', 'awaitingSupplement'];
  let base = rdb(db).selectFrom('disclosure_requests').where('body_id', '=', q.bodyId);
  base = q.open ? base.where('state', 'in', OPEN) : base.where('state', 'not in', OPEN);
  const n = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  const rows = await base
    .selectAll()
    .orderBy('due_on')
    .orderBy('request_number')
    .offset(q.offset)
    .limit(q.limit)
    .execute();
  return { total: Number(n?.n ?? 0), rows };
}

export async function requestsOfAccount(
  db: Executor,
  accountId: string,
  limit: number,
): Promise<RequestRow[]> {
  return rdb(db)
    .selectFrom('disclosure_requests')
    .selectAll()
    .where('requester_account_id', '=', accountId)
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
}

export async function requestsInState(db: Executor, state: string, limit: number): Promise<RequestRow[]> {
  return rdb(db)
    .selectFrom('disclosure_requests')
    .selectAll()
    .where('state', '=', state)
    .orderBy('request_number')
    .limit(limit)
    .execute();
}

/** The public register: requests whose requester agreed, answered, newest first. */
export async function registerPage(
  db: Executor,
  q: { bodyId?: string | undefined; offset: number; limit: number },
): Promise<{ total: number; rows: RequestRow[] }> {
  let base = rdb(db)
    .selectFrom('disclosure_requests')
    .where('public_register', '=', 1)
    .where('state', '=', 'answered');
  if (q.bodyId) base = base.where('body_id', '=', q.bodyId);
  const n = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  const rows = await base
    .selectAll()
    .orderBy('answered_on', 'desc')
    .orderBy('request_number', 'desc')
    .offset(q.offset)
    .limit(q.limit)
    .execute();
  return { total: Number(n?.n ?? 0), rows };
}

/** Keyset pages over the public register (the search index's build scan). */
export async function scanRegister(db: Executor, after: string, limit: number): Promise<RequestRow[]> {
  return rdb(db)
    .selectFrom('disclosure_requests')
    .selectAll()
    .where('public_register', '=', 1)
    .where('state', '=', 'answered')
    .where('request_number', '>', after)
    .orderBy('request_number')
    .limit(limit)
    .execute();
}

/**
 * The place of a request among its account's requests received in the same China month (1-based,
 * by receipt day, filing time, then number): what the 信息处理费 is counted on. Requests with no account
 * (by post or in person for an unregistered person) are each counted alone.
 */
export async function placeInMonth(db: Executor, row: RequestRow): Promise<number> {
  if (!row.requester_account_id) return 1;
  const month = row.received_on.slice(0, 7);
  const r = await rdb(db)
    .selectFrom('disclosure_requests')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('requester_account_id', '=', row.requester_account_id)
    .where('received_on', '>=', `${month}-01`)
    .where('received_on', '<=', `${month}-31`)
    .where((eb) =>
      eb.or([
        eb('received_on', '<', row.received_on),
        eb.and([eb('received_on', '=', row.received_on), eb('created_at', '<', row.created_at)]),
        eb.and([
          eb('received_on', '=', row.received_on),
          eb('created_at', '=', row.created_at),
          eb('request_number', '<=', row.request_number),
        ]),
      ]),
    )
    .executeTakeFirst();
  return Number(r?.n ?? 1);
}
