import { demoHistory } from './app.history.js';
import type { Config } from './config/index.js';
import { type Clock, DomainError, systemClock } from './kernel/index.js';
import { type Migration, type Store, metaMigrations, migrate } from './platform/db/index.js';
import { decideSite, markDemoSeeded } from './platform/demo.js';
import {
  EventBus,
  type Wakeups,
  appendedSoFar,
  eventsMigrations,
  inProcessWakeups,
  pgWakeups,
} from './platform/events/index.js';
import {
  type App,
  type DeclaredRoute,
  apiDocs,
  authentication,
  createServer,
  createMetrics,
  healthRoutes,
  metricsRoutes,
  observeRequests,
  rateCounterMigrations,
  storeRateLimit,
  limitsAndSizes,
  openApiRoute,
  routePermissions,
  securityPlugins,
  uploads,
} from './platform/http/index.js';
import { addMessages } from './platform/i18n/index.js';
import { type Logger, createLogger } from './platform/log.js';
import { derivedKey } from './platform/privacy/index.js';
import type { ModuleDefinition, PlatformDeps } from './platform/module.js';
import { assetRoutes, designRoutes, viewsAndErrorPages } from './platform/views/index.js';
import {
  calendarMigrations,
  createCalendar,
  calendarRoutes,
  type WorkingCalendar,
} from './platform/calendar/index.js';
import { type StatsPorts, createStatsModule } from './modules/stats/index.js';
import { type RequestsApi, createDisclosureModule } from './modules/disclosure/index.js';
import {
  catalogSource,
  catalogThemeLabels,
  createSearchModule,
  disclosureSource,
} from './modules/search/index.js';
import { DEMO_CITY, type RegionsApi, createRegionsModule } from './modules/regions/index.js';
import { type CatalogApi, createCatalogModule } from './modules/catalog/index.js';
import { createLedgerModule, ledgerOf } from './modules/ledger/index.js';
import {
  DEMO_LEGAL_PERSONS,
  DEMO_PEOPLE,
  type IdentityApi,
  type LegalPersonRegister,
  createIdentityModule,
  demoLegalPersonRegister,
  noLegalPersonRegister,
} from './modules/identity/index.js';
import { type CasesApi, createCasesModule } from './modules/cases/index.js';
import { type LicencesApi, createLicencesModule } from './modules/licences/index.js';
import { type RatingsApi, createRatingsModule, ratingIndicatorsFor } from './modules/ratings/index.js';
import {
  type HallsApi,
  type HallInfo,
  createHallsModule,
  kioskRatingPort,
  simulatedDevices,
  simulatedPrinter,
} from './modules/halls/index.js';
import { type ExchangeApi, createExchangeModule } from './modules/exchange/index.js';

export interface BuildOptions {
  config: Config;
  store: Store;
  clock?: Clock;
  logger?: Logger;
  /**
   * after seeding the demo city, generate a year of history in the background (`npm start`;
   * default false: tests and tools seed the city alone)
   */
  demoHistory?: boolean | { readonly cases: number };
  /** run migrations (default true) */
  migrate?: boolean;
  /** seed the demo city: 'auto' seeds an empty store unless in production (default: config.demo) */
  demo?: 'on' | 'off' | 'auto';
  /** start the event consumers on a timer (default true); tests call `events.drain()` instead */
  startConsumers?: boolean;
  /**
   * how often the node polls the store for what other nodes wrote: event consumers, the search
   * index, the halls' screens (defaults 500, 500, 200 ms). On PostgreSQL the wake-ups (NOTIFY)
   * bring it sooner; tests set it high to show they do.
   */
  pollMs?: number;
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
  readonly routes: readonly DeclaredRoute[];
  /** accounts and tokens, for the CLI (`tongban token`, `tongban oidc client add`) */
  readonly identity: IdentityApi;
  /** e-licences, for the CLI (`tongban import licences`) and tests */
  readonly licences: LicencesApi;
  /** the service catalogue, for the CLI (`tongban import items`, `tongban export items`) */
  readonly catalog: CatalogApi;
  /** cases, for the CLI and tests (the clock sweep) */
  readonly cases: CasesApi;
  /** 好差评 and complaints, for tests and benches (the 12345 delivery worker) */
  readonly ratings: RatingsApi;
  /** halls: queue tickets, calls, the screens' feed (tests poll it) */
  readonly halls: HallsApi;
  /** the data-sharing exchange, for the CLI (`tongban exchange consumer add`) and tests */
  readonly exchange: ExchangeApi;
  /** the demo's year of history: its state, and `start()` (idempotent) resolving when it is done */
  readonly history: { state(): string; start(): Promise<void> };
  /** 依申请公开 requests, for tests and the bench (the lapse sweep) */
  readonly disclosureRequests: RequestsApi;
  /** the store the app runs on (tests play a second node on it) */
  readonly store: Store;
  /** every migration of this release, by name (the expand/contract check runs them all) */
  readonly migrations: Readonly<Record<string, Migration>>;
  close(): Promise<void>;
}

