import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifyMultipart from '@fastify/multipart';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyReply, type FastifyRequest } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Config } from './config/index.js';
import { type Clock, DomainError, newId, systemClock } from './kernel/index.js';
import { type Store, getMeta, metaMigrations, migrate, setMeta, sql } from './platform/db/index.js';
import { EventBus, eventsMigrations } from './platform/events/index.js';
import {
  type App,
  type BufferedFilePart,
  MULTIPART_TOTAL_BYTES,
  UPLOAD_FILE_BYTES,
  enforceRoutePermission,
  formBody,
  errorBody,
  toDomainError,
  wantsJson,
  requestLang,
} from './platform/http/index.js';
import { addMessages, translator } from './platform/i18n/index.js';
import { type Logger, createLogger } from './platform/log.js';
import type { ModuleDefinition, PlatformDeps } from './platform/module.js';
import {
  DesignPage,
  checkDesignForm,
  type ViewContext,
  renderErrorPage,
  renderPage,
  sendHtml,
} from './platform/views/index.js';
import { h } from 'preact';
import {
  calendarMigrations,
  createCalendar,
  calendarRoutes,
  type WorkingCalendar,
} from './platform/calendar/index.js';
import { createStatsModule } from './modules/stats/index.js';
import { createDisclosureModule } from './modules/disclosure/index.js';
import {
  catalogSource,
  catalogThemeLabels,
  createSearchModule,
  disclosureSource,
} from './modules/search/index.js';
import { createRegionsModule } from './modules/regions/index.js';
import { type CatalogApi, createCatalogModule } from './modules/catalog/index.js';
import { createLedgerModule } from './modules/ledger/index.js';
import { type IdentityApi, createIdentityModule } from './modules/identity/index.js';
import { type CasesApi, createCasesModule } from './modules/cases/index.js';
import { type LicencesApi, createLicencesModule } from './modules/licences/index.js';

export interface BuildOptions {
  config: Config;
  store: Store;
  clock?: Clock;
  logger?: Logger;
  /** run migrations (default true) */
  migrate?: boolean;
  /** seed the demo city: 'auto' seeds an empty store unless in production (default: config.demo) */
  demo?: 'on' | 'off' | 'auto';
  /** start the event consumers on a timer (default true); tests call `events.drain()` instead */
  startConsumers?: boolean;
  /**
   * run the modules' warm-up (default true): in-memory indexes, timers, the first checkpoint.
   * Operator commands skip it: they serve nobody, and the search index alone takes seconds at city scale.
   */
  warmUp?: boolean;
}

export interface TongbanApp {
  readonly app: App;
  readonly events: EventBus;
  readonly calendar: WorkingCalendar;
  readonly modules: readonly ModuleDefinition[];
  /** whether this start seeded the demo city */
  readonly seeded: boolean;
  /** every registered route with its declared permission (the route × role test walks them) */
  readonly routes: ReadonlyArray<{ method: string; url: string; permission: unknown }>;
  /** accounts and tokens, for the CLI (`tongban token`, `tongban oidc client add`) */
  readonly identity: IdentityApi;
  /** e-licences, for the CLI (`tongban import licences`) and tests */
  readonly licences: LicencesApi;
  /** the service catalogue, for the CLI (`tongban import items`, `tongban export items`) */
  readonly catalog: CatalogApi;
  /** cases, for the CLI and tests (the clock sweep) */
  readonly cases: CasesApi;
  /** the store the app runs on (tests play a second node on it) */
  readonly store: Store;
  close(): Promise<void>;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** the context every page needs (language, translator, CSRF token, user) */
    view(reply: FastifyReply): ViewContext;
  }
}

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

function loadAssets(): Map<string, { body: Buffer; type: string }> {
  const m = new Map<string, { body: Buffer; type: string }>();
  m.set('app.css', {
    body: readFileSync(join(here, 'platform/views/assets/app.css')),
    type: 'text/css; charset=utf-8',
  });
  m.set('app.js', {
    body: readFileSync(join(here, 'platform/views/assets/app.js')),
    type: 'text/javascript; charset=utf-8',
  });
  m.set('htmx.min.js', {
    body: readFileSync(require.resolve('htmx.org/dist/htmx.min.js')),
    type: 'text/javascript; charset=utf-8',
  });
  return m;
}

