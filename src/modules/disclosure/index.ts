import { createPersonalDataCipher } from '../../platform/privacy/index.js';
import type { ModuleDefinition, PlatformDeps } from '../../platform/module.js';
import type { DayRule } from './disclosure.clock.js';
import { disclosureMessages } from './disclosure.messages.js';
import type { Body, BodiesPort, CalendarPort, PlacesPort } from './disclosure.ports.js';
import { createRequests } from './disclosure.requests.js';
import { putFile, requestMigrations } from './disclosure.requests.store.js';
import { createPublishing } from './disclosure.publishing.js';
import { createReports, reportMigrations } from './disclosure.report.js';
import { reportRoutes } from './disclosure.report.routes.js';
import { publishingMigrations } from './disclosure.publishing.store.js';
import { publishingRoutes } from './disclosure.publishing.routes.js';
import { requestRoutes } from './disclosure.requests.routes.js';
import { disclosureRoutes } from './disclosure.routes.js';
import { type Locate, seedDemo, seedScale } from './disclosure.seed.js';
import { createConvenienceBrowse, placeNear } from './disclosure.convenience.js';
import { convenienceRoutes } from './disclosure.convenience.routes.js';
import { ZHENGZHOU_REGIONS } from './disclosure.generate.js';
import { DISCLOSURE_EVENTS, createDisclosureService } from './disclosure.service.js';
import { disclosureMigrations } from './disclosure.store.js';
import './disclosure.errors.js';

export { DISCLOSURE_EVENTS, createDisclosureService } from './disclosure.service.js';
export type { DisclosureService } from './disclosure.service.js';
export type { ConvenienceEntry, Publication } from './disclosure.types.js';
export { CONVENIENCE_CLASSES, DISCLOSURE_DOMAINS } from './disclosure.types.js';
export { REQUEST_EVENTS } from './disclosure.requests.js';
export type { RegisterEntry, RequestsApi } from './disclosure.requests.js';
export { PUBLICATION_EVENTS } from './disclosure.publishing.js';
export type { PublishingApi } from './disclosure.publishing.js';
export type { ReportsApi } from './disclosure.report.js';
export type { BodiesPort, CalendarPort } from './disclosure.ports.js';
export {
  ZHENGZHOU_CONVENIENCE_ITEMS,
  ZHENGZHOU_INFORMATION_ITEMS,
  ZHENGZHOU_REGIONS,
  generateConvenience,
  generatePublications,
} from './disclosure.generate.js';

/** The slices of the neighbours' public faces this module reads (adapted here, imported by none). */
export interface DisclosureNeighbours {
  readonly regions: {
    departmentById(id: string): Promise<{ id: string; name: string; regionCode: string } | undefined>;
    departments(regionCode: string): Promise<Array<{ id: string; name: string; regionCode: string }>>;
    getRegion(code: string): Promise<{ code: string; name: string } | undefined>;
    children(code: string): Promise<Array<{ code: string; name: string }>>;
    /** every service hall with its position (a division's point is its own hall's) */
    allHalls(): Promise<Array<{ regionCode: string; lat: number; lng: number }>>;
  };
  readonly calendar: { dayRule(regionCode: string): DayRule };
}

export function bodiesPort(regions: DisclosureNeighbours['regions']): BodiesPort {
  const toBody = (d: { id: string; name: string; regionCode: string }): Body => ({
    id: d.id,
    name: d.name,
    regionCode: d.regionCode,
  });
  return {
    async body(id) {
      const d = await regions.departmentById(id);
      return d ? toBody(d) : undefined;
    },
    async bodiesIn(regionCode) {
      try {
        return (await regions.departments(regionCode)).map(toBody);
      } catch {
        return [];
      }
    },
    async divisions(regionCode) {
      const self = await regions.getRegion(regionCode);
      if (!self) return [];
      const below = await regions.children(regionCode);
      return [self, ...below].map((r) => ({ code: r.code, name: r.name }));
    },
  };
}

