import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../kernel/index.js';

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

/** true when one of the principal's grants holds the permission for the scope. */
export function allows(p: Principal | undefined, permission: string, scope: Scope = {}): boolean {
  if (!p) return false;
  return p.grants.some(
    (g) =>
      g.permissions.includes(permission) &&
      (scope.regionCode == null ? true : scope.regionCode.startsWith(g.regionPrefix)) &&
      (g.departmentId === null || scope.departmentId == null || g.departmentId === scope.departmentId),
  );
}

/** The permission a route declares in `config.permission`. Every route must declare one. */
export type RoutePermission =
  /** anyone, no login */
  | 'public'
  /** any signed-in account */
  | 'authenticated'
  /** a named permission, checked here without scope; services check the object's scope */
  | { readonly permission: string };

declare module 'fastify' {
  interface FastifyContextConfig {
    permission?: RoutePermission;
  }
  interface FastifyRequest {
    principal: Principal | undefined;
  }
}

export function requirePrincipal(req: FastifyRequest): Principal {
  if (!req.principal) throw new DomainError('COMMON.UNAUTHENTICATED');
  return req.principal;
}

/** Throws FORBIDDEN unless the principal may act on the scope. */
export function authorize(req: FastifyRequest, permission: string, scope: Scope = {}): Principal {
  const p = requirePrincipal(req);
  if (!allows(p, permission, scope)) throw new DomainError('COMMON.FORBIDDEN', { details: { permission } });
  return p;
}

/** The hook (preValidation) that enforces a route's declared permission. */
export async function enforceRoutePermission(req: FastifyRequest, _reply: FastifyReply): Promise<void> {
  const perm = req.routeOptions.config?.permission;
  if (perm === undefined || perm === 'public') return;
  const p = req.principal;
  if (!p) throw new DomainError('COMMON.UNAUTHENTICATED');
  if (perm === 'authenticated') return;
  if (!p.grants.some((g) => g.permissions.includes(perm.permission))) {
    throw new DomainError('COMMON.FORBIDDEN', { details: { permission: perm.permission } });
  }
}
