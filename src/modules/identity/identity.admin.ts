import { DomainError, newId } from '../../kernel/index.js';
import { type Executor, inTransaction } from '../../platform/db/index.js';
import { appendEvent } from '../../platform/events/index.js';
import {
  type AdminActor,
  type AdministeredAccount,
  type GrantScope,
  mayAdminister,
  requireAdminister,
} from './identity.access.js';
import { type AccountView, accountViewOf } from './identity.accounts.js';
import { type IdentityContext, isoIn, sha256 } from './identity.context.js';
import { grantsFor } from './identity.principal.js';
import { endEverything } from './identity.signout.js';
import {
  type AccountRow,
  type GrantRow,
  accountActionsOf,
  accountById,
  accountByLogin,
  changeAccountStatus,
  deleteInPersonCode,
  grantOf,
  grantsOf,
  grantsOfMany,
  insertAccountAction,
  revokeGrantRow,
  spendResetTokensOf,
  staffAccounts,
} from './identity.store.js';

/**
 * Administration of accounts (issue 11 item 10): an administrator disables or re-enables an
 * account and revokes a staff grant, always with a reason, within its own scope
 * (identity.access). Each action writes the account's own history and one event in the same
 * transaction; the event carries ids and the reason's SHA-256, never the reason itself, so the
 * transparency log commits to what was recorded without holding anything personal.
 */

/** Where an action came from, kept with it: the admin pages, the JSON API, the operator's CLI. */
export type AdminVia = 'page' | 'api' | 'cli';

export type AccountAction = 'disabled' | 'enabled' | 'grantRevoked';

/** A reason long enough to say why, short enough for the history's column. */
export const REASON_MAX = 500;

export interface GrantView {
  readonly id: string;
  readonly role: string;
  readonly regionPrefix: string;
  readonly departmentId: string | null;
  readonly createdAt: string;
}

export interface AccountHistoryEntry {
  readonly id: string;
  readonly action: AccountAction;
  readonly grantId: string | null;
  readonly reason: string;
  /** the acting administrator's login, or `operator` for the command line */
  readonly actor: string;
  readonly via: AdminVia;
  readonly at: string;
}

/** An account as its administrator sees it: masked as everywhere, with status, grants and history. */
export interface AdminAccountView extends AccountView {
  readonly status: 'active' | 'disabled';
  readonly grants: readonly GrantView[];
  readonly history: readonly AccountHistoryEntry[];
}

export interface DisableResult {
  readonly status: 'disabled';
  readonly sessionsEnded: number;
  readonly tokensRevoked: number;
  /** OIDC provider rows deleted: its sessions, grants, codes, access and refresh tokens */
  readonly oidcRevoked: number;
}

/** The reason, trimmed; refused when empty or too long (a field issue on `reason`). */
export function checkReason(reason: unknown): string {
  const r = typeof reason === 'string' ? reason.trim() : '';
  if (r.length === 0 || r.length > REASON_MAX)
    throw new DomainError('IDENTITY.REASON_REQUIRED', {
      params: { max: REASON_MAX },
      details: { issues: [{ field: 'reason', rule: 'IDENTITY.REASON_REQUIRED' }] },
    });
  return r;
}

const scopeOf = (g: GrantRow): GrantScope => ({ regionPrefix: g.region_code, departmentId: g.department_id });

function administered(a: AccountRow, grants: readonly GrantScope[]): AdministeredAccount {
  return { id: a.id, regionCode: a.region_code, departmentId: a.department_id, grants };
}

const actorId = (actor: AdminActor): string | null => (actor === 'operator' ? null : actor.accountId);

async function accountOrNotFound(db: Executor, accountId: string): Promise<AccountRow> {
  const a = await accountById(db, accountId);
  if (!a) throw new DomainError('IDENTITY.NOT_FOUND');
  return a;
}

/** The history row and the event of one action, in the caller's transaction. */
async function record(
  ctx: IdentityContext,
  trx: Executor,
  a: AccountRow,
  action: AccountAction,
  actor: AdminActor,
  reason: string,
  via: AdminVia,
  extra: { grant?: GrantRow; counts?: Record<string, number> } = {},
): Promise<void> {
  const id = newId();
  await insertAccountAction(trx, {
    id,
    account_id: a.id,
    action,
    grant_id: extra.grant?.id ?? null,
    reason,
    actor_id: actorId(actor),
    via,
    at: isoIn(ctx),
  });
  const type = {
    disabled: 'identity.accountDisabled',
    enabled: 'identity.accountEnabled',
    grantRevoked: 'identity.grantRevoked',
  }[action];
  await appendEvent(trx, ctx.clock, {
    type,
    aggregateType: 'account',
    aggregateId: a.id,
    regionCode: a.region_code,
    actor: actorId(actor),
    payload: {
      actionId: id,
      via,
      reasonSha256: sha256(reason),
      ...(extra.grant
        ? {
            grantId: extra.grant.id,
            role: extra.grant.role,
            regionPrefix: extra.grant.region_code,
            departmentId: extra.grant.department_id,
          }
        : {}),
      ...extra.counts,
    },
  });
}

/**
 * Disables an account: it keeps its data, but every way in ends in the same transaction — its
 * sessions, its bearer tokens, what the OIDC provider holds for it (so relying parties can
 * neither use nor refresh their tokens), its unused reset links and in-person code — and none
 * opens again when it is enabled later: the person signs in afresh.
 */
