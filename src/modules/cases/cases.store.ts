import { type Compilable, type Kysely, type Migration, type QueryResult, type RawBuilder, sql } from 'kysely';
import {
  type Executor,
  columnTypes,
  contractPhase,
  runPrecompiled as runPrecompiledOver,
  startsWithPrefix,
} from '../../platform/db/index.js';
import { EVENT_INSERT_COLUMNS, type EventInsert, type EventsTables } from '../../platform/events/index.js';
import { splitDraftKey } from './cases.draftkey.js';
import type { RecordedAction } from './cases.sla.js';
import type { CaseAction } from './cases.workflow.js';

/**
 * The cases tables. `case_actions` is the record (append-only: the store has no update or delete
 * for it); `cases.status` and the clock columns are a projection of it, rewritten in the same
 * transaction as each action so the queues can be read with an index.
 */
export type CasesTables = {
  cases: {
    id: string;
    case_number: string;
    /** the routed body's 实施编码 (the case number's prefix) */
    implementation_code: string;
    /** the 实施编码 applied for, whose published version's rules apply */
    item_code: string;
    item_version: number;
    item_name: string;
    applicant_id: string;
    applicant_kind: string;
    /** the applicant's region */
    region_code: string;
    /** the deciding body */
    department_id: string;
    decide_region_code: string;
    /** the receiving hall (null: applied online and not yet received by a hall) */
    hall_id: string | null;
    hall_region_code: string | null;
    channel: string;
    status: string;
    /** 1 while the case is not in a terminal status (queues read only open cases) */
    open: number;
    promised_days: number;
    statutory_days: number;
    accepted_on: string | null;
    promised_due: string | null;
    statutory_due: string | null;
    clock_state: string;
    colour: string;
    remaining_days: number | null;
    bundle_id: string | null;
    /** the application form, sealed with the personal-data cipher (AES-256-GCM) */
    form_data: string;
    action_count: number;
    /**
     * A cache of what the action list folds to (the workflow state and the actions the clock
     * reads), rewritten with each action so an action reads one row; the action list stays the
     * record, and `deriveState(actions)` must give the same (tested).
     */
    projection: string;
    result: string | null;
    created_at: string;
    updated_at: string;
  };
  case_actions: {
    case_id: string;
    seq: number;
    type: string;
    actor_id: string;
    region_code: string;
    payload: string;
    at: string;
  };
  case_materials: {
    id: string;
    case_id: string;
    code: string;
    name: string;
    /** A issued by the agency, B checked against the original, C uploaded, D commitment */
    trust_level: string;
    licence_identifier: string | null;
    /** a material read from a government register through the exchange: the access record's id */
    access_id?: string | null;
    /** the stored file's content key (case_blobs.content_key); null for an e-licence material */
    file_key: string | null;
    /** the file's public SHA-256 (what the API names it by), sealed to this row */
    sha256_sealed: Uint8Array | null;
    media_type: string | null;
    size: number | null;
    region_code: string;
    created_at: string;
  };
  /** uploaded files, sealed (platform/privacy/files.ts), one per content: keyed by a keyed hash */
  case_blobs: {
    content_key: string;
    media_type: string;
    size: number;
    data: Uint8Array;
    /** the key generation `data` is sealed under (0: not sealed, before cases.0004) */
    key_generation: number;
    region_code: string;
    created_at: string;
  };
  case_sequences: { prefix: string; last: number };
  case_bundles: {
    id: string;
    bundle_number: string;
    bundle_code: string;
    bundle_name: string;
    applicant_id: string;
    region_code: string;
    created_at: string;
  };
  case_warnings: { case_id: string; level: string; region_code: string; raised_at: string };
  case_drafts: {
    applicant_id: string;
    implementation_code: string;
    data: string;
    region_code: string;
    updated_at: string;
  };
  /**
   * Drafts keyed by (account, on-behalf-of, item) (cases.0007): a 网格员 keeps one per resident per
   * item; `on_behalf_of` is '' for the account's own. Replaces case_drafts (read by the previous
   * release only; dropped by a later release's contract step).
   */
  case_draft_answers: {
    applicant_id: string;
    on_behalf_of: string;
    implementation_code: string;
    data: string;
    region_code: string;
    updated_at: string;
  };
  /** the files of a draft keyed as case_draft_answers (cases.0007; replaces case_draft_materials) */
  case_draft_files: {
    applicant_id: string;
    on_behalf_of: string;
    implementation_code: string;
    material_code: string;
    filename: string;
    media_type: string;
    size: number;
    /** sealed to the row (applicant, item, material, and the person when on someone's behalf) */
    data: Uint8Array;
    key_generation: number;
    updated_at: string;
  };
  /** files uploaded on the apply pages, kept with the draft until it is submitted */
  case_draft_materials: {
    applicant_id: string;
    implementation_code: string;
    material_code: string;
    filename: string;
    media_type: string;
    size: number;
    /** sealed to the row (applicant, item, material) */
    data: Uint8Array;
    /** the key generation `data` is sealed under (0: not sealed, before cases.0004) */
    key_generation: number;
    updated_at: string;
  };
  /**
   * The first answer to each request a client sent with an id (cases.requests.ts), written in the
   * same transaction as the case or action it answers; a retry reads it back.
   */
  case_requests: {
    account_id: string;
    request_id: string;
    /** submit, bundle, act or draft */
    kind: string;
    /** SHA-256 of the request's kind, target and body: the same id with another request is refused */
    fingerprint: string;
    /** the answer as JSON (null only inside the transaction that reserved the id) */
    answer: string | null;
    region_code: string;
    created_at: string;
  };
};

