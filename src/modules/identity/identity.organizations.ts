/**
 * Organisations are verified, not claimed (issue 11 item 1). A credit code typed at registration
 * is only a claim: the account may browse and draft, but it is linked to the company's e-licences
 * and may apply in the company's name only once it is verified — by the company's legal
 * representative (法定代表人), signed in with their own person account at real-name level L2 or
 * above and matching the legal-person register, or by a window clerk who saw the business licence
 * in person. When one account becomes verified every other account claiming that credit code loses
 * it; a verified holder loses it only to a clerk's in-person check (a dispute).
 *
 * An organisation's real-name level is its state: 1 claimed, 2 verified by its legal
 * representative, 3 verified in person.
 */
import { DomainError, newId } from '../../kernel/index.js';
import type { Principal } from '../../platform/access.js';
import { checkCreditCode, divisionPrefix } from '../../platform/codes/index.js';
import { type Executor, inTransaction } from '../../platform/db/index.js';
import { appendEvent } from '../../platform/events/index.js';
import { translator } from '../../platform/i18n/index.js';
import { maskName } from '../../platform/privacy/index.js';
import { type IdentityContext, type LegalPerson, type LegalPersonStatus, isoIn } from './identity.context.js';
import { PERMISSIONS } from './identity.permissions.js';
import {
  type AccountRow,
  accountById,
  organizationsClaiming,
  claimedNotVerified,
  firstAgentNames,
  insertOrganizationVerification,
  organizationHistory,
  releaseCreditCode,
  setOrganizationVerified,
  verifiedCreditCodes,
} from './identity.store.js';

/** Where an organisation account stands. */
export type OrganizationState = 'claimed' | 'verifiedByRepresentative' | 'verifiedInPerson' | 'released';

/** The organisation levels (real_name_level of an organisation account). */
export const ORGANIZATION_LEVEL = { claimed: 1, legalRepresentative: 2, inPerson: 3 } as const;

export function organizationState(a: AccountRow): OrganizationState | null {
  if (a.kind !== 'organization') return null;
  if (a.credit_code)
    return a.real_name_level >= ORGANIZATION_LEVEL.inPerson ? 'verifiedInPerson' : 'verifiedByRepresentative';
  return a.claimed_credit_code ? 'claimed' : 'released';
}

/** What an organisation's own account page and `/api/v1/me/organization` show. */
export interface OrganizationStatus {
  readonly state: OrganizationState;
  readonly level: number;
  /** the code the account claims (or holds, once verified); null once released */
  readonly creditCode: string | null;
  /** when it was verified, or released */
  readonly at: string | null;
  /** the register's legal representative, masked (张*), when the register knows the company */
  readonly legalRepresentativeMasked: string | null;
  /** the register's status of the company, when it knows it */
  readonly registerStatus: LegalPersonStatus | null;
}

/** An organisation account awaiting its legal representative's confirmation. */
export interface PendingOrganization {
  readonly accountId: string;
  readonly login: string;
  /** the name the account registered with */
  readonly name: string;
  readonly creditCode: string;
  /** the company's name in the register */
  readonly registerName: string;
  /** the registering 经办人, masked */
  readonly agentMasked: string | null;
  readonly registeredAt: string;
  /** another account of the company is verified already: only a clerk may move the code */
  readonly heldElsewhere: boolean;
}

/** What a clerk sees for a credit code: the register's entry and every account claiming it. */
export interface CreditCodeHolders {
  readonly creditCode: string;
  readonly register: {
    readonly name: string;
    readonly legalRepresentativeMasked: string;
    readonly status: LegalPersonStatus;
  } | null;
  readonly accounts: ReadonlyArray<{
    readonly accountId: string;
    readonly login: string;
    readonly name: string;
    readonly state: OrganizationState;
    readonly level: number;
    readonly agentMasked: string | null;
    readonly registeredAt: string;
  }>;
}

// ── the organisation's own view ───────────────────────────────────────────────────────────────

