import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../kernel/index.js';
import type { Principal } from '../access.js';
import type { App } from '../http/app-type.js';
import { STORE_RETRY_AFTER_SECONDS, errorBody, toDomainError, wantsJson } from '../http/errors.js';
import { translator } from '../i18n/index.js';
import type { ViewContext } from './context.js';
import { renderErrorPage } from './error-page.js';
import { sendHtml } from './render.js';

export interface PagesOptions {
  /** the navigation links the modules offer this caller */
  readonly nav: (p: Principal | undefined) => ViewContext['nav'];
  /** whether this is the demo city (the pages say so); decided before the first request */
  readonly demo: boolean;
}

/**
 * Step: views and error pages. Every request can make its page context (`req.view(reply)`), and
 * every error is answered at this one edge: as the coded JSON body for the API and machine
 * clients, as an error page for a browser. A user's mistake is logged as a refusal, our fault
 * with its stack.
 */
export function viewsAndErrorPages(app: App, opts: PagesOptions): void {
  // One view context per request (a page handler may ask for it more than once): the CSRF token
  // and the navigation are made once; made again only if the request's principal changed since.
  const views = new WeakMap<FastifyRequest, { principal: unknown; ctx: ViewContext }>();
  const makeView = (req: FastifyRequest, reply: FastifyReply): ViewContext => ({
    lang: req.lang,
    t: translator(req.lang),
    path: req.url,
    csrfToken: reply.generateCsrf({ userInfo: req.principal?.sessionId ?? 'anonymous' }),
    requestId: String(req.id),
    demo: opts.demo,
    nav: opts.nav(req.principal),
    user: req.principal ? { displayName: req.principal.displayName, kind: req.principal.kind } : undefined,
  });
  app.decorateRequest('view', function (this: FastifyRequest, reply: FastifyReply): ViewContext {
    const made = views.get(this);
    if (made && made.principal === this.principal) return made.ctx;
    const ctx = makeView(this, reply);
    views.set(this, { principal: this.principal, ctx });
    return ctx;
  });

  app.setErrorHandler((error, req, reply) => {
    const err = toDomainError(error, String(req.id));
    if (err.code === 'COMMON.STORE_UNAVAILABLE') {
      // one line per request, not a stack each, while the primary is away (a failover)
      req.log.warn({ code: err.code, reason: (error as Error).message }, 'store unavailable');
      reply.header('retry-after', String(STORE_RETRY_AFTER_SECONDS));
    } else if (err.status >= 500) req.log.error({ err: error }, 'request failed');
    else req.log.info({ code: err.code }, 'request refused');
    if (wantsJson(req)) return reply.code(err.status).send(errorBody(err, req.lang, String(req.id)));
    return sendHtml(reply, renderErrorPage(req.view(reply), err), err.status);
  });
  app.setNotFoundHandler((req, reply) => {
    const err = new DomainError('COMMON.NOT_FOUND');
    if (wantsJson(req)) return reply.code(404).send(errorBody(err, req.lang, String(req.id)));
    return sendHtml(reply, renderErrorPage(req.view(reply), err), 404);
  });
}
