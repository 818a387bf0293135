import { z } from 'zod';
import { DomainError } from '../../kernel/index.js';
import type { App } from '../../platform/http/index.js';
import { renderPage, sendHtml } from '../../platform/views/index.js';
import { ConveniencePage, PublicationListPage, PublicationPage, WithdrawnPage } from './disclosure.pages.js';
import type { DisclosureService } from './disclosure.service.js';
import { PublicationListQuery } from './disclosure.types.js';

const IdParams = z.object({ id: z.string().min(1).max(64) });

export function disclosureRoutes(app: App, svc: DisclosureService): void {
  app.get(
    '/disclosure',
    {
      config: { permission: 'public' },
      schema: {
        hide: true,
        querystring: z.object({
          domain: z.string().max(20).optional(),
          region: z.string().max(12).optional(),
          page: z.string().max(6).optional(),
        }),
      },
    },
    async (req, reply) => {
      const raw = req.query as Record<string, string | undefined>;
      // an empty select ("全部") sends domain= : treat it as no filter
      const parsed = PublicationListQuery.safeParse({
        domain: raw.domain || undefined,
        region: raw.region || undefined,
        page: raw.page || 1,
      });
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
      const r = await svc.list(q);
      const ctx = req.view(reply);
      return sendHtml(
        reply,
        renderPage(
          ctx,
          ctx.t('disclosure.list.title'),
          <PublicationListPage ctx={ctx} {...r} domain={q.domain} region={q.region} />,
          { wide: true },
        ),
      );
    },
  );

  app.get(
    '/disclosure/:id',
    { config: { permission: 'public' }, schema: { hide: true, params: IdParams } },
    async (req, reply) => {
      const id = (req.params as { id: string }).id;
      const p = await svc.findPublication(id);
      const ctx = req.view(reply);
      if (!p) {
        // withdrawn (撤回): the page says so and why, with 410 Gone; the text stays in the record
        const w = await svc.findWithdrawn(id);
        if (!w) throw new DomainError('DISCLOSURE.NOT_FOUND');
        return sendHtml(reply, renderPage(ctx, w.title, <WithdrawnPage ctx={ctx} w={w} />), 410);
      }
      return sendHtml(reply, renderPage(ctx, p.title, <PublicationPage ctx={ctx} p={p} />));
    },
  );

  app.get(
    '/convenience/:id',
    { config: { permission: 'public' }, schema: { hide: true, params: IdParams } },
    async (req, reply) => {
      const c = await svc.getConvenience((req.params as { id: string }).id);
      const ctx = req.view(reply);
      return sendHtml(reply, renderPage(ctx, c.name, <ConveniencePage ctx={ctx} c={c} />));
    },
  );
}