/** The supervision figures' view of the regions and the catalogue. */
function statsPorts(regions: RegionsApi, catalog: CatalogApi): StatsPorts {
  const dept = (d: { id: string; name: string; regionCode: string }) => ({
    id: d.id,
    name: d.name,
    regionCode: d.regionCode,
  });
  return {
    regions: {
      division: async (code) => {
        const r = await regions.getRegion(code);
        return r ? { code: r.code, name: r.name } : undefined;
      },
      children: async (code) => (await regions.children(code)).map((r) => ({ code: r.code, name: r.name })),
      departments: async (code) => (await regions.departments(code)).map(dept),
      department: async (id) => {
        const d = await regions.departmentById(id);
        return d ? dept(d) : undefined;
      },
    },
    catalog: {
      async *items() {
        let cursor = '';
        for (;;) {
          const page = await catalog.listPublishedForIndex(cursor, 1000);
          yield page.items.map((it) => ({
            departmentId: it.departmentId,
            regionCode: it.regionCode,
            type: it.type,
            depth: it.depth,
            visits: it.visits,
            immediate: it.immediate,
          }));
          if (!page.nextCursor || page.items.length < 1000) return;
          cursor = page.nextCursor;
        }
      },
    },
  };
}

/**
 * The modules, in dependency order (leaves first), each given the public faces (index.ts) of
 * the modules it uses and the adapters between them.
 */