export async function disableAccount(
  ctx: IdentityContext,
  actor: AdminActor,
  accountId: string,
  reason: unknown,
  via: AdminVia,
): Promise<DisableResult> {
  const why = checkReason(reason);
  return inTransaction(ctx.db, async (trx) => {
    const a = await accountOrNotFound(trx, accountId);
    requireAdminister(actor, administered(a, (await grantsOf(trx, a.id)).map(scopeOf)));
    const at = isoIn(ctx);
    if (!(await changeAccountStatus(trx, a.id, 'active', 'disabled', at)))
      throw new DomainError('IDENTITY.ALREADY_DISABLED');
    // what a password change ends, a disabled account loses too (signout.endEverything)
    const { sessionsEnded, tokensRevoked, oidcRevoked } = await endEverything(ctx, trx, a.id);
    await spendResetTokensOf(trx, a.id, at);
    await deleteInPersonCode(trx, a.id);
    await record(ctx, trx, a, 'disabled', actor, why, via, {
      counts: { sessionsEnded, tokensRevoked, oidcRevoked },
    });
    return { status: 'disabled' as const, sessionsEnded, tokensRevoked, oidcRevoked };
  });
}

/** Enables a disabled account again; what was revoked when it was disabled stays revoked. */
export async function enableAccount(
  ctx: IdentityContext,
  actor: AdminActor,
  accountId: string,
  reason: unknown,
  via: AdminVia,
): Promise<{ status: 'active' }> {
  const why = checkReason(reason);
  return inTransaction(ctx.db, async (trx) => {
    const a = await accountOrNotFound(trx, accountId);
    requireAdminister(actor, administered(a, (await grantsOf(trx, a.id)).map(scopeOf)));
    if (!(await changeAccountStatus(trx, a.id, 'disabled', 'active', isoIn(ctx))))
      throw new DomainError('IDENTITY.ALREADY_ACTIVE');
    await record(ctx, trx, a, 'enabled', actor, why, via);
    return { status: 'active' as const };
  });
}

/**
 * Revokes one grant of an account. Principals are resolved from the store on every request (no
 * cache), so the grant gives nothing from the next request on, for sessions and tokens alike.
 */
export async function revokeGrant(
  ctx: IdentityContext,
  actor: AdminActor,
  accountId: string,
  grantId: string,
  reason: unknown,
  via: AdminVia,
): Promise<void> {
  const why = checkReason(reason);
  await inTransaction(ctx.db, async (trx) => {
    const a = await accountOrNotFound(trx, accountId);
    // the account's place first: out of scope learns nothing about its grants
    requireAdminister(actor, administered(a, []));
    const g = await grantOf(trx, a.id, grantId);
    if (!g || g.revoked_at) throw new DomainError('IDENTITY.GRANT_NOT_FOUND');
    requireAdminister(actor, administered(a, [scopeOf(g)]));
    if (!(await revokeGrantRow(trx, g.id, actorId(actor), isoIn(ctx))))
      throw new DomainError('IDENTITY.GRANT_NOT_FOUND');
    await record(ctx, trx, a, 'grantRevoked', actor, why, via, { grant: g });
  });
}

// ── reads ─────────────────────────────────────────────────────────────────────────────────────

/** An account's administrative history, newest first (also shown to the person on /account). */
export async function accountHistory(
  ctx: IdentityContext,
  accountId: string,
): Promise<AccountHistoryEntry[]> {
  const rows = await accountActionsOf(ctx.db, accountId);
  return rows.map((r) => ({
    id: r.id,
    action: r.action as AccountAction,
    grantId: r.grant_id,
    reason: r.reason,
    actor: r.actor_id === null ? 'operator' : (r.actor_login ?? r.actor_id),
    via: r.via as AdminVia,
    at: r.at,
  }));
}

/** Whether the administrator may read the account: its place within reach (its own included). */
function mayRead(actor: AdminActor, a: AccountRow): boolean {
  const v = mayAdminister(actor, administered(a, []));
  return v === 'ok' || v === 'ownAccount';
}

/** An account as an administrator within reach sees it; OUT_OF_SCOPE beyond. */
export async function adminAccountView(
  ctx: IdentityContext,
  actor: AdminActor,
  accountId: string,
): Promise<AdminAccountView> {
  const a = await accountOrNotFound(ctx.db, accountId);
  if (!mayRead(actor, a)) requireAdminister(actor, administered(a, []));
  const grants = await grantsOf(ctx.db, a.id);
  return {
    ...accountViewOf(ctx, a, grantsFor(a, grants)),
    status: a.status === 'active' ? 'active' : 'disabled',
    grants: grants.map((g) => ({
      id: g.id,
      role: g.role,
      regionPrefix: g.region_code,
      departmentId: g.department_id,
      createdAt: g.created_at,
    })),
    history: await accountHistory(ctx, a.id),
  };
}

/** The id of the account with this login, when it is within the administrator's reach. */
export async function findAccount(
  ctx: IdentityContext,
  actor: AdminActor,
  login: string,
): Promise<string | undefined> {
  const a = await accountByLogin(ctx.db, login);
  return a && mayRead(actor, a) ? a.id : undefined;
}

/** The staff accounts within the administrator's reach, with their status. */
export async function staffInReach(
  ctx: IdentityContext,
  actor: AdminActor,
): Promise<Array<AccountView & { status: 'active' | 'disabled' }>> {
  const rows = (await staffAccounts(ctx.db)).filter((a) => mayRead(actor, a));
  const grants = await grantsOfMany(
    ctx.db,
    rows.map((a) => a.id),
  );
  return rows.map((a) => ({
    ...accountViewOf(ctx, a, grantsFor(a, grants.get(a.id) ?? [])),
    status: a.status === 'active' ? ('active' as const) : ('disabled' as const),
  }));
}
