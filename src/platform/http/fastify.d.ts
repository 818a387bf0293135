/**
 * Everything tongban adds to Fastify's types, in one place: what a route declares in its
 * `config`, and what the app's steps put on each request.
 */
import type { Principal } from '../access.js';
import type { Lang } from '../i18n/index.js';
import type { ViewContext } from '../views/context.js';
import type { RoutePermission } from './auth.js';
import type { RouteLimit } from './limits.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** who may call the route, checked before its body is read (every route must declare one) */
    permission?: RoutePermission;
    /** forms that cannot carry the token in a field (none yet) */
    skipCsrf?: boolean;
    /** the route takes files (multipart/form-data); every other route refuses such a body */
    uploads?: boolean;
    /** the answer is the same for everyone: no session is looked up (assets, health checks, log tiles) */
    anonymous?: boolean;
    /** the rate limits this route counts against (config/rate-limits.ts), checked before its handler */
    limits?: readonly RouteLimit[];
  }
  interface FastifyRequest {
    /** the signed-in caller, resolved once in onRequest (authentication step) */
    principal: Principal | undefined;
    /** the language of the answer: query, then cookie, then Accept-Language */
    lang: Lang;
    /** the context every page needs (language, translator, CSRF token, user), made once per request */
    view(reply: FastifyReply): ViewContext;
  }
}
