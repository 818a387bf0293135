import type { Grant, Principal } from '../../platform/access.js';
import { maskName } from '../../platform/privacy/index.js';
import { clientPrincipal } from './identity.clients.js';
import { type IdentityContext, POLICY, isoIn, sha256 } from './identity.context.js';
import { isRole, permissionsOf } from './identity.permissions.js';
import {
  type AccountRow,
  type GrantRow,
  accountById,
  bearerByHash,
  deleteSession,
  grantsOf,
  sessionByTokenHash,
  touchSession,
} from './identity.store.js';

/** The name others see: an organisation's in full, a person's masked (DOMAIN §8). */
export function displayName(a: Pick<AccountRow, 'kind' | 'name'>): string {
  return a.kind === 'organization' ? a.name : maskName(a.name);
}

/** An account's grants: its own role everywhere for people and organisations, then its stored grants. */
export function grantsFor(
  a: Pick<AccountRow, 'kind'>,
  rows: ReadonlyArray<Pick<GrantRow, 'role' | 'region_code' | 'department_id'>>,
): Grant[] {
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

export async function principalOf(
  ctx: IdentityContext,
  a: AccountRow,
  via: Principal['via'],
  sessionId?: string,
): Promise<Principal> {
  return principalFrom(a, await grantsOf(ctx.db, a.id), via, sessionId);
}

/** The principal of an account and its grants in force, as read. */
function principalFrom(
  a: Pick<AccountRow, 'id' | 'kind' | 'login' | 'name' | 'real_name_level'>,
  rows: ReadonlyArray<Pick<GrantRow, 'role' | 'region_code' | 'department_id'>>,
  via: Principal['via'],
  sessionId?: string,
): Principal {
  const grants = grantsFor(a, rows);
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

/**
 * The principal of a session cookie, or none when the session is unknown, past its absolute
 * lifetime or idle too long (then it is deleted), or its account is not active.
 */
export async function resolveSession(ctx: IdentityContext, cookie: string): Promise<Principal | undefined> {
  const { db } = ctx;
  const s = await sessionByTokenHash(db, sha256(cookie));
  if (!s) return undefined;
  const t = ctx.clock.now().getTime();
  const lastSeen = new Date(s.last_seen_at).getTime();
  if (new Date(s.expires_at).getTime() <= t || t - lastSeen > POLICY.sessionIdleMs) {
    await deleteSession(db, s.id);
    return undefined;
  }
  if (t - lastSeen > POLICY.touchEveryMs) await touchSession(db, s.id, isoIn(ctx));
  const a = await accountById(db, s.account_id);
  if (a?.status !== 'active') return undefined;
  return principalOf(ctx, a, 'session', s.id);
}

/**
 * How long a node answers a machine client's bearer token from memory before reading its row again
 * (ADR 0029): a token revoked (or its client removed) in the store is refused on every node within
 * this, and never past its expiry. Only client tokens are kept: their principal is the client's
 * registered roles, which never change; an account's token is read on every request (its roles,
 * status and revocation change through many paths).
 */
export const CLIENT_TOKEN_RECHECK_MS = 250;
interface KnownToken {
  readonly principal: Principal;
  readonly expiresAt: number;
  /** when the read this entry came from began (its staleness is counted from there) */
  readonly readAt: number;
}
const knownTokens = new WeakMap<IdentityContext, Map<string, KnownToken>>();
/** bumped when this node forgets its kept tokens: a read begun before is not kept */
const generations = new WeakMap<IdentityContext, number>();

/**
 * Forgets every client token this node keeps (called once a client's revocation or new secret
 * has committed): its tokens are refused here on the very next request, elsewhere within
 * CLIENT_TOKEN_RECHECK_MS.
 */
export function forgetClientTokens(ctx: IdentityContext): void {
  knownTokens.get(ctx)?.clear();
  generations.set(ctx, (generations.get(ctx) ?? 0) + 1);
}

/** The principal of a bearer token (an account's or a machine client's), or none. */
export async function resolveBearer(ctx: IdentityContext, token: string): Promise<Principal | undefined> {
  const hash = sha256(token);
  const t = ctx.clock.now().getTime();
  let known = knownTokens.get(ctx);
  if (!known) {
    known = new Map();
    knownTokens.set(ctx, known);
  }
  const hit = known.get(hash);
  if (hit && t < hit.expiresAt && t - hit.readAt < CLIENT_TOKEN_RECHECK_MS && t >= hit.readAt)
    return hit.principal;
  if (hit) known.delete(hash);
  const generation = generations.get(ctx) ?? 0;
  // the token, its account and the account's grants in force, in one read (one row per grant)
  const rows = await bearerByHash(ctx.db, hash);
  const row = rows[0];
  const expiresAt = row ? new Date(row.expires_at).getTime() : 0;
  if (!row || row.revoked_at || expiresAt <= t) return undefined;
  if (row.client_id) {
    const p = await clientPrincipal(ctx, row.client_id);
    if (!p) return undefined;
    // shared by the requests that follow: frozen, so none can change another's caller
    const frozen = Object.freeze({ ...p, grants: Object.freeze(p.grants.map((g) => Object.freeze(g))) });
    if (known.size >= 10_000) known.clear();
    if (generation === (generations.get(ctx) ?? 0))
      known.set(hash, { principal: frozen, expiresAt, readAt: t });
    return frozen;
  }
  if (!row.account_id || row.status !== 'active') return undefined;
  const a = {
    id: row.account_id,
    kind: row.kind!,
    login: row.login!,
    name: row.name!,
    real_name_level: row.real_name_level!,
  };
  const grants =
    row.role === null
      ? []
      : rows.map((g) => ({
          role: g.role!,
          region_code: g.grant_region_code!,
          department_id: g.grant_department_id,
        }));
  return principalFrom(a, grants, 'bearer');
}

/** An account's principal as a bearer of its rights (for a module acting on its behalf). */
export async function principalForAccount(
  ctx: IdentityContext,
  accountId: string,
): Promise<Principal | undefined> {
  const a = await accountById(ctx.db, accountId);
  return a ? principalOf(ctx, a, 'bearer') : undefined;
}
