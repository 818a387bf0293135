import type { Kysely, Migration } from 'kysely';
import { type Executor, columnTypes } from '../../platform/db/index.js';

/**
 * Tables of the licences module. `licence_events` is append-only: status (revoked, superseded,
 * expired) is derived from it and the validity dates, never kept in a mutable column.
 * `signed_bytes` holds the exact canonical JSON that was signed; it carries only masked holder
 * data and salted digests (ADR 0007), so it may be served publicly.
 */
export type LicencesTables = {
  licence_types: {
    code: string;
    name: string;
    name_en: string;
    authority_name: string;
    authority_code: string;
    holder_kind: string;
    share_scope: string;
    validity_years: number | null;
    created_at: string;
  };
  licence_issuers: { code: string; name: string; region_code: string; created_at: string };
  licence_keys: {
    id: string;
    issuer_code: string;
    public_key: string;
    private_key_sealed: string;
    created_at: string;
    retired_at: string | null;
  };
  /** the issuer's active key (one row per issuer); older keys stay in licence_keys and still verify */
  licence_active_keys: { issuer_code: string; key_id: string; since: string };
  licence_holders: {
    id_hash: string;
    id_type: string;
    id_number_sealed: string;
    name_sealed: string;
    name_masked: string;
    id_masked: string;
    created_at: string;
  };
  licence_holder_accounts: { holder_id_hash: string; account_id: string; linked_at: string };
  /** 监护: the guardian's accounts also see the ward's licences (a minor's birth certificate) */
  licence_guardians: { ward_hash: string; guardian_hash: string; created_at: string };
  licence_serials: { type_code: string; issuer_code: string; next_serial: number };
  licences: {
    id: string;
    identifier: string;
    type_code: string;
    issuer_code: string;
    serial: string;
    version: number;
    licence_number: string;
    holder_id_hash: string;
    region_code: string;
    issue_date: string;
    valid_from: string;
    valid_to: string | null;
    signed_bytes: string;
    signature: string;
    key_id: string;
    fields_sealed: string;
    salt_sealed: string;
    case_number: string | null;
    replaces: string | null;
    created_at: string;
  };
  licence_events: {
    id: string;
    licence_id: string;
    kind: string;
    reason: string | null;
    case_number: string | null;
    actor: string | null;
    region_code: string;
    at: string;
  };
  licence_uses: {
    id: string;
    licence_id: string;
    account_id: string;
    case_number: string;
    department_id: string | null;
    /** who used it, by name as it was then (the deciding department); null before 0002 */
    user_name: string | null;
    purpose: string;
    region_code: string;
    used_at: string;
  };
};

export const ldb = (db: Executor) => db.withTables<LicencesTables>();

