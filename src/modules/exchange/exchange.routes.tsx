import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DomainError, isDomainError } from '../../kernel/index.js';
import { type App, formBody, requirePrincipal } from '../../platform/http/index.js';
import { renderPage, sendHtml } from '../../platform/views/index.js';
import {
  CataloguePage,
  MyDataAccessPage,
  ProviderDashboardPage,
  ResourceEditPage,
  type ResourceEditValues,
  ResourcePage,
  type ResourceView,
} from './exchange.pages.js';
import { seesCatalogueDetails } from './exchange.catalogue.js';
import { bulkCsv } from './exchange.lookup.js';
import { ObjectionAnswer } from './exchange.objections.js';
import type { ExchangePorts } from './exchange.ports.js';
import type { NoticeView } from './exchange.notices.js';
import type { ExchangeService } from './exchange.service.js';
import {
  BulkInput,
  DataItem,
  DecisionInput,
  LookupInput,
  REGISTERS,
  RESOURCE_CLASSES,
  RequestInput,
  type Resource,
  ResourceEdit,
  SHARE_TYPES,
} from './exchange.types.js';

/** A catalogue entry as everyone reads it (the public description). */
const resourcePublicSchema = z.object({
  code: z.string(),
  name: z.string(),
  classification: z.enum(RESOURCE_CLASSES),
  category: z.string(),
  providerDepartmentId: z.string(),
  providerName: z.string(),
  summary: z.string(),
  register: z.enum(REGISTERS),
  shareType: z.enum(SHARE_TYPES),
  methods: z.array(z.enum(['api', 'bulk'])),
  updateCycle: z.string(),
  publishedOn: z.string(),
  version: z.number().int(),
});

/** The details, for signed-in staff and department consumers only (`seesCatalogueDetails`). */
const resourceSchema = resourcePublicSchema.extend({
  items: z.array(DataItem.omit({ mask: true })),
  shareCondition: z.string(),
  legalBasis: z.string(),
});

/** Either: the details are present only for a caller who may see them. */
const resourceAnySchema = resourcePublicSchema.extend({
  items: z
    .array(DataItem.omit({ mask: true }))
    .optional()
    .describe('staff and department consumers only'),
  shareCondition: z.string().optional().describe('staff and department consumers only'),
  legalBasis: z.string().optional().describe('staff and department consumers only'),
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
  objection: z
    .object({
      status: z.enum(['open', 'answered']),
      dueOn: z.string(),
      result: z.enum(['rejected', 'corrected']).nullable(),
      answer: z.string().nullable(),
      answeredAt: z.string().nullable(),
      corrected: z.array(z.string()).describe('the data items corrected in the register'),
    })
    .nullable(),
});

