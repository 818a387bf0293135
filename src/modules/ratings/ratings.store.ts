import { type Kysely, type Migration, sql } from 'kysely';
import { type Executor, insertPrecompiled, startsWithPrefix } from '../../platform/db/index.js';

/**
 * The ratings module's tables, their migrations and every query. Every table carries the
 * handling department's region code (shardable by region). A rating is append-only; a
 * rectification's steps are appended, its status column is the projection of those steps.
 */
export type RatingsTables = {
  ratings: {
    id: string;
    case_number: string;
    stage: string;
    channel: string;
    /** 'first' or 'followUp' (追评): one of each per case × stage × channel */
    round: string;
    level: number;
    indicators: string;
    text: string | null;
    anonymous: number;
    real_name: number;
    rater_id: string;
    department_id: string;
    region_code: string;
    item_code: string | null;
    hall_id: string | null;
    window_code: string | null;
    clerk_id: string | null;
    created_at: string;
  };
  ratings_links: {
    id: string;
    case_number: string;
    stage: string;
    channel: string;
    window_code: string | null;
    clerk_id: string | null;
    region_code: string;
    expires_at: string;
    used_at: string | null;
    created_at: string;
  };
  ratings_rectifications: {
    id: string;
    rating_id: string;
    case_number: string;
    department_id: string;
    region_code: string;
    level: number;
    rater_id: string;
    real_name: number;
    opened_on: string;
    due_on: string;
    status: string;
    called_back: number;
    outcome: string | null;
    closed_on: string | null;
    on_time: number | null;
    fix_level: number | null;
    created_at: string;
    updated_at: string;
  };
  ratings_rectification_steps: {
    rectification_id: string;
    seq: number;
    action: string;
    note: string;
    actor_id: string | null;
    region_code: string;
    at: string;
  };
  ratings_complaints: {
    id: string;
    complaint_number: string;
    kind: string;
    subject: string;
    title: string;
    body: string;
    department_id: string;
    region_code: string;
    channel: string;
    filer_id: string | null;
    /** the 12345 client and its ticket number (idempotency key) */
    hotline_client: string | null;
    ticket: string | null;
    filed_on: string;
    due_on: string;
    status: string;
    answer: string | null;
    answered_by: string | null;
    answered_at: string | null;
    on_time: number | null;
    answer_level: number | null;
    created_at: string;
  };
  ratings_counters: { prefix: string; last: number };
  /** answers posted back to the 12345 system: delivered, retried and recorded by a worker */
  ratings_deliveries: {
    id: string;
    complaint_number: string;
    region_code: string;
    url: string;
    body: string;
    attempts: number;
    next_at: string;
    delivered_at: string | null;
    last_status: number | null;
    last_error: string | null;
    created_at: string;
  };
};

