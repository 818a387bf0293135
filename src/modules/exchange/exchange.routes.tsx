import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { type App, formBody, requirePrincipal } from '../../platform/http/index.js';
import { renderPage, sendHtml } from '../../platform/views/index.js';
import {
  CataloguePage,
  MyDataAccessPage,
  ProviderDashboardPage,
  ResourcePage,
  type ResourceView,
} from './exchange.pages.js';
import type { ExchangePorts } from './exchange.ports.js';
import type { ExchangeService } from './exchange.service.js';
import {
  DataItem,
  DecisionInput,
  LookupInput,
  REGISTERS,
  RESOURCE_CLASSES,
  RequestInput,
  type Resource,
  SHARE_TYPES,
} from './exchange.types.js';

const resourceSchema = z.object({
  code: z.string(),
  name: z.string(),
  classification: z.enum(RESOURCE_CLASSES),
  category: z.string(),
  providerDepartmentId: z.string(),
  providerName: z.string(),
  summary: z.string(),
  register: z.enum(REGISTERS),
  items: z.array(DataItem.omit({ mask: true })),
  shareType: z.enum(SHARE_TYPES),
  shareCondition: z.string(),
  legalBasis: z.string(),
  methods: z.array(z.enum(['api', 'bulk'])),
  updateCycle: z.string(),
  publishedOn: z.string(),
  version: z.number().int(),
});

const requestSchema = z.object({
  id: z.string(),
  resource: z.string(),
  departmentId: z.string(),
  fields: z.array(z.string()),
  clearFields: z.array(z.string()),
  status: z.enum(['pending', 'granted', 'refused']),
  reason: z.string().nullable(),
  dueOn: z.string().describe('the provider answers by this date (10 working days)'),
  clock: z
    .object({
      due: z.string(),
      remainingWorkingDays: z.number().int(),
      colour: z.enum(['green', 'yellow', 'red']),
    })
    .nullable(),
  grantId: z.string().nullable(),
});

const accessSchema = z.object({
  id: z.string(),
  at: z.string(),
  department: z.string().nullable(),
  departmentName: z.string().nullable(),
  resource: z.string(),
  resourceName: z.string().nullable(),
  fields: z.array(z.string()),
  purpose: z.string(),
  caseNumber: z.string().nullable(),
  outcome: z.string().describe('`ok`, or the code of the refusal'),
  proof: z.string().describe('the transparency-log page of this read'),
  objection: z.object({ status: z.string(), dueOn: z.string() }).nullable(),
});

const IdParams = z.object({ id: z.string().min(1).max(64) });

