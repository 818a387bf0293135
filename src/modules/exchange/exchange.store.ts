import type { Kysely, Migration } from 'kysely';
import {
  type Executor,
  columnTypes,
  insertPrecompiled,
  runPrecompiled,
  sql,
} from '../../platform/db/index.js';
import type {
  AccessRecord,
  DataItem,
  Grant,
  GrantStatus,
  RegisterName,
  RequestStatus,
  Resource,
  ShareRequest,
} from './exchange.types.js';

/** The exchange's tables: the catalogue, the base registers, consumers, requests, grants and the access log. */
export type ExchangeTables = {
  exchange_resources: {
    id: string;
    code: string;
    name: string;
    classification: string;
    category: string;
    provider_department_id: string;
    summary: string;
    register: string;
    items: string;
    share_type: string;
    share_condition: string;
    legal_basis: string;
    methods: string;
    open_type: string;
    update_cycle: string;
    region_code: string;
    version: number;
    published_on: string;
    demo: number;
    created_at: string;
    updated_at: string;
  };
  exchange_resource_versions: {
    resource_id: string;
    version: number;
    snapshot: string;
    changed_at: string;
    actor: string | null;
  };
  exchange_population: {
    id_hash: string;
    id_sealed: string;
    name: string;
    gender: string;
    birth_date: string;
    region_code: string;
    address_sealed: string;
    household_type: string;
    relation_to_head: string;
    marital_status: string;
    death_date: string | null;
    demo: number;
    updated_at: string;
  };
  exchange_legal_persons: {
    credit_code: string;
    name: string;
    type: string;
    legal_rep_name: string;
    legal_rep_id_hash: string;
    legal_rep_id_sealed: string;
    registered_capital_fen: number;
    address: string;
    status: string;
    established_on: string;
    region_code: string;
    demo: number;
    updated_at: string;
  };
  exchange_social_insurance: {
    id_hash: string;
    name: string;
    insurance_types: string;
    employer: string;
    status: string;
    first_insured_on: string;
    months_paid: number;
    region_code: string;
    demo: number;
    updated_at: string;
  };
  exchange_consumers: {
    client_id: string;
    department_id: string;
    name: string;
    region_code: string;
    created_at: string;
    /** where 校核纠错 notices are posted (https), or none (0005) */
    webhook_url: string | null;
  };
  exchange_requests: {
    id: string;
    resource_id: string;
    department_id: string;
    fields: string;
    clear_fields: string;
    purpose: string;
    legal_basis: string;
    period_from: string;
    period_to: string;
    volume: number;
    rate_per_minute: number;
    bulk: number;
    status: string;
    reason: string | null;
    requested_at: string;
    requested_by: string | null;
    due_on: string;
    decided_at: string | null;
    decided_by: string | null;
    grant_id: string | null;
    region_code: string;
  };
  exchange_grants: {
    id: string;
    request_id: string;
    resource_id: string;
    department_id: string;
    fields: string;
    clear_fields: string;
    purpose: string;
    valid_from: string;
    valid_to: string;
    rate_per_minute: number;
    bulk: number;
    status: string;
    changed_at: string;
    region_code: string;
  };
  exchange_access: {
    id: string;
    at: string;
    client_id: string | null;
    department_id: string | null;
    resource_code: string;
    resource_id: string | null;
    subject_hash: string | null;
    fields: string;
    purpose: string;
    case_number: string | null;
    outcome: string;
    grant_id: string | null;
    event_id: string;
    region_code: string;
  };
  exchange_rate: {
    grant_id: string;
    window: string;
    n: number;
  };
  exchange_objections: {
    id: string;
    access_id: string;
    subject_hash: string;
    account_id: string;
    text: string;
    provider_department_id: string;
    status: string;
    raised_at: string;
    due_on: string;
    answered_at: string | null;
    answer: string | null;
    region_code: string;
    /** `rejected` or `corrected` once answered (0002) */
    result: string | null;
    answered_by: string | null;
    /** the fields corrected, JSON */
    corrected: string | null;
    /** `subject` (我的数据使用记录) or `consumer` (a consumer department reporting an error) (0003) */
    raised_by: string;
    /** a consumer's report: the subject's key, sealed (the register row of a 法人 is found by it) */
    subject_sealed: string | null;
  };
  /** 校核纠错: each corrected field's old and new value, sealed (0002) */
  exchange_corrections: {
    id: string;
    objection_id: string;
    resource_id: string;
    register: string;
    subject_hash: string;
    field: string;
    old_sealed: string;
    new_sealed: string;
    corrected_at: string;
    corrected_by: string;
    region_code: string;
  };
  /**
   * 校核纠错 notices: one per consumer department that read a corrected value, written by the
   * `exchange.notices` consumer from its `exchange.correctionNotice` event (id = the event's) (0005)
   */
  exchange_notices: {
    id: string;
    department_id: string;
    provider_department_id: string;
    objection_id: string;
    resource_code: string;
    /** the fields corrected, JSON */
    fields: string;
    /** the department's reads that answered the old value, JSON */
    access_ids: string;
    corrected_at: string;
    created_at: string;
    region_code: string;
  };
  /** a notice posted to a consumer system's webhook: every attempt recorded, retried with back-off (0005) */
  exchange_notice_deliveries: {
    id: string;
    notice_id: string;
    client_id: string;
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

export const exchangeMigrations: Record<string, Migration> = {
  'exchange.0001_catalogue_registers_grants': {
    async up(db: Kysely<unknown>) {
      const t = columnTypes(db);
      await db.schema
        .createTable('exchange_resources')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('code', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('classification', 'text', (c) => c.notNull())
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('provider_department_id', 'text', (c) => c.notNull())
        .addColumn('summary', 'text', (c) => c.notNull())
        .addColumn('register', 'text', (c) => c.notNull())
        .addColumn('items', 'text', (c) => c.notNull())
        .addColumn('share_type', 'text', (c) => c.notNull())
        .addColumn('share_condition', 'text', (c) => c.notNull())
        .addColumn('legal_basis', 'text', (c) => c.notNull())
        .addColumn('methods', 'text', (c) => c.notNull())
        .addColumn('open_type', 'text', (c) => c.notNull())
        .addColumn('update_cycle', 'text', (c) => c.notNull())
        .addColumn('region_code', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('published_on', 'text', (c) => c.notNull())
        .addColumn('demo', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('exchange_resource_versions')
        .addColumn('resource_id', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('snapshot', 'text', (c) => c.notNull())
        .addColumn('changed_at', 'text', (c) => c.notNull())
        .addColumn('actor', 'text')
        .addPrimaryKeyConstraint('exchange_resource_versions_pk', ['resource_id', 'version'])
        .execute();
      await db.schema
        .createTable('exchange_population')
        .addColumn('id_hash', 'text', (c) => c.primaryKey())
        .addColumn('id_sealed', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('gender', 'text', (c) => c.notNull())
        .addColumn('birth_date', 'text', (c) => c.notNull())
        .addColumn('region_code', 'text', (c) => c.notNull())
        .addColumn('address_sealed', 'text', (c) => c.notNull())
        .addColumn('household_type', 'text', (c) => c.notNull())
        .addColumn('relation_to_head', 'text', (c) => c.notNull())
        .addColumn('marital_status', 'text', (c) => c.notNull())
        .addColumn('death_date', 'text')
        .addColumn('demo', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('exchange_legal_persons')
        .addColumn('credit_code', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('legal_rep_name', 'text', (c) => c.notNull())
        .addColumn('legal_rep_id_hash', 'text', (c) => c.notNull())
        .addColumn('legal_rep_id_sealed', 'text', (c) => c.notNull())
        .addColumn('registered_capital_fen', t.bigint, (c) => c.notNull())
        .addColumn('address', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('established_on', 'text', (c) => c.notNull())
        .addColumn('region_code', 'text', (c) => c.notNull())
        .addColumn('demo', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('exchange_legal_persons_rep')
        .on('exchange_legal_persons')
        .column('legal_rep_id_hash')
        .execute();
      await db.schema
        .createTable('exchange_social_insurance')
        .addColumn('id_hash', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('insurance_types', 'text', (c) => c.notNull())
        .addColumn('employer', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('first_insured_on', 'text', (c) => c.notNull())
        .addColumn('months_paid', 'integer', (c) => c.notNull())
        .addColumn('region_code', 'text', (c) => c.notNull())
        .addColumn('demo', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('exchange_consumers')
        .addColumn('client_id', 'text', (c) => c.primaryKey())
        .addColumn('department_id', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('region_code', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('exchange_requests')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('resource_id', 'text', (c) => c.notNull())
        .addColumn('department_id', 'text', (c) => c.notNull())
        .addColumn('fields', 'text', (c) => c.notNull())
        .addColumn('clear_fields', 'text', (c) => c.notNull())
        .addColumn('purpose', 'text', (c) => c.notNull())
        .addColumn('legal_basis', 'text', (c) => c.notNull())
        .addColumn('period_from', 'text', (c) => c.notNull())
        .addColumn('period_to', 'text', (c) => c.notNull())
        .addColumn('volume', 'integer', (c) => c.notNull())
        .addColumn('rate_per_minute', 'integer', (c) => c.notNull())
        .addColumn('bulk', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('requested_at', 'text', (c) => c.notNull())
        .addColumn('requested_by', 'text')
        .addColumn('due_on', 'text', (c) => c.notNull())
        .addColumn('decided_at', 'text')
        .addColumn('decided_by', 'text')
        .addColumn('grant_id', 'text')
        .addColumn('region_code', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('exchange_requests_resource')
        .on('exchange_requests')
        .columns(['resource_id', 'status'])
        .execute();
      await db.schema
        .createTable('exchange_grants')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('request_id', 'text', (c) => c.notNull())
        .addColumn('resource_id', 'text', (c) => c.notNull())
        .addColumn('department_id', 'text', (c) => c.notNull())
        .addColumn('fields', 'text', (c) => c.notNull())
        .addColumn('clear_fields', 'text', (c) => c.notNull())
        .addColumn('purpose', 'text', (c) => c.notNull())
        .addColumn('valid_from', 'text', (c) => c.notNull())
        .addColumn('valid_to', 'text', (c) => c.notNull())
        .addColumn('rate_per_minute', 'integer', (c) => c.notNull())
        .addColumn('bulk', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('changed_at', 'text', (c) => c.notNull())
        .addColumn('region_code', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('exchange_grants_holder')
        .on('exchange_grants')
        .columns(['department_id', 'resource_id'])
        .execute();
      await db.schema
        .createTable('exchange_access')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('client_id', 'text')
        .addColumn('department_id', 'text')
        .addColumn('resource_code', 'text', (c) => c.notNull())
        .addColumn('resource_id', 'text')
        .addColumn('subject_hash', 'text')
        .addColumn('fields', 'text', (c) => c.notNull())
        .addColumn('purpose', 'text', (c) => c.notNull())
        .addColumn('case_number', 'text')
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('grant_id', 'text')
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('region_code', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('exchange_access_subject')
        .on('exchange_access')
        .columns(['subject_hash', 'at'])
        .execute();
      await db.schema
        .createIndex('exchange_access_department')
        .on('exchange_access')
        .columns(['department_id', 'at'])
        .execute();
      await db.schema
        .createIndex('exchange_access_resource')
        .on('exchange_access')
        .columns(['resource_id', 'at'])
        .execute();
      await db.schema
        .createTable('exchange_rate')
        .addColumn('grant_id', 'text', (c) => c.notNull())
        .addColumn('window', 'text', (c) => c.notNull())
        .addColumn('n', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('exchange_rate_pk', ['grant_id', 'window'])
        .execute();
      await db.schema
        .createTable('exchange_objections')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('access_id', 'text', (c) => c.notNull())
        .addColumn('subject_hash', 'text', (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('provider_department_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('raised_at', 'text', (c) => c.notNull())
        .addColumn('due_on', 'text', (c) => c.notNull())
        .addColumn('answered_at', 'text')
        .addColumn('answer', 'text')
        .addColumn('region_code', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('exchange_objections_provider')
        .on('exchange_objections')
        .columns(['provider_department_id', 'status'])
        .execute();
    },
  },
  'exchange.0002_objection_answers_corrections': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('exchange_objections').addColumn('result', 'text').execute();
      await db.schema.alterTable('exchange_objections').addColumn('answered_by', 'text').execute();
      await db.schema.alterTable('exchange_objections').addColumn('corrected', 'text').execute();
      await db.schema
        .createTable('exchange_corrections')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('objection_id', 'text', (c) => c.notNull())
        .addColumn('resource_id', 'text', (c) => c.notNull())
        .addColumn('register', 'text', (c) => c.notNull())
        .addColumn('subject_hash', 'text', (c) => c.notNull())
        .addColumn('field', 'text', (c) => c.notNull())
        .addColumn('old_sealed', 'text', (c) => c.notNull())
        .addColumn('new_sealed', 'text', (c) => c.notNull())
        .addColumn('corrected_at', 'text', (c) => c.notNull())
        .addColumn('corrected_by', 'text', (c) => c.notNull())
        .addColumn('region_code', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('exchange_corrections_subject')
        .on('exchange_corrections')
        .columns(['subject_hash', 'corrected_at'])
        .execute();
    },
  },
  'exchange.0003_access_case': {
    // the reads made for a case (the workbench's case page shows them beside the materials)
    async up(db: Kysely<unknown>) {
      await db.schema
        .createIndex('exchange_access_case')
        .on('exchange_access')
        .columns(['case_number', 'at'])
        .execute();
    },
  },
  'exchange.0004_consumer_error_reports': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('exchange_objections')
        .addColumn('raised_by', 'text', (c) => c.notNull().defaultTo('subject'))
        .execute();
      await db.schema.alterTable('exchange_objections').addColumn('subject_sealed', 'text').execute();
    },
  },
  'exchange.0005_correction_notices': {
    // 校核纠错 pushed to consumers: their notification list and webhook deliveries (expand only)
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('exchange_consumers').addColumn('webhook_url', 'text').execute();
      await db.schema
        .createTable('exchange_notices')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('department_id', 'text', (c) => c.notNull())
        .addColumn('provider_department_id', 'text', (c) => c.notNull())
        .addColumn('objection_id', 'text', (c) => c.notNull())
        .addColumn('resource_code', 'text', (c) => c.notNull())
        .addColumn('fields', 'text', (c) => c.notNull())
        .addColumn('access_ids', 'text', (c) => c.notNull())
        .addColumn('corrected_at', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('region_code', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('exchange_notices_department')
        .on('exchange_notices')
        .columns(['department_id', 'corrected_at'])
        .execute();
      await db.schema
        .createIndex('exchange_notices_provider')
        .on('exchange_notices')
        .columns(['provider_department_id', 'corrected_at'])
        .execute();
      await db.schema
        .createTable('exchange_notice_deliveries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('notice_id', 'text', (c) => c.notNull())
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('next_at', 'text', (c) => c.notNull())
        .addColumn('delivered_at', 'text')
        .addColumn('last_status', 'integer')
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('exchange_notice_deliveries_due')
        .on('exchange_notice_deliveries')
        .columns(['delivered_at', 'next_at'])
        .execute();
      await db.schema
        .createIndex('exchange_notice_deliveries_notice')
        .on('exchange_notice_deliveries')
        .columns(['notice_id'])
        .execute();
    },
  },
};

export const xdb = (db: Executor) => db.withTables<ExchangeTables>();

type ResourceRow = ExchangeTables['exchange_resources'];
export const toResource = (r: ResourceRow): Resource => ({
  id: r.id,
  code: r.code,
  name: r.name,
  classification: r.classification as Resource['classification'],
  category: r.category,
  providerDepartmentId: r.provider_department_id,
  summary: r.summary,
  register: r.register as RegisterName,
  items: JSON.parse(r.items) as DataItem[],
  shareType: r.share_type as Resource['shareType'],
  shareCondition: r.share_condition,
  legalBasis: r.legal_basis,
  methods: JSON.parse(r.methods) as Resource['methods'],
  openType: r.open_type,
  updateCycle: r.update_cycle,
  regionCode: r.region_code,
  version: Number(r.version),
  publishedOn: r.published_on,
  demo: Number(r.demo) === 1,
});

export async function resourceByCode(db: Executor, code: string): Promise<Resource | undefined> {
  const r = await xdb(db)
    .selectFrom('exchange_resources')
    .selectAll()
    .where('code', '=', code)
    .executeTakeFirst();
  return r ? toResource(r) : undefined;
}

export async function resourceByName(db: Executor, name: string): Promise<Resource | undefined> {
  const r = await xdb(db)
    .selectFrom('exchange_resources')
    .selectAll()
    .where('name', '=', name)
    .executeTakeFirst();
  return r ? toResource(r) : undefined;
}

export async function resourceById(db: Executor, id: string): Promise<Resource | undefined> {
  const r = await xdb(db)
    .selectFrom('exchange_resources')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  return r ? toResource(r) : undefined;
}

export async function listResources(
  db: Executor,
  q: { text?: string | undefined; provider?: string | undefined; shareType?: string | undefined },
): Promise<Resource[]> {
  let s = xdb(db).selectFrom('exchange_resources').selectAll();
  if (q.text) {
    const like = `%${q.text.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
    s = s.where((eb) =>
      eb.or([
        eb('name', 'like', sql<string>`${like} escape '\\'`),
        eb('code', 'like', sql<string>`${like} escape '\\'`),
        eb('summary', 'like', sql<string>`${like} escape '\\'`),
      ]),
    );
  }
  if (q.provider) s = s.where('provider_department_id', '=', q.provider);
  if (q.shareType) s = s.where('share_type', '=', q.shareType);
  return (await s.orderBy('code').limit(500).execute()).map(toResource);
}

type RequestRow = ExchangeTables['exchange_requests'];
export const toRequest = (r: RequestRow, code: string): ShareRequest => ({
  id: r.id,
  resourceId: r.resource_id,
  resourceCode: code,
  departmentId: r.department_id,
  fields: JSON.parse(r.fields) as string[],
  clearFields: JSON.parse(r.clear_fields) as string[],
  purpose: r.purpose,
  legalBasis: r.legal_basis,
  periodFrom: r.period_from,
  periodTo: r.period_to,
  volume: Number(r.volume),
  ratePerMinute: Number(r.rate_per_minute),
  bulk: Number(r.bulk) === 1,
  status: r.status as RequestStatus,
  reason: r.reason,
  requestedAt: r.requested_at,
  dueOn: r.due_on,
  decidedAt: r.decided_at,
  grantId: r.grant_id,
});

type GrantRow = ExchangeTables['exchange_grants'];
export const toGrant = (r: GrantRow): Grant => ({
  id: r.id,
  requestId: r.request_id,
  resourceId: r.resource_id,
  departmentId: r.department_id,
  fields: JSON.parse(r.fields) as string[],
  clearFields: JSON.parse(r.clear_fields) as string[],
  purpose: r.purpose,
  validFrom: r.valid_from,
  validTo: r.valid_to,
  ratePerMinute: Number(r.rate_per_minute),
  bulk: Number(r.bulk) === 1,
  status: r.status as GrantStatus,
});

/** The grants a department holds on a resource, newest first, from the store (lookups: grantsOfKept). */
export async function grantsOf(db: Executor, departmentId: string, resourceId: string): Promise<Grant[]> {
  const r = await runPrecompiled(
    db,
    xdb,
    'exchange.grantsOf',
    (q, slot) =>
      q
        .selectFrom('exchange_grants')
        .selectAll()
        .where('department_id', '=', slot(0))
        .where('resource_id', '=', slot(1))
        .orderBy('valid_to', 'desc'),
    [departmentId, resourceId],
  );
  return r.rows.map(toGrant);
}

/**
 * How long a node answers a department's grants on a resource from memory before reading them
 * again (ADR 0029): a grant suspended or revoked on another node is refused here within this; on
 * the node that changed it, at once (the change forgets this node's grants after its commit).
 * Reads inside a transaction (a case fetching its material) always read the store.
 */
export const GRANT_RECHECK_MS = 250;
interface GrantMemo {
  /** bumped when this node forgets its grants: a read begun before then is not kept */
  generation: number;
  readonly entries: Map<string, { readonly grants: readonly Grant[]; readonly readAt: number }>;
}
const grantMemos = new WeakMap<object, GrantMemo>();
const grantMemoOf = (node: object): GrantMemo => {
  let m = grantMemos.get(node);
  if (!m) {
    m = { generation: 0, entries: new Map() };
    grantMemos.set(node, m);
  }
  return m;
};

/**
 * {@link grantsOf} as lookups read it: per node (`node`: the service's context), kept for at most
 * GRANT_RECHECK_MS from the moment its read began (`at`, ms on the context's clock).
 */
export async function grantsOfKept(
  node: object,
  db: Executor,
  departmentId: string,
  resourceId: string,
  at: number,
): Promise<readonly Grant[]> {
  if (db.isTransaction) return grantsOf(db, departmentId, resourceId);
  const memo = grantMemoOf(node);
  const key = `${departmentId}\u0000${resourceId}`;
  const hit = memo.entries.get(key);
  if (hit && at >= hit.readAt && at - hit.readAt < GRANT_RECHECK_MS) return hit.grants;
  const generation = memo.generation;
  const grants = Object.freeze((await grantsOf(db, departmentId, resourceId)).map((g) => Object.freeze(g)));
  if (memo.generation === generation) {
    if (memo.entries.size >= 10_000) memo.entries.clear();
    memo.entries.set(key, { grants, readAt: at });
  }
  return grants;
}

/** Forgets this node's kept grants (after a grant is made, suspended, resumed or revoked here). */
export function forgetGrants(node: object): void {
  const memo = grantMemoOf(node);
  memo.generation++;
  memo.entries.clear();
}

type AccessRow = ExchangeTables['exchange_access'];
const ACCESS_COLUMNS = [
  'id',
  'at',
  'client_id',
  'department_id',
  'resource_code',
  'resource_id',
  'subject_hash',
  'fields',
  'purpose',
  'case_number',
  'outcome',
  'grant_id',
  'event_id',
  'region_code',
] as const satisfies ReadonlyArray<keyof AccessRow>;

/** Access records, in the caller's transaction: statements compiled once per row count. */
export async function insertAccess(db: Executor, rows: readonly AccessRow[]): Promise<void> {
  await insertPrecompiled(db, xdb, 'exchange_access', ACCESS_COLUMNS, rows);
}

export const toAccess = (
  r: ExchangeTables['exchange_access'] & { resource_name?: string | null },
): AccessRecord => ({
  id: r.id,
  at: r.at,
  departmentId: r.department_id,
  clientId: r.client_id,
  resourceCode: r.resource_code,
  resourceName: r.resource_name ?? null,
  fields: JSON.parse(r.fields) as string[],
  purpose: r.purpose,
  caseNumber: r.case_number,
  outcome: r.outcome,
  eventId: r.event_id,
});

/**
 * Counts one more lookup in the grant's current minute and answers the count (one upsert: the
 * same on SQLite and PostgreSQL, and atomic across nodes).
 */
export async function countLookup(db: Executor, grantId: string, window: string, n = 1): Promise<number> {
  const r = await runPrecompiled(
    db,
    xdb,
    'exchange.countLookup',
    (q, slot) =>
      q
        .insertInto('exchange_rate')
        .values({ grant_id: slot(0), window: slot(1), n: slot(2) })
        .onConflict((oc) =>
          oc
            .columns(['grant_id', 'window'])
            .doUpdateSet((eb) => ({ n: eb('exchange_rate.n', '+', eb.ref('excluded.n')) })),
        )
        .returning('n'),
    [grantId, window, n],
  );
  const row = r.rows[0];
  if (!row) throw new Error('exchange_rate: the upsert answered no row');
  return Number(row.n);
}

/**
 * Catalogue entries as lookups read them, kept for at most a second per node (a lookup reads its
 * resource on every call otherwise): a provider's edit takes effect on this node at once (the
 * publishing code forgets the entry) and on every other node within a second. Grants are kept for
 * a quarter of that (grantsOfKept).
 */
const RESOURCE_TTL_MS = 1000;
const resourceCache = new WeakMap<object, Map<string, { r: Resource | undefined; until: number }>>();

export async function resourceByCodeCached(db: Executor, code: string): Promise<Resource | undefined> {
  if (db.isTransaction) return resourceByCode(db, code);
  let m = resourceCache.get(db);
  if (!m) {
    m = new Map();
    resourceCache.set(db, m);
  }
  const now = Date.now();
  const hit = m.get(code);
  if (hit && hit.until > now) return hit.r;
  const r = await resourceByCode(db, code);
  if (m.size > 10_000) m.clear();
  m.set(code, { r, until: now + RESOURCE_TTL_MS });
  return r;
}

/** Forgets this node's cached catalogue entries (after a publish or an edit). */
export function forgetResources(db: Executor): void {
  resourceCache.delete(db);
}
