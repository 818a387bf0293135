import { z } from 'zod';
import { DomainError } from '../../kernel/index.js';
import type { App } from '../../platform/http/index.js';
import { renderPage, sendHtml } from '../../platform/views/index.js';
import type { ConvenienceBrowseApi } from './disclosure.convenience.js';
import { ConvenienceBrowsePage } from './disclosure.convenience.pages.js';
import type { BodiesPort } from './disclosure.ports.js';
import { ConvenienceClass, ConvenienceQuery } from './disclosure.types.js';

const CITY = '410100';

const Hit = z.object({
  id: z.string(),
  class: ConvenienceClass,
  name: z.string(),
  regionCode: z.string(),
  address: z.string(),
  phone: z.string(),
  hours: z.string(),
  description: z.string(),
  lat: z.number().nullable().optional(),
  lng: z.number().nullable().optional(),
  distanceKm: z.number().nullable(),
  url: z.string(),
  createdAt: z.string(),
});

export function convenienceRoutes(app: App, conv: ConvenienceBrowseApi, bodies: BodiesPort): void {
  app.get(
    '/api/v1/convenience',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['disclosure'],
        summary:
          '便民服务信息 by class and division, nearest first from a division (near) or a point (lat, lng)',
        querystring: ConvenienceQuery,
        response: {
          200: z.object({
            total: z.number(),
            origin: z.object({ lat: z.number(), lng: z.number(), region: z.string().nullable() }).nullable(),
            items: z.array(Hit),
          }),
        },
      },
    },
    async (req) => conv.browse(req.query as ConvenienceQuery),
  );

  app.get(
    '/convenience',
    { config: { permission: 'public' }, schema: { hide: true } },
    async (req, reply) => {
      const raw = req.query as Record<string, unknown>;
      const clean: Record<string, string> = {};
      // an empty select or field ("全部", no position) is no filter
      for (const [k, v] of Object.entries(raw))
        if (typeof v === 'string' && v.trim() !== '' && k !== 'lang') clean[k] = v.trim();
      const parsed = ConvenienceQuery.safeParse(clean);
      if (!parsed.success)
        throw new DomainError('COMMON.VALIDATION', {
          details: {
            issues: parsed.error.issues.map((i) => ({
              field: `querystring.${i.path.join('.')}`,
              rule: i.code,
            })),
          },
        });
      const q = parsed.data;
      const [r, counts, regions, choices] = await Promise.all([
        conv.browse(q),
        conv.classCounts(q.region),
        bodies.divisions(CITY),
        conv.choices(CITY),
      ]);
      const { page: _p, ...query } = clean;
      const ctx = req.view(reply);
      return sendHtml(
        reply,
        renderPage(
          ctx,
          ctx.t('disclosure.convenience.browse'),
          <ConvenienceBrowsePage
            ctx={ctx}
            query={query}
            r={r}
            page={q.page}
            pageSize={q.pageSize}
            counts={counts}
            regions={regions}
            choices={choices}
          />,
          { wide: true },
        ),
      );
    },
  );
}
