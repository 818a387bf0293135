import { randomInt, timingSafeEqual } from 'node:crypto';
import { DomainError, newId } from '../../kernel/index.js';
import type { Grant, Principal } from '../../platform/access.js';
import { chinaDate } from '../../platform/calendar/index.js';
import { checkIdNumber } from '../../platform/codes/index.js';
import { type Executor, inTransaction } from '../../platform/db/index.js';
import { appendEvent } from '../../platform/events/index.js';
import { translator } from '../../platform/i18n/index.js';
import { maskIdNumber, maskMobile } from '../../platform/privacy/index.js';
import { type IdentityContext, POLICY, isoIn } from './identity.context.js';
import { addAgent } from './identity.delegation.js';
import { type OrganizationState, organizationState } from './identity.organizations.js';
import { hashPassword, passwordWeakness } from './identity.password.js';
import { type Role, isRole, mayGrant } from './identity.permissions.js';
import { displayName, grantsFor } from './identity.principal.js';
import {
  type AccountRow,
  accountById,
  accountByIdHash,
  accountByLogin,
  verifiedHolderOf,
  deleteExpiredRegistrations,
  deleteRegistration,
  grantsOf,
  grantsOfMany,
  insertAccount,
  insertGrant as insertGrantRow,
  insertRegistration,
  registrationById,
  reserveRegistrationAttempt,
  sealedMobileOf,
  sealedMobilesOf,
  staffAccounts,
} from './identity.store.js';
import {
  type OrganizationRegistration,
  type PersonRegistration,
  type Registration,
  normaliseLogin,
  normaliseMobile,
  registrationIssues,
} from './identity.types.js';

export interface AccountView {
  readonly id: string;
  readonly kind: string;
  readonly login: string;
  /** masked (DOMAIN §8) */
  readonly name: string;
  readonly idNumberMasked: string | null;
  readonly mobileMasked: string | null;
  /** an organisation's credit code: the one it claims until verified, then the one it holds */
  readonly creditCode: string | null;
  /** an organisation's state (claimed, verified by its legal representative or in person, released) */
  readonly organizationState: OrganizationState | null;
  readonly regionCode: string | null;
  readonly departmentId: string | null;
  readonly hallId: string | null;
  readonly realNameLevel: number;
  readonly roles: ReadonlyArray<{ role: string; regionPrefix: string; departmentId: string | null }>;
}

/** An account's unmasked identity, for a module that needs it (e.g. an SMS to the applicant). */
export interface PersonalData {
  readonly kind: string;
  readonly name: string;
  readonly idNumber: string | null;
  readonly mobile: string | null;
  /**
   * an organisation's credit code only once it is VERIFIED: a code it merely claims opens no
   * licence and fills no form in the company's name
   */
  readonly creditCode: string | null;
  readonly legalRepresentative: string | null;
  readonly regionCode: string | null;
  readonly realNameLevel: number;
}

export interface StaffInput {
  readonly login: string;
  readonly name: string;
  readonly password: string;
  readonly mobile?: string;
  readonly regionCode: string;
  readonly departmentId: string | null;
  readonly hallId: string | null;
  readonly grants: ReadonlyArray<{ role: Role; regionPrefix: string; departmentId: string | null }>;
  readonly actor?: string | null;
}

export interface GrantInput {
  readonly role: string;
  readonly regionPrefix: string;
  readonly departmentId: string | null;
}

