import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DomainError, isDomainError } from '../../kernel/index.js';
import {
  type App,
  type Principal,
  UPLOAD_FILE_BYTES,
  formBody,
  parseInput,
  requirePrincipal,
} from '../../platform/http/index.js';
import { renderPage, sendHtml } from '../../platform/views/index.js';
import { applyRoutes, materialFiles } from './cases.apply.routes.js';
import {
  BundlePage,
  CasePage,
  caseHref,
  ExplainPage,
  AssistItemPage,
  AssistedCasesPage,
  DelegatorsPage,
  MyCasesPage,
  type SupplementModel,
  WorkbenchPage,
} from './cases.pages.js';
import { holdsAnywhere, needs } from './cases.access.js';
import type { CasesService } from './cases.service.js';
import {
  ActionInput,
  BundleResponse,
  BundleSubmitInput,
  CaseView,
  QueueQuery,
  SubmitInput,
  SubmitResponse,
} from './cases.types.js';
import { ACTION_TYPES, STATUSES } from './cases.workflow.js';
import { AssistedPage } from './cases.read.js';
import { BULK_ACCEPT_MAX } from './cases.workbench.js';

const CaseNumberParams = z.object({ caseNumber: z.string().min(10).max(80) });
const tags = ['cases'];

/** Refuses a JSON endpoint a cross-site form could reach: such forms cannot send JSON. */
function requireJson(req: FastifyRequest): void {
  if (req.headers.authorization?.startsWith('Bearer ')) return;
  if (!String(req.headers['content-type'] ?? '').startsWith('application/json'))
    throw new DomainError('COMMON.UNSUPPORTED_MEDIA_TYPE');
}

/** A posted page form (`action` plus `<action>.<field>` inputs) as an action input. */
export function actionFromForm(body: Record<string, string>): ActionInput {
  const action = body.action ?? '';
  const field = (name: string) => body[`${action}.${name}`];
  const lines = (name: string) =>
    (field(name) ?? '')
      .split(/\r?\n/)
      .map((s) => s.trim())
      .filter(Boolean);
  const raw: Record<string, unknown> = { action };
  for (const k of ['reason', 'legalBasis', 'step', 'procedure', 'approvedBy', 'note', 'opinion']) {
    const v = field(k);
    // an optional field left empty is not sent (a required one is then refused as missing)
    if (v !== undefined && v.trim() !== '') raw[k] = v;
  }
  if (action === 'requestSupplement' || action === 'acceptWithDeficiency') raw.missing = lines('missing');
  if (action === 'acceptWithCommitment') raw.commitments = lines('commitments');
  if (action === 'extend') raw.days = Number(field('days'));
  // the form's own request id: a re-posted form gets the first answer (cases.requests.ts)
  if (body.requestId) raw.requestId = body.requestId;
  return parseInput(ActionInput, raw);
}

