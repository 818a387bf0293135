/**
 * Who is calling and what they may do: the principal, its grants and scopes, and the one scope
 * predicate. Free of the HTTP layer, so services and use cases can import it (the routes read
 * the same predicate through platform/http).
 */
/**
 * Who is calling. The identity module resolves a Principal from a session cookie or a bearer
 * token; every other module only reads it. A grant carries the permissions of one role within a
 * scope: a region-code prefix (市 4101, 县 410102, 乡 410102001 …; '' = everywhere) and,
 * optionally, one department.
 */
export interface Grant {
  readonly role: string;
  readonly permissions: readonly string[];
  /** the grant covers every region code that starts with this ('' = the whole platform) */
  readonly regionPrefix: string;
  /** null: every department within the region */
  readonly departmentId: string | null;
}

export type AccountKind = 'person' | 'organization' | 'staff' | 'client';

export interface Principal {
  readonly accountId: string;
  readonly kind: AccountKind;
  readonly login: string;
  /** already masked where it is a person's name */
  readonly displayName: string;
  readonly realNameLevel: 0 | 1 | 2 | 3;
  readonly grants: readonly Grant[];
  readonly sessionId?: string;
  readonly clientId?: string;
  /** how the caller authenticated: a cookie session needs CSRF checks, a bearer token does not */
  readonly via: 'session' | 'bearer';
}

export interface Scope {
  readonly regionCode?: string | null;
  readonly departmentId?: string | null;
}

/**
 * true when one of the principal's grants holds the permission for the scope. Scopes fail closed:
 * a check that names no region matches only a grant for every region (prefix ''), and one that
 * names no department only a grant bound to none — never "any", so a grant for one department
 * does not reach what is checked without a department (a hall, a hall's queue). To ask whether a
 * permission is held anywhere at all, use `holds`.
 */
export function allows(p: Principal | undefined, permission: string, scope: Scope = {}): boolean {
  if (!p) return false;
  return p.grants.some(
    (g) =>
      g.permissions.includes(permission) &&
      (scope.regionCode == null ? g.regionPrefix === '' : scope.regionCode.startsWith(g.regionPrefix)) &&
      (g.departmentId === null || (scope.departmentId != null && g.departmentId === scope.departmentId)),
  );
}

/**
 * true when any grant of the principal holds the permission, whatever its scope: what a route's
 * declared permission asks before the service checks the object's own scope.
 */
export function holds(p: Principal | undefined, permission: string): boolean {
  return !!p && p.grants.some((g) => g.permissions.includes(permission));
}
