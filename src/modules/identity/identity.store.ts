import { type Kysely, type Migration, sql } from 'kysely';
import { type Executor, insertPrecompiled, runPrecompiled } from '../../platform/db/index.js';

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
    /**
     * the lookup hash of the ID number once this account has verified it (L2 or L3): unique, so
     * one account at most holds a number verified; null while it is only claimed (L1)
     */
    id_number_hash: string | null;
    /**
     * the lookup hash of the ID number this account registered with, verified or not: several
     * accounts may claim one number (a squatter and its owner) until one of them verifies it
     */
    id_number_claim_hash: string | null;
    mobile_enc: string | null;
    mobile_hash: string | null;
    email: string | null;
    /**
     * an organisation's credit code once it is VERIFIED (unique: one verified account per
     * company); null while it is only claimed
     */
    credit_code: string | null;
    /** the credit code an organisation registered with (claimed, not unique); null once released */
    claimed_credit_code: string | null;
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
    /** set when an administrator revoked it (identity.0003): a revoked grant gives nothing */
    revoked_at: string | null;
    revoked_by: string | null;
  };
  /**
   * An account's own history of what administrators did to it (disabled, enabled, a grant
   * revoked), with the reason: append-only, the store has no update or delete for it.
   */
  identity_account_actions: {
    id: string;
    account_id: string;
    action: string;
    grant_id: string | null;
    reason: string;
    /** the administrator's account id; null for the operator's command line */
    actor_id: string | null;
    via: string;
    at: string;
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
    /** wrong passwords in the window */
    failures: number;
    /** attempts reserved and still being checked (migration 0007) */
    pending: number;
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
  identity_registrations: {
    id: string;
    /** keyed hash of the id and the code sent to the registrant's phone */
    code_hash: string;
    /** the registration (password already hashed), sealed: it holds an ID number and a phone */
    sealed: string;
    attempts: number;
    expires_at: string;
    created_at: string;
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
    /** when an operator cut the client off (`tongban exchange consumer revoke`, 0009), or none */
    revoked_at: string | null;
    revoked_by: string | null;
    /** the operator's reason, kept with the client (its event carries only its SHA-256) */
    revoked_reason: string | null;
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
    /** the account a session, grant, code or token is for (migration 0008) */
    account_id: string | null;
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
  /** 现场核验码: the one-time code a signed-in person shows a clerk (hash only; one per account) */
  identity_in_person_codes: {
    account_id: string;
    code_hash: string;
    expires_at: string;
    failures: number;
    created_at: string;
  };
  /** every verification and release of an organisation's credit code (append-only) */
  identity_organization_verifications: {
    id: string;
    account_id: string;
    credit_code: string;
    /** 'verified' | 'released' */
    action: string;
    /** the level reached (2 legal representative, 3 in person); null for a release */
    level: number | null;
    /** verified: 'legal-representative' | 'in-person'; released: 'reclaimed' | 'disputed' */
    method: string;
    /** who verified: the legal representative's or the clerk's account */
    actor_id: string;
    /** for a release: the account now verified with the code */
    by_account_id: string | null;
    region_code: string | null;
    created_at: string;
  };
};

export const idb = (db: Executor) => db.withTables<IdentityTables>();

/**
 * A hot statement, compiled once per dialect and shape (platform/db/precompiled.ts): the reads
 * every signed-in request makes (its token or session, the account, its grants).
 */
const pre = <R>(
  db: Executor,
  key: string,
  build: (q: ReturnType<typeof idb>, slot: (i: number) => never) => import('kysely').Compilable<R>,
  values: readonly unknown[],
) => runPrecompiled(db, idb, `identity.${key}`, build, values);

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

identityMigrations['identity.0003_id_number_claims'] = {
  /**
   * An ID number registered at L1 is a claim, not ownership: a squatter's claim must not lock the
   * owner out. Claims move to their own column (any number of accounts); id_number_hash, unique,
   * keeps only numbers verified at L2 or above. The one-time codes of the in-person check.
   */
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('identity_accounts').addColumn('id_number_claim_hash', 'text').execute();
    await db.schema
      .createIndex('identity_accounts_id_claim')
      .on('identity_accounts')
      .column('id_number_claim_hash')
      .execute();
    const accounts = db as Kysely<Pick<IdentityTables, 'identity_accounts'>>;
    await accounts
      .updateTable('identity_accounts')
      .set((eb) => ({ id_number_claim_hash: eb.ref('id_number_hash') }))
      .where('id_number_hash', 'is not', null)
      .execute();
    await accounts
      .updateTable('identity_accounts')
      .set({ id_number_hash: null })
      .where('real_name_level', '<', 2)
      .execute();
    await db.schema
      .createTable('identity_in_person_codes')
      .addColumn('account_id', 'text', (c) => c.primaryKey().references('identity_accounts.id'))
      .addColumn('code_hash', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('failures', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
  },
};

// Administration (issue 11 item 10): a grant can be revoked, and every administrator's action on
// an account is kept in its own history with the reason.
identityMigrations['identity.0004_account_administration'] = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('identity_grants').addColumn('revoked_at', 'text').execute();
    await db.schema.alterTable('identity_grants').addColumn('revoked_by', 'text').execute();
    await db.schema
      .createTable('identity_account_actions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull().references('identity_accounts.id'))
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('grant_id', 'text')
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'text')
      .addColumn('via', 'text', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('identity_account_actions_account')
      .on('identity_account_actions')
      .columns(['account_id', 'at'])
      .execute();
  },
};

// A registration waits for the code sent to the registrant's phone before any account is made, so
// that what the answer says never depends on the accounts that exist (issue 11, item 7).
identityMigrations['identity.0005_registrations'] = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('identity_registrations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('code_hash', 'text', (c) => c.notNull())
      .addColumn('sealed', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
  },
};

// Organisations are verified, not claimed (issue 11 item 1): the credit code an organisation
// registers with is only its claim (claimed_credit_code, not unique); credit_code, still unique, is
// set once the account is verified, so the store itself keeps one verified account per company.
// Every organisation registered before this was only claimed: it becomes level 1 (claimed).
identityMigrations['identity.0006_organization_verification'] = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('identity_accounts').addColumn('claimed_credit_code', 'text').execute();
    await (db as Kysely<Pick<IdentityTables, 'identity_accounts'>>)
      .updateTable('identity_accounts')
      .set((eb) => ({
        claimed_credit_code: eb.ref('credit_code'),
        credit_code: null,
        real_name_level: 1,
        real_name_method: null,
        real_name_at: null,
      }))
      .where('kind', '=', 'organization')
      .execute();
    await db.schema
      .createIndex('identity_accounts_claimed_credit_code')
      .on('identity_accounts')
      .column('claimed_credit_code')
      .execute();
    await db.schema
      .createTable('identity_organization_verifications')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull().references('identity_accounts.id'))
      .addColumn('credit_code', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('level', 'integer')
      .addColumn('method', 'text', (c) => c.notNull())
      .addColumn('actor_id', 'text', (c) => c.notNull())
      .addColumn('by_account_id', 'text')
      .addColumn('region_code', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('identity_organization_verifications_account')
      .on('identity_organization_verifications')
      .columns(['account_id', 'created_at'])
      .execute();
  },
};

