import type { Kysely, Migration } from 'kysely';
import type { Executor } from '../../platform/db/index.js';

/**
 * The identity tables. Personal fields are stored sealed (AES-256-GCM) beside a keyed lookup hash
 * (platform/privacy); secrets (sessions, tokens, reset links, client secrets) are stored only as
 * SHA-256 hashes of high-entropy random values, so a copy of the database opens no session.
 */
export type IdentityTables = {
  identity_accounts: {
    id: string;
    kind: string;
    login: string;
    name: string;
    id_number_enc: string | null;
    id_number_hash: string | null;
    mobile_enc: string | null;
    mobile_hash: string | null;
    email: string | null;
    credit_code: string | null;
    legal_rep_name: string | null;
    region_code: string | null;
    department_id: string | null;
    hall_id: string | null;
    password_hash: string;
    real_name_level: number;
    real_name_method: string | null;
    real_name_at: string | null;
    status: string;
    created_at: string;
    updated_at: string;
  };
  identity_grants: {
    id: string;
    account_id: string;
    role: string;
    region_code: string;
    department_id: string | null;
    created_at: string;
    created_by: string | null;
  };
  identity_sessions: {
    id: string;
    token_hash: string;
    account_id: string;
    created_at: string;
    expires_at: string;
    last_seen_at: string;
  };
  identity_tokens: {
    id: string;
    token_hash: string;
    kind: string;
    account_id: string | null;
    client_id: string | null;
    created_at: string;
    expires_at: string;
    revoked_at: string | null;
  };
  identity_throttle: {
    key: string;
    failures: number;
    window_start: string;
    locked_until: string | null;
  };
  identity_reset_tokens: {
    token_hash: string;
    account_id: string;
    created_at: string;
    expires_at: string;
    used_at: string | null;
  };
  identity_notifications: {
    id: string;
    channel: string;
    recipient_masked: string;
    subject: string;
    body: string;
    created_at: string;
  };
  identity_agents: {
    id: string;
    organization_id: string;
    name: string;
    id_number_enc: string;
    id_number_hash: string;
    mobile_enc: string | null;
    scopes: string;
    valid_to: string | null;
    created_at: string;
    revoked_at: string | null;
  };
  identity_delegations: {
    id: string;
    principal_id: string;
    agent_id: string;
    scopes: string;
    valid_from: string;
    valid_to: string;
    region_code: string | null;
    created_at: string;
    revoked_at: string | null;
  };
  identity_clients: {
    client_id: string;
    name: string;
    secret_hash: string;
    secret_enc: string;
    redirect_uris: string;
    grant_types: string;
    full_claims: number;
    roles: string;
    region_code: string;
    created_at: string;
    created_by: string | null;
  };
  identity_oidc_store: {
    model: string;
    id: string;
    payload: string;
    grant_id: string | null;
    user_code: string | null;
    uid: string | null;
    expires_at: string | null;
    consumed_at: string | null;
  };
  identity_federation_providers: {
    id: string;
    name: string;
    issuer: string;
    client_id: string;
    client_secret_enc: string;
    created_at: string;
  };
  identity_federation_links: {
    issuer: string;
    subject: string;
    account_id: string;
    created_at: string;
  };
};

export const idb = (db: Executor) => db.withTables<IdentityTables>();