export async function buildApp(opts: BuildOptions): Promise<TongbanApp> {
  const { config, store } = opts;
  const clock = opts.clock ?? systemClock;
  const log = opts.logger ?? createLogger(config.logLevel);
  const events = new EventBus(store, clock, {
    onError: (consumer, err) => log.error({ err, consumer }, 'event consumer failed'),
  });

  const app = Fastify({
    loggerInstance: log as FastifyBaseLogger,
    genReqId: () => newId(),
    requestIdHeader: false,
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    routerOptions: { ignoreTrailingSlash: true },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  const deps: PlatformDeps = { config, store, clock, events, log };
  const calendar = createCalendar({ store, clock, log });

  // ── modules, in dependency order (leaves first) ──────────────────────────────────────────
  const regions = createRegionsModule(deps);
  const catalog = createCatalogModule(deps, { regions: regions.api });
  const ledger = createLedgerModule(deps);
  const identity = createIdentityModule(deps, { regions: regions.api });
  const licences = createLicencesModule(deps, { identity: identity.api });
  const cases = createCasesModule(deps, {
    catalog: catalog.api,
    identity: identity.api,
    regions: regions.api,
    calendar,
    licences: licences.api,
    notifier: identity.api.notifier,
  });
  const stats = createStatsModule(deps);
  const disclosure = createDisclosureModule(deps);
  const search = createSearchModule(deps, {
    sources: [catalogSource(catalog.api), disclosureSource(disclosure.api)],
    themeLabels: catalogThemeLabels(),
  });
  const modules: ModuleDefinition[] = [
    regions.definition,
    catalog.definition,
    identity.definition,
    cases.definition,
    ledger.definition,
    licences.definition,
    stats.definition,
    disclosure.definition,
    search.definition,
  ];

  const migrations = { ...metaMigrations, ...eventsMigrations, ...calendarMigrations };
  for (const m of modules) {
    if (m.messages) addMessages(m.name, m.messages);
    Object.assign(migrations, m.migrations ?? {});
    for (const c of m.consumers ?? []) events.register(c);
  }
  if (opts.migrate !== false) await migrate(store.db, migrations);
  // seeds the national holidays from chinese-days (once per year) and loads the tables into memory
  await calendar.load();

  // ── plugins ───────────────────────────────────────────────────────────────────────────────
  await app.register(fastifyCookie, { secret: config.secretKey.toString('base64') });
  await app.register(fastifyFormbody);
  await app.register(fastifyHelmet, {
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
        upgradeInsecureRequests: config.env === 'production' ? [] : null,
      },
    },
    hsts: config.env === 'production',
    crossOriginEmbedderPolicy: false,
  });
  await app.register(fastifyCsrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: 'tb_csrf',
    cookieOpts: {
      path: '/',
      sameSite: 'lax',
      httpOnly: true,
      secure: config.env === 'production',
      signed: true,
    },
    // a token is bound to the session it was made for: one from another session is refused
    getUserInfo: (req: FastifyRequest) => req.principal?.sessionId ?? 'anonymous',
    // required by @fastify/csrf-protection with the cookie plugin once tokens carry user info
    csrfOpts: { hmacKey: config.secretKey },
    // the field of a page form (urlencoded, or a multipart text part), else a script's header
    getToken: (req: FastifyRequest) =>
      formBody(req)._csrf ?? String(req.headers['x-csrf-token'] ?? req.headers['csrf-token'] ?? ''),
  });
  await app.register(fastifyRateLimit, { global: false });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'tongban API',
        description:
          '郑州市一网通办政务服务平台 (tongban) JSON API. Errors: {"error":{"code","message","details"}}.',
        version: '1',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: 'tb_session' },
        },
      },
    },
    transform: jsonSchemaTransform,
    hideUntagged: false,
  });
  await app.register(fastifySwaggerUi, {
    routePrefix: '/docs',
    uiConfig: { docExpansion: 'list' },
    staticCSP: false,
  });

  // Every route declares who may call it (config.permission), checked before its handler.
  const undeclared: string[] = [];
  const routeList: Array<{ method: string; url: string; permission: unknown }> = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat())
      routeList.push({ method: String(method), url: route.url, permission: route.config?.permission });
    const internal = route.url.startsWith('/docs') || route.url === '/api/openapi.json';
    if (internal) {
      route.config = { ...(route.config ?? {}), permission: 'public' };
      return;
    }
    if (route.config?.permission === undefined) undeclared.push(`${String(route.method)} ${route.url}`);
  });

  const authenticate = modules.find((m) => m.authenticate)?.authenticate;
  app.decorateRequest('principal', undefined);
  app.decorateRequest('lang', 'zh-CN');
  // One view context per request (a page handler may ask for it more than once): the CSRF token
  // and the navigation are made once; made again only if the request's principal changed since.
  const views = new WeakMap<FastifyRequest, { principal: unknown; ctx: ViewContext }>();
  app.decorateRequest('view', function (this: FastifyRequest, reply: FastifyReply): ViewContext {
    const made = views.get(this);
    if (made && made.principal === this.principal) return made.ctx;
    const ctx = makeView(this, reply);
    views.set(this, { principal: this.principal, ctx });
    return ctx;
  });
  const makeView = (req: FastifyRequest, reply: FastifyReply): ViewContext => {
    const nav = modules.flatMap((m) => m.nav?.(req.principal) ?? []);
    return {
      lang: req.lang,
      t: translator(req.lang),
      path: req.url,
      csrfToken: reply.generateCsrf({ userInfo: req.principal?.sessionId ?? 'anonymous' }),
      requestId: String(req.id),
      demo: seededDemo || config.demo === 'on',
      nav,
      user: req.principal ? { displayName: req.principal.displayName, kind: req.principal.kind } : undefined,
    };
  };
  app.addHook('onRequest', async (req, reply) => {
    req.lang = requestLang(req);
    const q = (req.query as Record<string, unknown> | undefined)?.lang;
    if (q === 'en' || q === 'zh-CN')
      reply.setCookie('lang', q, { path: '/', sameSite: 'lax', maxAge: 31536000 });
    // routes that serve no one in particular (assets, health, log tiles) look up no session
    if (authenticate && !req.routeOptions.config?.anonymous) req.principal = await authenticate(req, reply);
  });
  // The declared permission is checked before the body is validated (or, for uploads, read), so a
  // caller without it gets 401/403 and learns nothing of the route's schema. The principal is set
  // once, in onRequest, so this one check holds for the rest of the request.
  app.addHook('preValidation', enforceRoutePermission);
  // CSRF: every state-changing request that rides on a cookie session must carry the token.
  // Bearer-token calls carry no ambient credentials and need none.
  app.addHook('preHandler', async (req, reply) => {
    const m = req.method;
    if (m !== 'GET' && m !== 'HEAD' && m !== 'OPTIONS' && !req.headers.authorization?.startsWith('Bearer ')) {
      if (!req.routeOptions.config?.skipCsrf) {
        await new Promise<void>((resolve, reject) =>
          app.csrfProtection(req, reply, (err?: Error) => (err ? reject(err) : resolve())),
        );
      }
    }
  });

  // Page uploads (multipart/form-data) only where a route takes files (`config.uploads`): any other
  // route refuses such a body before a byte of it is read, so no public form can be made to hold
  // files in memory.
  app.addHook('preValidation', async (req) => {
    if (req.isMultipart() && !req.routeOptions.config?.uploads)
      throw new DomainError('COMMON.UNSUPPORTED_MEDIA_TYPE');
  });
  // Registered after the hooks above, so the parts are read only once the route's permission has
  // been checked (the upload routes are for signed-in callers); the CSRF token then comes from its
  // field.
  // Each file is held in memory up to the limit; one past it is marked, drained and refused by
  // the route, never kept. A request stops reading files after MULTIPART_TOTAL_BYTES.
  await app.register(fastifyMultipart, {
    attachFieldsToBody: true,
    throwFileSizeLimit: false,
    limits: { fileSize: UPLOAD_FILE_BYTES, files: 20, fields: 200, fieldSize: 100_000, parts: 220 },
    async onFile(part) {
      const chunks: Buffer[] = [];
      let size = 0;
      const seen = (this as unknown as { [kUploaded]?: number })[kUploaded] ?? 0;
      let over = false;
      for await (const chunk of part.file) {
        size += chunk.length;
        if (seen + size > MULTIPART_TOTAL_BYTES) over = true;
        if (!over) chunks.push(chunk as Buffer);
      }
      (this as unknown as { [kUploaded]?: number })[kUploaded] = seen + size;
      const buffered = part as unknown as BufferedFilePart;
      buffered._buf = over || part.file.truncated ? Buffer.alloc(0) : Buffer.concat(chunks);
      buffered.tooLarge = part.file.truncated;
      buffered.overTotal = over && !part.file.truncated;
    },
  });

  app.setErrorHandler((error, req, reply) => {
    const err = toDomainError(error, String(req.id));
    if (err.status >= 500) req.log.error({ err: error }, 'request failed');
    else req.log.info({ code: err.code }, 'request refused');
    if (wantsJson(req)) return reply.code(err.status).send(errorBody(err, req.lang, String(req.id)));
    return sendHtml(reply, renderErrorPage(req.view(reply), err), err.status);
  });
  app.setNotFoundHandler((req, reply) => {
    const err = new DomainError('COMMON.NOT_FOUND');
    if (wantsJson(req)) return reply.code(404).send(errorBody(err, req.lang, String(req.id)));
    return sendHtml(reply, renderErrorPage(req.view(reply), err), 404);
  });

  // ── platform routes ───────────────────────────────────────────────────────────────────────
  const assets = loadAssets();
  app.get(
    '/assets/:file',
    {
      config: { permission: 'public', anonymous: true },
      schema: { hide: true, params: z.object({ file: z.string() }) },
    },
    async (req, reply) => {
      const a = assets.get(req.params.file);
      if (!a) throw new DomainError('COMMON.NOT_FOUND');
      return reply.type(a.type).header('cache-control', 'public, max-age=3600').send(a.body);
    },
  );
  app.get(
    '/healthz',
    { config: { permission: 'public', anonymous: true }, schema: { hide: true } },
    async () => {
      await sql`select 1`.execute(store.db);
      return { status: 'ok' };
    },
  );
  app.get(
    '/readyz',
    { config: { permission: 'public', anonymous: true }, schema: { hide: true } },
    async (_req, reply) => {
      const st = await events.status();
      const behind = st.filter((s) => s.lag > 0);
      return reply
        .code(behind.length ? 503 : 200)
        .send({ status: behind.length ? 'catching-up' : 'ok', consumers: st });
    },
  );
  app.get('/design', { config: { permission: 'public' }, schema: { hide: true } }, async (req, reply) => {
    const ctx = req.view(reply);
    return sendHtml(reply, renderPage(ctx, ctx.t('nav.design'), h(DesignPage, { ctx })));
  });
  app.post(
    '/design/form',
    { config: { permission: 'public' }, schema: { hide: true } },
    async (req, reply) => {
      const ctx = req.view(reply);
      const form = checkDesignForm(ctx, formBody(req));
      return sendHtml(
        reply,
        renderPage(ctx, ctx.t('nav.design'), h(DesignPage, { ctx, form })),
        form.done ? 200 : 400,
      );
    },
  );
  app.get('/api/openapi.json', { config: { permission: 'public' }, schema: { hide: true } }, async () =>
    app.swagger(),
  );
  calendarRoutes(app, calendar);
  for (const m of modules) await m.routes?.(app);

  await app.ready();
  if (undeclared.length) throw new Error(`routes without config.permission: ${undeclared.join(', ')}`);

  // ── demo city ─────────────────────────────────────────────────────────────────────────────
  const demoMode = opts.demo ?? config.demo;
  let seededDemo = (await getMeta(store.db, 'demo.seeded')) !== undefined;
  let seeded = false;
  if (!seededDemo && (demoMode === 'on' || (demoMode === 'auto' && config.env !== 'production'))) {
    log.info('seeding the Zhengzhou demo city');
    for (const m of modules) await m.seedDemo?.();
    await setMeta(store.db, 'demo.seeded', clock.now().toISOString(), clock.now().toISOString());
    seededDemo = true;
    seeded = true;
  }
  if (opts.warmUp !== false) for (const m of modules) await m.warmUp?.();
  if (opts.startConsumers !== false) events.start();

  return {
    app,
    events,
    calendar,
    modules,
    seeded,
    routes: routeList,
    identity: identity.api,
    licences: licences.api,
    catalog: catalog.api,
    cases: cases.api,
    store,
    async close() {
      await events.stop();
      await app.close();
      for (const m of [...modules].reverse()) await m.close?.();
    },
  };
}

const kUploaded = Symbol('tongban.uploadedBytes');

declare module 'fastify' {
  interface FastifyContextConfig {
    /** forms that cannot carry the token in a field (none yet) */
    skipCsrf?: boolean;
    /** the route takes files (multipart/form-data); every other route refuses such a body */
    uploads?: boolean;
    /** the answer is the same for everyone: no session is looked up (assets, health checks, log tiles) */
    anonymous?: boolean;
  }
}
