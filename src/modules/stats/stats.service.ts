/**
 * The supervision figures as callers read them: a period, a region and a department resolved and
 * checked against the caller's scope (fail closed), the counters of the cells inside summed by
 * department × month, by month, by department and by county, the 红黄牌 of the open cases, and
 * the catalogue's side (网上可办率 per level against its target). Reads the aggregates only —
 * never the cases — so a page costs the same at 1.6 million cases as at a hundred.
 */
import { DomainError, chinaMonth } from '../../kernel/index.js';
import type { Clock } from '../../kernel/index.js';
import { type Principal, allows } from '../../platform/access.js';
import type { Executor } from '../../platform/db/index.js';
import {
  type Counters,
  TARGETS,
  addInto,
  figuresOf,
  levelOf,
  rate,
  regionPrefix,
  zeroCounters,
} from './stats.performance.js';
import type { StatsDepartment, StatsItem, StatsPorts } from './stats.ports.js';
import { cardCases, cardCounts, performanceSums } from './stats.store.js';
import type { CardsQuery, PerformanceQuery } from './stats.types.js';

/** 依申请 item types (DOMAIN §2): the ones 网上可办率 divides by. */
const ON_APPLICATION = new Set(['01', '05', '07', '08', '09', '10', '20']);
/** 网上可办 = depth Ⅲ (在线申办) or more. */
const ONLINE_DEPTH = 3;
const CACHE_MS = 5 * 60_000;

export interface StatsDeps {
  readonly db: Executor;
  readonly clock: Clock;
  readonly ports: StatsPorts;
  /** the city a public page shows when none is asked for (410100) */
  readonly homeRegion: string;
}

export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  let y = Number(from.slice(0, 4));
  let m = Number(from.slice(5, 7));
  for (let i = 0; i < 100; i++) {
    const s = `${y}-${String(m).padStart(2, '0')}`;
    if (s > to) break;
    out.push(s);
    m++;
    if (m > 12) {
      m = 1;
      y++;
    }
  }
  return out;
}

function monthsBack(to: string, n: number): string {
  const idx = Number(to.slice(0, 4)) * 12 + Number(to.slice(5, 7)) - 1 - n;
  return `${Math.floor(idx / 12)}-${String((idx % 12) + 1).padStart(2, '0')}`;
}

/** A region prefix as a division code: 4101 → 410100, 41 → 410000. */
const codeOf = (prefix: string) =>
  prefix.length === 2 || prefix.length === 4 ? prefix.padEnd(6, '0') : prefix;

interface CatalogueFigures {
  items: number;
  online: number;
  fullyOnline: number;
  immediate: number;
  atMostOneVisit: number;
}
const zeroCatalogue = (): CatalogueFigures => ({
  items: 0,
  online: 0,
  fullyOnline: 0,
  immediate: 0,
  atMostOneVisit: 0,
});
const catalogueOut = (c: CatalogueFigures) => ({
  ...c,
  /** 网上可办率 */
  onlineAvailabilityRate: rate(c.online, c.items),
  fullyOnlineItemRate: rate(c.fullyOnline, c.items),
  immediateItemShare: rate(c.immediate, c.items),
  atMostOneVisitItemRate: rate(c.atMostOneVisit, c.items),
});

