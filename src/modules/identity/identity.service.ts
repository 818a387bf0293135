import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Config } from '../../config/index.js';
import { type Clock, DomainError, newId } from '../../kernel/index.js';
import { chinaDate } from '../../platform/calendar/index.js';
import { checkIdNumber } from '../../platform/codes/index.js';
import { type Executor, type Store, inTransaction } from '../../platform/db/index.js';
import { appendEvent } from '../../platform/events/index.js';
import type { Grant, Principal } from '../../platform/access.js';
import {
  type PersonalDataCipher,
  maskEmail,
  maskIdNumber,
  maskMobile,
  maskName,
} from '../../platform/privacy/index.js';
import { checkRedirectUris } from './identity.oidc.js';
import { burnPasswordTime, hashPassword, passwordWeakness, verifyPassword } from './identity.password.js';
import { type Role, isRole, permissionsOf } from './identity.permissions.js';
import {
  type AccountRow,
  accountById,
  accountByIdHash,
  accountByLogin,
  accountIdByCreditCode,
  clientById as clientRow,
  delegationsWith,
  deleteSession,
  deleteSessionsOf,
  deleteThrottle,
  grantsOf,
  grantsOfMany,
  insertAccount,
  insertAgent,
  insertClient,
  insertDelegation,
  insertGrant as insertGrantRow,
  insertNotification,
  insertResetToken,
  insertSession,
  insertThrottle,
  insertToken,
  latestNotifications,
  resetTokenByHash,
  revokeDelegationOf,
  revokeTokensOf,
  sessionByTokenHash,
  setPasswordHash,
  setRealNameLevel,
  spendResetToken,
  staffAccounts,
  throttleRow,
  tokenByHash,
  touchSession,
  unrevokedDelegations,
  updateThrottle,
} from './identity.store.js';
import {
  type OrganizationRegistration,
  type PersonRegistration,
  type RealNameFactors,
  type RealNameLevel,
  type Registration,
  normaliseLogin,
  normaliseMobile,
  registrationIssues,
} from './identity.types.js';

/** Session and throttling policy. Values are the defaults; docs/identity.md explains them. */
export const POLICY = {
  /** a session ends 12 h after sign-in at the latest (a working day) */
  sessionAbsoluteMs: 12 * 3600_000,
  /** … or after 30 minutes without a request (等保 2.0 practice for government systems) */
  sessionIdleMs: 30 * 60_000,
  /** last_seen is written at most this often, so page views do not each cost a write */
  touchEveryMs: 60_000,
  accountFailures: 5,
  accountWindowMs: 15 * 60_000,
  accountLockMs: 15 * 60_000,
  addressFailures: 30,
  addressWindowMs: 10 * 60_000,
  addressLockMs: 10 * 60_000,
  resetTokenMs: 30 * 60_000,
  cliTokenMs: 24 * 3600_000,
  apiTokenMs: 12 * 3600_000,
  clientTokenMs: 3600_000,
} as const;

export interface Notification {
  readonly channel: 'sms' | 'email';
  /** the real address; adapters mask it wherever it is kept */
  readonly to: string;
  readonly subject: string;
  readonly body: string;
}

/** Where messages to people go: an SMS gateway in production, the dev mailbox elsewhere. */
export interface Notifier {
  send(db: Executor, n: Notification): Promise<void>;
}

/** Checks real-name factors against an authoritative register (人口库, bank, social security). */
export interface RealNameVerifier {
  verify(q: { name: string; idNumber: string; factors: RealNameFactors }): Promise<boolean>;
}

export interface IdentityServiceDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly config: Config;
  readonly cipher: PersonalDataCipher;
  readonly notifier: Notifier;
  readonly verifier: RealNameVerifier;
}

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
const randomToken = (prefix: string): string => `${prefix}${randomBytes(32).toString('base64url')}`;

export interface AccountView {
  readonly id: string;
  readonly kind: string;
  readonly login: string;
  /** masked (DOMAIN §8) */
  readonly name: string;
  readonly idNumberMasked: string | null;
  readonly mobileMasked: string | null;
  readonly creditCode: string | null;
  readonly regionCode: string | null;
  readonly departmentId: string | null;
  readonly hallId: string | null;
  readonly realNameLevel: number;
  readonly roles: ReadonlyArray<{ role: string; regionPrefix: string; departmentId: string | null }>;
}