export async function organizationStatus(
  ctx: IdentityContext,
  accountId: string,
): Promise<OrganizationStatus | undefined> {
  const a = await accountById(ctx.db, accountId);
  const state = a ? organizationState(a) : null;
  if (!a || !state) return undefined;
  const code = a.credit_code ?? a.claimed_credit_code;
  const entry = code ? await ctx.legalPersons.lookup(code) : undefined;
  const last = state === 'released' ? (await organizationHistory(ctx.db, a.id))[0] : undefined;
  return {
    state,
    level: a.real_name_level,
    creditCode: code,
    at: state === 'released' ? (last?.created_at ?? null) : a.real_name_at,
    legalRepresentativeMasked: entry ? maskName(entry.legalRepresentative.name) : null,
    registerStatus: entry?.status ?? null,
  };
}

// ── (a) the legal representative confirms ────────────────────────────────────────────────────

/**
 * The person's own ID number and name, when they may act as a legal representative: a person
 * account at L2 or above (an ID number typed at L1 proves nothing: issue 11 item 6).
 */
async function representative(ctx: IdentityContext, p: Principal) {
  if (p.kind !== 'person') throw new DomainError('IDENTITY.NOT_LEGAL_REPRESENTATIVE');
  const a = await accountById(ctx.db, p.accountId);
  if (!a?.id_number_enc || a.kind !== 'person') throw new DomainError('IDENTITY.NOT_LEGAL_REPRESENTATIVE');
  if (a.real_name_level < 2)
    throw new DomainError('IDENTITY.REAL_NAME_LEVEL', {
      params: { required: 2, current: a.real_name_level },
    });
  return { account: a, idNumber: ctx.cipher.decrypt(a.id_number_enc), name: a.name.trim() };
}

const represents = (entry: LegalPerson, who: { idNumber: string; name: string }) =>
  entry.legalRepresentative.idNumber.trim().toUpperCase() === who.idNumber.trim().toUpperCase() &&
  entry.legalRepresentative.name.trim() === who.name;

/**
 * The organisation accounts waiting for this person's confirmation: those claiming the credit
 * code of a company in business whose registered legal representative is this person. Empty for
 * anyone below L2 (who might hold someone else's ID number) and for non-persons.
 */
export async function pendingConfirmations(
  ctx: IdentityContext,
  p: Principal,
): Promise<PendingOrganization[]> {
  if (p.kind !== 'person' || p.realNameLevel < 2) return [];
  const who = await representative(ctx, p).catch(() => undefined);
  if (!who) return [];
  const companies = (await ctx.legalPersons.representedBy(who.idNumber)).filter(
    (c) => c.status === 'active' && represents(c, who),
  );
  const byCode = new Map(companies.map((c) => [c.creditCode, c]));
  const accounts = await claimedNotVerified(ctx.db, [...byCode.keys()]);
  const held = await verifiedCreditCodes(ctx.db, [...new Set(accounts.map((a) => a.claimed_credit_code!))]);
  const agents = await firstAgentNames(
    ctx.db,
    accounts.map((a) => a.id),
  );
  return accounts.map((a) => ({
    accountId: a.id,
    login: a.login,
    name: a.name,
    creditCode: a.claimed_credit_code!,
    registerName: byCode.get(a.claimed_credit_code!)!.name,
    agentMasked: agents.has(a.id) ? maskName(agents.get(a.id)!) : null,
    registeredAt: a.created_at,
    heldElsewhere: held.has(a.claimed_credit_code!),
  }));
}

/** The legal representative confirms an organisation account: it becomes verified at level 2. */
export async function confirmByLegalRepresentative(
  ctx: IdentityContext,
  p: Principal,
  organizationId: string,
): Promise<{ level: number }> {
  const who = await representative(ctx, p);
  const org = await accountById(ctx.db, organizationId);
  if (!org || organizationState(org) !== 'claimed')
    throw new DomainError('IDENTITY.ORGANIZATION_NOT_PENDING');
  const code = org.claimed_credit_code!;
  const entry = await ctx.legalPersons.lookup(code);
  if (!entry) throw new DomainError('IDENTITY.ORGANIZATION_NOT_IN_REGISTER');
  if (!represents(entry, who)) throw new DomainError('IDENTITY.NOT_LEGAL_REPRESENTATIVE');
  if (entry.status !== 'active') throw new DomainError('IDENTITY.ORGANIZATION_NOT_ACTIVE');
  // a company that already has a verified account is disputed only in person, at a window
  await verifyOrganization(ctx, org, {
    code,
    level: ORGANIZATION_LEVEL.legalRepresentative,
    method: 'legal-representative',
    actor: who.account.id,
    entry,
    dispute: false,
  });
  return { level: ORGANIZATION_LEVEL.legalRepresentative };
}