export const licencesMigrations: Record<string, Migration> = {
  'licences.0001_init': {
    async up(db: Kysely<unknown>) {
      const t = columnTypes(db);
      await db.schema
        .createTable('licence_types')
        .addColumn('code', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('name_en', 'text', (c) => c.notNull())
        .addColumn('authority_name', 'text', (c) => c.notNull())
        .addColumn('authority_code', 'text', (c) => c.notNull())
        .addColumn('holder_kind', 'text', (c) => c.notNull())
        .addColumn('share_scope', 'text', (c) => c.notNull())
        .addColumn('validity_years', 'integer')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('licence_issuers')
        .addColumn('code', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('region_code', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('licence_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('issuer_code', 'text', (c) => c.notNull())
        .addColumn('public_key', 'text', (c) => c.notNull())
        .addColumn('private_key_sealed', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('retired_at', 'text')
        .execute();
      await db.schema
        .createIndex('licence_keys_issuer')
        .on('licence_keys')
        .columns(['issuer_code', 'created_at'])
        .execute();
      await db.schema
        .createTable('licence_active_keys')
        .addColumn('issuer_code', 'text', (c) => c.primaryKey())
        .addColumn('key_id', 'text', (c) => c.notNull())
        .addColumn('since', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('licence_holders')
        .addColumn('id_hash', 'text', (c) => c.primaryKey())
        .addColumn('id_type', 'text', (c) => c.notNull())
        .addColumn('id_number_sealed', 'text', (c) => c.notNull())
        .addColumn('name_sealed', 'text', (c) => c.notNull())
        .addColumn('name_masked', 'text', (c) => c.notNull())
        .addColumn('id_masked', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('licence_holder_accounts')
        .addColumn('holder_id_hash', 'text', (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('linked_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('licence_holder_accounts_pk', ['holder_id_hash', 'account_id'])
        .execute();
      await db.schema
        .createIndex('licence_holder_accounts_account')
        .on('licence_holder_accounts')
        .column('account_id')
        .execute();
      await db.schema
        .createTable('licence_guardians')
        .addColumn('ward_hash', 'text', (c) => c.notNull())
        .addColumn('guardian_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('licence_guardians_pk', ['ward_hash', 'guardian_hash'])
        .execute();
      await db.schema
        .createIndex('licence_guardians_guardian')
        .on('licence_guardians')
        .column('guardian_hash')
        .execute();
      await db.schema
        .createTable('licence_serials')
        .addColumn('type_code', 'text', (c) => c.notNull())
        .addColumn('issuer_code', 'text', (c) => c.notNull())
        .addColumn('next_serial', t.bigint, (c) => c.notNull())
        .addPrimaryKeyConstraint('licence_serials_pk', ['type_code', 'issuer_code'])
        .execute();
      await db.schema
        .createTable('licences')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('identifier', 'text', (c) => c.notNull().unique())
        .addColumn('type_code', 'text', (c) => c.notNull())
        .addColumn('issuer_code', 'text', (c) => c.notNull())
        .addColumn('serial', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('licence_number', 'text', (c) => c.notNull())
        .addColumn('holder_id_hash', 'text', (c) => c.notNull())
        .addColumn('region_code', 'text', (c) => c.notNull())
        .addColumn('issue_date', 'text', (c) => c.notNull())
        .addColumn('valid_from', 'text', (c) => c.notNull())
        .addColumn('valid_to', 'text')
        .addColumn('signed_bytes', 'text', (c) => c.notNull())
        .addColumn('signature', 'text', (c) => c.notNull())
        .addColumn('key_id', 'text', (c) => c.notNull())
        .addColumn('fields_sealed', 'text', (c) => c.notNull())
        .addColumn('salt_sealed', 'text', (c) => c.notNull())
        .addColumn('case_number', 'text')
        .addColumn('replaces', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('licences_version_unique', ['type_code', 'issuer_code', 'serial', 'version'])
        .execute();
      await db.schema.createIndex('licences_holder').on('licences').column('holder_id_hash').execute();
      await db.schema.createIndex('licences_valid_to').on('licences').column('valid_to').execute();
      await db.schema
        .createTable('licence_events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('licence_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('case_number', 'text')
        .addColumn('actor', 'text')
        .addColumn('region_code', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('licence_events_licence')
        .on('licence_events')
        .columns(['licence_id', 'kind'])
        .execute();
      await db.schema
        .createTable('licence_uses')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('licence_id', 'text', (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('case_number', 'text', (c) => c.notNull())
        .addColumn('department_id', 'text')
        .addColumn('purpose', 'text', (c) => c.notNull())
        .addColumn('region_code', 'text', (c) => c.notNull())
        .addColumn('used_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('licence_uses_licence')
        .on('licence_uses')
        .columns(['licence_id', 'used_at'])
        .execute();
    },
  },
  // 用证记录 names who used a licence, as the holder reads it: the department by its name then
  'licences.0002_use_user_name': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('licence_uses').addColumn('user_name', 'text').execute();
    },
  },
};

export type LicenceRow = LicencesTables['licences'];

export async function findLicence(db: Executor, identifier: string) {
  return ldb(db)
    .selectFrom('licences')
    .innerJoin('licence_types', 'licence_types.code', 'licences.type_code')
    .innerJoin('licence_issuers', 'licence_issuers.code', 'licences.issuer_code')
    .innerJoin('licence_holders', 'licence_holders.id_hash', 'licences.holder_id_hash')
    .selectAll('licences')
    .select([
      'licence_types.name as type_name',
      'licence_types.name_en as type_name_en',
      'licence_issuers.name as issuer_name',
      'licence_holders.name_masked',
      'licence_holders.id_masked',
      'licence_holders.id_type',
    ])
    .where('licences.identifier', '=', identifier)
    .executeTakeFirst();
}
export type LicenceView = NonNullable<Awaited<ReturnType<typeof findLicence>>>;

export async function licencesOfAccount(db: Executor, accountId: string) {
  return ldb(db)
    .selectFrom('licences')
    .innerJoin('licence_holder_accounts', 'licence_holder_accounts.holder_id_hash', 'licences.holder_id_hash')
    .innerJoin('licence_types', 'licence_types.code', 'licences.type_code')
    .innerJoin('licence_issuers', 'licence_issuers.code', 'licences.issuer_code')
    .innerJoin('licence_holders', 'licence_holders.id_hash', 'licences.holder_id_hash')
    .selectAll('licences')
    .select([
      'licence_types.name as type_name',
      'licence_types.name_en as type_name_en',
      'licence_issuers.name as issuer_name',
      'licence_holders.name_masked',
      'licence_holders.id_masked',
      'licence_holders.id_type',
    ])
    .where('licence_holder_accounts.account_id', '=', accountId)
    .orderBy('licences.issue_date', 'desc')
    .orderBy('licences.identifier')
    .execute();
}

/** A holder's licences by the holder's keyed hash (the e-licence directory as the exchange reads it). */
export async function licencesOfHolder(db: Executor, holderIdHash: string) {
  return ldb(db)
    .selectFrom('licences')
    .innerJoin('licence_types', 'licence_types.code', 'licences.type_code')
    .innerJoin('licence_issuers', 'licence_issuers.code', 'licences.issuer_code')
    .innerJoin('licence_holders', 'licence_holders.id_hash', 'licences.holder_id_hash')
    .selectAll('licences')
    .select([
      'licence_types.name as type_name',
      'licence_types.name_en as type_name_en',
      'licence_issuers.name as issuer_name',
      'licence_holders.name_masked',
      'licence_holders.id_masked',
      'licence_holders.id_type',
    ])
    .where('licences.holder_id_hash', '=', holderIdHash)
    .orderBy('licences.issue_date', 'desc')
    .orderBy('licences.identifier')
    .limit(500)
    .execute();
}

/** Event kinds per licence id, for status derivation. */
export async function eventKinds(
  db: Executor,
  licenceIds: readonly string[],
): Promise<Map<string, Set<string>>> {
  const m = new Map<string, Set<string>>();
  if (licenceIds.length === 0) return m;
  const rows = await ldb(db)
    .selectFrom('licence_events')
    .select(['licence_id', 'kind'])
    .where('licence_id', 'in', licenceIds)
    .execute();
  for (const r of rows) {
    const s = m.get(r.licence_id) ?? new Set<string>();
    s.add(r.kind);
    m.set(r.licence_id, s);
  }
  return m;
}

/** One recorded use of a licence (用证记录), as its holder sees it. */
export interface LicenceUse {
  readonly caseNumber: string;
  readonly departmentId: string | null;
  /** the user's name when it was recorded (null for uses recorded before names were) */
  readonly userName: string | null;
  readonly purpose: string;
  readonly usedAt: string;
}

/** The uses of several licences in one query, per licence id, newest first. */
export async function usesForLicences(
  db: Executor,
  licenceIds: readonly string[],
): Promise<Map<string, LicenceUse[]>> {
  const m = new Map<string, LicenceUse[]>();
  if (licenceIds.length === 0) return m;
  const rows = await ldb(db)
    .selectFrom('licence_uses')
    .select([
      'licence_id',
      'case_number as caseNumber',
      'department_id as departmentId',
      'user_name as userName',
      'purpose',
      'used_at as usedAt',
    ])
    .where('licence_id', 'in', licenceIds)
    .orderBy('used_at', 'desc')
    .execute();
  for (const { licence_id, ...use } of rows) {
    const list = m.get(licence_id) ?? [];
    list.push(use);
    m.set(licence_id, list);
  }
  return m;
}