export function createStatsService(deps: StatsDeps) {
  const { db, clock, ports } = deps;

  // departments and divisions change rarely: kept for a few minutes
  const deptCache = new Map<string, { at: number; v: StatsDepartment | undefined }>();
  async function department(id: string): Promise<StatsDepartment | undefined> {
    const hit = deptCache.get(id);
    if (hit && clock.now().getTime() - hit.at < CACHE_MS) return hit.v;
    const v = await ports.regions.department(id);
    deptCache.set(id, { at: clock.now().getTime(), v });
    return v;
  }
  const divCache = new Map<string, { at: number; v: string }>();
  async function divisionName(code: string): Promise<string> {
    const hit = divCache.get(code);
    if (hit && clock.now().getTime() - hit.at < CACHE_MS) return hit.v;
    const v = (await ports.regions.division(code))?.name ?? code;
    divCache.set(code, { at: clock.now().getTime(), v });
    return v;
  }
  let items: { at: number; v: StatsItem[] } | undefined;
  let loading: Promise<StatsItem[]> | undefined;
  async function catalogueItems(): Promise<StatsItem[]> {
    if (items && clock.now().getTime() - items.at < CACHE_MS) return items.v;
    loading ??= (async () => {
      const all: StatsItem[] = [];
      for await (const page of ports.catalog.items()) all.push(...page);
      items = { at: clock.now().getTime(), v: all };
      return all;
    })().finally(() => {
      loading = undefined;
    });
    return loading;
  }

  /** The period, region and department asked for, defaulted and checked. */
  async function resolve(p: Principal | undefined, q: PerformanceQuery, publicView: boolean) {
    const to = q.to ?? chinaMonth(clock.now());
    const from = q.from ?? monthsBack(to, 11);
    if (from > to || monthsBetween(from, to).length > 36) throw new DomainError('STATS.PERIOD_INVALID');
    const statsGrants = (p?.grants ?? []).filter((g) => g.permissions.includes('stats.view'));
    // a supervisor's own region when none is asked for: the widest grant's
    const widest = [...statsGrants].sort((a, b) => a.regionPrefix.length - b.regionPrefix.length)[0];
    const regionCode = q.region ?? (publicView || !widest ? deps.homeRegion : codeOf(widest.regionPrefix));
    const prefix = regionCode === '' ? '' : regionPrefix(regionCode);
    // a department-bound reader (部门管理员) sees its own department when it names none
    let departmentId = q.department;
    if (!departmentId && !publicView && statsGrants.length && statsGrants.every((g) => g.departmentId))
      departmentId = statsGrants[0]!.departmentId ?? undefined;
    const dept = departmentId ? await department(departmentId) : undefined;
    if (departmentId && !dept?.regionCode.startsWith(prefix))
      throw new DomainError('STATS.DEPARTMENT_UNKNOWN');
    if (!publicView && !allows(p, 'stats.view', { regionCode: prefix, departmentId: departmentId ?? null }))
      throw new DomainError('COMMON.FORBIDDEN', { details: { permission: 'stats.view' } });
    return {
      from,
      to,
      regionCode: codeOf(prefix),
      prefix,
      departmentId,
      department: dept,
      regionName: prefix ? await divisionName(codeOf(prefix)) : '',
    };
  }

  async function catalogueFor(prefix: string, departmentId: string | undefined) {
    const all = await catalogueItems();
    const total = zeroCatalogue();
    const byLevel = new Map<string, CatalogueFigures>();
    const byDept = new Map<string, CatalogueFigures>();
    for (const it of all) {
      if (!ON_APPLICATION.has(it.type)) continue;
      if (prefix && !it.regionCode.startsWith(prefix)) continue;
      if (departmentId && it.departmentId !== departmentId) continue;
      const level = levelOf(it.regionCode);
      const l = byLevel.get(level) ?? zeroCatalogue();
      byLevel.set(level, l);
      const d = byDept.get(it.departmentId) ?? zeroCatalogue();
      byDept.set(it.departmentId, d);
      for (const c of [total, l, d]) {
        c.items++;
        if (it.depth >= ONLINE_DEPTH) c.online++;
        if (it.depth >= 4) c.fullyOnline++;
        if (it.immediate) c.immediate++;
        if (it.visits <= 1) c.atMostOneVisit++;
      }
    }
    const levels = (['province', 'city', 'county', 'township'] as const).flatMap((level) => {
      const c = byLevel.get(level);
      if (!c) return [];
      const target =
        level === 'province' ? TARGETS.onlineAvailabilityProvince : TARGETS.onlineAvailabilityCityCounty;
      const out = catalogueOut(c);
      return [
        {
          level,
          ...out,
          target,
          meetsTarget: out.onlineAvailabilityRate !== null && out.onlineAvailabilityRate >= target,
        },
      ];
    });
    return { total: catalogueOut(total), levels, byDept };
  }

  /**
   * The figures within a filter. The sums come from SQL grouped by month and by department and
   * region (stats.store.ts `performanceSums`); a county's figures are the sum of its departments'
   * rows. The department × month rows — thousands for a city's year — are read only as asked:
   * `rows: 'all'` (the CSV), a page `{ offset, limit }` (the JSON), or none (the pages and the
   * public summary, which do not show them).
   */
  async function performance(
    p: Principal | undefined,
    q: PerformanceQuery,
    opts: { publicView?: boolean; rows?: 'all' | 'none' | { offset: number; limit: number } } = {},
  ) {
    const publicView = opts.publicView === true;
    const rowsWanted = opts.rows ?? 'all';
    const r = await resolve(p, q, publicView);
    const filter = { from: r.from, to: r.to, regionPrefix: r.prefix, departmentId: r.departmentId };
    const months = monthsBetween(r.from, r.to);
    const byMonth = new Map(months.map((m) => [m, zeroCounters()]));
    const total = zeroCounters();
    for (const s of await performanceSums(db, filter, 'month')) {
      addInto(byMonth.get(s.month) ?? zeroCounters(), s.counters);
      addInto(total, s.counters);
    }
    const byDept = new Map<string, { regionCode: string; c: Counters }>();
    const byCounty = new Map<string, Counters>();
    for (const s of await performanceSums(db, filter, 'departmentRegion')) {
      const d = byDept.get(s.departmentId) ?? { regionCode: s.regionCode, c: zeroCounters() };
      byDept.set(s.departmentId, d);
      addInto(d.c, s.counters);
      const county = s.regionCode.slice(0, 6);
      const cc = byCounty.get(county) ?? zeroCounters();
      byCounty.set(county, cc);
      addInto(cc, s.counters);
    }
    // one more than the page, to know whether there is a next one
    const page = typeof rowsWanted === 'object' ? rowsWanted : undefined;
    let byDeptMonth =
      rowsWanted === 'none'
        ? []
        : await performanceSums(db, filter, {
            departmentMonth: page ? { offset: page.offset, limit: page.limit + 1 } : 'all',
          });
    const rowsNext = page && byDeptMonth.length > page.limit ? page.offset + page.limit : null;
    if (page) byDeptMonth = byDeptMonth.slice(0, page.limit);
    const catalogue = await catalogueFor(r.prefix, r.departmentId);
    const names = new Map<string, string>();
    for (const id of byDept.keys()) names.set(id, (await department(id))?.name ?? id);
    const onlineRateOf = (id: string) => {
      const c = catalogue.byDept.get(id);
      return c ? rate(c.online, c.items) : null;
    };
    const rows = byDeptMonth.map((x) => ({
      month: x.month,
      departmentId: x.departmentId,
      departmentName: names.get(x.departmentId) ?? x.departmentId,
      regionCode: x.regionCode,
      ...figuresOf(x.counters),
      onlineAvailabilityRate: onlineRateOf(x.departmentId),
    }));
    const rank = <T extends { onTimeRate: number | null; completed: number; goodRatingRate: number | null }>(
      xs: T[],
    ) =>
      xs
        .sort(
          (a, b) =>
            (b.onTimeRate ?? -1) - (a.onTimeRate ?? -1) ||
            (b.goodRatingRate ?? -1) - (a.goodRatingRate ?? -1) ||
            b.completed - a.completed,
        )
        .map((x, i) => ({ rank: i + 1, ...x }));
    const departments = rank(
      [...byDept.entries()].map(([id, d]) => ({
        departmentId: id,
        departmentName: names.get(id) ?? id,
        regionCode: d.regionCode,
        ...figuresOf(d.c),
        onlineAvailabilityRate: onlineRateOf(id),
      })),
    );
    const counties = rank(
      await Promise.all(
        [...byCounty.entries()].map(async ([code, c]) => ({
          regionCode: code,
          regionName: await divisionName(code),
          ...figuresOf(c),
        })),
      ),
    );
    const cardRows = await cardCounts(db, { regionPrefix: r.prefix, departmentId: r.departmentId });
    const cardsByDept = new Map<string, { yellow: number; red: number }>();
    for (const c of cardRows) {
      const d = cardsByDept.get(c.departmentId) ?? { yellow: 0, red: 0 };
      cardsByDept.set(c.departmentId, d);
      if (c.colour === 'red') d.red += c.count;
      else d.yellow += c.count;
    }
    const cards = {
      yellow: cardRows.filter((c) => c.colour === 'yellow').reduce((s, c) => s + c.count, 0),
      red: cardRows.filter((c) => c.colour === 'red').reduce((s, c) => s + c.count, 0),
      byDepartment: await Promise.all(
        [...cardsByDept.entries()]
          .sort((a, b) => b[1].red - a[1].red || b[1].yellow - a[1].yellow)
          .map(async ([id, v]) => ({
            departmentId: id,
            departmentName: (await department(id))?.name ?? id,
            ...v,
          })),
      ),
    };
    return {
      period: { from: r.from, to: r.to },
      region: { code: r.regionCode, name: r.regionName },
      department: r.department ? { id: r.department.id, name: r.department.name } : null,
      targets: TARGETS,
      total: { ...figuresOf(total), onlineAvailabilityRate: catalogue.total.onlineAvailabilityRate },
      months: months.map((m) => ({ month: m, ...figuresOf(byMonth.get(m) ?? zeroCounters()) })),
      rows,
      /** the page of `rows` (the JSON's `offset` and `limit`); `next` is the offset of the next page */
      rowsPage: page ? { offset: page.offset, limit: page.limit, next: rowsNext } : null,
      rankings: { departments, counties },
      catalogue: { ...catalogue.total, levels: catalogue.levels },
      cards,
    };
  }

  /** The open cases behind a 黄牌 / 红牌 count (drill-down), checked like the figures. */
  async function cards(p: Principal, q: CardsQuery) {
    const r = await resolve(p, { region: q.region, department: q.department }, false);
    const rows = await cardCases(db, {
      regionPrefix: r.prefix,
      departmentId: r.departmentId,
      colour: q.colour,
      limit: 200,
    });
    return {
      region: { code: r.regionCode, name: r.regionName },
      department: r.department ? { id: r.department.id, name: r.department.name } : null,
      colour: q.colour,
      cases: await Promise.all(
        rows.map(async (c) => ({
          caseNumber: c.caseNumber,
          departmentId: c.departmentId,
          departmentName: (await department(c.departmentId))?.name ?? c.departmentId,
          status: c.status,
          due: c.due,
          submittedAt: c.submittedAt,
        })),
      ),
    };
  }

  /** The filter lists: the region's divisions (the city and its counties) and departments. */
  async function filterLists(regionCode: string) {
    const prefix = regionPrefix(regionCode);
    const home = codeOf(prefix);
    const divisions = [{ code: home, name: await divisionName(home) }];
    if (levelOf(home) === 'city' || levelOf(home) === 'province')
      for (const c of await ports.regions.children(home)) divisions.push({ code: c.code, name: c.name });
    const departments: StatsDepartment[] = [];
    for (const d of divisions) departments.push(...(await ports.regions.departments(d.code)));
    return { divisions, departments };
  }

  /** The months a period may be chosen from: the last three years, China time. */
  const months = () => {
    const now = chinaMonth(clock.now());
    return monthsBetween(monthsBack(now, 35), now);
  };

  return { performance, cards, filterLists, months, homeRegion: deps.homeRegion };
}

export type StatsService = ReturnType<typeof createStatsService>;
export type Performance = Awaited<ReturnType<StatsService['performance']>>;
