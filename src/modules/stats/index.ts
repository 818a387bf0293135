import { z } from 'zod';
import type { EventRecord } from '../../platform/events/index.js';
import type { ModuleDefinition, PlatformDeps } from '../../platform/module.js';
import { performanceConsumer } from './stats.consumer.js';
import { addCounts, countsByType, statsMigrations } from './stats.store.js';

export { PERFORMANCE_CONSUMER, applyPerformance, performanceConsumer } from './stats.consumer.js';
export { recountPerformance } from './stats.recount.js';
export { allPerformanceCells } from './stats.store.js';

/**
 * Supervision statistics. So far: a projection of the event stream into daily counters, which
 * exercises the outbox end to end (idempotent: its position advances in the same transaction).
 */
export function createStatsModule(deps: PlatformDeps) {
  const definition: ModuleDefinition = {
    name: 'stats',
    migrations: statsMigrations,
    consumers: [
      {
        name: 'stats.event-counts',
        batchSize: 1000,
        async handle(trx, events: EventRecord[]) {
          const acc = new Map<string, { day: string; type: string; regionCode: string; n: number }>();
          for (const e of events) {
            const day = e.createdAt.slice(0, 10);
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
  return { definition };
}