// ── (b) a window clerk checks the business licence in person ─────────────────────────────────

/**
 * Whether a clerk's grants reach an organisation: a company is registered with the authority of
 * the division in its credit code (characters 3–8, county level or above), so a clerk whose
 * grant lies within that division (a street hall of the county) or contains it may verify it.
 * Fail closed: a malformed code, or no grant holding the permission, reaches nothing.
 */
export function clerkReaches(p: Principal, creditCode: string): boolean {
  const cc = checkCreditCode(creditCode);
  if (!cc.ok) return false;
  const division = divisionPrefix(cc.value.regionCode);
  return p.grants.some(
    (g) =>
      g.permissions.includes(PERMISSIONS.identityVerifyOrganization) &&
      (g.regionPrefix.startsWith(division) || division.startsWith(g.regionPrefix)),
  );
}

function clerkCode(p: Principal, raw: string): string {
  const code = raw.trim().toUpperCase();
  const cc = checkCreditCode(code);
  if (!cc.ok)
    throw new DomainError('COMMON.VALIDATION', {
      details: { issues: [{ field: 'creditCode', rule: cc.failures[0]! }] },
    });
  if (!clerkReaches(p, code)) throw new DomainError('IDENTITY.ORGANIZATION_OUT_OF_SCOPE');
  return code;
}

/** The register's entry for a credit code and every account claiming it (a clerk's page). */
export async function creditCodeHolders(
  ctx: IdentityContext,
  clerk: Principal,
  rawCode: string,
): Promise<CreditCodeHolders> {
  const code = clerkCode(clerk, rawCode);
  const entry = await ctx.legalPersons.lookup(code);
  const accounts = await organizationsClaiming(ctx.db, code);
  const agents = await firstAgentNames(
    ctx.db,
    accounts.map((a) => a.id),
  );
  return {
    creditCode: code,
    register: entry
      ? {
          name: entry.name,
          legalRepresentativeMasked: maskName(entry.legalRepresentative.name),
          status: entry.status,
        }
      : null,
    accounts: accounts.map((a) => ({
      accountId: a.id,
      login: a.login,
      name: a.name,
      state: organizationState(a)!,
      level: a.real_name_level,
      agentMasked: agents.has(a.id) ? maskName(agents.get(a.id)!) : null,
      registeredAt: a.created_at,
    })),
  };
}

/**
 * A clerk saw the original business licence: the account becomes verified at level 3. The code
 * the clerk reads off the licence must be the one the account claims. When the register knows the
 * company it must be in business; when it does not (no 法人库 wired yet) the licence itself is the
 * evidence. Taking a code from another verified account (a dispute) needs `dispute`.
 */
export async function verifyOrganizationInPerson(
  ctx: IdentityContext,
  clerk: Principal,
  organizationId: string,
  input: { creditCode: string; dispute?: boolean | undefined },
): Promise<{ level: number }> {
  const code = clerkCode(clerk, input.creditCode);
  const org = await accountById(ctx.db, organizationId);
  const state = org ? organizationState(org) : null;
  if (!org || !state || state === 'released') throw new DomainError('IDENTITY.ORGANIZATION_NOT_PENDING');
  if ((org.credit_code ?? org.claimed_credit_code) !== code)
    throw new DomainError('IDENTITY.CREDIT_CODE_MISMATCH');
  if (state === 'verifiedInPerson') return { level: org.real_name_level };
  const entry = await ctx.legalPersons.lookup(code);
  if (entry && entry.status !== 'active') throw new DomainError('IDENTITY.ORGANIZATION_NOT_ACTIVE');
  await verifyOrganization(ctx, org, {
    code,
    level: ORGANIZATION_LEVEL.inPerson,
    method: 'in-person',
    actor: clerk.accountId,
    entry,
    dispute: input.dispute === true,
  });
  return { level: ORGANIZATION_LEVEL.inPerson };
}

