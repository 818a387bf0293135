import { DomainError, type Clock, deepFreeze, newId } from '../../kernel/index.js';
import { REGION_CODE_RE } from '../../platform/codes/index.js';
import { type Executor, inTransaction } from '../../platform/db/index.js';
import { type Wakeups, appendEvent } from '../../platform/events/index.js';
import { ancestorCodes, loadCityDivisions } from './regions.divisions.js';
import { buildDemoDirectory } from './regions.demo.js';
import { bodyTarget, implementingBodyOf, orderHallsNear, routeItem as route } from './regions.routing.js';
import * as store from './regions.store.js';
import type {
  Department,
  Hall,
  Region,
  RegionDetail,
  Route,
  RouteRequest,
  SeedCounts,
} from './regions.types.js';

/** How long a node keeps what it read of the directory (a seed on another node is seen within it). */
export const DIRECTORY_KEPT_MS = 60_000;

export function createRegionsService(deps: { db: Executor; clock: Clock; wakeups?: Wakeups }) {
  const { db, clock } = deps;

  /**
   * The directory (divisions, departments, halls) is written only when it is seeded, and read on
   * every page that lists departments or routes an item (the supervision page's filters alone read
   * 470 department rows from 16 queries). What was read is kept per node for DIRECTORY_KEPT_MS,
   * frozen (callers share it), and forgotten at once (`forget`: the generation moves on):
   * - when this node writes the directory (the seed);
   * - when any node commits a change to one of DIRECTORY_TABLES (the wake-ups: a trigger's NOTIFY
   *   reaches every node on PostgreSQL, regions.0002; on SQLite, one node, the writer's own call).
   * A read begun before a `forget` is answered but not kept, so nothing read before a change
   * outlives it. Results keyed by a caller's input are kept only for what exists (a division found,
   * a department found), so input naming nothing neither fills the map nor hides a later seed;
   * empty results about an existing division (a village has no subdivisions, most divisions no
   * hall) are kept like the others. DIRECTORY_KEPT_MS remains the bound for a change no wake-up
   * announces (a write by another process on SQLite).
   */
  const kept = new Map<string, { readonly at: number; readonly value: unknown }>();
  let generation = 0;
  function forget(): void {
    generation++;
    kept.clear();
  }
  for (const table of store.DIRECTORY_TABLES) deps.wakeups?.on(table, forget);
  async function keep<T>(key: string, load: () => Promise<T>, found: (v: T) => boolean): Promise<T> {
    const now = performance.now();
    const hit = kept.get(key);
    if (hit && now - hit.at < DIRECTORY_KEPT_MS) return hit.value as T;
    const read = generation;
    const value = deepFreeze(await load());
    if (read !== generation) return value; // the directory changed meanwhile: answer, keep nothing
    if (found(value)) kept.set(key, { at: now, value });
    else kept.delete(key);
    return value;
  }
  const always = () => true;

  async function getRegion(code: string): Promise<Region | undefined> {
    if (!REGION_CODE_RE.test(code)) return undefined;
    return keep(
      `division:${code}`,
      async () => (await store.findDivisions(db, [code]))[0],
      (r) => r !== undefined,
    );
  }

  async function requireRegion(code: string): Promise<Region> {
    const r = await getRegion(code);
    if (!r) throw new DomainError('REGIONS.NOT_FOUND', { params: { code: code.slice(0, 12) } });
    return r;
  }

  /**
   * The region's path from the province down, the region itself last, in one query; empty when
   * there is no such region.
   */
  async function findPath(code: string): Promise<Region[]> {
    if (!REGION_CODE_RE.test(code)) return [];
    const rows = await keep(
      `path:${code}`,
      () => store.findDivisions(db, [...ancestorCodes(code), code]),
      (found) => found.some((r) => r.code === code),
    );
    const region = rows.find((r) => r.code === code);
    if (!region) return [];
    const above = rows.filter((r) => r !== region);
    // by level, not by code: 410000 and 410100 have the same length
    const order = { province: 0, city: 1, county: 2, township: 3, village: 4 } as const;
    above.sort((a, b) => order[a.level] - order[b.level]);
    return [...above, region];
  }

  /** The region's path from the province down, the region itself last; REGIONS.NOT_FOUND if none. */
  async function path(code: string): Promise<Region[]> {
    const p = await findPath(code);
    if (p.length === 0) throw new DomainError('REGIONS.NOT_FOUND', { params: { code: code.slice(0, 12) } });
    return p;
  }

  /** The direct subdivisions of an existing division (kept, empty or not); [] for no division. */
  async function childrenOf(code: string): Promise<readonly Region[]> {
    if (!(await getRegion(code))) return [];
    return keep(`children:${code}`, () => store.childDivisions(db, code), always);
  }

  /** The departments of an existing division, by credit code (kept, empty or not). */
  const departmentsOf = (code: string): Promise<readonly Department[]> =>
    keep(`departments:${code}`, () => store.departmentsIn(db, [code]), always);

  /** The halls of an existing division (kept, empty or not). */
  const hallsOf = (code: string): Promise<readonly Hall[]> =>
    keep(`halls:${code}`, () => store.hallsIn(db, [code]), always);

  /**
   * Halls of the last region of a path, its direct subdivisions (`children`, when already loaded)
   * and the regions above it, nearest first.
   */
  async function hallsOnPath(p: readonly Region[], children?: readonly Region[]): Promise<Hall[]> {
    const region = p[p.length - 1]!;
    const below = children ?? (await childrenOf(region.code));
    const halls = await keep(
      `hallsNear:${region.code}`,
      () => store.hallsIn(db, [...p.map((r) => r.code), ...below.map((c) => c.code)]),
      always,
    );
    return orderHallsNear(region, p, below, halls);
  }

  return {
    getRegion,
    requireRegion,
    path,
    findPath,
    hallsOnPath,
    /** the regions above one, province first */
    async ancestors(code: string): Promise<Region[]> {
      return (await path(code)).slice(0, -1);
    },
    /** a region's direct subdivisions (a copy: callers may sort it) */
    children: async (code: string) => [...(await childrenOf(code))],
    async detail(code: string): Promise<RegionDetail> {
      const p = await path(code);
      const region = p[p.length - 1]!;
      const children = [...(await childrenOf(code))];
      return { ...region, path: p.map((r) => ({ code: r.code, name: r.name, level: r.level })), children };
    },
    search: (q: string, limit = 20) =>
      store.searchDivisions(db, q.trim().slice(0, 40), Math.min(Math.max(limit, 1), 100)),

    async departments(regionCode: string): Promise<Department[]> {
      await requireRegion(regionCode);
      // a copy: callers may sort or extend it
      return [...(await departmentsOf(regionCode))];
    },
    departmentById: (id: string) =>
      keep(
        `department:${id}`,
        () => store.departmentBy(db, { id }),
        (d) => d !== undefined,
      ),
    departmentByCreditCode: (creditCode: string) =>
      store.departmentBy(db, { creditCode: creditCode.toUpperCase() }),
    /** the agency of a kind in a division (one at most: the routing key is unique) */
    async departmentByKind(regionCode: string, kind: string): Promise<Department | undefined> {
      if (!(await getRegion(regionCode))) return undefined;
      return (await departmentsOf(regionCode)).find((d) => d.kind === kind);
    },

    /** Halls of a region, its direct subdivisions and the regions above it, nearest first. */
    async hallsNear(code: string): Promise<Hall[]> {
      return hallsOnPath(await path(code));
    },

    /** The implementing body and accepting halls of an item for an applicant's region. */
    async routeItem(req: RouteRequest, applicantRegionCode: string): Promise<Route> {
      const p = await path(applicantRegionCode);
      const [departments, halls] = await Promise.all([
        Promise.all(p.map((r) => departmentsOf(r.code))),
        Promise.all(p.map((r) => hallsOf(r.code))),
      ]);
      const r = route(req, p, departments.flat(), halls.flat());
      if (!r.ok) throw new DomainError(r.error.code, { params: r.error.params });
      return r.value;
    },

    /**
     * The implementing body alone of an item for an applicant's region, by routeItem's rule (the
     * same REGIONS.* errors), from the kept departments of the body's region alone: what an
     * application needs (cases).
     */
    async implementingBody(req: RouteRequest, applicantRegionCode: string): Promise<Department> {
      const p = await path(applicantRegionCode);
      const t = bodyTarget(req, p);
      const b = implementingBodyOf(req, p, t.ok ? await departmentsOf(t.value.bodyRegion.code) : []);
      if (!b.ok) throw new DomainError(b.error.code, { params: b.error.params });
      return b.value.body;
    },

    /** Forgets what this node kept of the directory (the wake-ups call it for every node). */
    forget,

    /**
     * Seeds the demo city (Zhengzhou) in one transaction with one `regions.seeded` event. Does
     * nothing when divisions are already present.
     */
    async seedDemo(): Promise<SeedCounts | undefined> {
      if ((await store.countDivisions(db)) > 0) return undefined;
      const divisions = loadCityDivisions();
      const dir = buildDemoDirectory(divisions);
      const departments = dir.departments.map((d) => ({ ...d, id: newId() }));
      const halls = dir.halls.map((h) => ({ ...h, id: newId(), windowIds: h.windows.map(() => newId()) }));
      const counts: SeedCounts = {
        counties: divisions.filter((d) => d.level === 'county').length,
        townships: divisions.filter((d) => d.level === 'township').length,
        villages: divisions.filter((d) => d.level === 'village').length,
        departments: departments.length,
        halls: halls.length,
        windows: halls.reduce((n, h) => n + h.windows.length, 0),
      };
      const city = divisions.find((d) => d.level === 'city')!;
      forget();
      await inTransaction(db, async (trx) => {
        await store.insertDirectory(trx, { divisions, departments, halls });
        await appendEvent(trx, clock, {
          type: 'regions.seeded',
          aggregateType: 'region',
          aggregateId: city.code,
          regionCode: city.code,
          payload: { ...counts },
        });
      });
      forget();
      return counts;
    },
    counts: () => store.directoryCounts(db),
    /** one hall by its code (`H` + region code) with its windows */
    hallByCode: (code: string) =>
      /^H\d{6,12}$/.test(code) ? store.hallByCode(db, code) : Promise.resolve(undefined),
    /** every hall, for nearest-first ordering by distance (就近办) */
    allHalls: () => store.allHalls(db),
  };
}

export type RegionsService = ReturnType<typeof createRegionsService>;
