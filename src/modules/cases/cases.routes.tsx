import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DomainError, type FieldIssue, isDomainError } from '../../kernel/index.js';
import { type App, type Principal, formBody, requirePrincipal } from '../../platform/http/index.js';
import { renderPage, sendHtml } from '../../platform/views/index.js';
import { coerceFormValues, validateForm } from './cases.forms.js';
import {
  ApplyPage,
  type ApplyModel,
  CasePage,
  CheckPage,
  ExplainPage,
  MyCasesPage,
  WorkbenchPage,
} from './cases.pages.js';
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
import {
  ACTION_PERMISSION,
  ACTION_TYPES,
  type ActionType,
  type CaseStatus,
  STATUSES,
  allowedActions,
} from './cases.workflow.js';

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
    if (v !== undefined) raw[k] = v;
  }
  if (action === 'requestSupplement' || action === 'acceptWithDeficiency') raw.missing = lines('missing');
  if (action === 'acceptWithCommitment') raw.commitments = lines('commitments');
  if (action === 'extend') raw.days = Number(field('days'));
  const parsed = ActionInput.safeParse(raw);
  if (!parsed.success) {
    throw new DomainError('COMMON.VALIDATION', {
      details: parsed.error.issues.map((i) => ({
        field: i.path.join('.'),
        rule: `SCHEMA.${i.code.toUpperCase()}`,
      })),
    });
  }
  return parsed.data;
}

/** The actions a principal may see buttons for: the table's, filtered by what they may do. */
function buttonsFor(p: Principal, view: CaseView, staff: boolean): ActionType[] {
  const all = allowedActions(view.status as CaseStatus);
  if (!staff)
    return all.filter(
      (a) => a === 'withdraw' || (a === 'supplement' && view.status === 'awaitingSupplement'),
    );
  // staff see the buttons of the permissions they hold (the service still checks the scope);
  // a supplement brought to the window is recorded by whoever accepts
  const holds = (perm: string) => p.grants.some((g) => g.permissions.includes(perm));
  return all.filter((a) => {
    if (a === 'withdraw' || a === 'submit') return false;
    if (a === 'supplement') return holds('cases.accept');
    if (a === 'issueResult' || a === 'complete') return holds('cases.issueResult') || holds('cases.decide');
    return holds(ACTION_PERMISSION[a]);
  });
}