// ── the one write ─────────────────────────────────────────────────────────────────────────────

/**
 * Verifies `org` with `code` in one transaction: every other account claiming the code loses it
 * (and with it any link to the company's licences, which the licences module checks on every
 * read), is told by SMS and gets a history row; the account becomes verified; each change is an
 * event. Events carry account ids only — the transparency log sees no credit code, no name.
 */
async function verifyOrganization(
  ctx: IdentityContext,
  org: AccountRow,
  v: {
    code: string;
    level: number;
    method: 'legal-representative' | 'in-person';
    actor: string;
    entry: LegalPerson | undefined;
    dispute: boolean;
  },
): Promise<void> {
  const at = isoIn(ctx);
  try {
    await inTransaction(ctx.db, async (trx) => {
      const holders = await organizationsClaiming(trx, v.code);
      if (!holders.some((h) => h.id === org.id)) throw new DomainError('IDENTITY.ORGANIZATION_NOT_PENDING');
      const others = holders.filter((h) => h.id !== org.id);
      if (others.some((h) => h.credit_code !== null) && !v.dispute)
        throw new DomainError('IDENTITY.ORGANIZATION_VERIFIED_ELSEWHERE');
      for (const o of others) await release(ctx, trx, o, { by: org.id, actor: v.actor, code: v.code, at });
      const done = await setOrganizationVerified(trx, org.id, {
        creditCode: v.code,
        level: v.level,
        method: v.method,
        at,
        ...(v.entry ? { name: v.entry.name, legalRep: v.entry.legalRepresentative.name } : {}),
      });
      // released meanwhile by another account's verification
      if (!done) throw new DomainError('IDENTITY.ORGANIZATION_NOT_PENDING');
      await insertOrganizationVerification(trx, {
        id: newId(),
        account_id: org.id,
        credit_code: v.code,
        action: 'verified',
        level: v.level,
        method: v.method,
        actor_id: v.actor,
        by_account_id: null,
        region_code: org.region_code,
        created_at: at,
      });
      await appendEvent(trx, ctx.clock, {
        type: 'identity.organizationVerified',
        aggregateType: 'account',
        aggregateId: org.id,
        regionCode: org.region_code,
        actor: v.actor,
        payload: { level: v.level, method: v.method, released: others.length },
      });
    });
  } catch (e) {
    // two verifications of one company racing: the store keeps one verified account per code
    if (isUniqueViolation(e)) throw new DomainError('IDENTITY.ORGANIZATION_VERIFIED_ELSEWHERE');
    throw e;
  }
}

async function release(
  ctx: IdentityContext,
  trx: Executor,
  o: AccountRow,
  r: { by: string; actor: string; code: string; at: string },
): Promise<void> {
  const reason = o.credit_code ? 'disputed' : 'reclaimed';
  await releaseCreditCode(trx, o.id, r.at);
  await insertOrganizationVerification(trx, {
    id: newId(),
    account_id: o.id,
    credit_code: r.code,
    action: 'released',
    level: null,
    method: reason,
    actor_id: r.actor,
    by_account_id: r.by,
    region_code: o.region_code,
    created_at: r.at,
  });
  await appendEvent(trx, ctx.clock, {
    type: 'identity.organizationReleased',
    aggregateType: 'account',
    aggregateId: o.id,
    regionCode: o.region_code,
    actor: r.actor,
    payload: { reason, by: r.by },
  });
  if (o.mobile_enc) {
    const t = translator('zh-CN');
    await ctx.notifier.send(trx, {
      channel: 'sms',
      to: ctx.cipher.decrypt(o.mobile_enc),
      subject: t('identity.organization.releasedSubject'),
      body: t('identity.organization.releasedBody', { login: o.login }),
    });
  }
}

function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: unknown; message?: unknown };
  return (
    err?.code === '23505' ||
    err?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    (typeof err?.message === 'string' && /UNIQUE constraint failed/.test(err.message))
  );
}