function wireModules(deps: PlatformDeps, calendar: WorkingCalendar) {
  const regions = createRegionsModule(deps);
  const catalog = createCatalogModule(deps, { regions: regions.api });
  const ledger = createLedgerModule(deps);
  // the exchange is built after identity (its consumers are identity's clients) but identity's
  // organisation verification reads the exchange's 法人库: bound once both exist
  let exchangeRef: ExchangeApi | undefined;
  const demoRegister = demoLegalPersonRegister();
  const legalPersons: LegalPersonRegister = {
    // outside production: the exchange's 法人库, then the demo list (a store seeded without the
    // exchange, tests that register a demo company on an empty store)
    async lookup(code) {
      return (await exchangeRef?.legalPersons.lookup(code)) ?? demoRegister.lookup(code);
    },
    async representedBy(idNumber) {
      const found = [...((await exchangeRef?.legalPersons.representedBy(idNumber)) ?? [])];
      for (const d of await demoRegister.representedBy(idNumber))
        if (!found.some((f) => f.creditCode === d.creditCode)) found.push(d);
      return found;
    },
  };
  const identity = createIdentityModule(deps, {
    regions: regions.api,
    // the legal-person register organisation verification matches a legal representative
    // against: the exchange's 法人库 outside production; in production none yet (organisations
    // are verified in person) until the 法人库 holds the real register
    legalPersons: deps.config.env === 'production' ? noLegalPersonRegister : legalPersons,
  });
  const exchange = createExchangeModule(deps, {
    calendar,
    ports: {
      identity: {
        createClient: (name) =>
          identity.api.createClient({ name, redirectUris: [], grantTypes: ['client_credentials'] }),
        revokeClient: (clientId, reason, regionCode) =>
          identity.api.revokeClient(clientId, reason, { actor: null, regionCode }),
        rotateClientSecret: (clientId, regionCode) =>
          identity.api.rotateClientSecret(clientId, { actor: null, regionCode }),
        clientsRevokedAt: (clientIds) => identity.api.clientsRevokedAt(clientIds),
        async subjectOf(accountId) {
          const p = await identity.api.personalData(accountId);
          if (!p) return undefined;
          if (p.kind === 'person' && p.idNumber) return { kind: 'idNumber', key: p.idNumber };
          if (p.kind === 'organization' && p.creditCode) return { kind: 'creditCode', key: p.creditCode };
          return undefined;
        },
      },
      regions: {
        departmentById: regions.api.departmentById,
        departmentByKind: regions.api.departmentByKind,
      },
      demo: {
        people: () => Object.values(DEMO_PEOPLE),
        companies: () => DEMO_LEGAL_PERSONS,
      },
      // the e-licence directory as a register: read from the licences module's own tables
      licences: {
        directoryOf: (holder, within) => licences.api.directoryOf(holder, within),
      },
    },
  });
  exchangeRef = exchange.api;
  const licences = createLicencesModule(deps, { identity: identity.api });
  const cases = createCasesModule(
    deps,
    {
      catalog: catalog.api,
      identity: identity.api,
      regions: regions.api,
      calendar,
      licences: licences.api,
      notifier: identity.api.notifier,
      // materials a government register provides: read through the deciding department's grant
      sharedData: {
        async fetch(within, m) {
          const p = await identity.api.personalData(m.applicantId, within);
          // only a verified ID number (L2 or above) names whose records to read: at L1 (an item
          // open to L1) it is merely claimed, perhaps someone else's
          const subject =
            p?.kind === 'person' && p.idNumber && p.realNameLevel >= 2
              ? ({ kind: 'idNumber', key: p.idNumber } as const)
              : p?.kind === 'organization' && p.creditCode
                ? ({ kind: 'creditCode', key: p.creditCode } as const)
                : undefined;
          if (!subject) return undefined;
          return exchange.api.fetchForCase(within, {
            departmentId: m.departmentId,
            // the catalogue names the shared data as `资源名称（提供部门共享）`
            resourceName: m.sharedData.replace(/（[^）]*）$/, ''),
            subject,
            caseNumber: m.caseNumber,
            purpose: m.purpose,
          });
        },
        readsForCase: (caseNumber) => exchange.api.readsForCase(caseNumber),
        async prefill(m) {
          const p = await identity.api.personalData(m.applicantId);
          // an ID number is the account's only verified (L2 or above): at L1 it is merely claimed,
          // perhaps someone else's, and reads nothing of theirs
          const subject =
            p?.kind === 'person' && p.idNumber && p.realNameLevel >= 2
              ? ({ kind: 'idNumber', key: p.idNumber } as const)
              : p?.kind === 'organization' && p.creditCode
                ? ({ kind: 'creditCode', key: p.creditCode } as const)
                : undefined;
          if (!subject) return { values: {}, sources: {}, accessIds: [] };
          return exchange.api.prefillFor({
            departmentId: m.departmentId,
            subject,
            kinds: m.kinds,
            itemName: m.itemName,
          });
        },
      },
    },
    { homeRegion: DEMO_CITY.cityCode },
  );
  const ratings = createRatingsModule(deps, {
    cases: {
      facts: (caseNumber, within) => cases.api.caseFacts(caseNumber, within),
      factsMany: (caseNumbers, within) => cases.api.caseFactsMany(caseNumbers, within),
    },
    calendar: { isWorkingDay: (date, regionCode) => calendar.isWorkingDay(date, regionCode) },
    identity: {
      contacts: (accountIds, within) => identity.api.contactsOf(accountIds, within),
    },
    notifier: identity.api.notifier,
    directory: ratingsDirectory(catalog.api, regions.api),
  });
  const stats = createStatsModule(deps, {
    ports: statsPorts(regions.api, catalog.api),
    homeRegion: DEMO_CITY.cityCode,
  });
  const toHallInfo = (h: Awaited<ReturnType<typeof regions.api.allHalls>>[number]): HallInfo => ({
    id: h.code,
    name: h.name,
    kind: h.kind,
    regionCode: h.regionCode,
    address: h.address,
    phone: h.phone,
    lat: h.lat,
    lng: h.lng,
    hours: h.hours,
    demo: h.demo,
  });
  const halls = createHallsModule(deps, {
    regions: {
      async hall(code) {
        const r = await regions.api.hallByCode(code);
        return r ? { hall: toHallInfo(r.hall), windows: r.windows } : undefined;
      },
      halls: async () => (await regions.api.allHalls()).map(toHallInfo),
      // the halls that accept an item for an applicant of a division (as the cases module routes it)
      async acceptingHalls(itemCode, regionCode) {
        const item = await catalog.api.getPublishedItem(itemCode);
        if (!item) return undefined;
        const level = item.exerciseLevel;
        if (level !== 'city' && level !== 'county' && level !== 'township' && level !== 'village')
          return undefined;
        const dept = await regions.api.departmentById(item.departmentId);
        try {
          const route = await regions.api.routeItem(
            { exerciseLevel: level, ...(dept ? { departmentKind: dept.kind } : {}) },
            regionCode,
          );
          return route.halls.map((h) => h.code);
        } catch {
          return [];
        }
      },
    },
    calendar: { describeDay: (date, regionCode) => calendar.describeDay(date, regionCode) },
    notifier: identity.api.notifier,
    kiosk: {
      // the demo kiosk reads the demo citizen's card; production has no device agent configured yet,
      // so a card read is refused there (docs/operations.md, Kiosk devices)
      devices:
        deps.config.env === 'production'
          ? {
              readCardAndFace: async () => {
                throw new DomainError('HALLS.DEVICE_UNAVAILABLE');
              },
            }
          : simulatedDevices({ name: DEMO_PEOPLE.citizen.name, idNumber: DEMO_PEOPLE.citizen.idNumber }),
      printer: simulatedPrinter(),
      accountIdByIdNumber: (idNumber) => identity.api.accountIdByIdNumber(idNumber),
      // 好差评 at the kiosk: as the person the card identified, through the ratings module's checks
      ratings: kioskRatingPort({
        identity: identity.api,
        cases: cases.api,
        ratings: ratings.api,
        indicatorsFor: ratingIndicatorsFor,
      }),
    },
    // 好差评 of the hall's cases, the window pad's with its window and clerk (by login)
    ratings: {
      async ofHall(hallId, from, to) {
        const rows = await ratings.api.ratingsOfHall(hallId, from, to);
        const logins = new Map<string, string | null>();
        for (const id of new Set(rows.flatMap((r) => (r.clerk_id ? [r.clerk_id] : []))))
          logins.set(id, (await identity.api.accountView(id))?.login ?? null);
        return rows.map((r) => ({
          level: Number(r.level),
          channel: r.channel,
          windowCode: r.window_code,
          clerk: r.clerk_id ? (logins.get(r.clerk_id) ?? null) : null,
        }));
      },
    },
    // staff on duty at a window: a staff account by login (the halls module checks it may serve)
    staff: {
      async principalByLogin(login) {
        const id = await identity.api.accountIdByLogin(login);
        return id ? await identity.api.principalForAccount(id) : undefined;
      },
    },
    contact: {
      // the mobile an appointment's SMS goes to (only handed to the notifier)
      async mobile(accountId, within) {
        return (await identity.api.personalData(accountId, within))?.mobile ?? undefined;
      },
    },
    cases: {
      // a case the caller may see, or none (the cases module answers 404 or 403 otherwise)
      async caseFor(p, caseNumber) {
        try {
          const v = await cases.api.view(caseNumber, p);
          return { caseNumber: v.caseNumber, departmentId: v.departmentId };
        } catch {
          return undefined;
        }
      },
    },
  });
  const disclosure = createDisclosureModule(deps, { regions: regions.api, calendar });
  const search = createSearchModule(deps, {
    sources: [catalogSource(catalog.api), disclosureSource(disclosure.api, disclosure.requests)],
    themeLabels: catalogThemeLabels(),
  });
  const modules: readonly ModuleDefinition[] = [
    regions.definition,
    catalog.definition,
    // before identity: the demo enterprise is verified against the exchange's 法人库 at seed time
    exchange.definition,
    identity.definition,
    cases.definition,
    halls.definition,
    ledger.definition,
    licences.definition,
    ratings.definition,
    stats.definition,
    disclosure.definition,
    search.definition,
  ];
  return {
    modules,
    identity: identity.api,
    licences: licences.api,
    catalog: catalog.api,
    cases: cases.api,
    ratings: ratings.api,
    halls: halls.api,
    exchange: exchange.api,
    disclosureRequests: disclosure.requests,
  };
}