export function casesRoutes(
  app: App,
  svc: CasesService,
  opts: { departmentOf: (p: Principal) => string | undefined },
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
      config: { permission: { permission: 'cases.readOwn' } },
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
      config: { permission: { permission: 'cases.apply' } },
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
      config: { permission: { permission: 'cases.readOwn' } },
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
      config: { permission: { permission: 'workbench.view' } },
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

  app.get(
    '/cases',
    { ...page, config: { permission: { permission: 'cases.readOwn' } } },
    async (req, reply) => {
      const ctx = req.view(reply);
      const rows = await svc.myCases(requirePrincipal(req), 1, 50);
      return sendHtml(
        reply,
        renderPage(ctx, ctx.t('cases.title.mine'), <MyCasesPage ctx={ctx} rows={rows} />),
      );
    },
  );

  async function casePage(req: FastifyRequest, reply: FastifyReply, caseNumber: string, staff: boolean) {
    const p = requirePrincipal(req);
    const ctx = req.view(reply);
    const done = (req.query as Record<string, unknown> | undefined)?.done;
    const notice =
      typeof done === 'string' && (ACTION_TYPES as readonly string[]).includes(done)
        ? ctx.t('cases.act.done', { action: ctx.t(`cases.action.${done}`) })
        : undefined;
    const view = await svc.view(caseNumber, p);
    const buttons = buttonsFor(p, view, staff);
    const title = ctx.t(staff ? 'cases.title.workbenchCase' : 'cases.title.case', { caseNumber });
    return sendHtml(
      reply,
      renderPage(
        ctx,
        title,
        <CasePage ctx={ctx} view={view} actions={buttons} staff={staff} notice={notice} />,
      ),
    );
  }

  const params = { params: CaseNumberParams, hide: true };
  app.get(
    '/cases/:caseNumber',
    { schema: params, config: { permission: 'authenticated' } },
    async (req, reply) => casePage(req, reply, req.params.caseNumber, false),
  );
  app.get(
    '/workbench/cases/:caseNumber',
    { schema: params, config: { permission: { permission: 'workbench.view' } } },
    async (req, reply) => casePage(req, reply, req.params.caseNumber, true),
  );

  const explainPage =
    (staff: boolean) =>
    async (req: FastifyRequest<{ Params: { caseNumber: string } }>, reply: FastifyReply) => {
      const ctx = req.view(reply);
      const n = req.params.caseNumber;
      const days = await svc.explain(n, requirePrincipal(req));
      const back = staff ? `/workbench/cases/${encodeURIComponent(n)}` : `/cases/${encodeURIComponent(n)}`;
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
    { schema: params, config: { permission: { permission: 'workbench.view' } } },
    explainPage(true),
  );

  const postAction =
    (staff: boolean) =>
    async (req: FastifyRequest<{ Params: { caseNumber: string } }>, reply: FastifyReply) => {
      const n = req.params.caseNumber;
      const input = actionFromForm(formBody(req));
      await svc.act(n, input, requirePrincipal(req));
      const base = staff ? `/workbench/cases/${encodeURIComponent(n)}` : `/cases/${encodeURIComponent(n)}`;
      return reply.redirect(`${base}?done=${encodeURIComponent(input.action)}`, 303);
    };
  app.post(
    '/cases/:caseNumber/actions',
    { schema: params, config: { permission: 'authenticated' } },
    postAction(false),
  );
  app.post(
    '/workbench/cases/:caseNumber/actions',
    { schema: params, config: { permission: { permission: 'workbench.view' } } },
    postAction(true),
  );

  app.get(
    '/workbench',
    {
      schema: { hide: true, querystring: QueueQuery },
      config: { permission: { permission: 'workbench.view' } },
    },
    async (req, reply) => {
      const p = requirePrincipal(req);
      const ctx = req.view(reply);
      const q = req.query;
      const departmentId = q.department || opts.departmentOf(p);
      const r = departmentId
        ? await svc.departmentQueue(p, {
            departmentId,
            status: q.status || undefined,
            colour: q.colour,
            page: q.page,
            pageSize: q.pageSize,
          })
        : { rows: [], counts: {} };
      // a window clerk also sees the applications waiting for acceptance in their region
      const accepting = p.grants.some((g) => g.permissions.includes('cases.accept'))
        ? await svc.acceptanceQueue(p, { page: 1, pageSize: 50 })
        : [];
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
        rows: r.rows,
        counts: r.counts,
        regionCounts,
        status: q.status,
        colour: q.colour,
        page: q.page,
        accepting,
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

  // ── apply: form → check answers → submit (the draft is saved at each step) ───────────────
  const ItemParams = z.object({ code: z.string().min(10).max(40) });

  async function applyModel(
    req: FastifyRequest,
    code: string,
    values: Record<string, string>,
    issues: ApplyModel['issues'],
  ): Promise<ApplyModel> {
    const it = await svc.item(code);
    if (!it) throw new DomainError('CASES.ITEM_NOT_FOUND', { params: { code } });
    const p = requirePrincipal(req);
    const walkIn =
      values.hallId !== undefined ||
      (p.kind === 'staff' && p.grants.some((g) => g.permissions.includes('cases.accept')));
    return {
      code,
      itemName: it.name,
      fields: it.formFields,
      values,
      issues,
      walkIn: walkIn ? { hallId: values.hallId ?? '', applicantId: values.applicantId ?? '' } : undefined,
    };
  }

  app.get(
    '/items/:code/apply',
    { schema: { hide: true, params: ItemParams }, config: { permission: 'authenticated' } },
    async (req, reply) => {
      const p = requirePrincipal(req);
      const ctx = req.view(reply);
      // the saved draft, or what the account can prefill (name, region)
      const draft = ((await svc.loadDraft(p, req.params.code)) ??
        (p.kind === 'staff' ? {} : await svc.prefill(p))) as Record<string, string>;
      const m = await applyModel(req, req.params.code, draft, []);
      return sendHtml(
        reply,
        renderPage(ctx, ctx.t('cases.title.apply', { item: m.itemName }), <ApplyPage ctx={ctx} m={m} />),
      );
    },
  );

  app.post(
    '/items/:code/apply',
    { schema: { hide: true, params: ItemParams }, config: { permission: 'authenticated' } },
    async (req, reply) => {
      const p = requirePrincipal(req);
      const ctx = req.view(reply);
      const code = req.params.code;
      const body = formBody(req);
      delete body._csrf;
      const m = await applyModel(req, code, body, []);
      const issues: Array<FieldIssue & { message: string }> = [];
      if (!/^\d{6}(\d{3}(\d{3})?)?$/.test(body.regionCode ?? ''))
        issues.push({
          field: 'regionCode',
          rule: 'REGION',
          message: ctx.t('cases.apply.fieldInvalid', { label: ctx.t('cases.apply.regionCode') }),
        });
      const it = await svc.item(code);
      if (it) {
        const data = coerceFormValues(it.formFields, body);
        for (const i of validateForm(`${it.implementationCode}@${it.version}`, it.formSchema, data)) {
          const label = it.formFields.find((f) => f.name === i.field)?.label ?? i.field;
          issues.push({ ...i, message: ctx.t('cases.apply.fieldInvalid', { label }) });
        }
      }
      await svc.saveDraft(
        p,
        code,
        /^\d+$/.test(body.regionCode ?? '') ? (body.regionCode as string) : '',
        body,
      );
      if (issues.length) {
        return sendHtml(
          reply,
          renderPage(
            ctx,
            ctx.t('cases.title.apply', { item: m.itemName }),
            <ApplyPage ctx={ctx} m={{ ...m, issues }} />,
          ),
          400,
        );
      }
      return reply.redirect(`/items/${encodeURIComponent(code)}/apply/check`, 303);
    },
  );

  app.get(
    '/items/:code/apply/check',
    { schema: { hide: true, params: ItemParams }, config: { permission: 'authenticated' } },
    async (req, reply) => {
      const p = requirePrincipal(req);
      const ctx = req.view(reply);
      const draft = ((await svc.loadDraft(p, req.params.code)) ?? {}) as Record<string, string>;
      const m = await applyModel(req, req.params.code, draft, []);
      return sendHtml(reply, renderPage(ctx, ctx.t('cases.title.check'), <CheckPage ctx={ctx} m={m} />));
    },
  );

  app.post(
    '/items/:code/apply/confirm',
    { schema: { hide: true, params: ItemParams }, config: { permission: 'authenticated' } },
    async (req, reply) => {
      const p = requirePrincipal(req);
      const code = req.params.code;
      const draft = ((await svc.loadDraft(p, code)) ?? {}) as Record<string, string>;
      const it = await svc.item(code);
      if (!it) throw new DomainError('CASES.ITEM_NOT_FOUND', { params: { code } });
      try {
        const r = await svc.submit(p, {
          implementationCode: code,
          regionCode: draft.regionCode ?? '',
          form: coerceFormValues(it.formFields, draft),
          ...(draft.hallId ? { hallId: draft.hallId, applicantId: draft.applicantId } : {}),
        });
        const target = draft.hallId
          ? `/workbench/cases/${encodeURIComponent(r.caseNumber)}`
          : `/cases/${encodeURIComponent(r.caseNumber)}`;
        return reply.redirect(`${target}?done=submit`, 303);
      } catch (e) {
        if (!isDomainError(e) || e.status >= 500) throw e;
        const ctx = req.view(reply);
        const m = await applyModel(req, code, draft, [
          { field: 'regionCode', rule: e.code, message: e.messageIn(ctx.lang) },
        ]);
        return sendHtml(
          reply,
          renderPage(ctx, ctx.t('cases.title.apply', { item: m.itemName }), <ApplyPage ctx={ctx} m={m} />),
          e.status,
        );
      }
    },
  );
}