export function createIdentityService(deps: IdentityServiceDeps) {
  const { store, clock, cipher } = deps;
  const db = store.db;
  const now = () => clock.now();
  const iso = (ms = 0) => new Date(now().getTime() + ms).toISOString();

  function displayName(a: AccountRow): string {
    return a.kind === 'organization' ? a.name : maskName(a.name);
  }

  function grantsFor(a: AccountRow, rows: Awaited<ReturnType<typeof grantsOf>>): Grant[] {
    const out: Grant[] = [];
    // people and organisations act for themselves everywhere; their objects carry the scope
    if (a.kind === 'person')
      out.push({
        role: 'citizen',
        permissions: permissionsOf('citizen'),
        regionPrefix: '',
        departmentId: null,
      });
    if (a.kind === 'organization')
      out.push({
        role: 'enterpriseAgent',
        permissions: permissionsOf('enterpriseAgent'),
        regionPrefix: '',
        departmentId: null,
      });
    for (const g of rows) {
      if (!isRole(g.role)) continue;
      out.push({
        role: g.role,
        permissions: permissionsOf(g.role),
        regionPrefix: g.region_code,
        departmentId: g.department_id,
      });
    }
    return out;
  }

  async function principalOf(a: AccountRow, via: Principal['via'], sessionId?: string): Promise<Principal> {
    const grants = grantsFor(a, await grantsOf(db, a.id));
    return {
      accountId: a.id,
      kind: a.kind as Principal['kind'],
      login: a.login,
      displayName: displayName(a),
      realNameLevel: a.real_name_level as Principal['realNameLevel'],
      grants,
      via,
      ...(sessionId ? { sessionId } : {}),
    };
  }

  function view(a: AccountRow, grants: Grant[]): AccountView {
    return {
      id: a.id,
      kind: a.kind,
      login: a.login,
      name: displayName(a),
      idNumberMasked: a.id_number_enc ? maskIdNumber(cipher.decrypt(a.id_number_enc)) : null,
      mobileMasked: a.mobile_enc ? maskMobile(cipher.decrypt(a.mobile_enc)) : null,
      creditCode: a.credit_code,
      regionCode: a.region_code,
      departmentId: a.department_id,
      hallId: a.hall_id,
      realNameLevel: a.real_name_level,
      roles: grants.map((g) => ({
        role: g.role,
        regionPrefix: g.regionPrefix,
        departmentId: g.departmentId,
      })),
    };
  }

  // ── registration ────────────────────────────────────────────────────────────────────────────

  async function register(input: Registration): Promise<AccountView> {
    // the date in China: between 00:00 and 08:00 there the UTC date is still yesterday
    const issues = registrationIssues(input, chinaDate(now()));
    if (issues.length) throw new DomainError('COMMON.VALIDATION', { details: { issues } });
    const login = normaliseLogin(input.login);
    const passwordHash = await hashPassword(input.password);
    const id = newId();
    const at = iso();
    return inTransaction(db, async (trx) => {
      if (await accountByLogin(trx, login)) throw fieldConflict('IDENTITY.LOGIN_TAKEN', 'login');
      if (input.kind === 'person') await insertPerson(trx, id, login, passwordHash, input, at);
      else await insertOrganization(trx, id, login, passwordHash, input, at);
      const a = (await accountById(trx, id))!;
      await appendEvent(trx, clock, {
        type: 'identity.accountRegistered',
        aggregateType: 'account',
        aggregateId: id,
        regionCode: a.region_code,
        actor: id,
        payload: { kind: input.kind, realNameLevel: 1 },
      });
      return view(a, grantsFor(a, []));
    });
  }

  function fieldConflict(code: string, field: string): DomainError {
    return new DomainError(code, { details: { issues: [{ field, rule: code }] } });
  }

  async function insertPerson(
    trx: Executor,
    id: string,
    login: string,
    passwordHash: string,
    r: PersonRegistration,
    at: string,
  ) {
    const idNumber = r.idNumber.trim().toUpperCase();
    const idHash = cipher.lookupHash('idNumber', idNumber);
    if (await accountByIdHash(trx, idHash)) throw fieldConflict('IDENTITY.ID_NUMBER_TAKEN', 'idNumber');
    const mobile = normaliseMobile(r.mobile);
    const parsed = checkIdNumber(idNumber);
    await insertAccount(trx, {
      ...emptyAccount(id, 'person', login, r.name.trim(), passwordHash, at),
      id_number_enc: cipher.encrypt(idNumber),
      id_number_hash: idHash,
      mobile_enc: cipher.encrypt(mobile),
      mobile_hash: cipher.lookupHash('mobile', mobile),
      region_code: parsed.ok ? parsed.value.regionCode : null,
    });
  }

  async function insertOrganization(
    trx: Executor,
    id: string,
    login: string,
    passwordHash: string,
    r: OrganizationRegistration,
    at: string,
  ) {
    const creditCode = r.creditCode.trim().toUpperCase();
    if (await accountIdByCreditCode(trx, creditCode))
      throw fieldConflict('IDENTITY.CREDIT_CODE_TAKEN', 'creditCode');
    const agentMobile = normaliseMobile(r.agentMobile);
    await insertAccount(trx, {
      ...emptyAccount(id, 'organization', login, r.name.trim(), passwordHash, at),
      credit_code: creditCode,
      legal_rep_name: r.legalRepresentative.trim(),
      // the account's contact mobile is its registering agent's
      mobile_enc: cipher.encrypt(agentMobile),
      mobile_hash: cipher.lookupHash('mobile', agentMobile),
      region_code: creditCode.slice(2, 8),
    });
    await addAgentRow(trx, id, {
      name: r.agentName,
      idNumber: r.agentIdNumber,
      mobile: agentMobile,
      scopes: ['*'],
      validTo: null,
    });
  }

  function emptyAccount(
    id: string,
    kind: string,
    login: string,
    name: string,
    passwordHash: string,
    at: string,
  ): AccountRow {
    return {
      id,
      kind,
      login,
      name,
      id_number_enc: null,
      id_number_hash: null,
      mobile_enc: null,
      mobile_hash: null,
      email: null,
      credit_code: null,
      legal_rep_name: null,
      region_code: null,
      department_id: null,
      hall_id: null,
      password_hash: passwordHash,
      real_name_level: 1,
      real_name_method: null,
      real_name_at: null,
      status: 'active',
      created_at: at,
      updated_at: at,
    };
  }

  async function addAgentRow(
    trx: Executor,
    organizationId: string,
    a: { name: string; idNumber: string; mobile: string | null; scopes: string[]; validTo: string | null },
  ): Promise<string> {
    const id = newId();
    const idNumber = a.idNumber.trim().toUpperCase();
    await insertAgent(trx, {
      id,
      organization_id: organizationId,
      name: a.name.trim(),
      id_number_enc: cipher.encrypt(idNumber),
      id_number_hash: cipher.lookupHash('idNumber', idNumber),
      mobile_enc: a.mobile ? cipher.encrypt(a.mobile) : null,
      scopes: JSON.stringify(a.scopes),
      valid_to: a.validTo,
      created_at: iso(),
      revoked_at: null,
    });
    return id;
  }

  /** Staff accounts are created by a platform admin (or the demo seed), never by self-registration. */
  async function createStaff(input: {
    login: string;
    name: string;
    password: string;
    mobile?: string;
    regionCode: string;
    departmentId: string | null;
    hallId: string | null;
    grants: ReadonlyArray<{ role: Role; regionPrefix: string; departmentId: string | null }>;
    actor?: string | null;
  }): Promise<string> {
    const weak = passwordWeakness(input.password, { login: input.login });
    if (weak) throw new DomainError('IDENTITY.WEAK_PASSWORD');
    const login = normaliseLogin(input.login);
    const passwordHash = await hashPassword(input.password);
    const id = newId();
    const at = iso();
    await inTransaction(db, async (trx) => {
      if (await accountByLogin(trx, login)) throw fieldConflict('IDENTITY.LOGIN_TAKEN', 'login');
      const mobile = input.mobile ? normaliseMobile(input.mobile) : null;
      await insertAccount(trx, {
        ...emptyAccount(id, 'staff', login, input.name, passwordHash, at),
        mobile_enc: mobile ? cipher.encrypt(mobile) : null,
        mobile_hash: mobile ? cipher.lookupHash('mobile', mobile) : null,
        region_code: input.regionCode,
        department_id: input.departmentId,
        hall_id: input.hallId,
        // staff are appointed in person: verified at level 3
        real_name_level: 3,
        real_name_method: 'appointment',
        real_name_at: at,
      });
      await appendEvent(trx, clock, {
        type: 'identity.accountRegistered',
        aggregateType: 'account',
        aggregateId: id,
        regionCode: input.regionCode,
        actor: input.actor ?? null,
        payload: { kind: 'staff' },
      });
      for (const g of input.grants) await insertGrant(trx, id, g, input.actor ?? null);
    });
    return id;
  }

  async function insertGrant(
    trx: Executor,
    accountId: string,
    g: { role: string; regionPrefix: string; departmentId: string | null },
    actor: string | null,
  ): Promise<void> {
    if (!isRole(g.role) || !/^(\d{2}(\d{2}(\d{2}(\d{3}(\d{3})?)?)?)?)?$/.test(g.regionPrefix))
      throw new DomainError('IDENTITY.GRANT_INVALID');
    const id = newId();
    await insertGrantRow(trx, {
      id,
      account_id: accountId,
      role: g.role,
      region_code: g.regionPrefix,
      department_id: g.departmentId,
      created_at: iso(),
      created_by: actor,
    });
    await appendEvent(trx, clock, {
      type: 'identity.grantAdded',
      aggregateType: 'account',
      aggregateId: accountId,
      regionCode: g.regionPrefix || null,
      actor,
      payload: { grantId: id, role: g.role, regionPrefix: g.regionPrefix, departmentId: g.departmentId },
    });
  }

  async function addGrant(
    actor: Principal,
    accountId: string,
    g: { role: string; regionPrefix: string; departmentId: string | null },
  ): Promise<void> {
    const a = await accountById(db, accountId);
    if (!a) throw new DomainError('IDENTITY.NOT_FOUND');
    if (a.kind !== 'staff' && a.kind !== 'client') throw new DomainError('IDENTITY.GRANT_INVALID');
    await inTransaction(db, (trx) => insertGrant(trx, accountId, g, actor.accountId));
  }

  // ── sign-in, throttling, sessions ───────────────────────────────────────────────────────────

  async function throttleState(key: string): Promise<{ lockedMs: number; exists: boolean }> {
    const row = await throttleRow(db, key);
    const until = row?.locked_until ? new Date(row.locked_until).getTime() : 0;
    return { lockedMs: Math.max(0, until - now().getTime()), exists: row !== undefined };
  }

  /** Counts a failure; returns true when this failure locks the key. */
  async function recordFailure(
    key: string,
    limit: number,
    windowMs: number,
    lockMs: number,
  ): Promise<boolean> {
    return inTransaction(db, async (trx) => {
      const t = now().getTime();
      const row = await throttleRow(trx, key);
      const fresh = !row || t - new Date(row.window_start).getTime() > windowMs;
      const failures = fresh ? 1 : row.failures + 1;
      const lock = failures >= limit ? new Date(t + lockMs).toISOString() : null;
      const values = {
        failures: lock ? 0 : failures,
        window_start: fresh ? new Date(t).toISOString() : row.window_start,
        locked_until: lock,
      };
      if (row) await updateThrottle(trx, key, values);
      else await insertThrottle(trx, { key, ...values });
      return lock !== null;
    });
  }

  const minutes = (ms: number) => Math.max(1, Math.ceil(ms / 60_000));

  /**
   * Checks a password, with throttling per account name and per network address. The account key
   * is the name as typed, so unknown names are throttled exactly like known ones and the answers
   * do not reveal which accounts exist.
   */
  async function authenticatePassword(
    loginRaw: string,
    password: string,
    address: string,
  ): Promise<AccountRow> {
    const login = normaliseLogin(loginRaw);
    const acctKey = `account:${login}`;
    const addrKey = `address:${address}`;
    const addr = await throttleState(addrKey);
    if (addr.lockedMs > 0)
      throw new DomainError('IDENTITY.ADDRESS_THROTTLED', { params: { minutes: minutes(addr.lockedMs) } });
    const acct = await throttleState(acctKey);
    if (acct.lockedMs > 0)
      throw new DomainError('IDENTITY.ACCOUNT_LOCKED', { params: { minutes: minutes(acct.lockedMs) } });

    const a = await accountByLogin(db, login);
    let ok = false;
    if (a) {
      const v = await verifyPassword(password, a.password_hash);
      ok = v.ok;
      if (v.ok && v.needsRehash) await setPasswordHash(db, a.id, await hashPassword(password));
    } else {
      await burnPasswordTime(password);
    }
    if (!ok || !a) {
      const lockedAcct = await recordFailure(
        acctKey,
        POLICY.accountFailures,
        POLICY.accountWindowMs,
        POLICY.accountLockMs,
      );
      const lockedAddr = await recordFailure(
        addrKey,
        POLICY.addressFailures,
        POLICY.addressWindowMs,
        POLICY.addressLockMs,
      );
      if (lockedAcct)
        throw new DomainError('IDENTITY.ACCOUNT_LOCKED', {
          params: { minutes: minutes(POLICY.accountLockMs) },
        });
      if (lockedAddr)
        throw new DomainError('IDENTITY.ADDRESS_THROTTLED', {
          params: { minutes: minutes(POLICY.addressLockMs) },
        });
      throw new DomainError('IDENTITY.INVALID_CREDENTIALS');
    }
    if (a.status !== 'active') throw new DomainError('IDENTITY.ACCOUNT_DISABLED');
    // a success clears the account's failures (no write when there were none: sign-in is hot)
    if (acct.exists) await deleteThrottle(db, acctKey);
    return a;
  }

  /** A new session: the cookie value is returned once; the store keeps only its hash. */
  async function createSession(
    accountId: string,
  ): Promise<{ cookie: string; sessionId: string; expiresAt: string }> {
    const cookie = randomToken('');
    const sessionId = newId();
    const at = iso();
    const expiresAt = iso(POLICY.sessionAbsoluteMs);
    await insertSession(db, {
      id: sessionId,
      token_hash: sha256(cookie),
      account_id: accountId,
      created_at: at,
      expires_at: expiresAt,
      last_seen_at: at,
    });
    return { cookie, sessionId, expiresAt };
  }

  async function resolveSession(cookie: string): Promise<Principal | undefined> {
    const s = await sessionByTokenHash(db, sha256(cookie));
    if (!s) return undefined;
    const t = now().getTime();
    const lastSeen = new Date(s.last_seen_at).getTime();
    if (new Date(s.expires_at).getTime() <= t || t - lastSeen > POLICY.sessionIdleMs) {
      await deleteSession(db, s.id);
      return undefined;
    }
    if (t - lastSeen > POLICY.touchEveryMs) await touchSession(db, s.id, iso());
    const a = await accountById(db, s.account_id);
    if (a?.status !== 'active') return undefined;
    return principalOf(a, 'session', s.id);
  }

  async function endSession(sessionId: string): Promise<void> {
    await deleteSession(db, sessionId);
  }

  /** 退出所有设备: every session and every personal token of the account ends. */
  async function endAllSessions(accountId: string): Promise<number> {
    return inTransaction(db, async (trx) => {
      const ended = await deleteSessionsOf(trx, accountId);
      await revokeTokensOf(trx, accountId, iso());
      await appendEvent(trx, clock, {
        type: 'identity.sessionsEnded',
        aggregateType: 'account',
        aggregateId: accountId,
        actor: accountId,
        payload: {},
      });
      return ended;
    });
  }

  // ── bearer tokens ───────────────────────────────────────────────────────────────────────────

  async function issueToken(
    kind: 'cli' | 'api' | 'client',
    owner: { accountId?: string; clientId?: string },
    ttlMs: number,
  ): Promise<{ token: string; expiresAt: string }> {
    const token = randomToken('tbt_');
    const expiresAt = iso(ttlMs);
    await insertToken(db, {
      id: newId(),
      token_hash: sha256(token),
      kind,
      account_id: owner.accountId ?? null,
      client_id: owner.clientId ?? null,
      created_at: iso(),
      expires_at: expiresAt,
      revoked_at: null,
    });
    return { token, expiresAt };
  }

  async function resolveBearer(token: string): Promise<Principal | undefined> {
    const row = await tokenByHash(db, sha256(token));
    if (!row || row.revoked_at || new Date(row.expires_at).getTime() <= now().getTime()) return undefined;
    if (row.client_id) return clientPrincipal(row.client_id);
    if (!row.account_id) return undefined;
    const a = await accountById(db, row.account_id);
    if (a?.status !== 'active') return undefined;
    return principalOf(a, 'bearer');
  }

  /** `tongban token --user <login>` */
  async function tokenForLogin(login: string, ttlMs: number = POLICY.cliTokenMs) {
    const a = await accountByLogin(db, login);
    if (!a) throw new DomainError('IDENTITY.NOT_FOUND');
    return issueToken('cli', { accountId: a.id }, ttlMs);
  }

  // ── machine clients (OIDC relying parties and exchange consumers) ──────────────────────────

  async function createClient(input: {
    name: string;
    redirectUris: string[];
    grantTypes?: string[];
    roles?: Role[];
    regionPrefix?: string;
    fullClaims?: boolean;
    actor?: string | null;
  }): Promise<{ client_id: string; client_secret: string }> {
    const clientId = `tbc_${randomBytes(12).toString('hex')}`;
    const secret = randomBytes(32).toString('base64url');
    const grantTypes =
      input.grantTypes ??
      (input.redirectUris.length ? ['authorization_code', 'refresh_token'] : ['client_credentials']);
    checkRedirectUris(input.redirectUris);
    const roles = input.roles ?? (grantTypes.includes('client_credentials') ? ['dataConsumer' as const] : []);
    await inTransaction(db, async (trx) => {
      await insertClient(trx, {
        client_id: clientId,
        name: input.name,
        secret_hash: sha256(secret),
        secret_enc: cipher.encrypt(secret),
        redirect_uris: JSON.stringify(input.redirectUris),
        grant_types: JSON.stringify(grantTypes),
        full_claims: input.fullClaims ? 1 : 0,
        roles: JSON.stringify(roles),
        region_code: input.regionPrefix ?? '',
        created_at: iso(),
        created_by: input.actor ?? null,
      });
      await appendEvent(trx, clock, {
        type: 'identity.clientRegistered',
        aggregateType: 'client',
        aggregateId: clientId,
        actor: input.actor ?? null,
        payload: { grantTypes, roles },
      });
    });
    return { client_id: clientId, client_secret: secret };
  }

  async function clientById(clientId: string) {
    return clientRow(db, clientId);
  }

  async function clientPrincipal(clientId: string): Promise<Principal | undefined> {
    const c = await clientById(clientId);
    if (!c) return undefined;
    const roles = (JSON.parse(c.roles) as string[]).filter(isRole);
    return {
      accountId: `client:${c.client_id}`,
      kind: 'client',
      login: c.client_id,
      displayName: c.name,
      realNameLevel: 0,
      clientId: c.client_id,
      grants: roles.map((r) => ({
        role: r,
        permissions: permissionsOf(r),
        regionPrefix: c.region_code,
        departmentId: null,
      })),
      via: 'bearer',
    };
  }

  /** RFC 6749 §4.4 client credentials: a machine client trades its secret for a short token. */
  async function clientCredentialsToken(clientId: string, secret: string) {
    const c = await clientById(clientId);
    const given = Buffer.from(sha256(secret), 'hex');
    const expected = Buffer.from(c?.secret_hash ?? sha256('tongban:none'), 'hex');
    if (
      !c ||
      !timingSafeEqual(given, expected) ||
      !(JSON.parse(c.grant_types) as string[]).includes('client_credentials')
    )
      throw new DomainError('IDENTITY.CLIENT_INVALID');
    return issueToken('client', { clientId }, POLICY.clientTokenMs);
  }

  // ── passwords ───────────────────────────────────────────────────────────────────────────────

  async function changePassword(
    accountId: string,
    current: string,
    next: string,
    keepSessionId?: string,
  ): Promise<void> {
    const a = await accountById(db, accountId);
    if (!a) throw new DomainError('IDENTITY.NOT_FOUND');
    if (!(await verifyPassword(current, a.password_hash)).ok)
      throw new DomainError('IDENTITY.WRONG_PASSWORD', {
        details: { issues: [{ field: 'currentPassword', rule: 'IDENTITY.WRONG_PASSWORD' }] },
      });
    await setPassword(a, await newPasswordHash(a, next), 'identity.passwordChanged', { keepSessionId });
  }

  /** Refuses a weak new password, else hashes it (slow on purpose: outside any transaction). */
  async function newPasswordHash(a: AccountRow, next: string): Promise<string> {
    const idNumber = a.id_number_enc ? cipher.decrypt(a.id_number_enc) : undefined;
    const weak = passwordWeakness(next, { login: a.login, idNumber });
    if (weak)
      throw new DomainError('IDENTITY.WEAK_PASSWORD', {
        details: { issues: [{ field: 'newPassword', rule: `IDENTITY.PASSWORD_${weak.toUpperCase()}` }] },
      });
    return hashPassword(next);
  }

  /**
   * Stores a new password hash (from newPasswordHash) and ends every other session; in the
   * caller's transaction when given (`within`).
   */
  async function setPassword(
    a: AccountRow,
    hash: string,
    eventType: string,
    opts: { keepSessionId?: string; within?: Executor } = {},
  ): Promise<void> {
    const { keepSessionId } = opts;
    await inTransaction(opts.within ?? db, async (trx) => {
      await setPasswordHash(trx, a.id, hash, iso());
      // every other session ends: whoever knew the old password is signed out
      await deleteSessionsOf(trx, a.id, keepSessionId);
      await deleteThrottle(trx, `account:${a.login}`);
      await appendEvent(trx, clock, {
        type: eventType,
        aggregateType: 'account',
        aggregateId: a.id,
        actor: a.id,
        payload: {},
      });
    });
  }

  /**
   * 找回密码: sends a single-use link to the account's mobile. The answer is the same whether or
   * not the account exists or the mobile matches, so it reveals nothing.
   */
  async function requestPasswordReset(loginRaw: string, mobileRaw: string): Promise<void> {
    const a = await accountByLogin(db, loginRaw);
    const mobile = normaliseMobile(mobileRaw);
    if (!a?.mobile_hash || a.mobile_hash !== cipher.lookupHash('mobile', mobile)) return;
    const token = randomToken('');
    await inTransaction(db, async (trx) => {
      await insertResetToken(trx, {
        token_hash: sha256(token),
        account_id: a.id,
        created_at: iso(),
        expires_at: iso(POLICY.resetTokenMs),
        used_at: null,
      });
      await deps.notifier.send(trx, {
        channel: 'sms',
        to: mobile,
        subject: 'password-reset',
        body: `【通办】您正在重设密码，30 分钟内有效：${deps.config.publicUrl}/password/reset?token=${token} 如非本人操作请忽略。`,
      });
    });
  }

  async function resetPassword(token: string, next: string): Promise<void> {
    const row = await resetTokenByHash(db, sha256(token));
    if (!row || row.used_at || new Date(row.expires_at).getTime() <= now().getTime())
      throw new DomainError('IDENTITY.RESET_TOKEN_INVALID');
    const a = await accountById(db, row.account_id);
    if (!a) throw new DomainError('IDENTITY.RESET_TOKEN_INVALID');
    const hash = await newPasswordHash(a, next);
    await inTransaction(db, async (trx) => {
      // single use: of two requests with the same token only the first marks it used
      if (!(await spendResetToken(trx, row.token_hash, iso())))
        throw new DomainError('IDENTITY.RESET_TOKEN_INVALID');
      await setPassword(a, hash, 'identity.passwordReset', { within: trx });
    });
  }

  async function resetTokenValid(token: string): Promise<boolean> {
    const row = await resetTokenByHash(db, sha256(token));
    return !!row && !row.used_at && new Date(row.expires_at).getTime() > now().getTime();
  }

  // ── real-name levels ────────────────────────────────────────────────────────────────────────

  /** L2: the ID number plus at least two more factors, checked by the verifier. */
  async function verifyRealName(accountId: string, factors: RealNameFactors): Promise<RealNameLevel> {
    const a = await accountById(db, accountId);
    if (a?.kind !== 'person' || !a.id_number_enc) throw new DomainError('IDENTITY.NOT_FOUND');
    const given = Object.fromEntries(
      Object.entries(factors).filter(([, v]) => typeof v === 'string' && v.trim() !== ''),
    ) as RealNameFactors;
    if (Object.keys(given).length < 2) throw new DomainError('IDENTITY.VERIFICATION_FACTORS');
    const ok = await deps.verifier.verify({
      name: a.name,
      idNumber: cipher.decrypt(a.id_number_enc),
      factors: given,
    });
    if (!ok) throw new DomainError('IDENTITY.VERIFICATION_FAILED');
    if (a.real_name_level >= 2) return a.real_name_level as RealNameLevel;
    await setLevel(a, 2, `online:${Object.keys(given).sort().join('+')}`, a.id);
    return 2;
  }

  /** L3: a clerk saw the person and their ID card at a hall or kiosk. */
  async function verifyInPerson(clerk: Principal, idNumber: string): Promise<void> {
    const a = await accountByIdHash(db, cipher.lookupHash('idNumber', idNumber.trim().toUpperCase()));
    if (!a) throw new DomainError('IDENTITY.NOT_FOUND');
    await setLevel(a, 3, 'in-person', clerk.accountId);
  }

  async function setLevel(a: AccountRow, level: RealNameLevel, method: string, actor: string): Promise<void> {
    await inTransaction(db, async (trx) => {
      await setRealNameLevel(trx, a.id, level, method, iso());
      await appendEvent(trx, clock, {
        type: 'identity.realNameVerified',
        aggregateType: 'account',
        aggregateId: a.id,
        regionCode: a.region_code,
        actor,
        payload: { level, method: method.split(':')[0] },
      });
    });
  }

  // ── 委托代办 (delegation) ─────────────────────────────────────────────────────────────────────

  async function createDelegation(
    principal: Principal,
    input: { agentLogin: string; scopes: string[]; validTo: string },
  ): Promise<string> {
    const agent = await accountByLogin(db, input.agentLogin);
    const validTo = new Date(input.validTo);
    if (
      !agent ||
      agent.id === principal.accountId ||
      agent.kind !== 'person' ||
      Number.isNaN(validTo.getTime()) ||
      validTo <= now()
    )
      throw new DomainError('IDENTITY.DELEGATION_INVALID');
    const me = await accountById(db, principal.accountId);
    const id = newId();
    await inTransaction(db, async (trx) => {
      await insertDelegation(trx, {
        id,
        principal_id: principal.accountId,
        agent_id: agent.id,
        scopes: JSON.stringify(input.scopes.length ? input.scopes : ['*']),
        valid_from: iso(),
        valid_to: validTo.toISOString(),
        region_code: me?.region_code ?? null,
        created_at: iso(),
        revoked_at: null,
      });
      await appendEvent(trx, clock, {
        type: 'identity.delegationGranted',
        aggregateType: 'delegation',
        aggregateId: id,
        regionCode: me?.region_code ?? null,
        actor: principal.accountId,
        payload: { agentId: agent.id, scopes: input.scopes },
      });
    });
    return id;
  }

  async function revokeDelegation(principal: Principal, id: string): Promise<void> {
    await inTransaction(db, async (trx) => {
      if (!(await revokeDelegationOf(trx, principal.accountId, id, iso())))
        throw new DomainError('IDENTITY.NOT_FOUND');
      await appendEvent(trx, clock, {
        type: 'identity.delegationRevoked',
        aggregateType: 'delegation',
        aggregateId: id,
        actor: principal.accountId,
        payload: {},
      });
    });
  }

  /** Whether `agentId` may act for `principalId` now, for the item (implementation code) given. */
  async function mayActFor(agentId: string, principalId: string, itemCode?: string): Promise<boolean> {
    const rows = await unrevokedDelegations(db, agentId, principalId);
    const t = now().toISOString();
    return rows.some((r) => {
      const scopes = JSON.parse(r.scopes) as string[];
      return (
        r.valid_from <= t &&
        r.valid_to > t &&
        (scopes.includes('*') || (itemCode !== undefined && scopes.includes(itemCode)))
      );
    });
  }

  async function delegationsOf(accountId: string) {
    const rows = await delegationsWith(db, accountId);
    return rows.map((r) => ({
      id: r.id,
      direction: r.principal_id === accountId ? ('given' as const) : ('received' as const),
      principalName: maskName(r.principal_name),
      agentName: maskName(r.agent_name),
      agentLogin: r.agent_login,
      scopes: JSON.parse(r.scopes) as string[],
      validTo: r.valid_to,
      active: !r.revoked_at && r.valid_to > now().toISOString(),
    }));
  }

  // ── reads ───────────────────────────────────────────────────────────────────────────────────

  async function accountView(accountId: string): Promise<AccountView | undefined> {
    const a = await accountById(db, accountId);
    if (!a) return undefined;
    return view(a, grantsFor(a, await grantsOf(db, a.id)));
  }

  async function staffList() {
    const rows = await staffAccounts(db);
    const grants = await grantsOfMany(
      db,
      rows.map((a) => a.id),
    );
    return rows.map((a) => view(a, grantsFor(a, grants.get(a.id) ?? [])));
  }

  /**
   * An account's personal data, decrypted, for a module that needs it (e.g. an SMS to the
   * applicant). `within`: the caller's transaction — an event consumer must read through it, since
   * on SQLite a read outside an open transaction would wait for that transaction forever.
   */
  async function personalData(accountId: string, within?: Executor) {
    const a = await accountById(within ?? db, accountId);
    if (!a) return undefined;
    return {
      kind: a.kind,
      name: a.name,
      idNumber: a.id_number_enc ? cipher.decrypt(a.id_number_enc) : null,
      mobile: a.mobile_enc ? cipher.decrypt(a.mobile_enc) : null,
      creditCode: a.credit_code,
      legalRepresentative: a.legal_rep_name,
      regionCode: a.region_code,
      realNameLevel: a.real_name_level,
    };
  }

  async function accountIdByIdNumber(idNumber: string): Promise<string | undefined> {
    return (await accountByIdHash(db, cipher.lookupHash('idNumber', idNumber.trim().toUpperCase())))?.id;
  }

  async function accountIdByLogin(login: string): Promise<string | undefined> {
    return (await accountByLogin(db, login))?.id;
  }

  async function principalForAccount(accountId: string): Promise<Principal | undefined> {
    const a = await accountById(db, accountId);
    return a ? principalOf(a, 'bearer') : undefined;
  }

  async function notifications(limit = 50) {
    return latestNotifications(db, limit);
  }

  return {
    register,
    createStaff,
    addGrant,
    authenticatePassword,
    createSession,
    resolveSession,
    endSession,
    endAllSessions,
    issueToken,
    resolveBearer,
    tokenForLogin,
    createClient,
    clientById,
    clientCredentialsToken,
    changePassword,
    requestPasswordReset,
    resetPassword,
    resetTokenValid,
    verifyRealName,
    verifyInPerson,
    createDelegation,
    revokeDelegation,
    mayActFor,
    delegationsOf,
    accountView,
    staffList,
    personalData,
    accountIdByIdNumber,
    accountIdByLogin,
    principalForAccount,
    principalOf,
    notifications,
  };
}

export type IdentityService = ReturnType<typeof createIdentityService>;

/** Keeps notifications in a table that /dev/mailbox shows (development and test only). */
export function devMailboxNotifier(clock: Clock): Notifier {
  return {
    async send(trx, n) {
      await insertNotification(trx, {
        id: newId(),
        channel: n.channel,
        recipient_masked: n.channel === 'sms' ? maskMobile(n.to) : maskEmail(n.to),
        subject: n.subject,
        body: n.body,
        created_at: clock.now().toISOString(),
      });
    },
  };
}
