import { z } from 'zod';
import { REGION_CODE_RE } from '../../platform/codes/index.js';
import type { App } from '../../platform/http/index.js';
import { renderPage, sendHtml } from '../../platform/views/index.js';
import { DEMO_CITY } from './regions.divisions.js';
import { HomePage, type HomeView, type SWITCHER_LEVELS } from './regions.pages.js';
import type { RegionsService } from './regions.service.js';
import { Department, Hall, Region, RegionDetail, RegionRef, Route, ExerciseLevel } from './regions.types.js';

const RegionCode = z.string().regex(REGION_CODE_RE).describe('division code: 6, 9 or 12 digits');
const CodeParams = z.object({ code: RegionCode });

/** Pages linked from the home page when this build has them (never a link to nowhere). */
const HOME_LINKS = [
  { href: '/items', labelKey: 'regions.links.items' },
  { href: '/lists', labelKey: 'regions.links.lists' },
  { href: '/convenience', labelKey: 'regions.links.convenience' },
  { href: '/calendar', labelKey: 'regions.links.calendar' },
  { href: '/log', labelKey: 'regions.links.log' },
  { href: '/design', labelKey: 'regions.links.design' },
  { href: '/docs', labelKey: 'regions.links.docs' },
] as const;

const HomeQuery = z.object({
  city: z.string().max(12).optional(),
  county: z.string().max(12).optional(),
  township: z.string().max(12).optional(),
  village: z.string().max(12).optional(),
  /** a region code to start from (links into the page) */
  region: z.string().max(12).optional(),
});

export function regionsRoutes(app: App, service: RegionsService): void {
  // ── JSON API ─────────────────────────────────────────────────────────────────────────────
  app.get(
    '/api/v1/regions',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['regions'],
        summary: 'Search divisions by name (行政区划)',
        querystring: z.object({
          q: z.string().min(1).max(40),
          limit: z.coerce.number().int().min(1).max(100).default(20),
        }),
        response: { 200: z.object({ regions: z.array(Region) }) },
      },
    },
    async (req) => ({ regions: await service.search(req.query.q, req.query.limit) }),
  );

  app.get(
    '/api/v1/regions/:code',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['regions'],
        summary: 'A division with its path (province first) and its direct subdivisions',
        params: CodeParams,
        response: { 200: RegionDetail },
      },
    },
    async (req) => service.detail(req.params.code),
  );

  app.get(
    '/api/v1/regions/:code/halls',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['regions'],
        summary: 'Service halls near a division: its own, its subdivisions’, then those above it',
        params: CodeParams,
        response: { 200: z.object({ region: RegionRef, halls: z.array(Hall) }) },
      },
    },
    async (req) => {
      const path = await service.path(req.params.code);
      const region = path[path.length - 1]!;
      return {
        region: { code: region.code, name: region.name, level: region.level },
        halls: await service.hallsOnPath(path),
      };
    },
  );

  app.get(
    '/api/v1/regions/:code/route',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['regions'],
        summary:
          'The implementing department and the accepting halls of an item for an applicant in this division',
        params: CodeParams,
        querystring: z.object({
          level: ExerciseLevel.describe('行使层级 of the item'),
          department: z
            .string()
            .regex(/^[a-z]{1,12}$/)
            .optional()
            .describe('the agency’s short code (jyj, gaj …)'),
        }),
        response: { 200: Route },
      },
    },
    async (req) =>
      service.routeItem(
        { exerciseLevel: req.query.level, departmentKind: req.query.department },
        req.params.code,
      ),
  );

  app.get(
    '/api/v1/departments',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['regions'],
        summary: 'Departments (部门) of a division; the city’s when no region is given',
        querystring: z.object({ region: RegionCode.optional() }),
        response: { 200: z.object({ region: z.string(), departments: z.array(Department) }) },
      },
    },
    async (req) => {
      const region = req.query.region ?? DEMO_CITY.cityCode;
      return { region, departments: await service.departments(region) };
    },
  );

  // ── the portal home page ─────────────────────────────────────────────────────────────────
  app.get(
    '/',
    { config: { permission: 'public' }, schema: { hide: true, querystring: HomeQuery } },
    async (req, reply) => {
      const ctx = req.view(reply);
      const view = await homeView(app, service, req.query);
      return sendHtml(
        reply,
        renderPage(ctx, ctx.t('regions.home.title'), <HomePage ctx={ctx} view={view} />),
      );
    },
  );
}

/**
 * The region switcher without JavaScript: each level is a select in one GET form; a submitted
 * level narrows the options of the next. A lower level that does not belong to the chosen upper
 * one (the user changed the county but not the township) is dropped.
 */
async function homeView(app: App, service: RegionsService, q: z.infer<typeof HomeQuery>): Promise<HomeView> {
  const links = HOME_LINKS.filter((l) => app.hasRoute({ method: 'GET', url: l.href }));
  const city = await service.getRegion(DEMO_CITY.cityCode);
  if (!city) return { selected: {}, options: {}, path: [], halls: [], links };

  const wanted: Partial<Record<(typeof SWITCHER_LEVELS)[number], string>> = { ...q };
  if (q.region && REGION_CODE_RE.test(q.region) && q.region.startsWith(city.code.slice(0, 4))) {
    for (const r of await service.findPath(q.region)) if (r.level !== 'province') wanted[r.level] = r.code;
  }
  const selected: HomeView['selected'] = { city: city.code };
  const options: HomeView['options'] = { city: [city] };
  let current = city;
  /** the subdivisions of `current`, when the loop has loaded them */
  let below: Region[] | undefined;
  for (const level of ['county', 'township', 'village'] as const) {
    const children = await service.children(current.code);
    options[level] = children;
    below = children;
    const pick = children.find((c) => c.code === wanted[level]);
    if (!pick) break;
    selected[level] = pick.code;
    current = pick;
    below = undefined;
  }
  const path = await service.path(current.code);
  const halls = await service.hallsOnPath(path, below);
  return {
    selected,
    options,
    region: current,
    path,
    halls,
    links: [...links, { href: `/api/v1/regions/${current.code}`, labelKey: 'regions.links.regionApi' }],
  };
}
