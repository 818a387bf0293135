import { TOWNSHIP_OFFICE_KIND } from './regions.agencies.js';
import type {
  AcceptingHall,
  Department,
  ExerciseLevel,
  Hall,
  Region,
  RouteRequest,
} from './regions.types.js';

/**
 * Where an item is handled for an applicant, by its 行使层级 (exercise level):
 *
 * - The implementing body (实施主体) is the agency of the item's kind in the applicant's region at
 *   that level: 金水区教育局 for a county-level education item asked for in 金水区. Township- and
 *   village-level items are implemented by the township office (街道办事处 / 乡镇人民政府):
 *   村（居）委会 are self-governing bodies, not administrative ones, and act for it.
 * - The halls that accept it are those on the applicant's own path from the nearest station up to
 *   the hall at the exercise level (就近办): that hall decides ('implementing'); the ones below it
 *   take the application in for it ('proxy', 代收代办). A hall above the exercise level does not
 *   take a lower level's item.
 *
 * Pure: the caller passes the applicant's path (province first) and the departments and halls of
 * the regions on it.
 */
export type RouteFailure =
  | { code: 'REGIONS.REGION_TOO_COARSE'; params: { levelZh: string; levelEn: string } }
  | { code: 'REGIONS.DEPARTMENT_KIND_REQUIRED'; params: Record<string, never> }
  | { code: 'REGIONS.NO_IMPLEMENTING_BODY'; params: { region: string; kind: string } };

export type RouteResult =
  | { ok: true; value: { implementingBody: Department; halls: AcceptingHall[] } }
  | { ok: false; error: RouteFailure };

/** for error messages, which carry their own zh and en text */
const LEVEL_NAMES: Record<ExerciseLevel, readonly [string, string]> = {
  city: ['市', 'city'],
  county: ['县（市、区）', 'county'],
  township: ['乡镇（街道）', 'township'],
  village: ['村（社区）', 'village'],
};

const DEPTH: Record<ExerciseLevel, number> = { city: 1, county: 2, township: 3, village: 4 };

/**
 * Where the implementing body is sought: the region at the item's exercise level on the path (the
 * township office's for township and village items) and the agency kind; or why there is none.
 */
export type BodyTarget =
  | { ok: true; value: { target: Region; bodyRegion: Region; kind: string } }
  | { ok: false; error: RouteFailure };

export function bodyTarget(req: RouteRequest, path: readonly Region[]): BodyTarget {
  const target = path.find((r) => r.level === req.exerciseLevel);
  if (!target) {
    const [levelZh, levelEn] = LEVEL_NAMES[req.exerciseLevel];
    return { ok: false, error: { code: 'REGIONS.REGION_TOO_COARSE', params: { levelZh, levelEn } } };
  }
  if (req.exerciseLevel === 'city' || req.exerciseLevel === 'county') {
    if (!req.departmentKind)
      return { ok: false, error: { code: 'REGIONS.DEPARTMENT_KIND_REQUIRED', params: {} } };
    return { ok: true, value: { target, bodyRegion: target, kind: req.departmentKind } };
  }
  const bodyRegion = path.find((r) => r.level === 'township') ?? target;
  return { ok: true, value: { target, bodyRegion, kind: TOWNSHIP_OFFICE_KIND } };
}

/** The failure when no agency of the kind sits in the body's region. */
export const noImplementingBody = (bodyRegion: Region, kind: string): RouteFailure => ({
  code: 'REGIONS.NO_IMPLEMENTING_BODY',
  params: { region: bodyRegion.name, kind },
});

/**
 * The implementing body alone: the agency of the kind in the body's region, the first by credit
 * code (`departments` come ordered by region and credit code). `departments` need hold only the
 * body region's (regions.service's implementingBody passes those alone).
 */
export function implementingBodyOf(
  req: RouteRequest,
  path: readonly Region[],
  departments: readonly Department[],
): { ok: true; value: { body: Department; target: Region } } | { ok: false; error: RouteFailure } {
  const t = bodyTarget(req, path);
  if (!t.ok) return t;
  const { target, bodyRegion, kind } = t.value;
  const body = departments.find((d) => d.regionCode === bodyRegion.code && d.kind === kind);
  if (!body) return { ok: false, error: noImplementingBody(bodyRegion, kind) };
  return { ok: true, value: { body, target } };
}

export function routeItem(
  req: RouteRequest,
  path: readonly Region[],
  departments: readonly Department[],
  halls: readonly Hall[],
): RouteResult {
  const b = implementingBodyOf(req, path, departments);
  if (!b.ok) return b;
  const { body, target } = b.value;

  const depth = DEPTH[req.exerciseLevel];
  const accepting: AcceptingHall[] = [];
  // nearest first: walk the path from the applicant's own region up to the exercise level
  for (let i = path.length - 1; i >= 0; i--) {
    const region = path[i]!;
    const level = region.level;
    if (level === 'province' || DEPTH[level] < depth) break;
    for (const h of halls) {
      if (h.regionCode === region.code)
        accepting.push({ ...h, role: region.code === target.code ? 'implementing' : 'proxy' });
    }
  }
  return { ok: true, value: { implementingBody: body, halls: accepting } };
}

/**
 * The halls near a region, for the portal: its own, those of its direct subdivisions, then
 * those of the regions above it, nearest first.
 */
export function orderHallsNear(
  region: Region,
  path: readonly Region[],
  children: readonly Region[],
  halls: readonly Hall[],
): Hall[] {
  const rank = new Map<string, number>();
  rank.set(region.code, 0);
  for (const [i, c] of children.entries()) rank.set(c.code, 1 + i / 10_000);
  for (const [i, p] of path.entries()) if (!rank.has(p.code)) rank.set(p.code, 2 + (path.length - i) / 100);
  return halls
    .filter((h) => rank.has(h.regionCode))
    .sort((a, b) => rank.get(a.regionCode)! - rank.get(b.regionCode)! || a.code.localeCompare(b.code));
}