/**
 * Sign-in attempts are reserved before the password is checked (identity.signin.ts): `pending`
 * counts those still being checked, so a burst of guesses is bounded before any of them fails.
 */
identityMigrations['identity.0007_throttle_pending'] = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('identity_throttle')
      .addColumn('pending', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
  },
};

/**
 * What the OpenID provider stores for an account (its sessions, grants, codes and tokens) is found
 * by the account, so a password change or "sign out everywhere" can revoke all of it at once.
 * Rows stored before take their account from their payload.
 */
identityMigrations['identity.0008_oidc_account'] = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('identity_oidc_store').addColumn('account_id', 'text').execute();
    await db.schema
      .createIndex('identity_oidc_store_account')
      .on('identity_oidc_store')
      .column('account_id')
      .execute();
    const store = idb(db as unknown as Executor);
    const rows = await store.selectFrom('identity_oidc_store').select(['model', 'id', 'payload']).execute();
    for (const r of rows) {
      const accountId = (JSON.parse(r.payload) as { accountId?: unknown }).accountId;
      if (typeof accountId === 'string')
        await store
          .updateTable('identity_oidc_store')
          .set({ account_id: accountId })
          .where('model', '=', r.model)
          .where('id', '=', r.id)
          .execute();
    }
  },
};

/**
 * A machine client can be revoked (issue 12): when, by whom and why, kept on its row; its tokens
 * are found by client so a revocation or a new secret revokes every one in the same transaction.
 */
identityMigrations['identity.0009_client_revocation'] = {
  async up(db: Kysely<unknown>) {
    for (const column of ['revoked_at', 'revoked_by', 'revoked_reason'])
      await db.schema.alterTable('identity_clients').addColumn(column, 'text').execute();
    await db.schema.createIndex('identity_tokens_client').on('identity_tokens').column('client_id').execute();
  },
};

/**
 * identity.0010 (expand): an account's bearer tokens, revoked when everything it is signed in with
 * ends (a password change, 退出所有设备, an account disabled: signout.endEverything). There was no
 * index and the tokens are kept: the revocation read every token ever issued, in the transaction
 * of the password change (PostgreSQL, generic plan: 71 ms at 200,000 tokens), now an index probe.
 */
identityMigrations['identity.0010_tokens_by_account'] = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createIndex('identity_tokens_account')
      .on('identity_tokens')
      .column('account_id')
      .execute();
  },
};

export type AccountRow = IdentityTables['identity_accounts'];
export type GrantRow = IdentityTables['identity_grants'];

export async function accountById(db: Executor, id: string): Promise<AccountRow | undefined> {
  const r = await pre(
    db,
    'accountById',
    (q, slot) => q.selectFrom('identity_accounts').selectAll().where('id', '=', slot(0)),
    [id],
  );
  return r.rows[0];
}

/** An account's sealed mobile number alone (whether the account exists: a row, its field maybe null). */
export async function sealedMobileOf(
  db: Executor,
  id: string,
): Promise<{ mobile_enc: string | null } | undefined> {
  const r = await pre(
    db,
    'sealedMobileOf',
    (q, slot) => q.selectFrom('identity_accounts').select(['mobile_enc']).where('id', '=', slot(0)),
    [id],
  );
  return r.rows[0];
}

