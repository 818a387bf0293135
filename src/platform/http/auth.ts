import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../kernel/index.js';
import { type Principal, type Scope, allows } from '../access.js';
import type { App } from './app-type.js';
import { requestLang } from './request.js';

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

/** The check (a preParsing hook) that enforces a route's declared permission. */
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

/** A registered route and the permission it declares (the route × role test walks them). */
export interface DeclaredRoute {
  readonly method: string;
  readonly url: string;
  readonly permission: unknown;
}

/**
 * Step: route permissions. Every route declares who may call it (`config.permission`); the
 * declaration is checked before the route's body is read, so a caller without it gets 401/403 and
 * learns nothing of the route's schema. Register before any route. Call `assertDeclared()` once the
 * app is ready: a route that declares nothing stops the start.
 */
export function routePermissions(app: App): {
  readonly routes: readonly DeclaredRoute[];
  assertDeclared(): void;
} {
  const undeclared: string[] = [];
  const routes: DeclaredRoute[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat())
      routes.push({ method: String(method), url: route.url, permission: route.config?.permission });
    const internal = route.url.startsWith('/docs') || route.url === '/api/openapi.json';
    if (internal) {
      route.config = { ...(route.config ?? {}), permission: 'public' };
      return;
    }
    if (route.config?.permission === undefined) undeclared.push(`${String(route.method)} ${route.url}`);
  });
  // The principal is set once, in onRequest, so this one check holds for the rest of the request.
  // preParsing: a caller without the permission is refused before a byte of its body is read, so a
  // stranger's body reaches only the routes open to everyone (and their small body limit).
  app.addHook('preParsing', async (req, reply) => {
    await enforceRoutePermission(req, reply);
  });
  return {
    routes,
    assertDeclared() {
      if (undeclared.length) throw new Error(`routes without config.permission: ${undeclared.join(', ')}`);
    },
  };
}

/** Resolves the caller of a request (the identity module's): a session cookie or a bearer token. */
export type Authenticate = (req: FastifyRequest, reply: FastifyReply) => Promise<Principal | undefined>;

/**
 * Step: authentication. Each request gets its language and its principal before anything else of
 * ours runs; `?lang=` is remembered in a cookie. Routes that serve no one in particular (assets,
 * health, log tiles: `config.anonymous`) look up no session.
 */
export function authentication(app: App, authenticate: Authenticate | undefined): void {
  app.decorateRequest('principal', undefined);
  app.decorateRequest('lang', 'zh-CN');
  app.addHook('onRequest', async (req, reply) => {
    req.lang = requestLang(req);
    const q = (req.query as Record<string, unknown> | undefined)?.lang;
    if (q === 'en' || q === 'zh-CN')
      reply.setCookie('lang', q, { path: '/', sameSite: 'lax', maxAge: 31536000 });
    if (authenticate && !req.routeOptions.config?.anonymous) req.principal = await authenticate(req, reply);
  });
}
