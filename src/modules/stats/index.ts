import { z } from 'zod';
import { chinaDate } from '../../kernel/index.js';
import type { EventRecord } from '../../platform/events/index.js';
import type { ModuleDefinition, PlatformDeps } from '../../platform/module.js';
import { performanceConsumer } from './stats.consumer.js';
import { statsMessages } from './stats.messages.js';
import { type StatsPorts, noStatsPorts } from './stats.ports.js';
import { statsRoutes } from './stats.routes.js';
import { createStatsService } from './stats.service.js';
import { addCounts, countsByType, statsMigrations } from './stats.store.js';
import './stats.errors.js';

export { PERFORMANCE_CONSUMER, applyPerformance, performanceConsumer } from './stats.consumer.js';
export { recountPerformance } from './stats.recount.js';
export { allPerformanceCells } from './stats.store.js';
export type { StatsDepartment, StatsDivision, StatsItem, StatsPorts } from './stats.ports.js';
export { StatsErrors } from './stats.errors.js';

/**
 * Supervision statistics (效能监察): projections of the event stream — daily event counters, and
 * the performance figures by department × region × China month (stats.performance.ts) — their
 * JSON and CSV, the supervisor's pages with the 红黄牌 drill-down, and the public summary.
 */
export function createStatsModule(
  deps: PlatformDeps,
  opts: { ports?: StatsPorts; homeRegion?: string } = {},
) {
  const svc = createStatsService({
    db: deps.store.db,
    clock: deps.clock,
    ports: opts.ports ?? noStatsPorts,
    homeRegion: opts.homeRegion ?? '410100',
  });
  const definition: ModuleDefinition = {
    name: 'stats',
    migrations: statsMigrations,
    messages: statsMessages,
    nav: (p) => [
      { href: '/performance', labelKey: 'stats.nav.public' },
      ...(p?.grants.some((g) => g.permissions.includes('stats.view'))
        ? [{ href: '/supervision', labelKey: 'stats.nav.supervision' }]
        : []),
    ],
    consumers: [
      {
        name: 'stats.event-counts',
        batchSize: 1000,
        async handle(trx, events: EventRecord[]) {
          const acc = new Map<string, { day: string; type: string; regionCode: string; n: number }>();
          // China is UTC+8 all year: within a batch the day of an instant written by toISOString
          // follows from its UTC hour, computed once per hour seen
          const days = new Map<string, string>();
          const dayOf = (at: string): string => {
            if (at.length !== 24 || at[23] !== 'Z') return chinaDate(at);
            const hour = at.slice(0, 13);
            let d = days.get(hour);
            if (d === undefined) {
              d = chinaDate(at);
              days.set(hour, d);
            }
            return d;
          };
          for (const e of events) {
            // the China day (UTC+8): an event at 02:47 on the 5th UTC+8 counts on the 5th
            const day = dayOf(e.createdAt);
            const regionCode = e.regionCode ?? '';
            const k = `${day}|${e.type}|${regionCode}`;
            const cur = acc.get(k);
            if (cur) cur.n++;
            else acc.set(k, { day, type: e.type, regionCode, n: 1 });
          }
          await addCounts(trx, [...acc.values()]);
        },
      },
      // the supervision figures (效能监察): department × region × China month
      performanceConsumer(),
    ],
    routes(app) {
      statsRoutes(app, svc);
      app.get(
        '/api/v1/stats/events',
        {
          config: { permission: 'public' },
          schema: {
            tags: ['stats'],
            summary: 'Event counts by type (supervision figures; no personal data)',
            querystring: z.object({
              from: z.iso.date().optional(),
              to: z.iso.date().optional(),
              region: z
                .string()
                .regex(/^\d{2,12}$/)
                .optional(),
            }),
          },
        },
        async (req) => {
          const q = req.query as { from?: string; to?: string; region?: string };
          const rows = await countsByType(deps.store.db, { from: q.from, to: q.to, regionPrefix: q.region });
          return { counts: rows };
        },
      );
    },
  };
  return { definition, api: svc };
}