export const casesMigrations: Record<string, Migration> = {
  'cases.0001_cases': {
    async up(db: Kysely<unknown>) {
      const t = columnTypes(db);
      await db.schema
        .createTable('cases')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('case_number', 'text', (c) => c.notNull().unique())
        .addColumn('implementation_code', 'text', (c) => c.notNull())
        .addColumn('item_code', 'text', (c) => c.notNull())
        .addColumn('item_version', 'integer', (c) => c.notNull())
        .addColumn('item_name', 'text', (c) => c.notNull())
        .addColumn('applicant_id', 'text', (c) => c.notNull())
        .addColumn('applicant_kind', 'text', (c) => c.notNull())
        .addColumn('region_code', 'text', (c) => c.notNull())
        .addColumn('department_id', 'text', (c) => c.notNull())
        .addColumn('decide_region_code', 'text', (c) => c.notNull())
        .addColumn('hall_id', 'text')
        .addColumn('hall_region_code', 'text')
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('open', 'integer', (c) => c.notNull())
        .addColumn('promised_days', 'integer', (c) => c.notNull())
        .addColumn('statutory_days', 'integer', (c) => c.notNull())
        .addColumn('accepted_on', 'text')
        .addColumn('promised_due', 'text')
        .addColumn('statutory_due', 'text')
        .addColumn('clock_state', 'text', (c) => c.notNull())
        .addColumn('colour', 'text', (c) => c.notNull())
        .addColumn('remaining_days', 'integer')
        .addColumn('bundle_id', 'text')
        .addColumn('form_data', 'text', (c) => c.notNull())
        .addColumn('action_count', 'integer', (c) => c.notNull())
        .addColumn('projection', 'text', (c) => c.notNull())
        .addColumn('result', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      // the department's queue: open cases by due date (NULLs sort differently in the two
      // dialects, so the queue reads dated and undated cases as two range scans of this index)
      await db.schema
        .createIndex('cases_department_queue')
        .on('cases')
        .columns(['department_id', 'open', 'promised_due', 'case_number'])
        .execute();
      await db.schema
        .createIndex('cases_hall_queue')
        .on('cases')
        .columns(['hall_id', 'open', 'created_at'])
        .execute();
      await db.schema
        .createIndex('cases_applicant')
        .on('cases')
        .columns(['applicant_id', 'created_at'])
        .execute();
      await db.schema.createIndex('cases_bundle').on('cases').columns(['bundle_id']).execute();
      await db.schema.createIndex('cases_open_due').on('cases').columns(['open', 'promised_due']).execute();

      await db.schema
        .createTable('case_actions')
        .addColumn('case_id', 'text', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('actor_id', 'text', (c) => c.notNull())
        .addColumn('region_code', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('case_actions_pk', ['case_id', 'seq'])
        .execute();

      await db.schema
        .createTable('case_materials')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('case_id', 'text', (c) => c.notNull())
        .addColumn('code', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('trust_level', 'text', (c) => c.notNull())
        .addColumn('licence_identifier', 'text')
        .addColumn('blob_sha256', 'text')
        .addColumn('media_type', 'text')
        .addColumn('size', 'integer')
        .addColumn('region_code', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('case_materials_case').on('case_materials').columns(['case_id']).execute();

      await db.schema
        .createTable('case_blobs')
        .addColumn('sha256', 'text', (c) => c.primaryKey())
        .addColumn('media_type', 'text', (c) => c.notNull())
        .addColumn('size', 'integer', (c) => c.notNull())
        .addColumn('data', t.blob, (c) => c.notNull())
        .addColumn('region_code', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('case_sequences')
        .addColumn('prefix', 'text', (c) => c.primaryKey())
        .addColumn('last', t.bigint, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('case_bundles')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('bundle_number', 'text', (c) => c.notNull().unique())
        .addColumn('bundle_code', 'text', (c) => c.notNull())
        .addColumn('bundle_name', 'text', (c) => c.notNull())
        .addColumn('applicant_id', 'text', (c) => c.notNull())
        .addColumn('region_code', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('case_warnings')
        .addColumn('case_id', 'text', (c) => c.notNull())
        .addColumn('level', 'text', (c) => c.notNull())
        .addColumn('region_code', 'text', (c) => c.notNull())
        .addColumn('raised_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('case_warnings_pk', ['case_id', 'level'])
        .execute();

      await db.schema
        .createTable('case_drafts')
        .addColumn('applicant_id', 'text', (c) => c.notNull())
        .addColumn('implementation_code', 'text', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('region_code', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('case_drafts_pk', ['applicant_id', 'implementation_code'])
        .execute();
    },
  },
  'cases.0002_draft_materials': {
    async up(db: Kysely<unknown>) {
      const t = columnTypes(db);
      await db.schema
        .createTable('case_draft_materials')
        .addColumn('applicant_id', 'text', (c) => c.notNull())
        .addColumn('implementation_code', 'text', (c) => c.notNull())
        .addColumn('material_code', 'text', (c) => c.notNull())
        .addColumn('filename', 'text', (c) => c.notNull())
        .addColumn('media_type', 'text', (c) => c.notNull())
        .addColumn('size', 'integer', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('data', t.blob, (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('case_draft_materials_pk', [
          'applicant_id',
          'implementation_code',
          'material_code',
        ])
        .execute();
    },
  },
  // Uploaded files sealed at rest (ADR 0013): a stored file is named by a keyed hash of its
  // content, not its SHA-256, and the SHA-256 the API speaks of is kept sealed beside the
  // material. The rows already stored keep generation 0 (not sealed) until cases.0004 seals them.
  'cases.0003_sealed_files': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('case_blobs').renameColumn('sha256', 'content_key').execute();
      await db.schema
        .alterTable('case_blobs')
        .addColumn('key_generation', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createIndex('case_blobs_generation')
        .on('case_blobs')
        .columns(['key_generation'])
        .execute();
      await db.schema.alterTable('case_materials').renameColumn('blob_sha256', 'file_key').execute();
      await db.schema.alterTable('case_materials').addColumn('sha256_sealed', columnTypes(db).blob).execute();
      await db.schema.createIndex('case_materials_file').on('case_materials').columns(['file_key']).execute();
      await db.schema.alterTable('case_draft_materials').dropColumn('sha256').execute();
      await db.schema
        .alterTable('case_draft_materials')
        .addColumn('key_generation', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createIndex('case_draft_materials_generation')
        .on('case_draft_materials')
        .columns(['key_generation'])
        .execute();
    },
  },
  'cases.0005_requests': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('case_requests')
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('request_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('answer', 'text')
        .addColumn('region_code', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('case_requests_pk', ['account_id', 'request_id'])
        .execute();
      // the sweep lets old answers go by age
      await db.schema.createIndex('case_requests_created').on('case_requests').column('created_at').execute();
    },
  },
  'cases.0006_material_access': {
    async up(db: Kysely<unknown>) {
      // a material the deciding department read from a register (exchange access id, trust A)
      await db.schema.alterTable('case_materials').addColumn('access_id', 'text').execute();
    },
  },
};

export type CaseRow = CasesTables['cases'];
export type ActionRow = CasesTables['case_actions'];
/**
 * Drafts keyed by (account, on-behalf-of, item) (expand, ADR 0023): a 网格员 keeps one draft per
 * resident per item, the account's own under on_behalf_of ''. New tables, since the old ones' keys
 * (account, item) cannot change under the previous release's nodes (their upserts name that key);
 * cases.0008 copies the stored drafts in. case_drafts and case_draft_materials are the previous
 * release's only, dropped by a later release's contract step.
 */
casesMigrations['cases.0007_drafts_by_person'] = {
  async up(db: Kysely<unknown>) {
    const t = columnTypes(db);
    await db.schema
      .createTable('case_draft_answers')
      .addColumn('applicant_id', 'text', (c) => c.notNull())
      .addColumn('on_behalf_of', 'text', (c) => c.notNull())
      .addColumn('implementation_code', 'text', (c) => c.notNull())
      .addColumn('data', 'text', (c) => c.notNull())
      .addColumn('region_code', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('case_draft_answers_pk', [
        'applicant_id',
        'on_behalf_of',
        'implementation_code',
      ])
      .execute();
    await db.schema
      .createTable('case_draft_files')
      .addColumn('applicant_id', 'text', (c) => c.notNull())
      .addColumn('on_behalf_of', 'text', (c) => c.notNull())
      .addColumn('implementation_code', 'text', (c) => c.notNull())
      .addColumn('material_code', 'text', (c) => c.notNull())
      .addColumn('filename', 'text', (c) => c.notNull())
      .addColumn('media_type', 'text', (c) => c.notNull())
      .addColumn('size', 'integer', (c) => c.notNull())
      .addColumn('data', t.blob, (c) => c.notNull())
      .addColumn('key_generation', 'integer', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('case_draft_files_pk', [
        'applicant_id',
        'on_behalf_of',
        'implementation_code',
        'material_code',
      ])
      .execute();
    await db.schema
      .createIndex('case_draft_answers_updated')
      .on('case_draft_answers')
      .column('updated_at')
      .execute();
  },
};

/**
 * cases.0009 (expand): the workbench's counts of a department's open cases by colour and by status
 * read this index alone. With (department_id, open, …) alone they read every open case's row: at
 * 24,000 open cases of one department (a 10-minute soak of the mixed workload) 3.8 and 2.2 ms a
 * call, a third of the node's time; the counts stay O(open cases), but over the index's pages only.
 */
casesMigrations['cases.0009_department_counts'] = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createIndex('cases_department_counts')
      .on('cases')
      .columns(['department_id', 'open', 'colour', 'status'])
      .execute();
  },
};

/**
 * cases.0010 (expand): an applicant's cases, newest first, read in the index's order. The order is
 * (created_at desc, case_number desc); with `cases_applicant` (applicant_id, created_at) the tie
 * needs a sort, and PostgreSQL's generic plan of the prepared statement (pg-session.ts names hot
 * texts) counts one case per applicant and sorts them all: 0.08 ms as a custom plan, 23.6 ms as
 * the generic plan for an applicant with 6,000 cases. With the tie in the index it is a probe
 * (0.09 ms). `cases_applicant` is a prefix of this one, to be dropped in a contract phase.
 */
casesMigrations['cases.0010_applicant_newest'] = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createIndex('cases_applicant_newest')
      .on('cases')
      .columns(['applicant_id', 'created_at', 'case_number'])
      .execute();
  },
};

/**
 * cases.0011 (expand): a department's open cases not yet accepted (no due date), oldest first,
 * read in the index's order. `cases_department_queue` has them by case number, so the queue's
 * second range scan read and sorted every one: 82 ms as PostgreSQL's generic plan (43 ms custom)
 * at 15,000 unaccepted open cases, on each workbench page not filled by dated cases and on each
 * "next case". Partial: the cases with a due date (most of the table) are not in it.
 */
casesMigrations['cases.0011_department_unaccepted'] = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createIndex('cases_department_unaccepted')
      .on('cases')
      .columns(['department_id', 'open', 'created_at', 'case_number'])
      .where(sql.ref('promised_due'), 'is', null)
      .execute();
  },
};

/**
 * A partial index of open cases that only PostgreSQL's planner chooses (cases.0012–0014). SQLite
 * reads these cases along cases_open_due (open = 1) and never chose them, while every write of an
 * open case would still have maintained them (the SQLite actions bench, A/B: 1,038 → 1,104 µs of
 * node CPU an action with the six indexes of cases.0010–0015, 915 → 919 without these three).
 */
async function openCasesIndexOnPostgres(
  db: Kysely<unknown>,
  name: string,
  columns: string[],
  where: RawBuilder<boolean>,
): Promise<void> {
  if (!columnTypes(db).isPostgres) return;
  await db.schema.createIndex(name).on('cases').columns(columns).where(where).execute();
}

/**
 * cases.0012 (expand): the cases awaiting acceptance at a window (open, in one of
 * ACCEPTANCE_STATUSES), oldest first. The acceptance queue (every clerk's workbench page) had no
 * index to read: it scanned and filtered the whole table, closed cases and all (PostgreSQL's
 * generic plan 94 ms, custom 163 ms at 75,000 cases). Partial, so only those cases are in it and
 * only their writes maintain it; the query names the same literals so both dialects (and a
 * generic plan, which cannot prove a partial index's predicate from parameters) can use it.
 */
casesMigrations['cases.0012_awaiting_acceptance'] = {
  up: (db: Kysely<unknown>) =>
    // ACCEPTANCE_STATUSES as they are at this migration (a migration does not change once run)
    openCasesIndexOnPostgres(
      db,
      'cases_awaiting_acceptance',
      ['created_at', 'case_number'],
      sql<boolean>`open = 1 and status in ('submitted', 'preReviewed', 'awaitingSupplement')`,
    ),
};

/**
 * cases.0013 (expand): the open cases of a region by clock colour (a supervisor's workbench page)
 * read from this index alone. There was none: every case, closed ones and all, was read (a
 * parallel scan of the table, 250 ms at 383,000 cases of which 60,000 open). Partial (open = 1, a
 * literal in the query too, so a prepared statement's generic plan can use it): 14 ms for the
 * city's 60,000 open cases, 7 ms for a district's 15,000 — O(open cases), however many closed.
 */
casesMigrations['cases.0013_open_in_region'] = {
  up: (db: Kysely<unknown>) =>
    openCasesIndexOnPostgres(
      db,
      'cases_open_in_region',
      ['decide_region_code', 'colour'],
      sql<boolean>`open = 1`,
    ),
};

/**
 * cases.0014 (expand): the warning sweep's pages (open cases with a due date, by id) read along
 * this index. Along the primary key, each page walked every case from the last id on, closed ones
 * and all, filtering: a sweep (every 10 minutes on each node) read the whole table, the first
 * page 1.36 s at 383,000 cases (PostgreSQL, generic plan; a custom plan the same). Partial, with
 * `open = 1` a literal in the query: 0.8 ms a page, a sweep O(open dated cases).
 */
casesMigrations['cases.0014_open_dated'] = {
  up: (db: Kysely<unknown>) =>
    openCasesIndexOnPostgres(
      db,
      'cases_open_dated',
      ['id'],
      sql<boolean>`open = 1 and promised_due is not null`,
    ),
};

/**
 * cases.0015 (expand): the running and paused clocks by colour (the `tongban_case_clocks` gauge,
 * read at every scrape of /metrics on each node) counted from this index alone. There was no index
 * on clock_state: each scrape read every case, closed ones and all (a parallel scan of the table,
 * 488 ms at 383,000 cases). Partial, with the same literals in the query: 9 ms for 45,000
 * running clocks, however many cases have closed.
 */
casesMigrations['cases.0015_running_clocks'] = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createIndex('cases_running_clocks')
      .on('cases')
      .column('colour')
      .where(sql<boolean>`clock_state in ('running', 'paused')`)
      .execute();
  },
};

/**
 * cases.0016 (contract, ADR 0023): `cases_applicant` (applicant_id, created_at) is a prefix of
 * cases.0010's (applicant_id, created_at, case_number), which every read by applicant has used
 * since; each case written maintained both. An index, not data: the release before (which may
 * predate cases.0010) reads by applicant along the longer one, which this upgrade builds first.
 */
casesMigrations['cases.0016_drop_applicant_prefix'] = contractPhase({
  removes: ['cases_applicant'],
  unusedSince: 'cases.0010_applicant_newest',
  async up(db: Kysely<unknown>) {
    await db.schema.dropIndex('cases_applicant').ifExists().execute();
  },
});

/**
 * cases.0017 (expand, PostgreSQL): `cases` vacuumed when 1 % of it is dead, not a fifth. Every
 * action updates its case, and the dead rows and index entries make the workbench's counts (an
 * index-only read of a department's open cases) visit the table: 2.7 → 14.4 ms at 30,000 open
 * cases after three rounds of updates to 30 % of them, 2.9 ms again after a vacuum
 * (docs/operations.md). A table's storage setting: no row, no statement of the release before
 * changes.
 */
casesMigrations['cases.0017_vacuum_often'] = {
  async up(db: Kysely<unknown>) {
    if (!columnTypes(db).isPostgres) return;
    await sql`alter table cases set (autovacuum_vacuum_scale_factor = 0.01, autovacuum_analyze_scale_factor = 0.02)`.execute(
      db,
    );
  },
};

const cdb = (db: Executor) => db.withTables<CasesTables>();

/** Running clocks by colour (green, yellow: near due, red: overdue), for /metrics and alerts. */
export async function clockCounts(db: Executor): Promise<Array<{ colour: string; n: number }>> {
  const rows = await cdb(db)
    .selectFrom('cases')
    .select((eb) => ['colour', eb.fn.countAll<number>().as('n')])
    // literals: they imply cases_running_clocks's predicate (cases.0015), which the query reads alone
    .where('clock_state', 'in', [sql.lit('running'), sql.lit('paused')])
    .groupBy('colour')
    .execute();
  return rows.map((r) => ({ colour: r.colour, n: Number(r.n) }));
}

/**
 * The hot statements (each action runs them) are built and compiled by Kysely once per dialect and
 * shape, with placeholder values; each call binds its values into that compiled SQL. The SQL is
 * exactly what the builder gives, so both dialects run what they ran before, without the
 * per-call building and compiling (a fifth of an action's CPU time).
 */
function runPrecompiled<R>(
  db: Executor,
  key: string,
  build: (q: Kysely<CasesTables>, slot: (i: number) => never) => Compilable<R>,
  values: readonly unknown[],
): Promise<QueryResult<R>> {
  return runPrecompiledOver(db, cdb, `cases.${key}`, build, values);
}

const CASE_COLUMNS = [
  'id',
  'case_number',
  'implementation_code',
  'item_code',
  'item_version',
  'item_name',
  'applicant_id',
  'applicant_kind',
  'region_code',
  'department_id',
  'decide_region_code',
  'hall_id',
  'hall_region_code',
  'channel',
  'status',
  'open',
  'promised_days',
  'statutory_days',
  'accepted_on',
  'promised_due',
  'statutory_due',
  'clock_state',
  'colour',
  'remaining_days',
  'bundle_id',
  'form_data',
  'action_count',
  'projection',
  'result',
  'created_at',
  'updated_at',
] as const satisfies ReadonlyArray<keyof CaseRow>;
const ACTION_COLUMNS = [
  'case_id',
  'seq',
  'type',
  'actor_id',
  'region_code',
  'payload',
  'at',
] as const satisfies ReadonlyArray<keyof ActionRow>;

/** { column: slot(i) } for a list of columns, for the precompiled inserts and updates. */
const slots = <K extends string>(cols: readonly K[], slot: (i: number) => never, from = 0) =>
  Object.fromEntries(cols.map((c, i) => [c, slot(from + i)])) as Record<K, never>;

/**
 * PostgreSQL, outside any transaction: the next number of a prefix drawn in a one-statement
 * transaction whose commit does not wait for its flush (`synchronous_commit` off for that
 * transaction alone, ADR 0034 amended). The prefix's row is then locked only while the statement
 * runs, not through an fsync: one item's numbers drawn from 30 connections 1,236–1,499/s → 6,315–
 * 6,638/s (pgbench, this machine). Still never handed out twice: a case that uses the number commits
 * with `synchronous_commit` on, and its flush carries the draw's earlier WAL with it; a crash that
 * loses the draw loses no case holding its number, and the number may be drawn again.
 */
export async function drawSequenceUnflushed(ex: Executor, prefix: string): Promise<number> {
  const r = await sql<{ last: number | string }>`
    insert into case_sequences (prefix, last)
    select ${prefix}, 1 from (select set_config('synchronous_commit', 'off', true)) as unflushed
    on conflict (prefix) do update set last = case_sequences.last + 1
    returning last`.execute(ex);
  const row = r.rows[0];
  if (!row) throw new Error('case_sequences: no row returned');
  return Number(row.last);
}

/**
 * The next number of a case-number prefix (实施编码 + yyyyMMdd). The upsert locks the prefix's row
 * until its transaction commits on PostgreSQL (and SQLite has one writer), so two nodes can never
 * draw the same number; a rolled-back transaction gives its number back. Where it runs — in a
 * transaction of its own or in the case's — is `drawNumbers`' choice (ADR 0034).
 */
export async function nextSequence(trx: Executor, prefix: string): Promise<number> {
  const r = await runPrecompiled(
    trx,
    'nextSequence',
    (q, slot) =>
      q
        .insertInto('case_sequences')
        .values({ prefix: slot(0), last: 1 })
        .onConflict((oc) => oc.column('prefix').doUpdateSet({ last: sql`case_sequences.last + 1` }))
        .returning('last'),
    [prefix],
  );
  const row = r.rows[0];
  if (!row) throw new Error('case_sequences: no row returned');
  return Number(row.last);
}

export async function insertCase(trx: Executor, row: CaseRow): Promise<void> {
  await runPrecompiled(
    trx,
    'insertCase',
    (q, slot) => q.insertInto('cases').values(slots(CASE_COLUMNS, slot)),
    CASE_COLUMNS.map((c) => row[c]),
  );
}

export async function insertAction(trx: Executor, row: ActionRow): Promise<void> {
  await runPrecompiled(
    trx,
    'insertAction',
    (q, slot) => q.insertInto('case_actions').values(slots(ACTION_COLUMNS, slot)),
    ACTION_COLUMNS.map((c) => row[c]),
  );
}

/** The columns an action's projection rewrites besides the action count, the projection and its time. */
const PROJECTED_COLUMNS = [
  'status',
  'open',
  'accepted_on',
  'promised_due',
  'statutory_due',
  'clock_state',
  'colour',
  'remaining_days',
] as const satisfies ReadonlyArray<keyof CaseRow>;

export type CaseProjection = Pick<
  CaseRow,
  (typeof PROJECTED_COLUMNS)[number] | 'action_count' | 'projection' | 'updated_at'
> &
  Partial<Pick<CaseRow, 'result' | 'hall_id' | 'hall_region_code'>>;

/**
 * The projection's columns whose values differ from the row's (the action count, the projection
 * and `updated_at` always do): what an update guarded by the row's action count needs to set.
 */
export function changedOnly(
  p: CaseProjection,
  row: Partial<Record<keyof CaseProjection, unknown>>,
): CaseProjection {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p))
    if (v !== undefined && v !== row[k as keyof CaseProjection]) out[k] = v;
  return out as CaseProjection;
}

/**
 * Rewrites the projection, guarded by the action count the caller read: a concurrent action on
 * the same case makes this update touch no row, and the caller's transaction is rolled back.
 */
export async function updateProjection(
  trx: Executor,
  id: string,
  expectedCount: number,
  p: CaseProjection,
): Promise<boolean> {
  const cols = (Object.keys(p) as Array<keyof CaseProjection>).filter((c) => p[c] !== undefined);
  const r = await runPrecompiled(
    trx,
    `updateProjection:${cols.join(',')}`,
    (q, slot) =>
      q
        .updateTable('cases')
        .set(slots(cols, slot, 2))
        .where('id', '=', slot(0))
        .where('action_count', '=', slot(1)),
    [id, expectedCount, ...cols.map((c) => p[c])],
  );
  return Number(r.numAffectedRows ?? 0) === 1;
}

/**
 * PostgreSQL, outside any transaction: an action's whole write as one statement, which commits on
 * its own (ADR 0036): the guarded update of the case's projection (as {@link updateProjection}),
 * and — only if it updated the row — the action's record and its event, inserted from the update's
 * result. One round trip where BEGIN, the update, two inserts and COMMIT were five; the same rows,
 * the same guard, one transaction. False when the guard found the case moved on (nothing written).
 * SQLite has no data-modifying CTEs: there the action writes in its transaction as before.
 */
export async function actAlone(
  ex: Executor,
  id: string,
  expectedCount: number,
  p: CaseProjection,
  action: ActionRow,
  event: EventInsert,
): Promise<boolean> {
  const cols = (Object.keys(p) as Array<keyof CaseProjection>).filter((c) => p[c] !== undefined);
  const a0 = 2 + cols.length;
  const e0 = a0 + ACTION_COLUMNS.length;
  const r = await runPrecompiledOver(
    ex,
    (db) => db.withTables<CasesTables & EventsTables>(),
    `cases.actAlone:${cols.join(',')}`,
    (q, slot) =>
      q
        .with('u', (w) =>
          w
            .updateTable('cases')
            .set(slots(cols, slot, 2))
            .where('id', '=', slot(0))
            .where('action_count', '=', slot(1))
            .returning('id'),
        )
        .with('a', (w) =>
          w
            .insertInto('case_actions')
            .columns(ACTION_COLUMNS)
            .expression((eb) =>
              eb.selectFrom('u').select(ACTION_COLUMNS.map((c, i) => eb.val(slot(a0 + i)).as(c))),
            ),
        )
        .insertInto('events')
        .columns(EVENT_INSERT_COLUMNS)
        .expression((eb) =>
          eb.selectFrom('u').select(EVENT_INSERT_COLUMNS.map((c, i) => eb.val(slot(e0 + i)).as(c))),
        ),
    [
      id,
      expectedCount,
      ...cols.map((c) => p[c]),
      ...ACTION_COLUMNS.map((c) => action[c]),
      ...EVENT_INSERT_COLUMNS.map((c) => event[c]),
    ],
  );
  return Number(r.numAffectedRows ?? 0) === 1;
}

/**
 * PostgreSQL, outside any transaction: a submission's whole write as one statement that commits on
 * its own (ADR 0036) — the case, its first action, its event, and the end of the caller's draft of
 * the item (its answers, and its files where there were answers, as {@link deleteDraft} and
 * {@link deleteDraftMaterials} do in the transaction). A case number already taken fails the
 * whole statement: nothing is written.
 */
export async function submitAlone(
  ex: Executor,
  row: CaseRow,
  action: ActionRow,
  event: EventInsert,
  applicantId: string,
  draftCode: string,
): Promise<void> {
  const k = keyOf(draftCode);
  const a0 = CASE_COLUMNS.length;
  const e0 = a0 + ACTION_COLUMNS.length;
  const d0 = e0 + EVENT_INSERT_COLUMNS.length;
  await runPrecompiledOver(
    ex,
    (db) => db.withTables<CasesTables & EventsTables>(),
    'cases.submitAlone',
    (q, slot) =>
      q
        .with('c', (w) => w.insertInto('cases').values(slots(CASE_COLUMNS, slot)).returning('id'))
        .with('a', (w) =>
          w
            .insertInto('case_actions')
            .values(slots(ACTION_COLUMNS, slot, a0))
            .returning('case_id'),
        )
        .with('e', (w) =>
          w
            .insertInto('events')
            .values(slots(EVENT_INSERT_COLUMNS, slot, e0))
            .returning('seq'),
        )
        .with('d', (w) =>
          w
            .deleteFrom('case_draft_answers')
            .where('applicant_id', '=', slot(d0))
            .where('on_behalf_of', '=', slot(d0 + 1))
            .where('implementation_code', '=', slot(d0 + 2))
            .returning('applicant_id'),
        )
        .deleteFrom('case_draft_files')
        .where('applicant_id', '=', slot(d0))
        .where('on_behalf_of', '=', slot(d0 + 1))
        .where('implementation_code', '=', slot(d0 + 2))
        .where((eb) => eb.exists(eb.selectFrom('d').select('applicant_id'))),
    [
      ...CASE_COLUMNS.map((c) => row[c]),
      ...ACTION_COLUMNS.map((c) => action[c]),
      ...EVENT_INSERT_COLUMNS.map((c) => event[c]),
      applicantId,
      k.on_behalf_of,
      k.implementation_code,
    ],
  );
}

/**
 * The columns an action reads of its case (access, workflow, clock, event): not the sealed form,
 * the result or the columns the projection rewrites. A row's every column costs the driver an
 * object property per read.
 */
export const ACTING_COLUMNS = [
  'id',
  'case_number',
  'implementation_code',
  'item_code',
  'applicant_id',
  'region_code',
  'department_id',
  'decide_region_code',
  'hall_region_code',
  'promised_days',
  'statutory_days',
  'bundle_id',
  'action_count',
  'projection',
] as const satisfies ReadonlyArray<keyof CaseRow>;
export type ActingRow = Pick<CaseRow, (typeof ACTING_COLUMNS)[number]> &
  Partial<Pick<CaseRow, (typeof PROJECTED_COLUMNS)[number]>>;

/**
 * The case an action reads. `projected`: also the columns its projection rewrites, for an update
 * that sets only those it changes ({@link changedOnly}; read inside the action's transaction).
 */
export async function caseForAction(
  db: Executor,
  caseNumber: string,
  projected = false,
): Promise<ActingRow | undefined> {
  const r = await runPrecompiled(
    db,
    projected ? 'caseForAction+projected' : 'caseForAction',
    (q, slot) =>
      q
        .selectFrom('cases')
        .select(projected ? [...ACTING_COLUMNS, ...PROJECTED_COLUMNS] : ACTING_COLUMNS)
        .where('case_number', '=', slot(0)),
    [caseNumber],
  );
  return r.rows[0];
}

export async function caseByNumber(db: Executor, caseNumber: string): Promise<CaseRow | undefined> {
  const r = await runPrecompiled(
    db,
    'caseByNumber',
    (q, slot) => q.selectFrom('cases').selectAll().where('case_number', '=', slot(0)),
    [caseNumber],
  );
  return r.rows[0];
}

/** The columns a case's facts (cases.read.ts) and the applicant's notices read: not the sealed form, the projection or the result. */
export const FACT_COLUMNS = [
  'id',
  'case_number',
  'applicant_id',
  'applicant_kind',
  'implementation_code',
  'item_name',
  'channel',
  'status',
  'department_id',
  'decide_region_code',
  'hall_id',
  'hall_region_code',
] as const satisfies ReadonlyArray<keyof CaseRow>;
export type FactRow = Pick<CaseRow, (typeof FACT_COLUMNS)[number]>;

/** {@link caseFactRow} of several cases in one read (unknown numbers left out): an event consumer's batch. */
export async function caseFactRows(db: Executor, caseNumbers: readonly string[]): Promise<FactRow[]> {
  if (caseNumbers.length === 0) return [];
  return cdb(db)
    .selectFrom('cases')
    .select(FACT_COLUMNS)
    .where('case_number', 'in', [...caseNumbers])
    .execute();
}

export async function caseFactRow(db: Executor, caseNumber: string): Promise<FactRow | undefined> {
  const r = await runPrecompiled(
    db,
    'caseFactRow',
    (q, slot) => q.selectFrom('cases').select(FACT_COLUMNS).where('case_number', '=', slot(0)),
    [caseNumber],
  );
  return r.rows[0];
}

/** Who took which action on a case, in order: what its facts read of its actions. */
export async function actionKindsOf(
  db: Executor,
  caseId: string,
): Promise<Array<Pick<ActionRow, 'type' | 'actor_id'>>> {
  const r = await runPrecompiled(
    db,
    'actionKindsOf',
    (q, slot) =>
      q.selectFrom('case_actions').select(['type', 'actor_id']).where('case_id', '=', slot(0)).orderBy('seq'),
    [caseId],
  );
  return r.rows;
}

export async function actionsOf(db: Executor, caseId: string): Promise<ActionRow[]> {
  return cdb(db)
    .selectFrom('case_actions')
    .selectAll()
    .where('case_id', '=', caseId)
    .orderBy('seq')
    .execute();
}

/** Cases by number, in one query (a batch read; absent numbers are left out). */
export async function casesByNumbers(db: Executor, caseNumbers: readonly string[]): Promise<CaseRow[]> {
  if (caseNumbers.length === 0) return [];
  return cdb(db)
    .selectFrom('cases')
    .selectAll()
    .where('case_number', 'in', [...caseNumbers])
    .execute();
}

/** The actions of several cases in one query, each case's in order. */
export async function actionsOfCases(db: Executor, caseIds: readonly string[]): Promise<ActionRow[]> {
  if (caseIds.length === 0) return [];
  return cdb(db)
    .selectFrom('case_actions')
    .selectAll()
    .where('case_id', 'in', [...caseIds])
    .orderBy('case_id')
    .orderBy('seq')
    .execute();
}

export const toRecorded = (rows: readonly ActionRow[]): RecordedAction[] =>
  rows.map((r) => ({
    action: { ...(JSON.parse(r.payload) as object), type: r.type } as CaseAction,
    at: r.at,
  }));

export interface QueueFilter {
  departmentId?: string | undefined;
  hallId?: string | undefined;
  status?: string | undefined;
  colour?: string | undefined;
  /** region-code prefix the reader may see */
  regionPrefix?: string | undefined;
  limit: number;
  offset: number;
}

export type QueueRow = Pick<
  CaseRow,
  | 'case_number'
  | 'item_name'
  | 'promised_days'
  | 'status'
  | 'promised_due'
  | 'colour'
  | 'remaining_days'
  | 'created_at'
  | 'clock_state'
  | 'channel'
>;

const QUEUE_COLUMNS = [
  'case_number',
  'item_name',
  'promised_days',
  'status',
  'promised_due',
  'colour',
  'remaining_days',
  'created_at',
  'clock_state',
  'channel',
] as const;

/**
 * A department's queue: open cases, the earliest due first; cases not yet accepted (no due date)
 * come after, oldest first. Two index range scans rather than one sort with NULL handling that
 * differs between the dialects: the dated cases along `cases_department_queue`, the undated ones
 * along `cases_department_unaccepted` (cases.0011; along the first they were all read and sorted).
 */
export async function departmentQueue(
  db: Executor,
  f: QueueFilter & { departmentId: string },
): Promise<QueueRow[]> {
  let q = cdb(db)
    .selectFrom('cases')
    .select(QUEUE_COLUMNS)
    .where('department_id', '=', f.departmentId)
    .where('open', '=', 1)
    .where('promised_due', 'is not', null);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.colour) q = q.where('colour', '=', f.colour);
  const due = await q
    .orderBy('promised_due')
    .orderBy('case_number')
    .limit(f.limit)
    .offset(f.offset)
    .execute();
  if (due.length === f.limit || f.colour) return due;
  // fill the page with cases not yet accepted (no due date), oldest first
  let skip = 0;
  if (due.length === 0 && f.offset > 0) {
    let c = cdb(db)
      .selectFrom('cases')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('department_id', '=', f.departmentId)
      .where('open', '=', 1)
      .where('promised_due', 'is not', null);
    if (f.status) c = c.where('status', '=', f.status);
    const dueCount = Number((await c.executeTakeFirst())?.n ?? 0);
    skip = Math.max(0, f.offset - dueCount);
  }
  let q2 = cdb(db)
    .selectFrom('cases')
    .select(QUEUE_COLUMNS)
    .where('department_id', '=', f.departmentId)
    .where('open', '=', 1)
    .where('promised_due', 'is', null);
  if (f.status) q2 = q2.where('status', '=', f.status);
  const rest = await q2
    .orderBy('created_at')
    .orderBy('case_number')
    .limit(f.limit - due.length)
    .offset(skip)
    .execute();
  return [...due, ...rest];
}

/** A hall's acceptance queue: cases received or routed there and not yet decided, oldest first. */
export async function hallQueue(db: Executor, f: QueueFilter & { hallId: string }): Promise<QueueRow[]> {
  let q = cdb(db)
    .selectFrom('cases')
    .select(QUEUE_COLUMNS)
    .where('hall_id', '=', f.hallId)
    .where('open', '=', 1);
  if (f.status) q = q.where('status', '=', f.status);
  return q.orderBy('created_at').orderBy('case_number').limit(f.limit).offset(f.offset).execute();
}

/**
 * Statuses a window acts on (before acceptance). The predicate of cases_awaiting_acceptance
 * (cases.0012) names these: a change needs a new index, or the acceptance queue scans the table.
 */
export const ACCEPTANCE_STATUSES = ['submitted', 'preReviewed', 'awaitingSupplement'] as const;

/**
 * A window's acceptance queue within a region prefix: cases received at a hall there, or applied
 * for online to a body there, not yet accepted; oldest first.
 */
export async function acceptanceQueue(
  db: Executor,
  regionPrefix: string,
  limit: number,
  offset: number,
): Promise<QueueRow[]> {
  // open and the statuses as literals, not parameters: they imply the predicate of
  // cases_awaiting_acceptance (cases.0012), also to a prepared statement's generic plan, so the
  // queue is read in that index's order
  const statuses = ACCEPTANCE_STATUSES.map((s) => sql.lit(s));
  return cdb(db)
    .selectFrom('cases')
    .select(QUEUE_COLUMNS)
    .where('open', '=', sql.lit(1))
    .where('status', 'in', statuses)
    .where((eb) =>
      eb.or([
        startsWithPrefix('hall_region_code', regionPrefix),
        eb.and([eb('hall_id', 'is', null), startsWithPrefix('decide_region_code', regionPrefix)]),
      ]),
    )
    .orderBy('created_at')
    .orderBy('case_number')
    .limit(limit)
    .offset(offset)
    .execute();
}

/**
 * Open cases of a department by clock colour, and by status when asked (the workbench page shows
 * both, the API the colours), in one read of `cases_department_counts` (cases.0009) grouped in
 * the index's own order. They were two reads for every queue, the API's too: by colour, then by
 * status, which is not the index's order, so every open case was read twice and the second time
 * sorted — at 5,000 open cases of one department 1.2 + 2.6 ms; now 1.2 ms (colours) or 1.8 ms
 * (both). Still O(open cases), over the index alone.
 */
export async function departmentCounts(
  db: Executor,
  departmentId: string,
  withStatus: boolean,
): Promise<{ byColour: Record<string, number>; byStatus: Record<string, number> }> {
  const open = cdb(db).selectFrom('cases').where('department_id', '=', departmentId).where('open', '=', 1);
  const rows: Array<{ colour: string; status?: string; n: number }> = withStatus
    ? await open
        .select((eb) => ['colour', 'status', eb.fn.countAll<number>().as('n')])
        .groupBy(['colour', 'status'])
        .execute()
    : await open
        .select((eb) => ['colour', eb.fn.countAll<number>().as('n')])
        .groupBy('colour')
        .execute();
  const byColour: Record<string, number> = {};
  const byStatus: Record<string, number> = {};
  for (const r of rows) {
    const n = Number(r.n);
    byColour[r.colour] = (byColour[r.colour] ?? 0) + n;
    if (r.status !== undefined) byStatus[r.status] = (byStatus[r.status] ?? 0) + n;
  }
  return { byColour, byStatus };
}

/**
 * The case after `after` in a department's queue order (earliest due first, then the ones not yet
 * accepted, oldest first); the first one when `after` is not in the queue or is its last.
 */
export async function nextInQueue(
  db: Executor,
  departmentId: string,
  after: string | undefined,
): Promise<string | undefined> {
  const page = await departmentQueue(db, { departmentId, limit: 500, offset: 0 });
  if (page.length === 0) return undefined;
  const i = after ? page.findIndex((r) => r.case_number === after) : -1;
  return (page[i + 1] ?? page[0])!.case_number;
}

/** Open cases within a region prefix by colour (supervisors). */
export async function colourCountsInRegion(
  db: Executor,
  regionPrefix: string,
): Promise<Record<string, number>> {
  const rows = await cdb(db)
    .selectFrom('cases')
    .select((eb) => ['colour', eb.fn.countAll<number>().as('n')])
    // a literal: it implies cases_open_in_region's predicate (cases.0013), also to a generic plan
    .where('open', '=', sql.lit(1))
    .where(startsWithPrefix('decide_region_code', regionPrefix))
    .groupBy('colour')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.colour, Number(r.n)]));
}

export type ApplicantCaseRow = Pick<
  CaseRow,
  | 'case_number'
  | 'item_name'
  | 'status'
  | 'promised_due'
  | 'colour'
  | 'created_at'
  | 'bundle_id'
  | 'clock_state'
>;

/**
 * An applicant's cases, newest first: along `cases_applicant_newest` (cases.0010), a probe however
 * many cases the applicant has; PostgreSQL's generic plan sorted them all before.
 */
export async function applicantCases(
  db: Executor,
  applicantId: string,
  limit: number,
  offset: number,
): Promise<ApplicantCaseRow[]> {
  return cdb(db)
    .selectFrom('cases')
    .select([
      'case_number',
      'item_name',
      'status',
      'promised_due',
      'colour',
      'created_at',
      'bundle_id',
      'clock_state',
    ])
    .where('applicant_id', '=', applicantId)
    .orderBy('created_at', 'desc')
    .orderBy('case_number', 'desc')
    .limit(limit)
    .offset(offset)
    .execute();
}

/**
 * Whose open cases an agent follows: applicants for every item (a 委托 of `*`), and applicants for
 * some items only — the filter the query applies, so nothing is read to be dropped.
 */
export interface DelegatorsFilter {
  readonly anyItem: readonly string[];
  readonly someItems: ReadonlyArray<{ readonly applicantId: string; readonly items: readonly string[] }>;
}

/**
 * The open cases a 委托 covers (an agent's list of those who delegated to them), newest first, a
 * page of them and how many in all (index `cases_applicant_newest`: applicant, created, number).
 */
export async function openCasesOfDelegators(
  db: Executor,
  f: DelegatorsFilter,
  limit: number,
  offset: number,
) {
  if (f.anyItem.length === 0 && f.someItems.length === 0) return { rows: [], total: 0 };
  const q = cdb(db)
    .selectFrom('cases')
    .where('open', '=', 1)
    .where((eb) =>
      eb.or([
        ...(f.anyItem.length ? [eb('applicant_id', 'in', [...f.anyItem])] : []),
        ...f.someItems.map((g) =>
          eb.and([eb('applicant_id', '=', g.applicantId), eb('implementation_code', 'in', [...g.items])]),
        ),
      ]),
    );
  const [rows, count] = await Promise.all([
    q
      .select([
        'case_number',
        'item_name',
        'implementation_code',
        'applicant_id',
        'status',
        'promised_due',
        'colour',
        'created_at',
        'projection',
      ])
      .orderBy('created_at', 'desc')
      .orderBy('case_number', 'desc')
      .limit(limit)
      .offset(offset)
      .execute(),
    q.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirst(),
  ]);
  return { rows, total: Number(count?.n ?? 0) };
}

/** Open, accepted cases whose promised due date is on or before a date (the warning sweep). */
export async function openCasesDueBy(
  db: Executor,
  lastDate: string,
  limit: number,
  afterId = '',
): Promise<CaseRow[]> {
  // `open = 1` a literal: it implies cases_open_dated's predicate (cases.0014), also to a generic plan
  return cdb(db)
    .selectFrom('cases')
    .selectAll()
    .where('open', '=', sql.lit(1))
    .where('promised_due', 'is not', null)
    .where('promised_due', '<=', lastDate)
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Open, accepted cases decided in a region prefix (calendar changes). */
export async function openAcceptedInRegion(
  db: Executor,
  regionPrefix: string,
  limit: number,
  afterId = '',
): Promise<CaseRow[]> {
  return cdb(db)
    .selectFrom('cases')
    .selectAll()
    .where('open', '=', 1)
    .where('accepted_on', 'is not', null)
    .where(startsWithPrefix('decide_region_code', regionPrefix))
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Records a warning once; false when it was already raised. */
export async function recordWarning(
  trx: Executor,
  caseId: string,
  level: string,
  regionCode: string,
  at: string,
): Promise<boolean> {
  const r = await cdb(trx)
    .insertInto('case_warnings')
    .values({ case_id: caseId, level, region_code: regionCode, raised_at: at })
    .onConflict((oc) => oc.columns(['case_id', 'level']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
}

export async function updateClockColumns(
  trx: Executor,
  id: string,
  p: Pick<CaseRow, 'promised_due' | 'statutory_due' | 'clock_state' | 'colour' | 'remaining_days'>,
): Promise<void> {
  await cdb(trx).updateTable('cases').set(p).where('id', '=', id).execute();
}

// ── materials and blobs ────────────────────────────────────────────────────────────────────────

export async function putBlob(trx: Executor, b: CasesTables['case_blobs']): Promise<void> {
  await cdb(trx)
    .insertInto('case_blobs')
    .values(b)
    .onConflict((oc) => oc.column('content_key').doNothing())
    .execute();
}

export async function getBlob(
  db: Executor,
  contentKey: string,
): Promise<CasesTables['case_blobs'] | undefined> {
  return cdb(db)
    .selectFrom('case_blobs')
    .selectAll()
    .where('content_key', '=', contentKey)
    .executeTakeFirst();
}

/** Up to `limit` stored files not sealed under `generation` (to seal or reseal). */
export async function blobsNotIn(
  db: Executor,
  generation: number,
  limit: number,
): Promise<Array<Pick<CasesTables['case_blobs'], 'content_key' | 'data' | 'key_generation'>>> {
  return cdb(db)
    .selectFrom('case_blobs')
    .select(['content_key', 'data', 'key_generation'])
    .where('key_generation', '<>', generation)
    .orderBy('content_key')
    .limit(limit)
    .execute();
}

/** Rewrites one stored file (resealed, and renamed when its key changes). */
export async function rewriteBlob(
  trx: Executor,
  from: string,
  to: Pick<CasesTables['case_blobs'], 'content_key' | 'data' | 'key_generation'>,
): Promise<void> {
  await cdb(trx).updateTable('case_blobs').set(to).where('content_key', '=', from).execute();
}

/** The materials that name a stored file. */
export async function materialsOfFile(
  db: Executor,
  fileKey: string,
): Promise<Array<Pick<CasesTables['case_materials'], 'id' | 'sha256_sealed'>>> {
  return cdb(db)
    .selectFrom('case_materials')
    .select(['id', 'sha256_sealed'])
    .where('file_key', '=', fileKey)
    .execute();
}

/** Up to `limit` file materials after `afterId` (by id), for resealing their SHA-256. */
export async function fileMaterialsAfter(
  db: Executor,
  afterId: string,
  limit: number,
): Promise<Array<Pick<CasesTables['case_materials'], 'id' | 'sha256_sealed'>>> {
  return cdb(db)
    .selectFrom('case_materials')
    .select(['id', 'sha256_sealed'])
    .where('id', '>', afterId)
    .where('sha256_sealed', 'is not', null)
    .orderBy('id')
    .limit(limit)
    .execute();
}

export async function setMaterialFile(
  trx: Executor,
  id: string,
  set: Partial<Pick<CasesTables['case_materials'], 'file_key' | 'sha256_sealed'>>,
): Promise<void> {
  await cdb(trx).updateTable('case_materials').set(set).where('id', '=', id).execute();
}

export async function insertMaterials(trx: Executor, rows: CasesTables['case_materials'][]): Promise<void> {
  if (rows.length) await cdb(trx).insertInto('case_materials').values(rows).execute();
}

export async function materialsOf(db: Executor, caseId: string): Promise<CasesTables['case_materials'][]> {
  return cdb(db)
    .selectFrom('case_materials')
    .selectAll()
    .where('case_id', '=', caseId)
    .orderBy('created_at')
    .execute();
}

// ── bundles and drafts ─────────────────────────────────────────────────────────────────────────

export async function insertBundle(trx: Executor, row: CasesTables['case_bundles']): Promise<void> {
  await cdb(trx).insertInto('case_bundles').values(row).execute();
}

export async function bundleByNumber(
  db: Executor,
  n: string,
): Promise<CasesTables['case_bundles'] | undefined> {
  return cdb(db).selectFrom('case_bundles').selectAll().where('bundle_number', '=', n).executeTakeFirst();
}

export async function bundleById(db: Executor, id: string): Promise<CasesTables['case_bundles'] | undefined> {
  return cdb(db).selectFrom('case_bundles').selectAll().where('id', '=', id).executeTakeFirst();
}

/** How many cases of a bundle are still open. */
export async function openCasesInBundle(db: Executor, bundleId: string): Promise<number> {
  const r = await cdb(db)
    .selectFrom('cases')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('bundle_id', '=', bundleId)
    .where('open', '=', 1)
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

export async function casesOfBundle(db: Executor, bundleId: string): Promise<CaseRow[]> {
  return cdb(db)
    .selectFrom('cases')
    .selectAll()
    .where('bundle_id', '=', bundleId)
    .orderBy('case_number')
    .execute();
}

/** A draft's key (`code`: an item, `bundle:<code>` or `for:<account>:<code>`) as the tables key it. */
const keyOf = (code: string) => {
  const k = splitDraftKey(code);
  return { on_behalf_of: k.onBehalfOf, implementation_code: k.code };
};

export async function saveDraft(db: Executor, row: CasesTables['case_drafts']): Promise<void> {
  const k = keyOf(row.implementation_code);
  await cdb(db)
    .insertInto('case_draft_answers')
    .values({ ...row, ...k })
    .onConflict((oc) =>
      oc
        .columns(['applicant_id', 'on_behalf_of', 'implementation_code'])
        .doUpdateSet({ data: row.data, region_code: row.region_code, updated_at: row.updated_at }),
    )
    .execute();
}

/** The stored draft text (sealed by the service), or undefined. */
export async function loadDraft(
  db: Executor,
  applicantId: string,
  code: string,
): Promise<string | undefined> {
  const k = keyOf(code);
  const r = await cdb(db)
    .selectFrom('case_draft_answers')
    .select('data')
    .where('applicant_id', '=', applicantId)
    .where('on_behalf_of', '=', k.on_behalf_of)
    .where('implementation_code', '=', k.implementation_code)
    .executeTakeFirst();
  return r?.data;
}

/** Deletes a draft; whether there was one. */
export async function deleteDraft(trx: Executor, applicantId: string, code: string): Promise<boolean> {
  const k = keyOf(code);
  const r = await runPrecompiled(
    trx,
    'deleteDraftAnswers',
    (q, slot) =>
      q
        .deleteFrom('case_draft_answers')
        .where('applicant_id', '=', slot(0))
        .where('on_behalf_of', '=', slot(1))
        .where('implementation_code', '=', slot(2)),
    [applicantId, k.on_behalf_of, k.implementation_code],
  );
  return Number(r.numAffectedRows ?? 0) > 0;
}

// ── files uploaded with a draft ────────────────────────────────────────────────────────────────

export type DraftMaterialRow = CasesTables['case_draft_materials'];
export type DraftFileRow = CasesTables['case_draft_files'];

/** Puts (or replaces) the file of one material of a draft (`implementation_code`: the draft's key). */
export async function putDraftMaterial(trx: Executor, row: DraftMaterialRow): Promise<void> {
  await cdb(trx)
    .insertInto('case_draft_files')
    .values({ ...row, ...keyOf(row.implementation_code) })
    .onConflict((oc) =>
      oc.columns(['applicant_id', 'on_behalf_of', 'implementation_code', 'material_code']).doUpdateSet({
        filename: row.filename,
        media_type: row.media_type,
        size: row.size,
        data: row.data,
        key_generation: row.key_generation,
        updated_at: row.updated_at,
      }),
    )
    .execute();
}

/** The files of a draft: without their bytes (pages), or with them (submission). */
export async function draftMaterialsOf(
  db: Executor,
  applicantId: string,
  code: string,
): Promise<Omit<DraftFileRow, 'data' | 'key_generation'>[]> {
  const k = keyOf(code);
  return cdb(db)
    .selectFrom('case_draft_files')
    .select([
      'applicant_id',
      'on_behalf_of',
      'implementation_code',
      'material_code',
      'filename',
      'media_type',
      'size',
      'updated_at',
    ])
    .where('applicant_id', '=', applicantId)
    .where('on_behalf_of', '=', k.on_behalf_of)
    .where('implementation_code', '=', k.implementation_code)
    .orderBy('material_code')
    .execute();
}

export async function draftMaterialFiles(
  db: Executor,
  applicantId: string,
  code: string,
): Promise<DraftFileRow[]> {
  const k = keyOf(code);
  return cdb(db)
    .selectFrom('case_draft_files')
    .selectAll()
    .where('applicant_id', '=', applicantId)
    .where('on_behalf_of', '=', k.on_behalf_of)
    .where('implementation_code', '=', k.implementation_code)
    .orderBy('material_code')
    .execute();
}

/**
 * Up to `limit` draft files not sealed under `generation` (to seal or reseal): of case_draft_files,
 * or (`legacy`, the migration cases.0004 that ran before cases.0007) of case_draft_materials.
 */
export async function draftFilesNotIn(
  db: Executor,
  generation: number,
  limit: number,
  legacy = false,
): Promise<
  Array<
    Pick<
      DraftFileRow,
      'applicant_id' | 'implementation_code' | 'material_code' | 'data' | 'key_generation'
    > & {
      on_behalf_of?: string;
    }
  >
> {
  if (legacy)
    return cdb(db)
      .selectFrom('case_draft_materials')
      .select(['applicant_id', 'implementation_code', 'material_code', 'data', 'key_generation'])
      .where('key_generation', '<>', generation)
      .orderBy('applicant_id')
      .orderBy('implementation_code')
      .orderBy('material_code')
      .limit(limit)
      .execute();
  return cdb(db)
    .selectFrom('case_draft_files')
    .select([
      'applicant_id',
      'on_behalf_of',
      'implementation_code',
      'material_code',
      'data',
      'key_generation',
    ])
    .where('key_generation', '<>', generation)
    .orderBy('applicant_id')
    .orderBy('on_behalf_of')
    .orderBy('implementation_code')
    .orderBy('material_code')
    .limit(limit)
    .execute();
}

/** Rewrites one draft file's bytes (resealed), leaving its time alone (`legacy`: case_draft_materials). */
export async function resealDraftFile(
  trx: Executor,
  key: Pick<DraftFileRow, 'applicant_id' | 'implementation_code' | 'material_code'> & {
    on_behalf_of?: string;
  },
  set: Pick<DraftFileRow, 'data' | 'key_generation'>,
  legacy = false,
): Promise<void> {
  if (legacy) {
    await cdb(trx)
      .updateTable('case_draft_materials')
      .set(set)
      .where('applicant_id', '=', key.applicant_id)
      .where('implementation_code', '=', key.implementation_code)
      .where('material_code', '=', key.material_code)
      .execute();
    return;
  }
  await cdb(trx)
    .updateTable('case_draft_files')
    .set(set)
    .where('applicant_id', '=', key.applicant_id)
    .where('on_behalf_of', '=', key.on_behalf_of ?? '')
    .where('implementation_code', '=', key.implementation_code)
    .where('material_code', '=', key.material_code)
    .execute();
}

/** Removes some files of a draft (the codes given), or all of them. */
export async function deleteDraftMaterials(
  trx: Executor,
  applicantId: string,
  code: string,
  materialCodes?: readonly string[],
): Promise<void> {
  if (materialCodes && materialCodes.length === 0) return;
  const k = keyOf(code);
  let q = cdb(trx)
    .deleteFrom('case_draft_files')
    .where('applicant_id', '=', applicantId)
    .where('on_behalf_of', '=', k.on_behalf_of)
    .where('implementation_code', '=', k.implementation_code);
  if (materialCodes) q = q.where('material_code', 'in', [...materialCodes]);
  await q.execute();
}

/**
 * Drafts and draft files not touched since `before` (an ISO instant), removed; how many of each.
 * The tables before cases.0007 are swept too (what the previous release left there).
 */
export async function deleteStaleDrafts(
  trx: Executor,
  before: string,
): Promise<{ drafts: number; files: number }> {
  const d = await cdb(trx)
    .deleteFrom('case_draft_answers')
    .where('updated_at', '<', before)
    .executeTakeFirst();
  // a file goes with its draft: an old file of a draft still being worked on stays
  const f = await cdb(trx)
    .deleteFrom('case_draft_files')
    .where('updated_at', '<', before)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('case_draft_answers')
            .select('case_draft_answers.applicant_id')
            .whereRef('case_draft_answers.applicant_id', '=', 'case_draft_files.applicant_id')
            .whereRef('case_draft_answers.on_behalf_of', '=', 'case_draft_files.on_behalf_of')
            .whereRef('case_draft_answers.implementation_code', '=', 'case_draft_files.implementation_code'),
        ),
      ),
    )
    .executeTakeFirst();
  const od = await cdb(trx).deleteFrom('case_drafts').where('updated_at', '<', before).executeTakeFirst();
  const of = await cdb(trx)
    .deleteFrom('case_draft_materials')
    .where('updated_at', '<', before)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('case_drafts')
            .select('case_drafts.applicant_id')
            .whereRef('case_drafts.applicant_id', '=', 'case_draft_materials.applicant_id')
            .whereRef('case_drafts.implementation_code', '=', 'case_draft_materials.implementation_code'),
        ),
      ),
    )
    .executeTakeFirst();
  return {
    drafts: Number(d.numDeletedRows) + Number(od.numDeletedRows),
    files: Number(f.numDeletedRows) + Number(of.numDeletedRows),
  };
}

/**
 * cases.0008 (with cases.0007, expand, ADR 0023): the drafts and files stored before cases.0007 copied
 * into its tables, each draft's person read from its sealed answers (`onBehalfOf`, set by
 * startAssisted); a file of such a draft is sealed again under its new name. Built with the keys
 * (cases.files `draftsByPersonMigrations`). The old tables stay for the previous release's nodes
 * during a rolling deploy (what they write there meanwhile is not seen by this release's nodes; the
 * stale-draft sweep clears it); a later release drops them (contract phase).
 */
export function draftsByPersonMigration(deps: {
  /** the person a stored draft's answers are for, '' for the account's own */
  onBehalfOf(data: string): string;
  /** a stored file's bytes sealed under its new row (the person added to its name) */
  reseal(row: DraftMaterialRow, onBehalfOf: string): { data: Uint8Array; key_generation: number };
}): Migration {
  return {
    async up(db: Kysely<unknown>) {
      const x = cdb(db as unknown as Executor);
      const forWhom = new Map<string, string>();
      for (let offset = 0; ; offset += 500) {
        const drafts = await x
          .selectFrom('case_drafts')
          .selectAll()
          .orderBy('applicant_id')
          .orderBy('implementation_code')
          .limit(500)
          .offset(offset)
          .execute();
        if (drafts.length === 0) break;
        for (const d of drafts) {
          const who = deps.onBehalfOf(d.data);
          if (who) forWhom.set(JSON.stringify([d.applicant_id, d.implementation_code]), who);
          await x
            .insertInto('case_draft_answers')
            .values({ ...d, on_behalf_of: who })
            .onConflict((oc) => oc.doNothing())
            .execute();
        }
      }
      // files of up to 10 MB each: a few at a time
      for (let offset = 0; ; offset += 8) {
        const files = await x
          .selectFrom('case_draft_materials')
          .selectAll()
          .orderBy('applicant_id')
          .orderBy('implementation_code')
          .orderBy('material_code')
          .limit(8)
          .offset(offset)
          .execute();
        if (files.length === 0) break;
        for (const f of files) {
          const who = forWhom.get(JSON.stringify([f.applicant_id, f.implementation_code])) ?? '';
          await x
            .insertInto('case_draft_files')
            .values({ ...f, on_behalf_of: who, ...(who ? deps.reseal(f, who) : {}) })
            .onConflict((oc) => oc.doNothing())
            .execute();
        }
      }
    },
  };
}

// ── idempotent requests ─────────────────────────────────────────────────────────────────────

export type RequestRow = CasesTables['case_requests'];

export async function requestOf(
  db: Executor,
  accountId: string,
  requestId: string,
): Promise<RequestRow | undefined> {
  return cdb(db)
    .selectFrom('case_requests')
    .selectAll()
    .where('account_id', '=', accountId)
    .where('request_id', '=', requestId)
    .executeTakeFirst();
}

/**
 * Takes a request id; false when it is already taken. On PostgreSQL a concurrent transaction that
 * took the same id makes this wait until that one ends (the primary key's uniqueness check).
 */
export async function reserveRequest(trx: Executor, row: RequestRow): Promise<boolean> {
  const r = await cdb(trx)
    .insertInto('case_requests')
    .values(row)
    .onConflict((oc) => oc.columns(['account_id', 'request_id']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
}

export async function answerRequest(
  trx: Executor,
  accountId: string,
  requestId: string,
  answer: string,
): Promise<void> {
  await cdb(trx)
    .updateTable('case_requests')
    .set({ answer })
    .where('account_id', '=', accountId)
    .where('request_id', '=', requestId)
    .execute();
}

/** Lets go of the answers kept before `before`. */
export async function deleteRequestsBefore(trx: Executor, before: string): Promise<number> {
  const r = await cdb(trx).deleteFrom('case_requests').where('created_at', '<', before).executeTakeFirst();
  return Number(r.numDeletedRows);
}
