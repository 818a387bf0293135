import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../kernel/index.js';

import { type Principal, type Scope, allows } from '../access.js';

export type { AccountKind, Grant, Principal, Scope } from '../access.js';
export { allows } from '../access.js';

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