/**
 * Where a complaint goes: an item to its implementing department, a hall to the 人民政府办公室
 * (or else the first body) of the hall's division, walking up to the county and the city.
 */
function ratingsDirectory(
  catalog: CatalogApi,
  regions: ReturnType<typeof createRegionsModule>['api'],
): Parameters<typeof createRatingsModule>[1]['directory'] {
  const named = async (id: string) => {
    const d = await regions.departmentById(id);
    return d ? { id: d.id, name: d.name, regionCode: d.regionCode } : undefined;
  };
  return {
    async itemDepartment(code) {
      const it = await catalog.getPublishedItem(code);
      const d = it ? await named(it.departmentId) : undefined;
      return d ? { departmentId: d.id, regionCode: d.regionCode, name: d.name } : undefined;
    },
    async hallDepartment(hallCode) {
      const code = hallCode.slice(1);
      for (const region of [code, code.slice(0, 6), `${code.slice(0, 4)}00`]) {
        const list = await regions.departments(region).catch(() => []);
        const d = list.find((x) => x.kind === 'bgs') ?? list[0];
        if (d) return { departmentId: d.id, regionCode: d.regionCode, name: d.name };
      }
      return undefined;
    },
    department: named,
    async departments(regionCode) {
      return (await regions.departments(regionCode)).map((d) => ({
        id: d.id,
        name: d.name,
        regionCode: d.regionCode,
      }));
    },
  };
}

