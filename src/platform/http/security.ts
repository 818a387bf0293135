import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';
import helmet from 'helmet';
import type { Config } from '../../config/index.js';
import type { App } from './app-type.js';
import { formBody } from './request.js';

/**
 * Step: security plugins — signed cookies, page forms, the security headers (a strict CSP, HSTS in
 * production), CSRF tokens bound to the session, and the rate limiter routes opt into
 * (the limits step names its counters). Registered before any other step: the cookie parser's hook must run before
 * the session is looked up.
 */
export async function securityPlugins(
  app: App,
  config: Config,
  opts: { rateLimitStore?: unknown } = {},
): Promise<void> {
  const production = config.env === 'production';
  await app.register(fastifyCookie, { secret: config.secretKey.toString('base64') });
  await app.register(fastifyFormbody);
  // helmet's middleware, built once: @fastify/helmet built a new one (and parsed the CSP directives
  // again) on every request, ≈ 4 % of a search request's CPU (docs/benchmarks.md, Search over HTTP).
  // The headers are the same, set on the raw response before any route runs, so a route's own
  // header (a stricter CSP on a file download) still replaces them.
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        upgradeInsecureRequests: production ? [] : null,
      },
    },
    hsts: production,
    crossOriginEmbedderPolicy: false,
  });
  // Our directives are all constants, so helmet's answer is the same for every request: it is
  // taken once, from helmet itself, and each response gets those headers set (and removed) as
  // helmet would have, without running its twelve middlewares per request.
  const set: Array<[string, string]> = [];
  const removed: string[] = [];
  let answered = false;
  let failed: unknown;
  securityHeaders(
    {} as never,
    {
      setHeader: (name: string, value: string) => void set.push([name, String(value)]),
      removeHeader: (name: string) => void removed.push(name),
    } as never,
    (err?: unknown) => {
      answered = true;
      failed = err;
    },
  );
  if (!answered || failed) throw failed ?? new Error('helmet: the security headers were not set at once');
  app.addHook('onRequest', (_req, reply, done) => {
    const res = reply.raw;
    for (const [name, value] of set) res.setHeader(name, value);
    for (const name of removed) res.removeHeader(name);
    done();
  });
  await app.register(fastifyCsrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: 'tb_csrf',
    cookieOpts: { path: '/', sameSite: 'lax', httpOnly: true, secure: production, signed: true },
    // a token is bound to the session it was made for: one from another session is refused
    getUserInfo: (req: FastifyRequest) => req.principal?.sessionId ?? 'anonymous',
    // required by @fastify/csrf-protection with the cookie plugin once tokens carry user info
    csrfOpts: { hmacKey: config.secretKey },
    // the field of a page form (urlencoded, or a multipart text part), else a script's header
    getToken: (req: FastifyRequest) =>
      formBody(req)._csrf ?? String(req.headers['x-csrf-token'] ?? req.headers['csrf-token'] ?? ''),
  });
  // Every state-changing request that rides on a cookie session must carry the token. Bearer-token
  // calls carry no ambient credentials and need none. A preHandler: the token of a multipart form
  // is in a text part, read only after the route's permission has been checked.
  app.addHook('preHandler', async (req, reply) => {
    const m = req.method;
    if (m === 'GET' || m === 'HEAD' || m === 'OPTIONS') return;
    if (req.headers.authorization?.startsWith('Bearer ') || req.routeOptions.config?.skipCsrf) return;
    await new Promise<void>((resolve, reject) =>
      app.csrfProtection(req, reply, (err?: Error) => (err ? reject(err) : resolve())),
    );
  });
  // counters in the store when it is shared by several nodes (rate-store.ts), else in memory
  await app.register(fastifyRateLimit, {
    global: false,
    ...(opts.rateLimitStore ? { store: opts.rateLimitStore as never } : {}),
  });
}