export function exchangeRoutes(app: App, svc: ExchangeService, ports: ExchangePorts): void {
  const names = new Map<string, string>();
  const withProvider = async (r: Resource): Promise<ResourceView> => {
    let n = names.get(r.providerDepartmentId);
    if (n === undefined) {
      n = (await ports.regions.departmentById(r.providerDepartmentId))?.name ?? r.providerDepartmentId;
      names.set(r.providerDepartmentId, n);
    }
    return { ...r, providerName: n };
  };
  const requestView = (r: Awaited<ReturnType<ExchangeService['getRequest']>>) => ({
    id: r.id,
    resource: r.resourceCode,
    departmentId: r.departmentId,
    fields: [...r.fields],
    clearFields: [...r.clearFields],
    status: r.status,
    reason: r.reason,
    dueOn: r.dueOn,
    clock: svc.requestClock(r),
    grantId: r.grantId,
  });

  app.get(
    '/api/v1/exchange/resources',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['exchange'],
        summary: 'The data-sharing catalogue (政务数据共享目录)',
        querystring: z.object({
          q: z.string().max(60).optional(),
          shareType: z.enum(SHARE_TYPES).optional(),
          provider: z.string().max(64).optional(),
        }),
        response: { 200: z.object({ total: z.number().int(), resources: z.array(resourceSchema) }) },
      },
    },
    async (req) => {
      const q = req.query as { q?: string; shareType?: string; provider?: string };
      const rows = await svc.searchResources({ text: q.q, shareType: q.shareType, provider: q.provider });
      const resources = await Promise.all(rows.map(withProvider));
      return {
        total: resources.length,
        resources: resources.map((r) => ({
          ...r,
          methods: [...r.methods],
          items: r.items.map(({ mask: _m, ...i }) => i),
        })),
      };
    },
  );

  app.post(
    '/api/v1/exchange/requests',
    {
      config: { permission: { permission: 'exchange.read' } },
      schema: {
        tags: ['exchange'],
        summary: 'A consumer department requests a resource (共享申请)',
        body: RequestInput,
        response: { 201: requestSchema },
      },
    },
    async (req, reply) => {
      const r = await svc.requestResource(requirePrincipal(req), req.body);
      return reply.code(201).send(requestView(r));
    },
  );

  app.post(
    '/api/v1/exchange/requests/:id/decision',
    {
      config: { permission: { permission: 'exchange.manage' } },
      schema: {
        tags: ['exchange'],
        summary: 'The provider grants or refuses (with a reason) a pending request',
        params: IdParams,
        body: DecisionInput,
        response: { 200: requestSchema },
      },
    },
    async (req) => requestView(await svc.decideRequest(requirePrincipal(req), req.params.id, req.body)),
  );

  app.post(
    '/api/v1/exchange/grants/:id/status',
    {
      config: { permission: { permission: 'exchange.manage' } },
      schema: {
        tags: ['exchange'],
        summary: 'The provider suspends, revokes or resumes a grant (effective on every node at once)',
        params: IdParams,
        body: z.object({ status: z.enum(['active', 'suspended', 'revoked']), reason: z.string().max(500) }),
        response: { 200: z.object({ id: z.string(), status: z.enum(['active', 'suspended', 'revoked']) }) },
      },
    },
    async (req) => {
      const g = await svc.setGrantStatus(
        requirePrincipal(req),
        req.params.id,
        req.body.status,
        req.body.reason,
      );
      return { id: g.id, status: g.status };
    },
  );

  app.post(
    '/api/v1/exchange/lookup',
    {
      config: { permission: { permission: 'exchange.read' } },
      schema: {
        tags: ['exchange'],
        summary:
          'One lookup: only the granted fields, masked unless the grant allows clear values; recorded first',
        body: LookupInput,
        response: {
          200: z.object({
            record: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
            accessId: z.string(),
          }),
        },
      },
    },
    async (req) => svc.lookup(requirePrincipal(req), req.body),
  );

  app.get(
    '/api/v1/me/data-access',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags: ['exchange'],
        summary: '我的数据使用记录: who read the caller’s data, why, for which case',
        response: { 200: z.object({ total: z.number().int(), records: z.array(accessSchema) }) },
      },
    },
    async (req) => {
      const rows = await svc.myDataAccess(requirePrincipal(req));
      return {
        total: rows.length,
        records: rows.map((a) => ({
          id: a.id,
          at: a.at,
          department: a.departmentId,
          departmentName: a.departmentName,
          resource: a.resourceCode,
          resourceName: a.resourceName,
          fields: [...a.fields],
          purpose: a.purpose,
          caseNumber: a.caseNumber,
          outcome: a.outcome,
          proof: `/log/object?type=exchangeAccess&id=${encodeURIComponent(a.id)}`,
          objection: a.objection,
        })),
      };
    },
  );

  app.post(
    '/api/v1/me/data-access/:id/objections',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags: ['exchange'],
        summary: 'Object to a read of the caller’s data (goes to the provider with a 10-working-day clock)',
        params: IdParams,
        body: z.object({ text: z.string().max(1000) }),
        response: { 201: z.object({ id: z.string(), dueOn: z.string() }) },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await svc.raiseObjection(requirePrincipal(req), req.params.id, req.body.text)),
  );

  // ── pages ──────────────────────────────────────────────────────────────────────────────────

  app.get(
    '/exchange',
    {
      config: { permission: 'public' },
      schema: {
        hide: true,
        querystring: z.object({ q: z.string().max(60).optional(), shareType: z.string().max(20).optional() }),
      },
    },
    async (req, reply) => {
      const q = req.query as { q?: string; shareType?: string };
      const shareType = (SHARE_TYPES as readonly string[]).includes(q.shareType ?? '')
        ? q.shareType
        : undefined;
      const rows = await Promise.all(
        (await svc.searchResources({ text: q.q?.trim() || undefined, shareType })).map(withProvider),
      );
      const ctx = req.view(reply);
      return sendHtml(
        reply,
        renderPage(
          ctx,
          ctx.t('exchange.catalogue.title'),
          <CataloguePage ctx={ctx} rows={rows} q={q.q ?? ''} shareType={shareType ?? ''} />,
          { wide: true },
        ),
      );
    },
  );

  app.get(
    '/exchange/resources/:code',
    {
      config: { permission: 'public' },
      schema: { hide: true, params: z.object({ code: z.string().min(1).max(40) }) },
    },
    async (req, reply) => {
      const r = await withProvider(await svc.getResource(req.params.code));
      const ctx = req.view(reply);
      return sendHtml(reply, renderPage(ctx, r.name, <ResourcePage ctx={ctx} r={r} />));
    },
  );

  const myPage = async (req: FastifyRequest, reply: FastifyReply, notice?: string) => {
    const rows = await svc.myDataAccess(requirePrincipal(req));
    const ctx = req.view(reply);
    return sendHtml(
      reply,
      renderPage(
        ctx,
        ctx.t('exchange.my.title'),
        <MyDataAccessPage ctx={ctx} rows={rows} notice={notice} />,
        {
          wide: true,
        },
      ),
    );
  };

  app.get(
    '/exchange/provider',
    {
      config: { permission: { permission: 'exchange.manage' } },
      schema: { hide: true, querystring: z.object({ department: z.string().max(64).optional() }) },
    },
    async (req, reply) => {
      const q = req.query as { department?: string };
      const d = await svc.providerDashboard(requirePrincipal(req), q.department || undefined);
      const ctx = req.view(reply);
      return sendHtml(
        reply,
        renderPage(ctx, ctx.t('exchange.dash.title'), <ProviderDashboardPage ctx={ctx} d={d} />, {
          wide: true,
        }),
      );
    },
  );

  app.get(
    '/account/data-access',
    { config: { permission: 'authenticated' }, schema: { hide: true } },
    (req, reply) => myPage(req, reply),
  );

  app.post(
    '/account/data-access/:id/objection',
    { config: { permission: 'authenticated' }, schema: { hide: true, params: IdParams } },
    async (req, reply) => {
      const f = formBody(req);
      const o = await svc.raiseObjection(
        requirePrincipal(req),
        (req.params as { id: string }).id,
        f.text ?? '',
      );
      const ctx = req.view(reply);
      return myPage(req, reply, ctx.t('exchange.my.objected', { due: o.dueOn }));
    },
  );
}
