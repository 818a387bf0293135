/**
 * Who may administer which account, pure over the administrator's grants and the account's place:
 * one predicate (`mayAdminister`) that disabling, enabling and revoking grants, the admin pages
 * and the API all ask (adding a grant: `mayGrant` in identity.permissions, which also weighs the
 * role's permissions). Scope checks fail closed: an account without a region, or a grant
 * wider than the administrator's own, is out of a region-scoped administrator's reach.
 */
import { DomainError } from '../../kernel/index.js';
import type { Grant, Principal } from '../../platform/access.js';
import { PERMISSIONS } from './identity.permissions.js';

/** A grant's scope: a region-code prefix ('' the whole platform) and optionally one department. */
export interface GrantScope {
  readonly regionPrefix: string;
  readonly departmentId: string | null;
}

/**
 * What an administrator acts on: an account's own place, and the scopes of the grants the action
 * touches — all its grants in force to disable or enable it, the one grant to revoke, none to
 * read it.
 */
export interface AdministeredAccount {
  readonly id: string;
  readonly regionCode: string | null;
  readonly departmentId: string | null;
  readonly grants: readonly GrantScope[];
}

/**
 * Who acts: an administrator signed in (page or API), or the operator at the command line, who
 * holds the machine and the operator key and so the whole platform.
 */
export type AdminActor = Principal | 'operator';

export type AdminVerdict = 'ok' | 'forbidden' | 'outOfScope' | 'ownAccount';

/** One administrator grant covers a place: its region prefix and, when it names one, its department. */
function coversPlace(g: Grant, regionCode: string | null, departmentId: string | null): boolean {
  // no region: only a whole-platform grant reaches it (fail closed, never "any")
  const region = g.regionPrefix === '' || regionCode?.startsWith(g.regionPrefix) === true;
  const department = g.departmentId === null || g.departmentId === departmentId;
  return region && department;
}

/** A grant's scope lies within an administrator grant's: no wider region, no other department. */
function coversScope(g: Grant, s: GrantScope): boolean {
  return (
    s.regionPrefix.startsWith(g.regionPrefix) &&
    (g.departmentId === null || g.departmentId === s.departmentId)
  );
}

/**
 * May `actor` administer `target`: hold `identity.manage`, not on its own account (another
 * administrator must act: no one locks themselves out), and reach both the account's place and
 * every grant the action touches — so a region's administrator cannot disable someone whose
 * reach is wider than its own, nor take away a grant wider than its own.
 */
export function mayAdminister(actor: AdminActor, target: AdministeredAccount): AdminVerdict {
  if (actor === 'operator') return 'ok';
  const admin = actor.grants.filter((g) => g.permissions.includes(PERMISSIONS.identityManage));
  if (admin.length === 0) return 'forbidden';
  if (actor.accountId === target.id) return 'ownAccount';
  const place = admin.some((g) => coversPlace(g, target.regionCode, target.departmentId));
  const grants = target.grants.every((s) => admin.some((g) => coversScope(g, s)));
  return place && grants ? 'ok' : 'outOfScope';
}

/** The error of a verdict other than `ok`. */
export function adminError(verdict: Exclude<AdminVerdict, 'ok'>): DomainError {
  switch (verdict) {
    case 'forbidden':
      return new DomainError('COMMON.FORBIDDEN', { details: { permission: PERMISSIONS.identityManage } });
    case 'outOfScope':
      return new DomainError('IDENTITY.OUT_OF_SCOPE');
    case 'ownAccount':
      return new DomainError('IDENTITY.OWN_ACCOUNT');
    default: {
      const never: never = verdict;
      throw new Error(`unknown verdict ${String(never)}`);
    }
  }
}

/** Throws unless `actor` may administer `target`. */
export function requireAdminister(actor: AdminActor, target: AdministeredAccount): void {
  const v = mayAdminister(actor, target);
  if (v !== 'ok') throw adminError(v);
}