export function accountViewOf(ctx: IdentityContext, a: AccountRow, grants: readonly Grant[]): AccountView {
  const { cipher } = ctx;
  return {
    id: a.id,
    kind: a.kind,
    login: a.login,
    name: displayName(a),
    idNumberMasked: a.id_number_enc ? maskIdNumber(cipher.decrypt(a.id_number_enc)) : null,
    mobileMasked: a.mobile_enc ? maskMobile(cipher.decrypt(a.mobile_enc)) : null,
    creditCode: a.credit_code ?? a.claimed_credit_code,
    organizationState: organizationState(a),
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

function fieldConflict(code: string, field: string): DomainError {
  return new DomainError(code, { details: { issues: [{ field, rule: code }] } });
}

// ── registration ──────────────────────────────────────────────────────────────────────────────

/**
 * Makes an account at level L1 (a person 自然人, or an organisation 法人 with its agent) at once.
 * People register through {@link startRegistration}; this is the step after their code, and the
 * way tests, benches and the demo make accounts.
 */
export async function register(ctx: IdentityContext, input: Registration): Promise<AccountView> {
  const checked = checkRegistration(ctx, input);
  return createAccount(ctx, checked, await hashPassword(input.password));
}

/** A registration without its password (each kind keeps its own fields). */
type RegistrationDetails = Registration extends infer R
  ? R extends Registration
    ? Omit<R, 'password'>
    : never
  : never;

/** A registration as it waits for its code: checked, the password already hashed. */
type PendingRegistration = RegistrationDetails & { readonly passwordHash: string };

/** What the registrant is told, whatever the accounts that exist: a code went to this phone. */
export interface RegistrationStarted {
  readonly registrationId: string;
  /** the phone the message went to, masked */
  readonly sentTo: string;
}

/** The registration's format checked (the answer may say what is wrong with what was typed). */
function checkRegistration(ctx: IdentityContext, input: Registration): Registration {
  // the date in China: between 00:00 and 08:00 there the UTC date is still yesterday
  const issues = registrationIssues(input, chinaDate(ctx.clock.now()));
  if (issues.length) throw new DomainError('COMMON.VALIDATION', { details: { issues } });
  return input;
}

const registrantMobile = (r: RegistrationDetails): string =>
  normaliseMobile(r.kind === 'person' ? r.mobile : r.agentMobile);

/**
 * Self-registration, step one. The answer is the same whether or not the account name is already
 * registered (an ID number or a credit code is never refused: each is only claimed) — no
 * stranger can learn who has an account (user enumeration: OWASP Authentication Cheat Sheet, account creation). What happened
 * goes by message instead: a code to the registrant's phone when the login is free, a plain
 * refusal when not; and a claim on a credit code a verified account holds is told to that
 * account's registered phone. The password is hashed either way, so the time taken says nothing either.
 */
export async function startRegistration(
  ctx: IdentityContext,
  input: Registration,
): Promise<RegistrationStarted> {
  const checked = checkRegistration(ctx, input);
  const { password: _password, ...rest } = checked;
  const pending: PendingRegistration = { ...rest, passwordHash: await hashPassword(checked.password) };
  const mobile = registrantMobile(pending);
  const id = newId();
  const at = isoIn(ctx);
  const t = translator('zh-CN');
  await inTransaction(ctx.db, async (trx) => {
    await deleteExpiredRegistrations(trx, at);
    const taken = await takenDetail(trx, pending);
    if (taken) {
      await ctx.notifier.send(trx, {
        channel: 'sms',
        to: mobile,
        subject: 'registration-refused',
        body: t(`identity.sms.registration.${taken.field}Taken`),
      });
      return;
    }
    // a credit code is never refused: it is only claimed, and a claim reaches nothing until the
    // company's legal representative or a clerk verifies it (identity.organizations). A company
    // that has a verified account is told of each claim on its code at its registered phone.
    const holder =
      pending.kind === 'organization' ? await verifiedHolderOf(trx, pending.creditCode) : undefined;
    const holderMobile = holder?.mobile_enc ? ctx.cipher.decrypt(holder.mobile_enc) : undefined;
    if (holderMobile && holderMobile !== mobile)
      await ctx.notifier.send(trx, {
        channel: 'sms',
        to: holderMobile,
        subject: 'registration-attempt',
        body: t('identity.sms.registration.creditCodeClaimed'),
      });
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    await insertRegistration(trx, {
      id,
      code_hash: registrationCodeHash(ctx, id, code),
      sealed: ctx.cipher.encrypt(JSON.stringify(pending)),
      attempts: 0,
      expires_at: isoIn(ctx, POLICY.registrationCodeMs),
      created_at: at,
    });
    await ctx.notifier.send(trx, {
      channel: 'sms',
      to: mobile,
      subject: 'registration-code',
      body: t('identity.sms.registration.code', { code, minutes: POLICY.registrationCodeMs / 60_000 }),
    });
  });
  return { registrationId: id, sentTo: maskMobile(mobile) };
}

/**
 * Self-registration, step two: the code from the phone makes the account. A wrong code, an
 * unknown or expired registration and a refused one all answer REGISTRATION_CODE_INVALID; each
 * registration allows POLICY.registrationAttempts tries, counted before the code is compared.
 */
export async function confirmRegistration(
  ctx: IdentityContext,
  registrationId: string,
  code: string,
): Promise<AccountView> {
  const invalid = () => new DomainError('IDENTITY.REGISTRATION_CODE_INVALID');
  if (!(await reserveRegistrationAttempt(ctx.db, registrationId, POLICY.registrationAttempts, isoIn(ctx))))
    throw invalid();
  const row = await registrationById(ctx.db, registrationId);
  const expected = Buffer.from(row?.code_hash ?? '', 'utf8');
  const given = Buffer.from(registrationCodeHash(ctx, registrationId, code.trim()), 'utf8');
  if (!row || expected.length !== given.length || !timingSafeEqual(expected, given)) throw invalid();
  const pending = JSON.parse(ctx.cipher.decrypt(row.sealed)) as PendingRegistration;
  return createAccount(ctx, pending, pending.passwordHash, async (trx) => {
    if (!(await deleteRegistration(trx, registrationId))) throw invalid();
  });
}

function registrationCodeHash(ctx: IdentityContext, registrationId: string, code: string): string {
  return ctx.cipher.lookupHash('registrationCode', `${registrationId}:${code}`);
}

/**
 * Whether the registration's one unique detail, its login, is taken. An ID number is never one:
 * registered, it is only claimed (identity.realname); nor is a credit code, claimed the same way
 * (identity.organizations). So neither is refused to anybody.
 */
async function takenDetail(trx: Executor, r: RegistrationDetails): Promise<{ field: 'login' } | undefined> {
  if (await accountByLogin(trx, normaliseLogin(r.login))) return { field: 'login' };
  return undefined;
}

/** Inserts the account, its agent (an organisation) and the event, in one transaction. */
async function createAccount(
  ctx: IdentityContext,
  input: RegistrationDetails,
  passwordHash: string,
  within?: (trx: Executor) => Promise<void>,
): Promise<AccountView> {
  const login = normaliseLogin(input.login);
  const id = newId();
  const at = isoIn(ctx);
  return inTransaction(ctx.db, async (trx) => {
    await within?.(trx);
    if (await accountByLogin(trx, login)) throw fieldConflict('IDENTITY.LOGIN_TAKEN', 'login');
    if (input.kind === 'person') await insertPerson(ctx, trx, id, login, passwordHash, input, at);
    else await insertOrganization(ctx, trx, id, login, passwordHash, input, at);
    const a = (await accountById(trx, id))!;
    await appendEvent(trx, ctx.clock, {
      type: 'identity.accountRegistered',
      aggregateType: 'account',
      aggregateId: id,
      regionCode: a.region_code,
      actor: id,
      payload: { kind: input.kind, realNameLevel: 1 },
    });
    return accountViewOf(ctx, a, grantsFor(a, []));
  });
}

async function insertPerson(
  ctx: IdentityContext,
  trx: Executor,
  id: string,
  login: string,
  passwordHash: string,
  r: Omit<PersonRegistration, 'password'>,
  at: string,
) {
  const { cipher } = ctx;
  const idNumber = r.idNumber.trim().toUpperCase();
  // a number registered is only claimed (the form checks validity, not ownership), and a claim
  // is refused to nobody: refusing would tell a stranger the number has an account (an oracle)
  // and would lock the owner out of the number a squatter claimed, or a thief verified with
  // stolen factors. A claim reaches nothing; the number becomes the account's at L2 or L3.
  const idHash = cipher.lookupHash('idNumber', idNumber);
  const mobile = normaliseMobile(r.mobile);
  const parsed = checkIdNumber(idNumber);
  await insertAccount(trx, {
    ...emptyAccount(id, 'person', login, r.name.trim(), passwordHash, at),
    id_number_enc: cipher.encrypt(idNumber),
    id_number_claim_hash: idHash,
    mobile_enc: cipher.encrypt(mobile),
    mobile_hash: cipher.lookupHash('mobile', mobile),
    region_code: parsed.ok ? parsed.value.regionCode : null,
  });
}

async function insertOrganization(
  ctx: IdentityContext,
  trx: Executor,
  id: string,
  login: string,
  passwordHash: string,
  r: Omit<OrganizationRegistration, 'password'>,
  at: string,
) {
  const { cipher } = ctx;
  // Only a claim: anyone may register with any valid credit code, held or not, so a squatter
  // locks nobody out and registration answers nothing about who else claims or holds the code
  // (issue 11 items 1 and 7). Unique only among verified accounts (identity.organizations).
  const creditCode = r.creditCode.trim().toUpperCase();
  const agentMobile = normaliseMobile(r.agentMobile);
  await insertAccount(trx, {
    ...emptyAccount(id, 'organization', login, r.name.trim(), passwordHash, at),
    // claimed until its legal representative or a clerk verifies it (identity.organizations)
    claimed_credit_code: creditCode,
    legal_rep_name: r.legalRepresentative.trim(),
    // the account's contact mobile is its registering agent's
    mobile_enc: cipher.encrypt(agentMobile),
    mobile_hash: cipher.lookupHash('mobile', agentMobile),
    region_code: creditCode.slice(2, 8),
  });
  await addAgent(ctx, trx, id, {
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
    id_number_claim_hash: null,
    mobile_enc: null,
    mobile_hash: null,
    email: null,
    credit_code: null,
    claimed_credit_code: null,
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

// ── staff and grants ──────────────────────────────────────────────────────────────────────────

/** Staff accounts are created by a platform admin (or the demo seed), never by self-registration. */
export async function createStaff(ctx: IdentityContext, input: StaffInput): Promise<string> {
  const { cipher } = ctx;
  const weak = passwordWeakness(input.password, { login: input.login });
  if (weak) throw new DomainError('IDENTITY.WEAK_PASSWORD');
  const login = normaliseLogin(input.login);
  const passwordHash = await hashPassword(input.password);
  const id = newId();
  const at = isoIn(ctx);
  await inTransaction(ctx.db, async (trx) => {
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
    await appendEvent(trx, ctx.clock, {
      type: 'identity.accountRegistered',
      aggregateType: 'account',
      aggregateId: id,
      regionCode: input.regionCode,
      actor: input.actor ?? null,
      payload: { kind: 'staff' },
    });
    for (const g of input.grants) await insertGrant(ctx, trx, id, g, input.actor ?? null);
  });
  return id;
}

async function insertGrant(
  ctx: IdentityContext,
  trx: Executor,
  accountId: string,
  g: GrantInput,
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
    created_at: isoIn(ctx),
    created_by: actor,
    revoked_at: null,
    revoked_by: null,
  });
  await appendEvent(trx, ctx.clock, {
    type: 'identity.grantAdded',
    aggregateType: 'account',
    aggregateId: accountId,
    regionCode: g.regionPrefix || null,
    actor,
    payload: { grantId: id, role: g.role, regionPrefix: g.regionPrefix, departmentId: g.departmentId },
  });
}

/**
 * An administrator gives a staff account or a machine client one more role within a scope — never
 * beyond the administrator's own (mayGrant): a city's administrator cannot make anyone a
 * platform-wide or another city's administrator, nor a bureau's one grant for other bureaus.
 */
export async function addGrant(
  ctx: IdentityContext,
  actor: Principal,
  accountId: string,
  g: GrantInput,
): Promise<void> {
  const a = await accountById(ctx.db, accountId);
  if (!a) throw new DomainError('IDENTITY.NOT_FOUND');
  if (a.kind !== 'staff' && a.kind !== 'client') throw new DomainError('IDENTITY.GRANT_INVALID');
  if (!isRole(g.role)) throw new DomainError('IDENTITY.GRANT_INVALID');
  if (!mayGrant(actor.grants, { role: g.role, regionPrefix: g.regionPrefix, departmentId: g.departmentId }))
    throw new DomainError('IDENTITY.GRANT_BEYOND_SCOPE');
  await inTransaction(ctx.db, (trx) => insertGrant(ctx, trx, accountId, g, actor.accountId));
}

// ── reads ─────────────────────────────────────────────────────────────────────────────────────

export async function accountView(ctx: IdentityContext, accountId: string): Promise<AccountView | undefined> {
  const a = await accountById(ctx.db, accountId);
  if (!a) return undefined;
  return accountViewOf(ctx, a, grantsFor(a, await grantsOf(ctx.db, a.id)));
}

export async function staffList(ctx: IdentityContext): Promise<AccountView[]> {
  const rows = await staffAccounts(ctx.db);
  const grants = await grantsOfMany(
    ctx.db,
    rows.map((a) => a.id),
  );
  return rows.map((a) => accountViewOf(ctx, a, grantsFor(a, grants.get(a.id) ?? [])));
}

/**
 * An account's personal data, decrypted, for a module that needs it (e.g. an SMS to the
 * applicant). `within`: the caller's transaction — an event consumer must read through it, since
 * on SQLite a read outside an open transaction would wait for that transaction forever.
 */
export async function personalData(
  ctx: IdentityContext,
  accountId: string,
  within?: Executor,
): Promise<PersonalData | undefined> {
  const { cipher } = ctx;
  const a = await accountById(within ?? ctx.db, accountId);
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

/**
 * Where a notice to an account goes: its mobile number, unsealed (null when it gave none), or
 * undefined when there is no such account. Only the number is read and opened (a notice per case
 * step: not the whole personal record).
 */
export async function contactOf(
  ctx: IdentityContext,
  accountId: string,
  within?: Executor,
): Promise<{ mobile: string | null } | undefined> {
  const a = await sealedMobileOf(within ?? ctx.db, accountId);
  if (!a) return undefined;
  return { mobile: a.mobile_enc ? ctx.cipher.decrypt(a.mobile_enc) : null };
}

/** {@link contactOf} of several accounts in one read: id → contact (unknown ids left out). */
export async function contactsOf(
  ctx: IdentityContext,
  accountIds: readonly string[],
  within?: Executor,
): Promise<Map<string, { mobile: string | null }>> {
  const rows = await sealedMobilesOf(within ?? ctx.db, [...new Set(accountIds)]);
  return new Map(rows.map((a) => [a.id, { mobile: a.mobile_enc ? ctx.cipher.decrypt(a.mobile_enc) : null }]));
}

/**
 * The account that holds this ID number verified (L2 or above): a clerk's walk-in names the
 * person at the window by it, and a number only claimed at L1 (perhaps by a squatter) must not
 * put that person's case in someone else's account.
 */
export async function accountIdByIdNumber(
  ctx: IdentityContext,
  idNumber: string,
): Promise<string | undefined> {
  return (await accountByIdHash(ctx.db, ctx.cipher.lookupHash('idNumber', idNumber.trim().toUpperCase())))
    ?.id;
}

export async function accountIdByLogin(ctx: IdentityContext, login: string): Promise<string | undefined> {
  return (await accountByLogin(ctx.db, login))?.id;
}