/** Each module's messages and event consumers registered; the store migrated to the newest schema. */
async function prepareStore(
  store: Store,
  modules: readonly ModuleDefinition[],
  events: EventBus,
  runMigrations: boolean,
): Promise<Record<string, Migration>> {
  const migrations = {
    ...metaMigrations,
    ...rateCounterMigrations,
    ...eventsMigrations,
    ...calendarMigrations,
  };
  for (const m of modules) {
    if (m.messages) addMessages(m.name, m.messages);
    Object.assign(migrations, m.migrations ?? {});
    for (const c of m.consumers ?? []) events.register(c);
  }
  if (runMigrations) await migrate(store.db, migrations);
  return migrations;
}

export async function buildApp(opts: BuildOptions): Promise<TongbanApp> {
  const { config, store } = opts;
  const clock = opts.clock ?? systemClock;
  const log = opts.logger ?? createLogger(config.logLevel);
  // rows committed on any node wake this node's pollers at once: one LISTEN connection on
  // PostgreSQL, connected before the warm-up (not for operator commands, which serve nobody),
  // in process on SQLite
  const wakeups: Wakeups =
    store.dialect === 'postgres' && store.location && 'databaseUrl' in store.location && opts.warmUp !== false
      ? pgWakeups(store.location.databaseUrl, {
          onError: (err) => log.warn({ err }, 'the wake-up listener lost its connection; reconnecting'),
        })
      : inProcessWakeups();
  const events = new EventBus(store, clock, {
    onError: (consumer, err) => log.error({ err, consumer }, 'event consumer failed'),
    wakeups,
    ...(opts.pollMs !== undefined ? { pollMs: opts.pollMs } : {}),
  });
  const calendar = createCalendar({ store, clock, log });
  const wired = wireModules(
    {
      config,
      store,
      clock,
      events,
      log,
      wakeups,
      ...(opts.pollMs !== undefined ? { pollMs: opts.pollMs } : {}),
    },
    calendar,
  );
  const { modules } = wired;

  const migrations = await prepareStore(store, modules, events, opts.migrate !== false);
  // seeds the national holidays from chinese-days (once per year) and loads the tables into memory
  await calendar.load();
  const site = await decideSite(store, config, opts.demo);

  // The HTTP edge, step by step. Hooks of one kind run in the order their steps add them, so the
  // order is part of the contract: cookies before the session, the permission before the body.
  const app = createServer(config, log);
  if (store.dialect === 'sqlite') {
    // one node: a request that appended events wakes this node's readers once it is answered (its
    // transaction has committed by then); PostgreSQL's NOTIFY does this for every node
    const before = new WeakMap<object, number>();
    app.addHook('onRequest', async (req) => void before.set(req, appendedSoFar()));
    app.addHook('onResponse', async (req) => {
      if (appendedSoFar() !== before.get(req)) wakeups.local('events');
    });
  }
  const metrics = createMetrics(log);
  observeRequests(app, metrics);
  // several nodes share a PostgreSQL store: their rate-limit counters live in it (SQLite is one node)
  const rateKey = derivedKey(config.secretKey, 'rate-limit-keys');
  await securityPlugins(app, config, {
    ...(store.dialect === 'postgres' ? { rateLimitStore: storeRateLimit(store.db, rateKey) } : {}),
  });
  limitsAndSizes(app, config.rateLimits, { keySecret: rateKey });
  await apiDocs(app);
  const permissions = routePermissions(app);
  authentication(app, modules.find((m) => m.authenticate)?.authenticate);
  await uploads(app);
  viewsAndErrorPages(app, {
    demo: site.demo,
    nav: (p) => modules.flatMap((m) => m.nav?.(p) ?? []),
  });
  assetRoutes(app);
  const history = demoHistory({
    ...(typeof opts.demoHistory === 'object' ? { yearOfCases: opts.demoHistory.cases } : {}),
    cases: wired.cases,
    ratings: wired.ratings,
    identity: wired.identity,
    events,
    log,
  });
  healthRoutes(app, { store, events, demoHistory: history.state });
  metricsRoutes(app, metrics, { store, events, token: config.metricsToken });
  metrics.gauge(
    'tongban_case_clocks',
    'Running and paused case clocks by colour: yellow near due, red overdue',
    ['colour'],
    async () => (await wired.cases.clockCounts()).map((c) => ({ labels: { colour: c.colour }, value: c.n })),
  );
  metrics.gauge('tongban_log_size', 'Leaves in the transparency log', [], async () => [
    { value: await ledgerOf(modules).treeSize() },
  ]);
  const grouped = store.groupCommit;
  if (grouped)
    metrics.gauge(
      'tongban_store_group_commits',
      'SQLite group commit since start: COMMITs (batches) and the transactions they carried',
      ['count'],
      async () => [
        { labels: { count: 'batches' }, value: grouped.batches },
        { labels: { count: 'transactions' }, value: grouped.transactions },
      ],
    );
  designRoutes(app);
  openApiRoute(app);
  calendarRoutes(app, calendar);
  for (const m of modules) await m.routes?.(app, site);
  await app.ready();
  permissions.assertDeclared();

  if (site.seed) {
    log.info('seeding the Zhengzhou demo city');
    for (const m of modules) await m.seedDemo?.();
    await markDemoSeeded(store, clock);
  }
  if (opts.warmUp !== false) {
    try {
      await wakeups.start();
      for (const m of modules) await m.warmUp?.();
    } catch (e) {
      // a start refused during warm-up (a log origin the store contradicts) leaves nothing running
      await app.close();
      for (const m of [...modules].reverse()) await m.close?.();
      await wakeups.close();
      throw e;
    }
  }
  if (opts.startConsumers !== false) events.start();
  // a second after the start has returned (main is listening by then): the empty start stays fast,
  // and the generator yields to requests between its small batches
  const historyTimer =
    site.seed && opts.demoHistory ? setTimeout(() => void history.start(), 1000).unref() : undefined;
  if (historyTimer) history.scheduled();

  return {
    app,
    events,
    calendar,
    modules,
    seeded: site.seed,
    history: { state: history.state, start: history.start },
    routes: permissions.routes,
    identity: wired.identity,
    licences: wired.licences,
    catalog: wired.catalog,
    cases: wired.cases,
    ratings: wired.ratings,
    halls: wired.halls,
    exchange: wired.exchange,
    disclosureRequests: wired.disclosureRequests,
    store,
    migrations,
    async close() {
      clearTimeout(historyTimer);
      await history.stop();
      await events.stop();
      await app.close();
      for (const m of [...modules].reverse()) await m.close?.();
      await wakeups.close();
    },
  };
}