export const ratingsMigrations: Record<string, Migration> = {
  'ratings.0001_ratings': {
    async up(db: Kysely<unknown>) {
      const s = db.schema;
      await s
        .createTable('ratings')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('case_number', 'text', (c) => c.notNull())
        .addColumn('stage', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('round', 'text', (c) => c.notNull())
        .addColumn('level', 'integer', (c) => c.notNull())
        .addColumn('indicators', 'text', (c) => c.notNull())
        .addColumn('text', 'text')
        .addColumn('anonymous', 'integer', (c) => c.notNull())
        .addColumn('real_name', 'integer', (c) => c.notNull())
        .addColumn('rater_id', 'text', (c) => c.notNull())
        .addColumn('department_id', 'text', (c) => c.notNull())
        .addColumn('region_code', 'text', (c) => c.notNull())
        .addColumn('item_code', 'text')
        .addColumn('hall_id', 'text')
        .addColumn('window_code', 'text')
        .addColumn('clerk_id', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      // 一事一评: one rating (and one follow-up) per case × stage × channel, whoever races
      await s
        .createIndex('ratings_once')
        .on('ratings')
        .columns(['case_number', 'stage', 'channel', 'round'])
        .unique()
        .execute();
      await s.createIndex('ratings_rater').on('ratings').columns(['rater_id', 'created_at']).execute();
      await s
        .createIndex('ratings_department')
        .on('ratings')
        .columns(['department_id', 'created_at'])
        .execute();
      await s
        .createTable('ratings_links')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('case_number', 'text', (c) => c.notNull())
        .addColumn('stage', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('window_code', 'text')
        .addColumn('clerk_id', 'text')
        .addColumn('region_code', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('used_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await s
        .createTable('ratings_rectifications')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('rating_id', 'text', (c) => c.notNull().unique())
        .addColumn('case_number', 'text', (c) => c.notNull())
        .addColumn('department_id', 'text', (c) => c.notNull())
        .addColumn('region_code', 'text', (c) => c.notNull())
        .addColumn('level', 'integer', (c) => c.notNull())
        .addColumn('rater_id', 'text', (c) => c.notNull())
        .addColumn('real_name', 'integer', (c) => c.notNull())
        .addColumn('opened_on', 'text', (c) => c.notNull())
        .addColumn('due_on', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('called_back', 'integer', (c) => c.notNull())
        .addColumn('outcome', 'text')
        .addColumn('closed_on', 'text')
        .addColumn('on_time', 'integer')
        .addColumn('fix_level', 'integer')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await s
        .createIndex('ratings_rectifications_queue')
        .on('ratings_rectifications')
        .columns(['department_id', 'status', 'due_on'])
        .execute();
      await s
        .createTable('ratings_rectification_steps')
        .addColumn('rectification_id', 'text', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('note', 'text', (c) => c.notNull())
        .addColumn('actor_id', 'text')
        .addColumn('region_code', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('ratings_rectification_steps_pk', ['rectification_id', 'seq'])
        .execute();
      await s
        .createTable('ratings_complaints')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('complaint_number', 'text', (c) => c.notNull().unique())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('department_id', 'text', (c) => c.notNull())
        .addColumn('region_code', 'text', (c) => c.notNull())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('filer_id', 'text')
        .addColumn('hotline_client', 'text')
        .addColumn('ticket', 'text')
        .addColumn('filed_on', 'text', (c) => c.notNull())
        .addColumn('due_on', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('answer', 'text')
        .addColumn('answered_by', 'text')
        .addColumn('answered_at', 'text')
        .addColumn('on_time', 'integer')
        .addColumn('answer_level', 'integer')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      // the hotline's ticket number makes its intake idempotent
      await s
        .createIndex('ratings_complaints_ticket')
        .on('ratings_complaints')
        .columns(['hotline_client', 'ticket'])
        .unique()
        .execute();
      await s
        .createIndex('ratings_complaints_queue')
        .on('ratings_complaints')
        .columns(['department_id', 'status', 'due_on'])
        .execute();
      await s
        .createIndex('ratings_complaints_filer')
        .on('ratings_complaints')
        .columns(['filer_id', 'created_at'])
        .execute();
      await s
        .createTable('ratings_counters')
        .addColumn('prefix', 'text', (c) => c.primaryKey())
        .addColumn('last', 'integer', (c) => c.notNull())
        .execute();
      await s
        .createTable('ratings_deliveries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('complaint_number', 'text', (c) => c.notNull().unique())
        .addColumn('region_code', 'text', (c) => c.notNull())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('next_at', 'text', (c) => c.notNull())
        .addColumn('delivered_at', 'text')
        .addColumn('last_status', 'integer')
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await s
        .createIndex('ratings_deliveries_due')
        .on('ratings_deliveries')
        .columns(['delivered_at', 'next_at'])
        .execute();
    },
  },
};

export const rdb = (db: Executor) => db.withTables<RatingsTables>();
export type RatingRow = RatingsTables['ratings'];
export type LinkRow = RatingsTables['ratings_links'];
export type RectificationRow = RatingsTables['ratings_rectifications'];
export type StepRow = RatingsTables['ratings_rectification_steps'];
export type ComplaintRow = RatingsTables['ratings_complaints'];
export type DeliveryRow = RatingsTables['ratings_deliveries'];

/** Inserts a rating unless one exists for the case × stage × channel × round: true when it did. */
export async function insertRatingOnce(trx: Executor, r: RatingRow): Promise<boolean> {
  const res = await rdb(trx)
    .insertInto('ratings')
    .values(r)
    .onConflict((oc) => oc.columns(['case_number', 'stage', 'channel', 'round']).doNothing())
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0) === 1;
}

export const ratingOf = (db: Executor, caseNumber: string, stage: string, channel: string, round: string) =>
  rdb(db)
    .selectFrom('ratings')
    .selectAll()
    .where('case_number', '=', caseNumber)
    .where('stage', '=', stage)
    .where('channel', '=', channel)
    .where('round', '=', round)
    .executeTakeFirst();

/** The ratings of several cases in one query, oldest first. */
export const ratingsOfCases = async (db: Executor, caseNumbers: readonly string[]) =>
  caseNumbers.length === 0
    ? []
    : rdb(db)
        .selectFrom('ratings')
        .selectAll()
        .where('case_number', 'in', [...caseNumbers])
        .orderBy('created_at')
        .execute();

export const ratingsOfCase = (db: Executor, caseNumber: string) =>
  rdb(db)
    .selectFrom('ratings')
    .selectAll()
    .where('case_number', '=', caseNumber)
    .orderBy('created_at')
    .execute();

export const ratingsByRater = (db: Executor, raterId: string, limit = 100) =>
  rdb(db)
    .selectFrom('ratings')
    .selectAll()
    .where('rater_id', '=', raterId)
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();

export const countRatings = async (db: Executor): Promise<number> =>
  Number(
    (
      await rdb(db)
        .selectFrom('ratings')
        .select((e) => e.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

// ── links ────────────────────────────────────────────────────────────────────────────────────

const LINK_COLUMNS = [
  'id',
  'case_number',
  'stage',
  'channel',
  'window_code',
  'clerk_id',
  'region_code',
  'expires_at',
  'used_at',
  'created_at',
] as const satisfies ReadonlyArray<keyof LinkRow>;

/** One rating link (after each acceptance and completion): compiled once. */
export const insertLink = (trx: Executor, l: LinkRow) =>
  insertPrecompiled(trx, rdb, 'ratings_links', LINK_COLUMNS, [l]);
/** Several (the outbox consumer's batch): statements of up to 64 rows, each compiled once. */
export const insertLinks = (trx: Executor, ls: readonly LinkRow[]) =>
  insertPrecompiled(trx, rdb, 'ratings_links', LINK_COLUMNS, ls);
export const linkById = (db: Executor, id: string) =>
  rdb(db).selectFrom('ratings_links').selectAll().where('id', '=', id).executeTakeFirst();

/** Takes a link for one use: true only for the one transaction that marks it used. */
export async function useLink(trx: Executor, id: string, at: string): Promise<boolean> {
  const r = await rdb(trx)
    .updateTable('ratings_links')
    .set({ used_at: at })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

// ── rectifications ───────────────────────────────────────────────────────────────────────────

export const insertRectification = (trx: Executor, r: RectificationRow) =>
  rdb(trx).insertInto('ratings_rectifications').values(r).execute();
export const rectificationById = (db: Executor, id: string) =>
  rdb(db).selectFrom('ratings_rectifications').selectAll().where('id', '=', id).executeTakeFirst();
export const rectificationOfRating = (db: Executor, ratingId: string) =>
  rdb(db)
    .selectFrom('ratings_rectifications')
    .selectAll()
    .where('rating_id', '=', ratingId)
    .executeTakeFirst();
export const stepsOf = (db: Executor, id: string) =>
  rdb(db)
    .selectFrom('ratings_rectification_steps')
    .selectAll()
    .where('rectification_id', '=', id)
    .orderBy('seq')
    .execute();
export const appendStep = (trx: Executor, s: StepRow) =>
  rdb(trx).insertInto('ratings_rectification_steps').values(s).execute();

/** Writes the projection only if no one changed it since it was read (`updated_at` as the version). */
export async function updateRectification(
  trx: Executor,
  id: string,
  readAt: string,
  set: Partial<RectificationRow>,
): Promise<boolean> {
  const r = await rdb(trx)
    .updateTable('ratings_rectifications')
    .set(set)
    .where('id', '=', id)
    .where('updated_at', '=', readAt)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export const rectificationQueue = (
  db: Executor,
  f: {
    departmentIds?: readonly string[] | undefined;
    regionPrefix?: string | undefined;
    status?: readonly string[];
  },
  limit = 200,
) => {
  let q = rdb(db).selectFrom('ratings_rectifications').selectAll();
  if (f.departmentIds)
    q = q.where('department_id', 'in', f.departmentIds.length ? f.departmentIds : ['\u0000']);
  if (f.regionPrefix) q = q.where(startsWithPrefix('region_code', f.regionPrefix));
  if (f.status) q = q.where('status', 'in', f.status);
  return q.orderBy('due_on').orderBy('id').limit(limit).execute();
};

// ── complaints ───────────────────────────────────────────────────────────────────────────────

/** The next number of a prefix (yyyyMMdd), inside the caller's transaction. */
export async function nextNumber(trx: Executor, prefix: string): Promise<number> {
  const r = await rdb(trx)
    .insertInto('ratings_counters')
    .values({ prefix, last: 1 })
    .onConflict((oc) => oc.column('prefix').doUpdateSet({ last: sql`ratings_counters.last + 1` }))
    .returning('last')
    .executeTakeFirstOrThrow();
  return Number(r.last);
}

export const insertComplaint = (trx: Executor, c: ComplaintRow) =>
  rdb(trx)
    .insertInto('ratings_complaints')
    .values(c)
    .onConflict((oc) => oc.columns(['hotline_client', 'ticket']).doNothing())
    .executeTakeFirst()
    .then((r) => Number(r.numInsertedOrUpdatedRows ?? 0) === 1);

export const complaintByNumber = (db: Executor, n: string) =>
  rdb(db).selectFrom('ratings_complaints').selectAll().where('complaint_number', '=', n).executeTakeFirst();
export const complaintByTicket = (db: Executor, client: string, ticket: string) =>
  rdb(db)
    .selectFrom('ratings_complaints')
    .selectAll()
    .where('hotline_client', '=', client)
    .where('ticket', '=', ticket)
    .executeTakeFirst();
export const complaintsByFiler = (db: Executor, filer: string) =>
  rdb(db)
    .selectFrom('ratings_complaints')
    .selectAll()
    .where('filer_id', '=', filer)
    .orderBy('created_at', 'desc')
    .limit(100)
    .execute();
export const complaintQueue = (
  db: Executor,
  f: {
    departmentIds?: readonly string[] | undefined;
    regionPrefix?: string | undefined;
    status?: readonly string[];
  },
  limit = 200,
) => {
  let q = rdb(db).selectFrom('ratings_complaints').selectAll();
  if (f.departmentIds)
    q = q.where('department_id', 'in', f.departmentIds.length ? f.departmentIds : ['\u0000']);
  if (f.regionPrefix) q = q.where(startsWithPrefix('region_code', f.regionPrefix));
  if (f.status) q = q.where('status', 'in', f.status);
  return q.orderBy('due_on').orderBy('id').limit(limit).execute();
};

/** Sets the answer once: false when it was already answered (a racing second answer). */
export async function answerComplaint(
  trx: Executor,
  id: string,
  set: Pick<ComplaintRow, 'answer' | 'answered_by' | 'answered_at' | 'on_time'>,
): Promise<boolean> {
  const r = await rdb(trx)
    .updateTable('ratings_complaints')
    .set({ ...set, status: 'answered' })
    .where('id', '=', id)
    .where('status', '=', 'open')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function rateAnswer(trx: Executor, id: string, level: number): Promise<boolean> {
  const r = await rdb(trx)
    .updateTable('ratings_complaints')
    .set({ answer_level: level })
    .where('id', '=', id)
    .where('status', '=', 'answered')
    .where('answer_level', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

// ── deliveries to the 12345 system ───────────────────────────────────────────────────────────

export const insertDelivery = (trx: Executor, d: DeliveryRow) =>
  rdb(trx)
    .insertInto('ratings_deliveries')
    .values(d)
    .onConflict((oc) => oc.column('complaint_number').doNothing())
    .execute();
export const dueDeliveries = (db: Executor, now: string, limit: number) =>
  rdb(db)
    .selectFrom('ratings_deliveries')
    .selectAll()
    .where('delivered_at', 'is', null)
    .where('next_at', '<=', now)
    .orderBy('next_at')
    .limit(limit)
    .execute();
export const recordAttempt = (
  db: Executor,
  id: string,
  set: Pick<DeliveryRow, 'attempts' | 'next_at' | 'delivered_at' | 'last_status' | 'last_error'>,
) => rdb(db).updateTable('ratings_deliveries').set(set).where('id', '=', id).execute();
export const deliveryOf = (db: Executor, complaintNumber: string) =>
  rdb(db)
    .selectFrom('ratings_deliveries')
    .selectAll()
    .where('complaint_number', '=', complaintNumber)
    .executeTakeFirst();

// ── public monthly results ───────────────────────────────────────────────────────────────────

/** Per department: ratings of a month (China month, by created_at's UTC+8 date) and rectification counts. */
export async function monthlyByDepartment(
  db: Executor,
  regionPrefix: string,
  fromIso: string,
  toIso: string,
) {
  const ratings = await rdb(db)
    .selectFrom('ratings')
    .select((e) => [
      'department_id',
      e.fn.countAll<number>().as('total'),
      e.fn.sum<number>(sql`case when level >= 4 then 1 else 0 end`).as('good'),
      e.fn.sum<number>(sql`case when level <= 2 then 1 else 0 end`).as('poor'),
    ])
    .where('round', '=', 'first')
    .where(startsWithPrefix('region_code', regionPrefix))
    .where('created_at', '>=', fromIso)
    .where('created_at', '<', toIso)
    .groupBy('department_id')
    .execute();
  const rect = await rdb(db)
    .selectFrom('ratings_rectifications')
    .select((e) => [
      'department_id',
      e.fn.countAll<number>().as('opened'),
      e.fn.sum<number>(sql`case when status = 'closed' then 1 else 0 end`).as('closed'),
    ])
    .where(startsWithPrefix('region_code', regionPrefix))
    .where('created_at', '>=', fromIso)
    .where('created_at', '<', toIso)
    .groupBy('department_id')
    .execute();
  return { ratings, rect };
}

/**
 * The first ratings given in an interval to cases a hall received (the hall manager's day): the
 * level and channel, and for the window pad the window and the clerk (一次一评).
 */
export async function ratingsOfHall(db: Executor, hallId: string, from: string, to: string) {
  return rdb(db)
    .selectFrom('ratings')
    .select(['level', 'channel', 'window_code', 'clerk_id'])
    .where('hall_id', '=', hallId)
    .where('round', '=', 'first')
    .where('created_at', '>=', from)
    .where('created_at', '<', to)
    .execute();
}