/** The sealed mobiles of several accounts in one read (unknown ids left out): the outbox consumers' notices. */
export async function sealedMobilesOf(
  db: Executor,
  ids: readonly string[],
): Promise<Array<{ id: string; mobile_enc: string | null }>> {
  if (ids.length === 0) return [];
  return idb(db)
    .selectFrom('identity_accounts')
    .select(['id', 'mobile_enc'])
    .where('id', 'in', [...ids])
    .execute();
}

export async function accountByLogin(db: Executor, login: string): Promise<AccountRow | undefined> {
  return idb(db)
    .selectFrom('identity_accounts')
    .selectAll()
    .where('login', '=', login.trim().toLowerCase())
    .executeTakeFirst();
}

/** The account that holds this ID number verified (L2 or above), if any. */
export async function accountByIdHash(db: Executor, hash: string): Promise<AccountRow | undefined> {
  return idb(db)
    .selectFrom('identity_accounts')
    .selectAll()
    .where('id_number_hash', '=', hash)
    .executeTakeFirst();
}

/** An account's grants in force (revoked ones give nothing), oldest first. */
export async function grantsOf(db: Executor, accountId: string): Promise<GrantRow[]> {
  const r = await pre(
    db,
    'grantsOf',
    (q, slot) =>
      q
        .selectFrom('identity_grants')
        .selectAll()
        .where('account_id', '=', slot(0))
        .where('revoked_at', 'is', null)
        .orderBy('created_at'),
    [accountId],
  );
  return r.rows;
}

/** The grants in force of several accounts in one query, per account id, oldest first. */
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
    .where('revoked_at', 'is', null)
    .orderBy('created_at')
    .execute();
  for (const r of rows) {
    const list = m.get(r.account_id) ?? [];
    list.push(r);
    m.set(r.account_id, list);
  }
  return m;
}

export type SessionRow = IdentityTables['identity_sessions'];
export type TokenRow = IdentityTables['identity_tokens'];
export type ThrottleRow = IdentityTables['identity_throttle'];
export type ResetTokenRow = IdentityTables['identity_reset_tokens'];
export type NotificationRow = IdentityTables['identity_notifications'];
export type AgentRow = IdentityTables['identity_agents'];
export type DelegationRow = IdentityTables['identity_delegations'];
export type ClientRow = IdentityTables['identity_clients'];

// ── accounts ──────────────────────────────────────────────────────────────────────────────────

export async function insertAccount(db: Executor, row: AccountRow): Promise<void> {
  await idb(db).insertInto('identity_accounts').values(row).execute();
}

/** The VERIFIED organisation account holding a credit code, if any (at most one: unique). */
export async function verifiedHolderOf(db: Executor, creditCode: string): Promise<AccountRow | undefined> {
  return idb(db)
    .selectFrom('identity_accounts')
    .selectAll()
    .where('credit_code', '=', creditCode.trim().toUpperCase())
    .executeTakeFirst();
}

/** Which of these credit codes a VERIFIED organisation account holds (at most one each: unique). */
export async function verifiedCreditCodes(
  db: Executor,
  creditCodes: readonly string[],
): Promise<Set<string>> {
  if (creditCodes.length === 0) return new Set();
  const rows = await idb(db)
    .selectFrom('identity_accounts')
    .select('credit_code')
    .where('credit_code', 'in', creditCodes)
    .execute();
  return new Set(rows.map((r) => r.credit_code!));
}

