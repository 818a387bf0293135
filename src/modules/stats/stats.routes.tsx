import type { z } from 'zod';
import { DomainError } from '../../kernel/index.js';
import { csvLine } from '../../platform/csv.js';
import { type App, requirePrincipal } from '../../platform/http/index.js';
import { renderPage, sendHtml } from '../../platform/views/index.js';
import { CardsPage, type FilterModel, PublicPerformancePage, SupervisionPage } from './stats.pages.js';
import type { Performance, StatsService } from './stats.service.js';
import { CardsQuery, PerformanceJsonQuery, PerformanceQuery } from './stats.types.js';

const tags = ['stats'];
const needs = (permission: string) => ({ permission });

/** Parses a page's query (a bad value is a 400 with the field, not a 500). */
function parse<T>(schema: z.ZodType<T>, raw: unknown): T {
  const r = schema.safeParse(raw);
  if (!r.success)
    throw new DomainError('COMMON.VALIDATION', {
      details: {
        issues: r.error.issues.map((i) => ({ field: `querystring.${i.path.join('.')}`, rule: i.code })),
      },
    });
  return r.data;
}

/** The CSV columns: the CONTRACT's figure names, one line per department × month. */
const CSV_COLUMNS = [
  'month',
  'regionCode',
  'departmentId',
  'departmentName',
  'submitted',
  'accepted',
  'completed',
  'completedOnTime',
  'onTimeRate',
  'onlineAvailabilityRate',
  'fullyOnlineRate',
  'immediateShare',
  'atMostOneVisitRate',
  'avgWorkingDaysUsed',
  'avgWorkingDaysPromised',
  'refused',
  'withdrawn',
  'yellowCards',
  'redCards',
  'ratings',
  'goodRatings',
  'badRatings',
  'goodRatingRate',
  'rectificationsOpened',
  'rectificationsClosed',
  'rectificationRate',
  'callbackRate',
  'complaints',
  'complaintsAnswered',
  'complaintsOnTimeRate',
] as const;

export function performanceCsv(perf: Performance): string {
  const lines = [csvLine([...CSV_COLUMNS])];
  for (const r of perf.rows) {
    const rec = r as unknown as Record<string, unknown>;
    lines.push(
      csvLine(CSV_COLUMNS.map((c) => (rec[c] === null || rec[c] === undefined ? '' : String(rec[c])))),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

export function statsRoutes(app: App, svc: StatsService): void {
  app.get(
    '/api/v1/stats/performance',
    {
      config: { permission: needs('stats.view') },
      schema: {
        tags,
        summary:
          'Supervision figures by department and China month (onTimeRate, onlineAvailabilityRate, goodRatingRate, rectificationRate …), with totals, rankings and 红黄牌; within the caller’s scope. The department × month `rows` come a page at a time (`offset`, `limit`, default 500; `rowsPage.next` is the next page’s offset, null at the end); the CSV has them all',
        querystring: PerformanceJsonQuery,
      },
    },
    async (req) => {
      const q = req.query as PerformanceJsonQuery;
      return svc.performance(requirePrincipal(req), q, { rows: { offset: q.offset, limit: q.limit } });
    },
  );

  app.get(
    '/api/v1/stats/performance.csv',
    {
      config: { permission: needs('stats.view') },
      schema: {
        tags,
        summary: 'The same figures as CSV, one line per department × month (months in China time)',
        querystring: PerformanceQuery,
      },
    },
    async (req, reply) => {
      const perf = await svc.performance(requirePrincipal(req), req.query as PerformanceQuery);
      return reply
        .type('text/csv; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="performance-${perf.region.code || 'all'}-${perf.period.from}-${perf.period.to}.csv"`,
        )
        .header('cache-control', 'no-store')
        .send(performanceCsv(perf));
    },
  );

  app.get(
    '/api/v1/stats/cards',
    {
      config: { permission: needs('stats.view') },
      schema: {
        tags,
        summary: 'The open cases behind a 黄牌 / 红牌 count (drill-down), most urgent first, at most 200',
        querystring: CardsQuery,
      },
    },
    async (req) => svc.cards(requirePrincipal(req), req.query as CardsQuery),
  );

  app.get(
    '/api/v1/stats/public',
    {
      config: { permission: 'public' },
      schema: {
        tags,
        summary:
          'The public summary: the city’s or a county’s figures by month, departments and counties ranked (no personal data)',
        querystring: PerformanceQuery.omit({ department: true }),
      },
    },
    async (req) => {
      const perf = await svc.performance(undefined, req.query as PerformanceQuery, {
        publicView: true,
        rows: 'none',
      });
      const { cards: _cards, rows: _rows, rowsPage: _page, ...open } = perf;
      return open;
    },
  );

  app.get(
    '/supervision',
    { config: { permission: needs('stats.view') }, schema: { hide: true } },
    async (req, reply) => {
      const q = parse(PerformanceQuery, req.query);
      const perf = await svc.performance(requirePrincipal(req), q, { rows: 'none' });
      const lists = await svc.filterLists(perf.region.code || svc.homeRegion);
      const filters: FilterModel = {
        action: '/supervision',
        months: svc.months(),
        divisions: lists.divisions,
        departments: lists.departments,
        from: perf.period.from,
        to: perf.period.to,
        region: perf.region.code,
        department: perf.department?.id ?? '',
      };
      const ctx = req.view(reply);
      return sendHtml(
        reply,
        renderPage(
          ctx,
          ctx.t('stats.supervision.title'),
          <SupervisionPage ctx={ctx} perf={perf} filters={filters} />,
          {
            wide: true,
          },
        ),
      );
    },
  );

  app.get(
    '/supervision/cards',
    { config: { permission: needs('stats.view') }, schema: { hide: true } },
    async (req, reply) => {
      const q = parse(CardsQuery, req.query);
      const r = await svc.cards(requirePrincipal(req), q);
      const back = new URLSearchParams({
        region: r.region.code,
        ...(r.department ? { department: r.department.id } : {}),
      });
      const ctx = req.view(reply);
      return sendHtml(
        reply,
        renderPage(
          ctx,
          ctx.t(`stats.drill.title.${q.colour}`),
          <CardsPage
            ctx={ctx}
            m={{ colour: q.colour, backHref: `/supervision?${back.toString()}`, cases: r.cases }}
          />,
          { wide: true },
        ),
      );
    },
  );

  app.get(
    '/performance',
    { config: { permission: 'public' }, schema: { hide: true } },
    async (req, reply) => {
      const q = parse(PerformanceQuery.omit({ department: true }), req.query);
      const perf = await svc.performance(undefined, q, { publicView: true, rows: 'none' });
      const lists = await svc.filterLists(svc.homeRegion);
      const filters: FilterModel = {
        action: '/performance',
        months: svc.months(),
        divisions: lists.divisions,
        from: perf.period.from,
        to: perf.period.to,
        region: perf.region.code,
        department: '',
      };
      const ctx = req.view(reply);
      return sendHtml(
        reply,
        renderPage(
          ctx,
          ctx.t('stats.public.title'),
          <PublicPerformancePage ctx={ctx} perf={perf} filters={filters} />,
          {
            wide: true,
          },
        ),
      );
    },
  );
}
