import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { DomainError } from '../../kernel/index.js';
import type { App } from '../../platform/http/index.js';
import { renderPage, sendHtml } from '../../platform/views/index.js';
import {
  DUTY_CSV_COLUMNS,
  type ListsApi,
  NEGATIVE_CSV_COLUMNS,
  POWER_CSV_COLUMNS,
  dutyCsvRows,
  dutyEntry,
  negativeCsvRow,
  powerCsvRow,
  powerEntry,
} from './catalog.lists.js';
import { DutyListPage, ListsIndexPage, NegativeListPage, PowerListPage } from './catalog.lists.pages.js';
import { NegativeListQuery, PowerListQuery } from './catalog.types.js';

const tags = ['lists'];
const ExportPowerQuery = PowerListQuery.omit({ page: true, pageSize: true });

/** A form's empty select ("全部") sends `department=`: no filter. The rest is validated. */
function parsePageQuery<T extends z.ZodType>(schema: T, raw: Record<string, unknown>): z.infer<T> {
  const clean: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw))
    if (typeof v === 'string' && v !== '' && k !== 'lang') clean[k] = v;
  const r = schema.safeParse(clean);
  if (!r.success)
    throw new DomainError('COMMON.VALIDATION', {
      details: {
        issues: r.error.issues.map((i) => ({ field: `querystring.${i.path.join('.')}`, rule: i.code })),
      },
    });
  return r.data;
}

/** the filters in force, for links (pagination, exports) */
function filterStrings(q: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(q))
    if (v !== undefined && v !== '' && k !== 'page' && k !== 'pageSize') out[k] = String(v);
  return out;
}

function attachment(reply: FastifyReply, type: string, name: string) {
  return reply
    .type(type)
    .header('content-disposition', `attachment; filename="${name}"`)
    .header('cache-control', 'no-store');
}

const LegalBasisOut = z.object({ law: z.string(), article: z.string() });
const PowerEntryOut = z.object({
  implementationCode: z.string(),
  basicCode: z.string(),
  version: z.number(),
  name: z.string(),
  type: z.string(),
  department: z.string(),
  departmentId: z.string(),
  region: z.string(),
  level: z.string(),
  powerSource: z.string(),
  bodyNature: z.string(),
  entrustedBy: z.string().nullable(),
  legalBasis: z.array(LegalBasisOut),
  publishedAt: z.string().nullable(),
  url: z.string(),
});
const DutyEntryOut = z.object({
  implementationCode: z.string(),
  basicCode: z.string(),
  version: z.number(),
  name: z.string(),
  type: z.string(),
  department: z.string(),
  departmentId: z.string(),
  region: z.string(),
  duties: z.array(
    z.object({ content: z.string(), basis: z.string().optional(), accountability: z.string().optional() }),
  ),
  supervision: z.object({
    complaint: z.array(z.object({ kind: z.string(), value: z.string() })),
    reconsideration: z.string(),
    litigation: z.string(),
  }),
  url: z.string(),
});
const EditionOut = z.object({ edition: z.string(), title: z.string(), publishedOn: z.string() });
const NegativeOut = z.object({
  edition: EditionOut.nullable(),
  editions: z.array(EditionOut),
  total: z.number(),
  counts: z.object({ prohibited: z.number(), permitted: z.number() }),
  measures: z.array(
    z.object({
      code: z.string(),
      category: z.enum(['prohibited', 'permitted']),
      measure: z.string(),
      basis: z.string().optional(),
      basicCodes: z.array(z.string()),
      items: z.array(
        z.object({
          basicCode: z.string(),
          name: z.string().nullable(),
          implementations: z.number(),
          url: z.string(),
        }),
      ),
    }),
  ),
  changes: z
    .object({ previous: z.string(), added: z.array(z.string()), removed: z.array(z.string()) })
    .nullable(),
});