/** Divisions' points from the hall directory, read at most once a minute per node. */
export function placesPort(regions: DisclosureNeighbours['regions']): PlacesPort {
  let cache: { at: number; byRegion: Map<string, { lat: number; lng: number }> } | undefined;
  let choices: Array<{ code: string; name: string }> | undefined;
  const points = async () => {
    if (!cache || Date.now() - cache.at > 60_000) {
      const halls = await regions.allHalls();
      cache = {
        at: Date.now(),
        byRegion: new Map(halls.map((h) => [h.regionCode, { lat: h.lat, lng: h.lng }])),
      };
    }
    return cache.byRegion;
  };
  return {
    async placeOf(code) {
      const m = await points();
      for (const c of [code, code.slice(0, 9), code.slice(0, 6), `${code.slice(0, 4)}00`]) {
        const p = c.length >= 6 ? m.get(c) : undefined;
        if (p) return { ...p, regionCode: c };
      }
      return undefined;
    },
    async choices(cityCode) {
      if (choices) return choices;
      const out: Array<{ code: string; name: string }> = [];
      for (const county of await regions.children(cityCode)) {
        out.push({ code: county.code, name: county.name });
        for (const t of await regions.children(county.code))
          out.push({ code: t.code, name: `${county.name} · ${t.name}` });
      }
      choices = out;
      return out;
    },
  };
}

/** Places a generated entry near its division's point (deterministic per name and address). */
async function locator(places: PlacesPort): Promise<Locate> {
  const anchors = new Map<string, { lat: number; lng: number } | undefined>();
  for (const r of ZHENGZHOU_REGIONS) anchors.set(r.code, await places.placeOf(r.code));
  return (c) => {
    const a = anchors.get(c.regionCode);
    return a ? { ...c, ...placeNear(a, `${c.name}|${c.address}`) } : c;
  };
}

export const calendarPort = (calendar: DisclosureNeighbours['calendar']): CalendarPort => ({
  rule: (regionCode) => calendar.dayRule(regionCode),
});

/**
 * 政府信息公开 and 便民服务信息: publications (22 domains) and convenience entries (15 classes),
 * 依申请公开 requests on their statutory clocks, their pages and the city-scale generator.
 */
export function createDisclosureModule(deps: PlatformDeps, neighbours: DisclosureNeighbours) {
  const svc = createDisclosureService({ store: deps.store, clock: deps.clock });
  const requests = createRequests({
    store: deps.store,
    clock: deps.clock,
    cipher: createPersonalDataCipher(deps.config.secretKey),
    bodies: bodiesPort(neighbours.regions),
    calendar: calendarPort(neighbours.calendar),
  });
  const bodies = bodiesPort(neighbours.regions);
  const publishing = createPublishing({
    store: deps.store,
    clock: deps.clock,
    bodies,
    calendar: calendarPort(neighbours.calendar),
    putFile,
  });
  const reports = createReports({ store: deps.store, clock: deps.clock, bodies });
  const places = placesPort(neighbours.regions);
  const convenience = createConvenienceBrowse({ db: deps.store.db, places });
  let timer: NodeJS.Timeout | undefined;
  const definition: ModuleDefinition = {
    name: 'disclosure',
    migrations: {
      ...disclosureMigrations,
      ...requestMigrations,
      ...publishingMigrations,
      ...reportMigrations,
    },
    messages: disclosureMessages,
    routes: (app) => {
      disclosureRoutes(app, svc);
      requestRoutes(app, requests);
      publishingRoutes(app, { publishing, bodies, db: deps.store.db, publicUrl: deps.config.publicUrl });
      reportRoutes(app, reports, bodies);
      convenienceRoutes(app, convenience, bodies);
    },
    seedDemo: async () => seedDemo(svc, await locator(places)),
    async seedScale(opts) {
      if (opts.scale === 'zhengzhou') await seedScale(svc, opts.progress, await locator(places));
    },
    async warmUp() {
      // 补正 not answered in time: record the lapse (the fold shows it lapsed meanwhile)
      timer = setInterval(() => {
        requests
          .sweepLapsed()
          .catch((err: unknown) => deps.log.error({ err }, 'disclosure lapse sweep failed'));
      }, 30 * 60_000);
      timer.unref();
    },
    async close() {
      if (timer) clearInterval(timer);
    },
    nav: (p) => [
      { href: '/disclosure', labelKey: 'disclosure.nav' },
      ...(p?.grants.some((g) => g.permissions.includes('disclosure.request'))
        ? [{ href: '/disclosure/requests', labelKey: 'disclosure.request.nav' }]
        : []),
      ...(p?.grants.some((g) => g.permissions.includes('disclosure.handle'))
        ? [{ href: '/workbench/disclosure', labelKey: 'disclosure.request.queue.title' }]
        : []),
      ...(p?.grants.some((g) => g.permissions.includes('disclosure.publish'))
        ? [{ href: '/workbench/disclosure/publications', labelKey: 'disclosure.publishing.title' }]
        : []),
    ],
  };
  return { definition, api: svc, requests, publishing, reports, events: DISCLOSURE_EVENTS };
}