const objectionSchema = z.object({
  id: z.string(),
  accessId: z.string(),
  resourceCode: z.string().nullable(),
  resourceName: z.string().nullable(),
  text: z.string(),
  status: z.enum(['open', 'answered']),
  raisedBy: z.enum(['subject', 'consumer']),
  result: z.enum(['rejected', 'corrected']).nullable(),
  answer: z.string().nullable(),
  raisedAt: z.string(),
  dueOn: z.string(),
  answeredAt: z.string().nullable(),
  corrected: z.array(z.string()),
  clock: z
    .object({ remainingWorkingDays: z.number().int(), colour: z.enum(['green', 'yellow', 'red']) })
    .nullable(),
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

  /** the public description of an entry: named fields only, so nothing new leaks by default */
  const resourcePublic = (r: ResourceView) => ({
    code: r.code,
    name: r.name,
    classification: r.classification,
    category: r.category,
    providerDepartmentId: r.providerDepartmentId,
    providerName: r.providerName,
    summary: r.summary,
    register: r.register,
    shareType: r.shareType,
    methods: [...r.methods],
    updateCycle: r.updateCycle,
    publishedOn: r.publishedOn,
    version: r.version,
  });
  const resourceOut = (r: ResourceView) => ({
    ...resourcePublic(r),
    items: r.items.map(({ mask: _m, ...i }) => i),
    shareCondition: r.shareCondition,
    legalBasis: r.legalBasis,
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
        response: { 200: z.object({ total: z.number().int(), resources: z.array(resourceAnySchema) }) },
      },
    },
    async (req) => {
      const q = req.query as { q?: string; shareType?: string; provider?: string };
      const rows = await svc.searchResources({ text: q.q, shareType: q.shareType, provider: q.provider });
      const resources = await Promise.all(rows.map(withProvider));
      const out = seesCatalogueDetails(req.principal) ? resourceOut : resourcePublic;
      return { total: resources.length, resources: resources.map(out) };
    },
  );

  app.get(
    '/api/v1/exchange/resources/:code',
    {
      config: { permission: 'public' },
      schema: {
        tags: ['exchange'],
        summary: 'One catalogue entry: the public description, with the details for staff',
        description:
          'Everyone gets the entry’s name, code, classification, provider, summary, share type, methods, update cycle and publish date; signed-in staff and department consumer systems also get its data items (type, sensitivity), share condition and legal basis.',
        params: z.object({ code: z.string().min(1).max(40) }),
        response: { 200: resourceAnySchema },
      },
    },
    async (req) => {
      const r = await withProvider(await svc.getResource(req.params.code));
      return seesCatalogueDetails(req.principal) ? resourceOut(r) : resourcePublic(r);
    },
  );

  app.patch(
    '/api/v1/exchange/resources/:code',
    {
      config: { permission: { permission: 'exchange.manage' } },
      schema: {
        tags: ['exchange'],
        summary: 'The providing department edits its own resource (published as the next version)',
        description:
          'Only the fields given change; the code, register, providing department and division cannot. Another department’s provider is refused (EXCHANGE.NOT_PROVIDER) before anything is read or written.',
        params: z.object({ code: z.string().min(1).max(40) }),
        body: ResourceEdit,
        response: { 200: resourceSchema },
      },
    },
    async (req) =>
      resourceOut(
        await withProvider(await svc.editResource(requirePrincipal(req), req.params.code, req.body)),
      ),
  );

  app.get(
    '/api/v1/exchange/resources/:code/versions',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags: ['exchange'],
        summary: 'A resource’s version history (newest first, with the fields each version changed)',
        description: 'Signed-in staff and department consumer systems only (EXCHANGE.DETAILS_STAFF_ONLY).',
        params: z.object({ code: z.string().min(1).max(40) }),
        response: {
          200: z.object({
            code: z.string(),
            versions: z.array(
              z.object({ version: z.number().int(), changedAt: z.string(), changed: z.array(z.string()) }),
            ),
          }),
        },
      },
    },
    async (req) => {
      if (!seesCatalogueDetails(req.principal)) throw new DomainError('EXCHANGE.DETAILS_STAFF_ONLY');
      const r = await svc.getResource(req.params.code);
      return { code: r.code, versions: await svc.resourceHistory(r.id) };
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
      // the hot route (docs/benchmarks.md): the schemas above are its documentation; the body is
      // validated once, by the service (LookupInput, EXCHANGE.INVALID, before anything is written),
      // and the answer — built by the service as exactly { record, accessId } — is written as is
      validatorCompiler: () => (body: unknown) => ({ value: body }),
      serializerCompiler: () => (answer: unknown) => JSON.stringify(answer),
    },
    async (req) => svc.lookup(requirePrincipal(req), req.body),
  );

  app.post(
    '/api/v1/exchange/exports',
    {
      config: { permission: { permission: 'exchange.read' } },
      schema: {
        tags: ['exchange'],
        summary:
          'A bulk file (批量文件) for a grant: one line per key, masked as lookups are, each line recorded',
        description:
          'For a grant that allows bulk files on a resource that offers them. CSV (row, accessId, outcome, then the fields) or JSON. Every line is an access record of its subject, committed before the file is sent; a refused file records a refused read for every key. At most 10,000 keys per file; not counted against the per-minute rate.',
        body: BulkInput,
      },
    },
    async (req, reply) => {
      const x = await svc.exportBulk(requirePrincipal(req), req.body);
      reply.header('cache-control', 'no-store');
      if ((req.body as { format?: string }).format === 'json')
        return reply.type('application/json; charset=utf-8').send({
          resource: x.resource,
          fields: x.fields,
          rows: x.rows,
        });
      return reply
        .type('text/csv; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="${x.resource}-${x.rows[0]?.accessId ?? 'empty'}.csv"`,
        )
        .send(bulkCsv(x));
    },
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
          objection: a.objection ? { ...a.objection, corrected: [...a.objection.corrected] } : null,
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

  app.get(
    '/api/v1/exchange/objections',
    {
      config: { permission: { permission: 'exchange.manage' } },
      schema: {
        tags: ['exchange'],
        summary: 'Objections to reads of the department’s resources (open first, with their clocks)',
        querystring: z.object({ department: z.string().min(1).max(64) }),
        response: { 200: z.object({ total: z.number().int(), objections: z.array(objectionSchema) }) },
      },
    },
    async (req) => {
      const rows = await svc.objectionsForProvider(requirePrincipal(req), req.query.department);
      return { total: rows.length, objections: rows.map((o) => ({ ...o, corrected: [...o.corrected] })) };
    },
  );

  app.post(
    '/api/v1/exchange/access/:id/error-reports',
    {
      config: { permission: { permission: 'exchange.read' } },
      schema: {
        tags: ['exchange'],
        summary: '校核纠错: the consumer that made a read reports an error in the record it got',
        description:
          'Only a read made by the caller’s own department, naming the key that read used (checked against the read’s keyed hash; never put in a URL). Goes to the provider on the 10-working-day clock, one report per read.',
        params: IdParams,
        body: z.object({ key: z.string().trim().min(1).max(40), text: z.string().max(1000) }),
        response: { 201: z.object({ id: z.string(), dueOn: z.string() }) },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await svc.reportError(requirePrincipal(req), req.params.id, req.body)),
  );

  app.get(
    '/api/v1/exchange/corrections',
    {
      config: { permission: { permission: 'exchange.read' } },
      schema: {
        tags: ['exchange'],
        summary:
          '校核纠错 notices: corrections to records the caller’s department read before they were corrected',
        description:
          'For a consumer system: each correction (newest first) with the field corrected and the department’s reads that answered the old value; no values (read the record again through the grant).',
        querystring: z.object({ since: z.string().max(40).optional() }),
        response: {
          200: z.object({
            total: z.number().int(),
            corrections: z.array(
              z.object({
                correctedAt: z.string(),
                resource: z.string().nullable(),
                field: z.string(),
                accessIds: z.array(z.string()),
              }),
            ),
          }),
        },
      },
    },
    async (req) => {
      const rows = await svc.correctionsForConsumer(requirePrincipal(req), req.query.since);
      return { total: rows.length, corrections: rows.map((r) => ({ ...r, accessIds: [...r.accessIds] })) };
    },
  );

  const noticeSchema = z.object({
    id: z.string(),
    resource: z.string(),
    fields: z.array(z.string()),
    accessIds: z.array(z.string()).describe('the department’s reads that answered the old value'),
    correctedAt: z.string(),
    webhooks: z.object({
      total: z.number().int(),
      delivered: z.number().int(),
      lastError: z.string().nullable(),
    }),
  });
  const noticeOut = (n: NoticeView) => ({
    id: n.id,
    resource: n.resource,
    fields: [...n.fields],
    accessIds: [...n.accessIds],
    correctedAt: n.correctedAt,
    webhooks: n.webhooks,
  });

  app.get(
    '/api/v1/exchange/notices',
    {
      config: { permission: { permission: 'exchange.read' } },
      schema: {
        tags: ['exchange'],
        summary: '校核纠错 pushed: the notification list of the caller’s department (a consumer system)',
        description:
          'One notice per correction of a value the department read (its access ids, the resource and the field names; never values), newest first, with the state of its webhook deliveries. The webhook body carries the same notice id.',
        response: { 200: z.object({ total: z.number().int(), notices: z.array(noticeSchema) }) },
      },
    },
    async (req) => {
      const rows = await svc.noticesForConsumer(requirePrincipal(req));
      return { total: rows.length, notices: rows.map(noticeOut) };
    },
  );

  app.put(
    '/api/v1/exchange/consumer/webhook',
    {
      config: { permission: { permission: 'exchange.read' } },
      schema: {
        tags: ['exchange'],
        summary: 'A consumer system registers (or removes, with null) its webhook for 校核纠错 notices',
        description:
          'https only, without credentials in the URL. Each notice is posted as JSON `{"type":"exchange.correction","notice","resource","fields","accessIds","correctedAt"}` with the header `x-tongban-notice`; a failed post is retried with back-off (1 minute doubling to 6 hours), every attempt recorded.',
        body: z.object({ url: z.string().max(500).nullable() }),
        response: { 200: z.object({ url: z.string().nullable() }) },
      },
    },
    async (req) => svc.setOwnWebhook(requirePrincipal(req), req.body),
  );

  app.post(
    '/api/v1/exchange/objections/:id/answer',
    {
      config: { permission: { permission: 'exchange.manage' } },
      schema: {
        tags: ['exchange'],
        summary:
          '校核纠错: the providing department rejects an objection with a reason, or corrects the register',
        params: IdParams,
        body: ObjectionAnswer,
        response: { 200: objectionSchema },
      },
    },
    async (req) => {
      const o = await svc.answerObjection(requirePrincipal(req), req.params.id, req.body);
      return { ...o, corrected: [...o.corrected] };
    },
  );

  app.post(
    '/api/v1/exchange/registers/:register/import',
    {
      config: { permission: { permission: 'exchange.manage' } },
      schema: {
        tags: ['exchange'],
        summary: 'Import rows into a base register (CSV or JSON), all or nothing',
        description:
          'The provider of a resource of the register only. Every row is checked first (valid ID numbers and credit codes agreeing with the row, allowed values, duplicates); any bad row answers 422 EXCHANGE.IMPORT_INVALID listing each row number, column and rule, and nothing is written. Otherwise every row is inserted or replaces the subject’s row in one transaction.',
        params: z.object({ register: z.enum(REGISTERS) }),
        body: z.object({ format: z.enum(['csv', 'json']), data: z.string().min(1).max(900_000) }),
        response: { 200: z.object({ register: z.enum(REGISTERS), imported: z.number().int() }) },
      },
    },
    async (req) => {
      const r = await svc.importRegister(
        requirePrincipal(req),
        req.params.register,
        req.body.data,
        req.body.format,
      );
      if (r.issues.length)
        throw new DomainError('EXCHANGE.IMPORT_INVALID', {
          params: { count: new Set(r.issues.map((i) => i.row)).size },
          details: { issues: r.issues },
        });
      return { register: req.params.register, imported: r.imported };
    },
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
      // the details (items, condition, basis, history) only for staff and department accounts:
      // the others' page is rendered without them, not hidden after rendering
      const details = seesCatalogueDetails(req.principal);
      const history = details ? await svc.resourceHistory(r.id) : [];
      const ctx = req.view(reply);
      const saved = (req.query as { saved?: string }).saved;
      return sendHtml(
        reply,
        renderPage(
          ctx,
          r.name,
          <ResourcePage
            ctx={ctx}
            r={r}
            details={details}
            history={history}
            canEdit={svc.managesResource(req.principal, r)}
            notice={saved ? ctx.t('exchange.edit.saved', { version: r.version }) : undefined}
          />,
        ),
      );
    },
  );

  const editValues = (r: Resource): ResourceEditValues => ({
    name: r.name,
    summary: r.summary,
    shareType: r.shareType,
    shareCondition: r.shareCondition,
    legalBasis: r.legalBasis,
    updateCycle: r.updateCycle,
    methods: r.methods.join(','),
  });
  const editPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    r: ResourceView,
    values: ResourceEditValues,
    issues: Array<{ field: string; rule: string; message: string }>,
    status = 200,
  ) => {
    const ctx = req.view(reply);
    return sendHtml(
      reply,
      renderPage(
        ctx,
        ctx.t('exchange.edit.title'),
        <ResourceEditPage ctx={ctx} r={r} values={values} issues={issues} />,
      ),
      status,
    );
  };

  app.get(
    '/exchange/resources/:code/edit',
    {
      config: { permission: { permission: 'exchange.manage' } },
      schema: { hide: true, params: z.object({ code: z.string().min(1).max(40) }) },
    },
    async (req, reply) => {
      const r = await withProvider(await svc.getResource(req.params.code));
      // another department's provider does not see the form (the save is refused all the same)
      if (!svc.managesResource(requirePrincipal(req), r)) {
        await svc.editResource(requirePrincipal(req), r.code, {});
      }
      return editPage(req, reply, r, editValues(r), []);
    },
  );

  app.post(
    '/exchange/resources/:code/edit',
    {
      config: { permission: { permission: 'exchange.manage' } },
      schema: { hide: true, params: z.object({ code: z.string().min(1).max(40) }) },
    },
    async (req, reply) => {
      const f = formBody(req);
      const values: ResourceEditValues = {
        name: f.name ?? '',
        summary: f.summary ?? '',
        shareType: f.shareType ?? '',
        shareCondition: f.shareCondition ?? '',
        legalBasis: f.legalBasis ?? '',
        updateCycle: f.updateCycle ?? '',
        methods: f.methods ?? '',
      };
      const code = (req.params as { code: string }).code;
      try {
        const saved = await svc.editResource(requirePrincipal(req), code, {
          name: values.name.trim(),
          summary: values.summary.trim(),
          shareType: values.shareType,
          shareCondition: values.shareCondition.trim(),
          legalBasis: values.legalBasis.trim(),
          updateCycle: values.updateCycle,
          methods: values.methods.split(',').filter(Boolean),
        });
        return reply.redirect(`/exchange/resources/${encodeURIComponent(saved.code)}?saved=1`, 303);
      } catch (e) {
        if (isDomainError(e) && e.code !== 'EXCHANGE.NOT_PROVIDER' && e.status < 500) {
          const ctx = req.view(reply);
          const r = await withProvider(await svc.getResource(code));
          const detail = (e.details as { issues?: Array<{ field: string; rule: string }> } | undefined)
            ?.issues;
          const issues = detail?.length
            ? detail.map((i) => ({ field: i.field, rule: i.rule, message: e.messageIn(ctx.lang) }))
            : [{ field: 'name', rule: e.code, message: e.messageIn(ctx.lang) }];
          return editPage(req, reply, r, values, issues, e.status);
        }
        throw e;
      }
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
      schema: {
        hide: true,
        querystring: z.object({
          department: z.string().max(64).optional(),
          answered: z.string().max(2).optional(),
        }),
      },
    },
    async (req, reply) => {
      const q = req.query as { department?: string; answered?: string };
      return providerPage(req, reply, q.department || undefined, q.answered ? 'answered' : undefined);
    },
  );

  const providerPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    department: string | undefined,
    notice?: 'answered' | undefined,
    error?: string | undefined,
    status = 200,
  ) => {
    const p = requirePrincipal(req);
    const d = await svc.providerDashboard(p, department);
    const objections = await svc.objectionsForProvider(p, d.departmentId);
    const notices = await svc.noticesOfDepartment(p, d.departmentId);
    const ctx = req.view(reply);
    return sendHtml(
      reply,
      renderPage(
        ctx,
        ctx.t('exchange.dash.title'),
        <ProviderDashboardPage
          ctx={ctx}
          d={d}
          objections={objections}
          notices={notices}
          notice={notice ? ctx.t('exchange.obj.answeredNotice') : undefined}
          error={error}
        />,
        { wide: true },
      ),
      status,
    );
  };

  app.post(
    '/exchange/provider/objections/:id/answer',
    { config: { permission: { permission: 'exchange.manage' } }, schema: { hide: true, params: IdParams } },
    async (req, reply) => {
      const f = formBody(req);
      const id = (req.params as { id: string }).id;
      const body =
        f.result === 'corrected'
          ? {
              result: 'corrected',
              answer: f.answer ?? '',
              corrections: f.field ? [{ field: f.field, value: f.value ?? '' }] : [],
            }
          : { result: f.result ?? '', answer: f.answer ?? '' };
      try {
        await svc.answerObjection(requirePrincipal(req), id, body);
        const dept = f.department ? `&department=${encodeURIComponent(f.department)}` : '';
        return reply.redirect(`/exchange/provider?answered=1${dept}`, 303);
      } catch (e) {
        if (isDomainError(e) && e.status < 500 && e.status !== 403 && e.status !== 404) {
          const ctx = req.view(reply);
          return providerPage(
            req,
            reply,
            f.department || undefined,
            undefined,
            e.messageIn(ctx.lang),
            e.status,
          );
        }
        throw e;
      }
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