export function listsRoutes(
  app: App,
  lists: ListsApi,
  departments: () => Promise<Array<{ id: string; name: string }>>,
): void {
  // ── JSON API ─────────────────────────────────────────────────────────────────────────────
  app.get(
    '/api/v1/lists/power',
    {
      config: { permission: 'public' },
      schema: {
        tags,
        summary:
          '权力清单: power items (types 01–10) with legal basis and source of power, now or as of a day',
        querystring: PowerListQuery,
        response: {
          200: z.object({ total: z.number(), asOf: z.string().nullable(), items: z.array(PowerEntryOut) }),
        },
      },
    },
    async (req) => lists.power(req.query as PowerListQuery),
  );

  app.get(
    '/api/v1/lists/duties',
    {
      config: { permission: 'public' },
      schema: {
        tags,
        summary: '责任清单: the duties of each power item, their basis and accountability',
        querystring: PowerListQuery,
        response: {
          200: z.object({ total: z.number(), asOf: z.string().nullable(), items: z.array(DutyEntryOut) }),
        },
      },
    },
    async (req) => lists.duties(req.query as PowerListQuery),
  );

  app.get(
    '/api/v1/lists/negative',
    {
      config: { permission: 'public' },
      schema: {
        tags,
        summary: '负面清单: one edition of the market-access negative list (the latest by default)',
        querystring: NegativeListQuery,
        response: { 200: NegativeOut },
      },
    },
    async (req) => lists.negative(req.query as NegativeListQuery),
  );

  // ── exports: every matching row, CSV (RFC 4180, formula-neutralised) or JSON ─────────────
  // the power list and the duty list are two readings of the same item versions
  const versionLists = [
    {
      list: 'power',
      file: 'power-list',
      title: '权力清单',
      columns: POWER_CSV_COLUMNS,
      csvRows: (v: Parameters<typeof powerEntry>[0]) => [powerCsvRow(powerEntry(v))],
      entry: powerEntry,
    },
    {
      list: 'duties',
      file: 'duty-list',
      title: '责任清单',
      columns: DUTY_CSV_COLUMNS,
      csvRows: (v: Parameters<typeof dutyEntry>[0]) => dutyCsvRows(dutyEntry(v)),
      entry: dutyEntry,
    },
  ] as const;
  for (const l of versionLists) {
    app.get(
      `/api/v1/lists/${l.list}.csv`,
      {
        config: { permission: 'public' },
        schema: { tags, summary: `${l.title} as CSV`, querystring: ExportPowerQuery },
      },
      async (req, reply) => {
        const lines = [l.columns.join(',')];
        for await (const page of lists.allPower(req.query as z.infer<typeof ExportPowerQuery>))
          for (const v of page) lines.push(...l.csvRows(v));
        return attachment(reply, 'text/csv; charset=utf-8', `${l.file}.csv`).send(
          `${lines.join('\r\n')}\r\n`,
        );
      },
    );
    app.get(
      `/api/v1/lists/${l.list}.json`,
      {
        config: { permission: 'public' },
        schema: { tags, summary: `${l.title} as JSON`, querystring: ExportPowerQuery },
      },
      async (req, reply) => {
        const q = req.query as z.infer<typeof ExportPowerQuery>;
        const items: unknown[] = [];
        for await (const page of lists.allPower(q)) items.push(...page.map((v) => l.entry(v)));
        return attachment(reply, 'application/json; charset=utf-8', `${l.file}.json`).send(
          JSON.stringify({
            list: l.list,
            asOf: q.asOf ?? null,
            filters: filterStrings(q),
            count: items.length,
            items,
          }),
        );
      },
    );
  }
  app.get(
    '/api/v1/lists/negative.csv',
    {
      config: { permission: 'public' },
      schema: { tags, summary: '负面清单 as CSV', querystring: NegativeListQuery },
    },
    async (req, reply) => {
      const v = await lists.negative(req.query as NegativeListQuery);
      const lines = [
        NEGATIVE_CSV_COLUMNS.join(','),
        ...v.measures.map((m) => negativeCsvRow(v.edition!.edition, m)),
      ];
      return attachment(
        reply,
        'text/csv; charset=utf-8',
        `negative-list-${v.edition?.edition ?? 'none'}.csv`,
      ).send(`${lines.join('\r\n')}\r\n`);
    },
  );
  app.get(
    '/api/v1/lists/negative.json',
    {
      config: { permission: 'public' },
      schema: { tags, summary: '负面清单 as JSON', querystring: NegativeListQuery },
    },
    async (req, reply) => {
      const v = await lists.negative(req.query as NegativeListQuery);
      return attachment(
        reply,
        'application/json; charset=utf-8',
        `negative-list-${v.edition?.edition ?? 'none'}.json`,
      ).send(JSON.stringify({ list: 'negative', ...v }));
    },
  );

  // ── pages ────────────────────────────────────────────────────────────────────────────────
  app.get('/lists', { config: { permission: 'public' }, schema: { hide: true } }, async (req, reply) => {
    const ctx = req.view(reply);
    return sendHtml(reply, renderPage(ctx, ctx.t('catalog.lists.title'), <ListsIndexPage ctx={ctx} />));
  });

  for (const kind of ['power', 'duties'] as const) {
    app.get(
      `/lists/${kind}`,
      { config: { permission: 'public' }, schema: { hide: true } },
      async (req, reply) => {
        const raw = req.query as Record<string, unknown>;
        const q = parsePageQuery(PowerListQuery, { pageSize: kind === 'duties' ? '10' : '50', ...raw });
        const query = filterStrings({ ...q, pageSize: undefined });
        const ctx = req.view(reply);
        const depts = await departments();
        const common = { ctx, query, departments: depts, page: q.page, pageSize: q.pageSize };
        if (kind === 'power') {
          const r = await lists.power(q);
          return sendHtml(
            reply,
            renderPage(
              ctx,
              ctx.t('catalog.lists.power.title'),
              <PowerListPage kind="power" {...common} {...r} />,
              {
                wide: true,
              },
            ),
          );
        }
        const r = await lists.duties(q);
        return sendHtml(
          reply,
          renderPage(
            ctx,
            ctx.t('catalog.lists.duties.title'),
            <DutyListPage kind="duties" {...common} {...r} />,
            {
              wide: true,
            },
          ),
        );
      },
    );
  }

  app.get(
    '/lists/negative',
    { config: { permission: 'public' }, schema: { hide: true } },
    async (req, reply) => {
      const q = parsePageQuery(NegativeListQuery, req.query as Record<string, unknown>);
      const view = await lists.negative(q);
      const ctx = req.view(reply);
      return sendHtml(
        reply,
        renderPage(
          ctx,
          ctx.t('catalog.lists.negative.title'),
          <NegativeListPage ctx={ctx} view={view} query={filterStrings(q)} />,
          { wide: true },
        ),
      );
    },
  );
}