export function casesRoutes(
  app: App,
  svc: CasesService,
  opts: { departmentOf: (p: Principal) => string | undefined; homeRegion: string },
): void {
  // ── JSON API ──────────────────────────────────────────────────────────────────────────────
  app.post(
    '/api/v1/cases',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags,
        summary: 'Submit an application (materials as base64; walk-in with hallId + applicantId)',
        body: SubmitInput,
        response: { 201: SubmitResponse },
      },
    },
    async (req, reply) => {
      requireJson(req);
      const r = await svc.submit(requirePrincipal(req), req.body);
      return reply.code(201).send(r);
    },
  );

  app.get(
    '/api/v1/cases',
    {
      config: { permission: needs('cases.readOwn') },
      schema: {
        tags,
        summary: 'My cases, newest first',
        querystring: z.object({ page: z.coerce.number().int().min(1).max(10000).default(1) }),
      },
    },
    async (req) => {
      const rows = await svc.myCases(requirePrincipal(req), req.query.page, 20);
      return {
        cases: rows.map((r) => ({
          caseNumber: r.case_number,
          itemName: r.item_name,
          status: r.status,
          promisedDue: r.promised_due,
          colour: r.colour,
          createdAt: r.created_at,
        })),
      };
    },
  );

  app.get(
    '/api/v1/cases/assisted',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags,
        summary:
          '帮办代办: open cases of the people who delegated to me, for the items their 委托 cover (a 网格员: of my grid only); item, status and due date, newest first, `page` and `pageSize` (≤ 100) with the `total`',
        querystring: AssistedPage,
      },
    },
    async (req) => svc.assistedCases(requirePrincipal(req), req.query),
  );

  app.post(
    '/api/v1/cases/:caseNumber/collect',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags,
        summary:
          '出件 by an agent: record that I collected the result waiting at the window and handed it over, under the applicant’s live 委托 (CASES.NOT_DELEGATED, CASES.RESULT_NOT_READY)',
        params: CaseNumberParams,
      },
    },
    async (req) => {
      requireJson(req);
      return svc.collectResult(requirePrincipal(req), req.params.caseNumber);
    },
  );

  app.get(
    '/api/v1/cases/:caseNumber',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags,
        summary: 'A case: status, actions, clock and result',
        params: CaseNumberParams,
        response: { 200: CaseView },
      },
    },
    async (req) => svc.view(req.params.caseNumber, requirePrincipal(req)),
  );

  app.get(
    '/api/v1/cases/:caseNumber/clock',
    {
      config: { permission: 'authenticated' },
      schema: { tags, summary: 'Why the deadline falls where it does, day by day', params: CaseNumberParams },
    },
    async (req) => ({ days: await svc.explain(req.params.caseNumber, requirePrincipal(req)) }),
  );

  app.post(
    '/api/v1/cases/:caseNumber/actions',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags,
        summary: 'Record an action: {"action": "accept" | "requestSupplement" | …}',
        params: CaseNumberParams,
        body: ActionInput,
      },
    },
    async (req) => {
      requireJson(req);
      return svc.act(req.params.caseNumber, req.body, requirePrincipal(req));
    },
  );

  app.get(
    '/api/v1/cases/:caseNumber/materials/:sha256',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags,
        summary: 'Download a material (as an attachment, never rendered inline)',
        params: CaseNumberParams.extend({ sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
      },
    },
    async (req, reply) => {
      const b = await svc.blob(req.params.caseNumber, req.params.sha256, requirePrincipal(req));
      if (!b) throw new DomainError('COMMON.NOT_FOUND');
      return reply
        .type(b.media_type)
        .header('content-disposition', `attachment; filename="${b.sha256.slice(0, 16)}"`)
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "sandbox; default-src 'none'")
        .send(Buffer.from(b.data));
    },
  );

  app.post(
    '/api/v1/bundles',
    {
      config: { permission: needs('cases.apply') },
      schema: {
        tags,
        summary: '一件事: one form and one set of materials; one linked sub-case per item',
        body: BundleSubmitInput,
        response: { 201: BundleResponse },
      },
    },
    async (req, reply) => {
      requireJson(req);
      return reply.code(201).send(await svc.submitBundle(requirePrincipal(req), req.body));
    },
  );

  app.get(
    '/api/v1/bundles/:bundleNumber',
    {
      config: { permission: needs('cases.readOwn') },
      schema: {
        tags,
        summary: 'One progress for a 一件事 bundle',
        params: z.object({ bundleNumber: z.string().max(80) }),
      },
    },
    async (req) => svc.bundleView(req.params.bundleNumber, requirePrincipal(req)),
  );

  app.get(
    '/api/v1/workbench/queue',
    {
      config: { permission: needs('workbench.view') },
      schema: {
        tags,
        summary:
          'A department’s open cases by due date with counts by clock colour, or a hall’s (`hall`: hall code) oldest first',
        querystring: QueueQuery,
      },
    },
    async (req) => {
      const p = requirePrincipal(req);
      const q = req.query;
      const departmentId = q.department ?? opts.departmentOf(p);
      // a hall's queue (hall code), else a department's (with counts by colour)
      const r = q.hall
        ? {
            counts: {},
            rows: await svc.hallQueue(p, {
              hallId: q.hall,
              status: q.status,
              page: q.page,
              pageSize: q.pageSize,
            }),
          }
        : departmentId
          ? await svc.departmentQueue(p, {
              departmentId,
              status: q.status,
              colour: q.colour,
              page: q.page,
              pageSize: q.pageSize,
            })
          : undefined;
      if (!r)
        throw new DomainError('COMMON.VALIDATION', { details: [{ field: 'department', rule: 'REQUIRED' }] });
      return {
        counts: r.counts,
        cases: r.rows.map((x) => ({
          caseNumber: x.case_number,
          itemName: x.item_name,
          status: x.status,
          promisedDue: x.promised_due,
          colour: x.colour,
          remainingWorkingDays: x.remaining_days,
          channel: x.channel,
          createdAt: x.created_at,
        })),
      };
    },
  );

  // ── pages ─────────────────────────────────────────────────────────────────────────────────
  const page = { schema: { hide: true } } as const;

  app.get('/cases', { ...page, config: { permission: needs('cases.readOwn') } }, async (req, reply) => {
    const ctx = req.view(reply);
    const rows = await svc.myCases(requirePrincipal(req), 1, 50);
    return sendHtml(reply, renderPage(ctx, ctx.t('cases.title.mine'), <MyCasesPage ctx={ctx} rows={rows} />));
  });

  const AssistedQuery = AssistedPage.extend({
    done: z.enum(['submit', 'collect']).optional(),
    case: z.string().max(80).optional(),
  });
  app.get(
    '/cases/assisted',
    { schema: { hide: true, querystring: AssistedQuery }, config: { permission: 'authenticated' } },
    async (req, reply) => {
      const ctx = req.view(reply);
      const { cases: rows, ...paging } = await svc.assistedCases(requirePrincipal(req), req.query);
      const { done, case: caseNumber } = req.query;
      const notice = done && caseNumber ? ctx.t(`cases.assisted.done.${done}`, { caseNumber }) : undefined;
      return sendHtml(
        reply,
        renderPage(
          ctx,
          ctx.t('cases.title.assisted'),
          <AssistedCasesPage ctx={ctx} rows={rows} paging={paging} notice={notice} />,
        ),
      );
    },
  );

  // 出件: the agent records the collection; refused (not delegated, not ready) on the same list
  app.post(
    '/cases/assisted/:caseNumber/collect',
    { schema: { hide: true, params: CaseNumberParams }, config: { permission: 'authenticated' } },
    async (req, reply) => {
      const p = requirePrincipal(req);
      const { caseNumber } = req.params;
      try {
        await svc.collectResult(p, caseNumber);
        return reply.redirect(`/cases/assisted?done=collect&case=${encodeURIComponent(caseNumber)}`, 303);
      } catch (e) {
        if (!isDomainError(e) || e.status >= 500 || e.code === 'COMMON.FORBIDDEN') throw e;
        const ctx = req.view(reply);
        const { cases: rows, ...paging } = await svc.assistedCases(p);
        return sendHtml(
          reply,
          renderPage(
            ctx,
            ctx.t('cases.title.assisted'),
            <AssistedCasesPage
              ctx={ctx}
              rows={rows}
              paging={paging}
              issues={[{ field: 'collect', rule: e.code, message: e.messageIn(ctx.lang) }]}
            />,
          ),
          e.status,
        );
      }
    },
  );

  // 帮办代办: choose the person (a live 委托 to me), then the item; the apply journey does the rest
  app.get(
    '/cases/assisted/apply',
    { ...page, config: { permission: 'authenticated' } },
    async (req, reply) => {
      const ctx = req.view(reply);
      const rows = await svc.delegators(requirePrincipal(req));
      return sendHtml(
        reply,
        renderPage(ctx, ctx.t('cases.assist.chooseTitle'), <DelegatorsPage ctx={ctx} rows={rows} />),
      );
    },
  );

  const DelegationParams = z.object({ delegationId: z.string().uuid() });
  /** One of the caller's live 委托 (never another's): else CASES.NOT_DELEGATED, the same for all. */
  async function delegatorOf(p: Principal, delegationId: string) {
    const d = (await svc.delegators(p)).find((x) => x.delegationId === delegationId);
    if (!d) throw new DomainError('CASES.NOT_DELEGATED');
    return d;
  }
  app.get(
    '/cases/assisted/apply/:delegationId',
    { schema: { hide: true, params: DelegationParams }, config: { permission: 'authenticated' } },
    async (req, reply) => {
      const ctx = req.view(reply);
      const d = await delegatorOf(requirePrincipal(req), req.params.delegationId);
      return sendHtml(
        reply,
        renderPage(ctx, ctx.t('cases.assist.itemTitle'), <AssistItemPage ctx={ctx} d={d} />),
      );
    },
  );
  app.post(
    '/cases/assisted/apply/:delegationId',
    { schema: { hide: true, params: DelegationParams }, config: { permission: 'authenticated' } },
    async (req, reply) => {
      const ctx = req.view(reply);
      const p = requirePrincipal(req);
      const d = await delegatorOf(p, req.params.delegationId);
      const itemCode = (formBody(req).itemCode ?? '').trim().slice(0, 40);
      const again = (issue: { rule: string; message: string }, status: number) =>
        sendHtml(
          reply,
          renderPage(
            ctx,
            ctx.t('cases.assist.itemTitle'),
            <AssistItemPage ctx={ctx} d={d} itemCode={itemCode} issues={[{ field: 'itemCode', ...issue }]} />,
          ),
          status,
        );
      if (!itemCode) return again({ rule: 'REQUIRED', message: ctx.t('cases.assist.itemMissing') }, 400);
      try {
        const started = await svc.startAssisted(p, d.delegationId, itemCode);
        return reply.redirect(started.path, 303);
      } catch (e) {
        if (!isDomainError(e) || e.status >= 500 || e.code === 'COMMON.FORBIDDEN') throw e;
        return again({ rule: e.code, message: e.messageIn(ctx.lang) }, e.status);
      }
    },
  );

  async function casePage(
    req: FastifyRequest,
    reply: FastifyReply,
    caseNumber: string,
    staff: boolean,
    problems: { issues: SupplementModel['issues']; status: number } = { issues: [], status: 200 },
  ) {
    const p = requirePrincipal(req);
    const ctx = req.view(reply);
    const done = (req.query as Record<string, unknown> | undefined)?.done;
    const notice =
      typeof done === 'string' && (ACTION_TYPES as readonly string[]).includes(done)
        ? ctx.t('cases.act.done', { action: ctx.t(`cases.action.${done}`) })
        : undefined;
    // the buttons: the actions the same predicate as the service's lets this principal take
    const { view, actions: buttons } = await svc.caseOnDesk(caseNumber, p, staff ? 'workbench' : 'portal');
    const title = ctx.t(staff ? 'cases.title.workbenchCase' : 'cases.title.case', { caseNumber });
    // 补正: the one-time notice's list (the latest request) and an upload per material of the item
    let supplement: SupplementModel | undefined;
    if (buttons.includes('supplement')) {
      const asked = [...view.actions]
        .reverse()
        .find((a) => a.action === 'requestSupplement' || a.action === 'acceptWithDeficiency');
      const missing = Array.isArray(asked?.details.missing) ? (asked.details.missing as string[]) : [];
      const it = await svc.item(view.implementationCode);
      supplement = {
        missing,
        materials: it?.materials ?? [],
        maxMb: Math.round(UPLOAD_FILE_BYTES / 1048576),
        issues: problems.issues,
      };
    }
    // the workbench: the register reads made for the case beside its materials, and the clock's
    // explanation in a sentence beside the clock
    const reads = staff ? await svc.sharedReads(caseNumber, p) : undefined;
    const explained = staff ? await svc.clockExplanation(caseNumber, p) : undefined;
    return sendHtml(
      reply,
      renderPage(
        ctx,
        title,
        <CasePage
          ctx={ctx}
          view={view}
          actions={buttons}
          staff={staff}
          notice={notice}
          supplement={supplement}
          reads={reads}
          explained={explained}
        />,
      ),
      problems.status,
    );
  }

  const params = { params: CaseNumberParams, hide: true };
  app.get(
    '/cases/bundles/:bundleNumber',
    {
      schema: { hide: true, params: z.object({ bundleNumber: z.string().max(80) }) },
      config: { permission: needs('cases.readOwn') },
    },
    async (req, reply) => {
      const ctx = req.view(reply);
      const b = await svc.bundleView(req.params.bundleNumber, requirePrincipal(req));
      const done = (req.query as Record<string, unknown> | undefined)?.done === 'submit';
      return sendHtml(
        reply,
        renderPage(
          ctx,
          ctx.t('cases.title.bundle', { name: b.name }),
          <BundlePage ctx={ctx} b={b} notice={done ? ctx.t('cases.bundle.submitted') : undefined} />,
        ),
      );
    },
  );

  app.get(
    '/cases/:caseNumber',
    { schema: params, config: { permission: 'authenticated' } },
    async (req, reply) => casePage(req, reply, req.params.caseNumber, false),
  );
  app.get(
    '/workbench/cases/:caseNumber',
    { schema: params, config: { permission: needs('workbench.view') } },
    async (req, reply) => casePage(req, reply, req.params.caseNumber, true),
  );

  const explainPage =
    (staff: boolean) =>
    async (req: FastifyRequest<{ Params: { caseNumber: string } }>, reply: FastifyReply) => {
      const ctx = req.view(reply);
      const n = req.params.caseNumber;
      const days = await svc.explain(n, requirePrincipal(req));
      const back = caseHref(n, staff);
      return sendHtml(
        reply,
        renderPage(
          ctx,
          ctx.t('cases.clock.explain'),
          <ExplainPage ctx={ctx} caseNumber={n} days={days} back={back} />,
        ),
      );
    };
  app.get(
    '/cases/:caseNumber/clock',
    { schema: params, config: { permission: 'authenticated' } },
    explainPage(false),
  );
  app.get(
    '/workbench/cases/:caseNumber/clock',
    { schema: params, config: { permission: needs('workbench.view') } },
    explainPage(true),
  );

  const postAction =
    (staff: boolean) =>
    async (req: FastifyRequest<{ Params: { caseNumber: string } }>, reply: FastifyReply) => {
      const n = req.params.caseNumber;
      const input = actionFromForm(formBody(req));
      // a supplement brings its materials as files (multipart); checked by content in the service
      const files = materialFiles(req);
      try {
        await svc.act(n, input, requirePrincipal(req), { files });
      } catch (e) {
        // a file refused: the case page again, the problem beside the form, nothing recorded
        if (!isDomainError(e) || !(e.code.startsWith('CASES.UPLOAD_') || e.code === 'CASES.MATERIAL_UNKNOWN'))
          throw e;
        const ctx = req.view(reply);
        const issues = [{ field: 'supplement.note', rule: e.code, message: e.messageIn(ctx.lang) }];
        return casePage(req, reply, n, staff, { issues, status: e.status });
      }
      const base = caseHref(n, staff);
      return reply.redirect(`${base}?done=${encodeURIComponent(input.action)}`, 303);
    };
  // a supplement brings files
  const uploads = { uploads: true } as const;
  app.post(
    '/cases/:caseNumber/actions',
    { schema: params, config: { permission: 'authenticated', ...uploads } },
    postAction(false),
  );
  app.post(
    '/workbench/cases/:caseNumber/actions',
    { schema: params, config: { permission: needs('workbench.view'), ...uploads } },
    postAction(true),
  );

  app.get(
    '/workbench',
    {
      schema: {
        hide: true,
        querystring: QueueQuery.extend({
          accepted: z.coerce.number().int().min(0).max(1000).optional(),
          refused: z.coerce.number().int().min(0).max(1000).optional(),
        }),
      },
      config: { permission: needs('workbench.view') },
    },
    async (req, reply) => {
      const p = requirePrincipal(req);
      const ctx = req.view(reply);
      const q = req.query;
      const departments = await svc.workbenchDepartments(p, opts.homeRegion);
      // an approver lands on its department's queue; a clerk on the applications waiting at its window
      const departmentId = q.department || opts.departmentOf(p);
      const r = departmentId
        ? await svc.departmentQueue(p, {
            departmentId,
            status: q.status || undefined,
            colour: q.colour,
            page: q.page,
            pageSize: q.pageSize,
            statusCounts: true,
          })
        : { rows: [], counts: {}, statusCounts: {} };
      const mayAccept = holdsAnywhere(p, 'cases.accept');
      const accepting = mayAccept ? await svc.acceptanceQueue(p, { page: 1, pageSize: 50 }) : [];
      // supervisors (no department): open cases of their region by clock colour (黄牌 / 红牌)
      const regionPrefix = p.grants
        .filter((g) => g.permissions.includes('workbench.view'))
        .map((g) => g.regionPrefix)
        .sort((a, b) => a.length - b.length)[0];
      const regionCounts =
        !departmentId && regionPrefix !== undefined
          ? await svc.colourCountsInRegion(regionPrefix)
          : undefined;
      const m = {
        departmentId,
        departments,
        rows: r.rows,
        counts: r.counts,
        statusCounts: r.statusCounts,
        regionCounts,
        status: q.status,
        colour: q.colour,
        page: q.page,
        accepting,
        mayAccept,
        supervision: p.grants.some((g) => g.permissions.includes('stats.view')),
        bulk:
          q.accepted !== undefined || q.refused !== undefined
            ? { accepted: q.accepted ?? 0, refused: q.refused ?? 0 }
            : undefined,
      };
      return sendHtml(
        reply,
        renderPage(
          ctx,
          ctx.t('cases.title.workbench'),
          <WorkbenchPage ctx={ctx} m={m} statuses={STATUSES.filter((s) => s !== 'new')} />,
          { wide: true },
        ),
      );
    },
  );

  // "next case" (key N, or the link without JavaScript): the case after `after` in the queue
  app.get(
    '/workbench/next',
    {
      schema: {
        hide: true,
        querystring: z.object({
          department: z.string().min(1).max(64),
          after: z.string().max(80).optional(),
        }),
      },
      config: { permission: needs('workbench.view') },
    },
    async (req, reply) => {
      const q = req.query;
      const n = await svc.nextCase(requirePrincipal(req), q.department, q.after);
      return reply.redirect(
        n
          ? `/workbench/cases/${encodeURIComponent(n)}`
          : `/workbench?department=${encodeURIComponent(q.department)}`,
        303,
      );
    },
  );

  // bulk 受理 of 即办件 (the law allows no other item to skip one-by-one acceptance)
  const BulkBody = z.object({ cases: z.array(z.string().min(1).max(80)).min(1).max(BULK_ACCEPT_MAX) });
  app.post(
    '/api/v1/workbench/accept',
    {
      config: { permission: needs('cases.accept') },
      schema: {
        tags,
        summary:
          '受理 several 即办件 at once: each through the same checks as one; others refused with CASES.BULK_NOT_ALLOWED',
        body: BulkBody,
      },
    },
    async (req) => svc.acceptMany(requirePrincipal(req), req.body.cases),
  );
  app.post(
    '/workbench/accept',
    { schema: { hide: true }, config: { permission: needs('cases.accept') } },
    async (req, reply) => {
      // several checked boxes of one name arrive joined by line breaks
      const picked = (formBody(req).cases ?? '').split('\n').filter(Boolean).slice(0, BULK_ACCEPT_MAX);
      if (picked.length === 0) return reply.redirect('/workbench', 303);
      const r = await svc.acceptMany(requirePrincipal(req), picked);
      return reply.redirect(`/workbench?accepted=${r.accepted.length}&refused=${r.refused.length}`, 303);
    },
  );

  applyRoutes(app, svc);
}