/** Every organisation account that claims a credit code (verified or not), oldest first. */
export async function organizationsClaiming(db: Executor, creditCode: string): Promise<AccountRow[]> {
  return idb(db)
    .selectFrom('identity_accounts')
    .selectAll()
    .where('claimed_credit_code', '=', creditCode)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** The organisation accounts claiming any of these codes that are not verified yet. */
export async function claimedNotVerified(
  db: Executor,
  creditCodes: readonly string[],
): Promise<AccountRow[]> {
  if (creditCodes.length === 0) return [];
  return idb(db)
    .selectFrom('identity_accounts')
    .selectAll()
    .where('claimed_credit_code', 'in', creditCodes)
    .where('credit_code', 'is', null)
    .where('status', '=', 'active')
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/**
 * Marks an organisation verified with the code it claims; false when it no longer claims it (a
 * concurrent verification of another account released it first).
 */
export async function setOrganizationVerified(
  db: Executor,
  accountId: string,
  v: { creditCode: string; level: number; method: string; at: string; name?: string; legalRep?: string },
): Promise<boolean> {
  const r = await idb(db)
    .updateTable('identity_accounts')
    .set({
      credit_code: v.creditCode,
      real_name_level: v.level,
      real_name_method: v.method,
      real_name_at: v.at,
      updated_at: v.at,
      ...(v.name ? { name: v.name } : {}),
      ...(v.legalRep ? { legal_rep_name: v.legalRep } : {}),
    })
    .where('id', '=', accountId)
    .where('claimed_credit_code', '=', v.creditCode)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** An organisation loses the credit code it claimed or held (another account was verified with it). */
export async function releaseCreditCode(db: Executor, accountId: string, at: string): Promise<void> {
  await idb(db)
    .updateTable('identity_accounts')
    .set({
      credit_code: null,
      claimed_credit_code: null,
      real_name_level: 1,
      real_name_method: null,
      real_name_at: null,
      updated_at: at,
    })
    .where('id', '=', accountId)
    .execute();
}

export type OrganizationVerificationRow = IdentityTables['identity_organization_verifications'];

export async function insertOrganizationVerification(
  db: Executor,
  row: OrganizationVerificationRow,
): Promise<void> {
  await idb(db).insertInto('identity_organization_verifications').values(row).execute();
}

/** An organisation's verifications and releases, newest first. */
export async function organizationHistory(
  db: Executor,
  accountId: string,
): Promise<OrganizationVerificationRow[]> {
  return idb(db)
    .selectFrom('identity_organization_verifications')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

/** The first agent (经办人) of each organisation, for telling accounts apart: name only. */
export async function firstAgentNames(
  db: Executor,
  organizationIds: readonly string[],
): Promise<Map<string, string>> {
  const m = new Map<string, string>();
  if (organizationIds.length === 0) return m;
  const rows = await idb(db)
    .selectFrom('identity_agents')
    .select(['organization_id', 'name'])
    .where('organization_id', 'in', organizationIds)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  for (const r of rows) if (!m.has(r.organization_id)) m.set(r.organization_id, r.name);
  return m;
}

/** Stores a new password hash; `updatedAt` also marks the account changed (a rehash does not). */
export async function setPasswordHash(
  db: Executor,
  accountId: string,
  hash: string,
  updatedAt?: string,
): Promise<void> {
  await idb(db)
    .updateTable('identity_accounts')
    .set(updatedAt ? { password_hash: hash, updated_at: updatedAt } : { password_hash: hash })
    .where('id', '=', accountId)
    .execute();
}

/** Where a person lives (a division code): a grid worker of that village or community serves them. */
export async function setAccountRegion(
  db: Executor,
  accountId: string,
  regionCode: string,
  at: string,
): Promise<void> {
  await idb(db)
    .updateTable('identity_accounts')
    .set({ region_code: regionCode, updated_at: at })
    .where('id', '=', accountId)
    .execute();
}

export async function setRealNameLevel(
  db: Executor,
  accountId: string,
  level: number,
  method: string,
  at: string,
): Promise<void> {
  await idb(db)
    .updateTable('identity_accounts')
    .set({ real_name_level: level, real_name_method: method, real_name_at: at, updated_at: at })
    .where('id', '=', accountId)
    .execute();
}

/** Every account that registered with this ID number, verified or not. */
export async function accountsClaiming(db: Executor, claimHash: string): Promise<AccountRow[]> {
  return idb(db)
    .selectFrom('identity_accounts')
    .selectAll()
    .where('id_number_claim_hash', '=', claimHash)
    .orderBy('created_at')
    .execute();
}

/**
 * An account loses the ID number it held (another account verified it): the number, its hashes
 * and its level go; the account, its name and its history stay.
 */
export async function releaseIdNumber(db: Executor, accountId: string, at: string): Promise<void> {
  await idb(db)
    .updateTable('identity_accounts')
    .set({
      id_number_enc: null,
      id_number_hash: null,
      id_number_claim_hash: null,
      real_name_level: 1,
      real_name_method: 'released',
      real_name_at: at,
      updated_at: at,
    })
    .where('id', '=', accountId)
    .execute();
}

/** The account now holds this ID number verified, at this level. */
export async function setVerifiedIdNumber(
  db: Executor,
  accountId: string,
  id: { enc: string; hash: string },
  level: number,
  method: string,
  at: string,
): Promise<void> {
  await idb(db)
    .updateTable('identity_accounts')
    .set({
      id_number_enc: id.enc,
      id_number_hash: id.hash,
      id_number_claim_hash: id.hash,
      real_name_level: level,
      real_name_method: method,
      real_name_at: at,
      updated_at: at,
    })
    .where('id', '=', accountId)
    .execute();
}

export async function staffAccounts(db: Executor): Promise<AccountRow[]> {
  return idb(db)
    .selectFrom('identity_accounts')
    .selectAll()
    .where('kind', '=', 'staff')
    .orderBy('login')
    .execute();
}

export async function insertGrant(db: Executor, row: GrantRow): Promise<void> {
  await idb(db).insertInto('identity_grants').values(row).execute();
}

export async function insertAgent(db: Executor, row: AgentRow): Promise<void> {
  await idb(db).insertInto('identity_agents').values(row).execute();
}

// ── throttling ────────────────────────────────────────────────────────────────────────────────

export async function throttleRow(db: Executor, key: string): Promise<ThrottleRow | undefined> {
  return idb(db).selectFrom('identity_throttle').selectAll().where('key', '=', key).executeTakeFirst();
}

/** How a throttle key counts sign-in attempts and when it makes the next one wait. */
export interface ThrottleRule {
  readonly key: string;
  /** wrong passwords a window admits before the first wait */
  readonly free: number;
  /** failures are forgotten this long after the first of them */
  readonly windowMs: number;
  /** the wait after wrong password `free + i` is `waitsMs[i]` (the last one repeats) */
  readonly waitsMs: readonly number[];
}

const T = 'identity_throttle';

/**
 * Reserves one attempt in ONE statement, or answers false: the attempt is admitted while the key
 * is not waiting and its failures plus the attempts still being checked stay below `free` — or,
 * once a wait is over, one attempt at a time (the back-off's probe). Concurrent reservations of a
 * key serialise on its row (SQLite has one writer; PostgreSQL's ON CONFLICT DO UPDATE locks the
 * row and checks the WHERE on its latest version), so however many guesses arrive at once, no
 * more than `free` are checked. A window past its end starts afresh.
 */
export async function reserveAttempt(db: Executor, rule: ThrottleRule, nowMs: number): Promise<boolean> {
  const now = new Date(nowMs).toISOString();
  const cutoff = new Date(nowMs - rule.windowMs).toISOString();
  const waitOver = sql<boolean>`${sql.ref(`${T}.locked_until`)} <= ${now}`;
  const fresh = sql<boolean>`(${sql.ref(`${T}.window_start`)} <= ${cutoff} and (${sql.ref(`${T}.locked_until`)} is null or ${waitOver}))`;
  const row = await idb(db)
    .insertInto(T)
    .values({ key: rule.key, failures: 0, pending: 1, window_start: now, locked_until: null })
    .onConflict((oc) =>
      oc
        .column('key')
        .doUpdateSet({
          failures: sql<number>`case when ${fresh} then 0 else ${sql.ref(`${T}.failures`)} end`,
          pending: sql<number>`case when ${fresh} then 1 else ${sql.ref(`${T}.pending`)} + 1 end`,
          window_start: sql<string>`case when ${fresh} then ${now} else ${sql.ref(`${T}.window_start`)} end`,
          locked_until: sql<
            string | null
          >`case when ${fresh} then null else ${sql.ref(`${T}.locked_until`)} end`,
        })
        .where(
          sql<boolean>`${fresh}
            or (${sql.ref(`${T}.locked_until`)} is null and ${sql.ref(`${T}.failures`)} + ${sql.ref(`${T}.pending`)} < ${rule.free})
            or (${waitOver} and ${sql.ref(`${T}.pending`)} = 0)`,
        ),
    )
    .returning('pending')
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * A reserved attempt was a wrong password: it becomes a failure, and the failure that reaches
 * `free` — or any after it — sets the wait (ever-increasing: `waitsMs`).
 */
export async function recordFailure(db: Executor, rule: ThrottleRule, nowMs: number): Promise<void> {
  const n = sql<number>`(failures + 1)`;
  const waitUntil = (i: number) =>
    new Date(nowMs + rule.waitsMs[Math.min(i, rule.waitsMs.length - 1)]!).toISOString();
  const whens = rule.waitsMs
    .slice(0, -1)
    .map((_, i) => sql`when ${n} = ${rule.free + i} then ${waitUntil(i)}`);
  await idb(db)
    .updateTable(T)
    .set({
      failures: n,
      pending: sql<number>`case when pending > 0 then pending - 1 else 0 end`,
      locked_until: sql<
        string | null
      >`case when ${n} < ${rule.free} then locked_until ${sql.join(whens, sql` `)} else ${waitUntil(rule.waitsMs.length - 1)} end`,
    })
    .where('key', '=', rule.key)
    .execute();
}

/** A reserved attempt was the right password: it is no longer being checked, and no failure. */
export async function releaseAttempt(db: Executor, key: string): Promise<void> {
  await idb(db)
    .updateTable(T)
    .set({ pending: sql<number>`case when pending > 0 then pending - 1 else 0 end` })
    .where('key', '=', key)
    .execute();
}

/**
 * Forgets a key's failures after a right password, unless other attempts are still being
 * checked there (they keep the count they were admitted under); answers whether it forgot.
 */
export async function forgetAttempts(db: Executor, key: string): Promise<boolean> {
  const r = await idb(db).deleteFrom(T).where('key', '=', key).where('pending', '<=', 1).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Ends every wait of an account name: its own key and those of its name at each address. */
export async function forgetAttemptsOf(db: Executor, accountKey: string, pairPrefix: string): Promise<void> {
  const escaped = pairPrefix.replace(/[\\%_]/g, (c) => `\\${c}`);
  await idb(db)
    .deleteFrom('identity_throttle')
    .where((eb) =>
      eb.or([
        eb('key', '=', accountKey),
        eb(sql.ref('key'), 'like', sql<string>`${`${escaped}%`} escape '\\'`),
      ]),
    )
    .execute();
}

// ── sessions ──────────────────────────────────────────────────────────────────────────────────

export async function insertSession(db: Executor, row: SessionRow): Promise<void> {
  await idb(db).insertInto('identity_sessions').values(row).execute();
}

export async function sessionByTokenHash(db: Executor, tokenHash: string): Promise<SessionRow | undefined> {
  const r = await pre(
    db,
    'sessionByTokenHash',
    (q, slot) => q.selectFrom('identity_sessions').selectAll().where('token_hash', '=', slot(0)),
    [tokenHash],
  );
  return r.rows[0];
}

export async function touchSession(db: Executor, sessionId: string, at: string): Promise<void> {
  await idb(db)
    .updateTable('identity_sessions')
    .set({ last_seen_at: at })
    .where('id', '=', sessionId)
    .execute();
}

export async function deleteSession(db: Executor, sessionId: string): Promise<void> {
  await idb(db).deleteFrom('identity_sessions').where('id', '=', sessionId).execute();
}

export async function sessionById(db: Executor, sessionId: string): Promise<SessionRow | undefined> {
  return idb(db).selectFrom('identity_sessions').selectAll().where('id', '=', sessionId).executeTakeFirst();
}

/** Ends every session of an account but `exceptId`; answers how many ended. */
export async function deleteSessionsOf(db: Executor, accountId: string, exceptId?: string): Promise<number> {
  let q = idb(db).deleteFrom('identity_sessions').where('account_id', '=', accountId);
  if (exceptId) q = q.where('id', '!=', exceptId);
  const r = await q.executeTakeFirst();
  return Number(r.numDeletedRows);
}

// ── bearer tokens and machine clients ─────────────────────────────────────────────────────────

export async function insertToken(db: Executor, row: TokenRow): Promise<void> {
  await idb(db).insertInto('identity_tokens').values(row).execute();
}

/**
 * What a bearer request reads, in one statement: the token, its account's principal fields and
 * the account's grants in force (one row per grant, oldest first; one row with null grant fields
 * when it has none; null account fields for a machine client's token or an account gone).
 */
export interface BearerRow {
  expires_at: string;
  revoked_at: string | null;
  account_id: string | null;
  client_id: string | null;
  kind: string | null;
  login: string | null;
  name: string | null;
  real_name_level: number | null;
  status: string | null;
  role: string | null;
  grant_region_code: string | null;
  grant_department_id: string | null;
}

export async function bearerByHash(db: Executor, tokenHash: string): Promise<BearerRow[]> {
  const r = await pre(
    db,
    'bearerByHash',
    (q, slot) =>
      q
        .selectFrom('identity_tokens as t')
        .leftJoin('identity_accounts as a', 'a.id', 't.account_id')
        .leftJoin('identity_grants as g', (j) =>
          j.onRef('g.account_id', '=', 't.account_id').on('g.revoked_at', 'is', null),
        )
        .select([
          't.expires_at',
          't.revoked_at',
          't.account_id',
          't.client_id',
          'a.kind',
          'a.login',
          'a.name',
          'a.real_name_level',
          'a.status',
          'g.role',
          'g.region_code as grant_region_code',
          'g.department_id as grant_department_id',
        ])
        .where('t.token_hash', '=', slot(0))
        .orderBy('g.created_at'),
    [tokenHash],
  );
  return r.rows as BearerRow[];
}

/** Revokes every live bearer token of an account; answers how many. */
export async function revokeTokensOf(db: Executor, accountId: string, at: string): Promise<number> {
  const r = await idb(db)
    .updateTable('identity_tokens')
    .set({ revoked_at: at })
    .where('account_id', '=', accountId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function insertClient(db: Executor, row: ClientRow): Promise<void> {
  await idb(db).insertInto('identity_clients').values(row).execute();
}

export async function clientById(db: Executor, clientId: string): Promise<ClientRow | undefined> {
  return idb(db)
    .selectFrom('identity_clients')
    .selectAll()
    .where('client_id', '=', clientId)
    .executeTakeFirst();
}

/** Marks a client revoked; 0 when it is already revoked (or gone). */
export async function revokeClientRow(
  db: Executor,
  clientId: string,
  at: string,
  by: string | null,
  reason: string,
): Promise<number> {
  const r = await idb(db)
    .updateTable('identity_clients')
    .set({ revoked_at: at, revoked_by: by, revoked_reason: reason })
    .where('client_id', '=', clientId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** A client's new secret (hashed, and sealed for the OpenID provider); 0 when it is revoked. */
export async function setClientSecret(
  db: Executor,
  clientId: string,
  secretHash: string,
  secretEnc: string,
): Promise<number> {
  const r = await idb(db)
    .updateTable('identity_clients')
    .set({ secret_hash: secretHash, secret_enc: secretEnc })
    .where('client_id', '=', clientId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Revokes every live token a client holds; answers how many. */
export async function revokeTokensOfClient(db: Executor, clientId: string, at: string): Promise<number> {
  const r = await idb(db)
    .updateTable('identity_tokens')
    .set({ revoked_at: at })
    .where('client_id', '=', clientId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** When each of these clients was revoked (null: in force); unknown ids are left out. */
export async function clientsRevokedAt(
  db: Executor,
  clientIds: readonly string[],
): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  for (let i = 0; i < clientIds.length; i += 500) {
    const rows = await idb(db)
      .selectFrom('identity_clients')
      .select(['client_id', 'revoked_at'])
      .where('client_id', 'in', clientIds.slice(i, i + 500))
      .execute();
    for (const r of rows) out.set(r.client_id, r.revoked_at);
  }
  return out;
}

// ── what the OpenID provider keeps ───────────────────────────────────────────────────────────

/** One stored provider object's payload (a Session by its id, a Grant …), unexpired or not. */
export async function oidcPayload(
  db: Executor,
  model: string,
  id: string,
): Promise<Record<string, unknown> | undefined> {
  const r = await idb(db)
    .selectFrom('identity_oidc_store')
    .select('payload')
    .where('model', '=', model)
    .where('id', '=', id)
    .executeTakeFirst();
  return r ? (JSON.parse(r.payload) as Record<string, unknown>) : undefined;
}

export async function deleteOidcObject(db: Executor, model: string, id: string): Promise<void> {
  await idb(db).deleteFrom('identity_oidc_store').where('model', '=', model).where('id', '=', id).execute();
}

/** Revokes a grant: the grant itself and every code and token issued under it. */
export async function revokeOidcGrant(db: Executor, grantId: string): Promise<void> {
  await idb(db)
    .deleteFrom('identity_oidc_store')
    .where((eb) =>
      eb.or([eb('grant_id', '=', grantId), eb.and([eb('model', '=', 'Grant'), eb('id', '=', grantId)])]),
    )
    .execute();
}

/**
 * Deletes everything the OIDC provider keeps for an account — its provider sessions, grants,
 * authorization codes, access and refresh tokens, interactions — so no relying party can use or
 * refresh them again; answers how many rows (found by account_id, migration 0008).
 */
export async function deleteOidcOf(db: Executor, accountId: string): Promise<number> {
  const r = await idb(db)
    .deleteFrom('identity_oidc_store')
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

// ── registrations waiting for their code ──────────────────────────────────────────────────────

export type RegistrationRow = IdentityTables['identity_registrations'];

export async function insertRegistration(db: Executor, row: RegistrationRow): Promise<void> {
  await idb(db).insertInto('identity_registrations').values(row).execute();
}

/**
 * Counts one attempt at a registration's code before it is compared, in one statement, so parallel
 * guesses cannot pass the limit; false when there is no live registration with attempts left.
 */
export async function reserveRegistrationAttempt(
  db: Executor,
  id: string,
  maxAttempts: number,
  at: string,
): Promise<boolean> {
  const r = await idb(db)
    .updateTable('identity_registrations')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', id)
    .where('attempts', '<', maxAttempts)
    .where('expires_at', '>', at)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function registrationById(db: Executor, id: string): Promise<RegistrationRow | undefined> {
  return idb(db).selectFrom('identity_registrations').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Removes a registration; true only for the one caller that removed it (a code is used once). */
export async function deleteRegistration(db: Executor, id: string): Promise<boolean> {
  const r = await idb(db).deleteFrom('identity_registrations').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) === 1;
}

export async function deleteExpiredRegistrations(db: Executor, at: string): Promise<void> {
  await idb(db).deleteFrom('identity_registrations').where('expires_at', '<=', at).execute();
}

// ── password reset ────────────────────────────────────────────────────────────────────────────

export async function insertResetToken(db: Executor, row: ResetTokenRow): Promise<void> {
  await idb(db).insertInto('identity_reset_tokens').values(row).execute();
}

export async function resetTokenByHash(db: Executor, tokenHash: string): Promise<ResetTokenRow | undefined> {
  return idb(db)
    .selectFrom('identity_reset_tokens')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
}

/** Marks a reset token used; true only for the one caller that marked it (single use). */
export async function spendResetToken(db: Executor, tokenHash: string, at: string): Promise<boolean> {
  const r = await idb(db)
    .updateTable('identity_reset_tokens')
    .set({ used_at: at })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Spends every unused reset link of an account (they can no longer set a password). */
export async function spendResetTokensOf(db: Executor, accountId: string, at: string): Promise<void> {
  await idb(db)
    .updateTable('identity_reset_tokens')
    .set({ used_at: at })
    .where('account_id', '=', accountId)
    .where('used_at', 'is', null)
    .execute();
}

// ── administration ────────────────────────────────────────────────────────────────────────────

/**
 * Moves an account from one status to another; false when it was not in `from` (so of two
 * administrators acting at once only one changes it).
 */
export async function changeAccountStatus(
  db: Executor,
  accountId: string,
  from: string,
  to: string,
  at: string,
): Promise<boolean> {
  const r = await idb(db)
    .updateTable('identity_accounts')
    .set({ status: to, updated_at: at })
    .where('id', '=', accountId)
    .where('status', '=', from)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** A grant of the account, revoked or not. */
export async function grantOf(
  db: Executor,
  accountId: string,
  grantId: string,
): Promise<GrantRow | undefined> {
  return idb(db)
    .selectFrom('identity_grants')
    .selectAll()
    .where('id', '=', grantId)
    .where('account_id', '=', accountId)
    .executeTakeFirst();
}

/** Revokes a grant in force; false when it is already revoked (or another revoked it first). */
export async function revokeGrantRow(
  db: Executor,
  grantId: string,
  by: string | null,
  at: string,
): Promise<boolean> {
  const r = await idb(db)
    .updateTable('identity_grants')
    .set({ revoked_at: at, revoked_by: by })
    .where('id', '=', grantId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export type AccountActionRow = IdentityTables['identity_account_actions'];

export async function insertAccountAction(db: Executor, row: AccountActionRow): Promise<void> {
  await idb(db).insertInto('identity_account_actions').values(row).execute();
}

/** An account's administrative history, newest first, with each acting administrator's login. */
export async function accountActionsOf(db: Executor, accountId: string, limit = 200) {
  return idb(db)
    .selectFrom('identity_account_actions as h')
    .leftJoin('identity_accounts as actor', 'actor.id', 'h.actor_id')
    .select([
      'h.id',
      'h.action',
      'h.grant_id',
      'h.reason',
      'h.actor_id',
      'h.via',
      'h.at',
      'actor.login as actor_login',
    ])
    .where('h.account_id', '=', accountId)
    .orderBy('h.at', 'desc')
    .orderBy('h.id', 'desc')
    .limit(limit)
    .execute();
}

// ── delegations ───────────────────────────────────────────────────────────────────────────────

export async function insertDelegation(db: Executor, row: DelegationRow): Promise<void> {
  await idb(db).insertInto('identity_delegations').values(row).execute();
}

/** Revokes a principal's own live delegation; false when there is none by that id. */
export async function revokeDelegationOf(
  db: Executor,
  principalId: string,
  delegationId: string,
  at: string,
): Promise<boolean> {
  const r = await idb(db)
    .updateTable('identity_delegations')
    .set({ revoked_at: at })
    .where('id', '=', delegationId)
    .where('principal_id', '=', principalId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** The unrevoked delegations from `principalId` to `agentId` (validity is the caller's to check). */
export async function unrevokedDelegations(
  db: Executor,
  agentId: string,
  principalId: string,
): Promise<DelegationRow[]> {
  return idb(db)
    .selectFrom('identity_delegations')
    .selectAll()
    .where('agent_id', '=', agentId)
    .where('principal_id', '=', principalId)
    .where('revoked_at', 'is', null)
    .execute();
}

/** The delegations an agent holds, unrevoked and not yet expired at `now`, newest first. */
export async function liveDelegationsTo(
  db: Executor,
  agentId: string,
  now: string,
): Promise<Array<DelegationRow & { principal_name: string }>> {
  return idb(db)
    .selectFrom('identity_delegations')
    .innerJoin('identity_accounts as p', 'p.id', 'identity_delegations.principal_id')
    .selectAll('identity_delegations')
    .select('p.name as principal_name')
    .where('identity_delegations.agent_id', '=', agentId)
    .where('identity_delegations.revoked_at', 'is', null)
    .where('identity_delegations.valid_from', '<=', now)
    .where('identity_delegations.valid_to', '>', now)
    .orderBy('identity_delegations.created_at', 'desc')
    .execute();
}

/** Delegations an account gave or received, newest first, with both parties' names and the agent's login. */
export async function delegationsWith(db: Executor, accountId: string) {
  return idb(db)
    .selectFrom('identity_delegations')
    .innerJoin('identity_accounts as p', 'p.id', 'identity_delegations.principal_id')
    .innerJoin('identity_accounts as g', 'g.id', 'identity_delegations.agent_id')
    .select([
      'identity_delegations.id',
      'identity_delegations.principal_id',
      'identity_delegations.agent_id',
      'identity_delegations.scopes',
      'identity_delegations.valid_to',
      'identity_delegations.revoked_at',
      'p.name as principal_name',
      'g.name as agent_name',
      'g.login as agent_login',
    ])
    .where((eb) =>
      eb.or([
        eb('identity_delegations.principal_id', '=', accountId),
        eb('identity_delegations.agent_id', '=', accountId),
      ]),
    )
    .orderBy('identity_delegations.created_at', 'desc')
    .execute();
}

// ── in-person codes ───────────────────────────────────────────────────────────────────────────

export type InPersonCodeRow = IdentityTables['identity_in_person_codes'];

/** A new code for the account, replacing any it had (one live code per account). */
export async function putInPersonCode(db: Executor, row: InPersonCodeRow): Promise<void> {
  await idb(db).deleteFrom('identity_in_person_codes').where('account_id', '=', row.account_id).execute();
  await idb(db).insertInto('identity_in_person_codes').values(row).execute();
}

export async function inPersonCodeOf(db: Executor, accountId: string): Promise<InPersonCodeRow | undefined> {
  return idb(db)
    .selectFrom('identity_in_person_codes')
    .selectAll()
    .where('account_id', '=', accountId)
    .executeTakeFirst();
}

/** Counts a wrong code against the account's live code; answers the failures so far. */
export async function failInPersonCode(db: Executor, accountId: string): Promise<number> {
  await idb(db)
    .updateTable('identity_in_person_codes')
    .set((eb) => ({ failures: eb('failures', '+', 1) }))
    .where('account_id', '=', accountId)
    .execute();
  return Number((await inPersonCodeOf(db, accountId))?.failures ?? 0);
}

/** Spends the code; true only for the one caller that spent it (single use). */
export async function spendInPersonCode(db: Executor, accountId: string, codeHash: string): Promise<boolean> {
  const r = await idb(db)
    .deleteFrom('identity_in_person_codes')
    .where('account_id', '=', accountId)
    .where('code_hash', '=', codeHash)
    .executeTakeFirst();
  return Number(r.numDeletedRows) === 1;
}

export async function deleteInPersonCode(db: Executor, accountId: string): Promise<void> {
  await idb(db).deleteFrom('identity_in_person_codes').where('account_id', '=', accountId).execute();
}

// ── the dev mailbox ───────────────────────────────────────────────────────────────────────────

const NOTIFICATION_COLUMNS = [
  'id',
  'channel',
  'recipient_masked',
  'subject',
  'body',
  'created_at',
] as const satisfies ReadonlyArray<keyof NotificationRow>;

/** Notices (a consumer's batch, about one per case action): statements of up to 64 rows, each compiled once. */
export async function insertNotifications(db: Executor, rows: readonly NotificationRow[]): Promise<void> {
  await insertPrecompiled(db, idb, 'identity_notifications', NOTIFICATION_COLUMNS, rows);
}

export async function latestNotifications(db: Executor, limit: number): Promise<NotificationRow[]> {
  return idb(db)
    .selectFrom('identity_notifications')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}