export const identityMigrations: Record<string, Migration> = {
  'identity.0001_accounts': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('identity_accounts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('login', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('id_number_enc', 'text')
        .addColumn('id_number_hash', 'text', (c) => c.unique())
        .addColumn('mobile_enc', 'text')
        .addColumn('mobile_hash', 'text')
        .addColumn('email', 'text')
        .addColumn('credit_code', 'text', (c) => c.unique())
        .addColumn('legal_rep_name', 'text')
        .addColumn('region_code', 'text')
        .addColumn('department_id', 'text')
        .addColumn('hall_id', 'text')
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('real_name_level', 'integer', (c) => c.notNull())
        .addColumn('real_name_method', 'text')
        .addColumn('real_name_at', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('identity_accounts_mobile')
        .on('identity_accounts')
        .column('mobile_hash')
        .execute();
      await db.schema
        .createTable('identity_grants')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull().references('identity_accounts.id'))
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('region_code', 'text', (c) => c.notNull())
        .addColumn('department_id', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text')
        .execute();
      await db.schema
        .createIndex('identity_grants_account')
        .on('identity_grants')
        .column('account_id')
        .execute();
      await db.schema
        .createTable('identity_sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('last_seen_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('identity_sessions_account')
        .on('identity_sessions')
        .column('account_id')
        .execute();
      await db.schema
        .createTable('identity_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('account_id', 'text')
        .addColumn('client_id', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text')
        .execute();
      await db.schema
        .createTable('identity_throttle')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('failures', 'integer', (c) => c.notNull())
        .addColumn('window_start', 'text', (c) => c.notNull())
        .addColumn('locked_until', 'text')
        .execute();
      await db.schema
        .createTable('identity_reset_tokens')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('used_at', 'text')
        .execute();
      await db.schema
        .createTable('identity_notifications')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('channel', 'text', (c) => c.notNull())
        .addColumn('recipient_masked', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('identity_agents')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) => c.notNull().references('identity_accounts.id'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('id_number_enc', 'text', (c) => c.notNull())
        .addColumn('id_number_hash', 'text', (c) => c.notNull())
        .addColumn('mobile_enc', 'text')
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('valid_to', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text')
        .execute();
      await db.schema
        .createTable('identity_delegations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('principal_id', 'text', (c) => c.notNull().references('identity_accounts.id'))
        .addColumn('agent_id', 'text', (c) => c.notNull().references('identity_accounts.id'))
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('valid_from', 'text', (c) => c.notNull())
        .addColumn('valid_to', 'text', (c) => c.notNull())
        .addColumn('region_code', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text')
        .execute();
      await db.schema
        .createIndex('identity_delegations_agent')
        .on('identity_delegations')
        .column('agent_id')
        .execute();
      await db.schema
        .createTable('identity_clients')
        .addColumn('client_id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('secret_hash', 'text', (c) => c.notNull())
        .addColumn('secret_enc', 'text', (c) => c.notNull())
        .addColumn('redirect_uris', 'text', (c) => c.notNull())
        .addColumn('grant_types', 'text', (c) => c.notNull())
        .addColumn('full_claims', 'integer', (c) => c.notNull())
        .addColumn('roles', 'text', (c) => c.notNull())
        .addColumn('region_code', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text')
        .execute();
      await db.schema
        .createTable('identity_oidc_store')
        .addColumn('model', 'text', (c) => c.notNull())
        .addColumn('id', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('grant_id', 'text')
        .addColumn('user_code', 'text')
        .addColumn('uid', 'text')
        .addColumn('expires_at', 'text')
        .addColumn('consumed_at', 'text')
        .addPrimaryKeyConstraint('identity_oidc_store_pk', ['model', 'id'])
        .execute();
      await db.schema
        .createIndex('identity_oidc_store_grant')
        .on('identity_oidc_store')
        .column('grant_id')
        .execute();
      await db.schema
        .createIndex('identity_oidc_store_uid')
        .on('identity_oidc_store')
        .column('uid')
        .execute();
      await db.schema
        .createTable('identity_federation_links')
        .addColumn('issuer', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.notNull().references('identity_accounts.id'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('identity_federation_links_pk', ['issuer', 'subject'])
        .execute();
    },
  },
};

identityMigrations['identity.0002_federation_providers'] = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('identity_federation_providers')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('issuer', 'text', (c) => c.notNull())
      .addColumn('client_id', 'text', (c) => c.notNull())
      .addColumn('client_secret_enc', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
  },
};

export type AccountRow = IdentityTables['identity_accounts'];
export type GrantRow = IdentityTables['identity_grants'];

export async function accountById(db: Executor, id: string): Promise<AccountRow | undefined> {
  return idb(db).selectFrom('identity_accounts').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function accountByLogin(db: Executor, login: string): Promise<AccountRow | undefined> {
  return idb(db)
    .selectFrom('identity_accounts')
    .selectAll()
    .where('login', '=', login.trim().toLowerCase())
    .executeTakeFirst();
}

export async function accountByIdHash(db: Executor, hash: string): Promise<AccountRow | undefined> {
  return idb(db)
    .selectFrom('identity_accounts')
    .selectAll()
    .where('id_number_hash', '=', hash)
    .executeTakeFirst();
}

export async function grantsOf(db: Executor, accountId: string): Promise<GrantRow[]> {
  return idb(db)
    .selectFrom('identity_grants')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('created_at')
    .execute();
}

/** The grants of several accounts in one query, per account id, oldest first. */
export async function grantsOfMany(
  db: Executor,
  accountIds: readonly string[],
): Promise<Map<string, GrantRow[]>> {
  const m = new Map<string, GrantRow[]>();
  if (accountIds.length === 0) return m;
  const rows = await idb(db)
    .selectFrom('identity_grants')
    .selectAll()
    .where('account_id', 'in', accountIds)
    .orderBy('created_at')
    .execute();
  for (const r of rows) {
    const list = m.get(r.account_id) ?? [];
    list.push(r);
    m.set(r.account_id, list);
  }
  return m;
}
