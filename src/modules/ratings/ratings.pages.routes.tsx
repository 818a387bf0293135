import QRCode from 'qrcode';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DomainError, type FieldIssue, chinaMonth, isDomainError } from '../../kernel/index.js';
import { allows, holds } from '../../platform/access.js';
import { type App, formBody, requirePrincipal } from '../../platform/http/index.js';
import { type ViewContext, renderPage, sendHtml } from '../../platform/views/index.js';
import {
  ComplaintFormPage,
  ComplaintPage,
  ComplaintQueuePage,
  type Issues,
  MyComplaintsPage,
  MyRatingsPage,
  RatePage,
  type RateModel,
  type WindowQr,
  RectificationPage,
  RectificationQueuePage,
  ResultsPage,
} from './ratings.pages.js';
import type { RatedCase } from './ratings.ports.js';
import type { RatingsService } from './ratings.service.js';
import { type Rating, indicatorsFor } from './ratings.types.js';

const CaseParams = z.object({ caseNumber: z.string().min(8).max(64) });
const TokenParams = z.object({ token: z.string().min(10).max(200) });
const IdParams = z.object({ id: z.string().min(1).max(64) });
const NumberParams = z.object({ complaintNumber: z.string().min(4).max(40) });
const enc = encodeURIComponent;

const redirect = (reply: FastifyReply, to: string) => reply.code(303).header('location', to).send();

/** A refused form as the problems the page lists: each field's own, or one for the form. */
function issuesOf(err: unknown, ctx: ViewContext, field: string): Issues {
  if (!isDomainError(err) || err.status >= 500) throw err;
  const details = Array.isArray(err.details) ? (err.details as FieldIssue[]) : [];
  if (err.code === 'COMMON.VALIDATION' && details.length)
    return details.map((i) => ({
      ...i,
      field: i.field.split('.')[0] ?? field,
      message: ctx.t('ratings.issue.field', { field: ctx.t(`ratings.fieldName.${i.field.split('.')[0]}`) }),
    }));
  return [{ field, rule: err.code, message: err.messageIn(ctx.lang) }];
}

const statusOf = (err: unknown) => (isDomainError(err) ? err.status : 400);

/** The rating form's post as the API's input. */
const ratingFrom = (f: Record<string, string>) => ({
  level: f.level ? Number(f.level) : undefined,
  stage: f.stage,
  indicators: (f.indicators ?? '').split('\n').filter(Boolean),
  ...(f.text ? { text: f.text } : {}),
  anonymous: f.anonymous === '1',
  followUp: f.followUp === '1',
});

function rateModel(
  c: RatedCase,
  given: readonly Rating[],
  channel: string,
  action: string,
  fixedStage?: 'accepted' | 'completed',
): RateModel {
  const stages = (['accepted', 'completed'] as const).filter((s) =>
    s === 'accepted' ? c.acceptedReached : c.completedReached,
  );
  return {
    caseNumber: c.caseNumber,
    itemName: c.itemName,
    stages: fixedStage ? [fixedStage] : stages,
    indicators: indicatorsFor(c.channel),
    given: given.filter((r) => r.channel === channel),
    action,
    fixedStage,
  };
}

function requireStaff(req: FastifyRequest) {
  const p = requirePrincipal(req);
  if (!holds(p, 'ratings.handle') && !holds(p, 'ratings.supervise'))
    throw new DomainError('COMMON.FORBIDDEN', { details: { permission: 'ratings.handle' } });
  return p;
}

export function ratingsPageRoutes(app: App, svc: RatingsService): void {
  const page = (
    req: FastifyRequest,
    reply: FastifyReply,
    title: (ctx: ViewContext) => string,
    body: (ctx: ViewContext) => unknown,
    status = 200,
    wide = false,
  ) => {
    const ctx = req.view(reply);
    return sendHtml(reply, renderPage(ctx, title(ctx), body(ctx) as never, { wide }), status);
  };

  // ── the citizen rates a case (一事一评 on the case page) ─────────────────────────────────────
  const casePage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    issues: Issues = [],
    values?: Record<string, string>,
    status = 200,
  ) => {
    const n = (req.params as { caseNumber: string }).caseNumber;
    const r = await svc.ratingsOfCase(n, requirePrincipal(req));
    const m = { ...rateModel(r.case, r.ratings, 'web', `/cases/${enc(n)}/rate`), values };
    const done = (req.query as { done?: string } | undefined)?.done === '1';
    return page(
      req,
      reply,
      (ctx) => ctx.t('ratings.rate.title', { caseNumber: n }),
      (ctx) => (
        <RatePage ctx={ctx} m={m} issues={issues} notice={done ? ctx.t('ratings.rate.thanks') : undefined} />
      ),
      status,
    );
  };
  app.get(
    '/cases/:caseNumber/rate',
    { config: { permission: { permission: 'ratings.give' } }, schema: { hide: true, params: CaseParams } },
    (req, reply) => casePage(req, reply),
  );
  app.post(
    '/cases/:caseNumber/rate',
    { config: { permission: { permission: 'ratings.give' } }, schema: { hide: true, params: CaseParams } },
    async (req, reply) => {
      const n = (req.params as { caseNumber: string }).caseNumber;
      const f = formBody(req);
      try {
        await svc.rate(
          n,
          { ...ratingFrom(f), channel: 'web' },
          { via: 'principal', principal: requirePrincipal(req) },
        );
        return redirect(reply, `/cases/${enc(n)}/rate?done=1`);
      } catch (e) {
        return casePage(req, reply, issuesOf(e, req.view(reply), 'level'), f, statusOf(e));
      }
    },
  );

  // ── the SMS / QR one-time link (no login) ──────────────────────────────────────────────────
  const linkPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    issues: Issues = [],
    values?: Record<string, string>,
    status = 200,
  ) => {
    const token = (req.params as { token: string }).token;
    const v = await svc.linkView(token);
    const m = {
      ...rateModel(v.case, [], v.link.channel, `/r/${token}`, v.link.stage as 'accepted' | 'completed'),
      values,
    };
    return page(
      req,
      reply,
      (ctx) => ctx.t('ratings.rate.title', { caseNumber: v.case.caseNumber }),
      (ctx) => <RatePage ctx={ctx} m={m} issues={issues} />,
      status,
    );
  };
  app.get(
    '/r/:token',
    { config: { permission: 'public', limits: ['ratingLink'] }, schema: { hide: true, params: TokenParams } },
    (req, reply) => linkPage(req, reply),
  );
  app.post(
    '/r/:token',
    { config: { permission: 'public', limits: ['ratingLink'] }, schema: { hide: true, params: TokenParams } },
    async (req, reply) => {
      const token = (req.params as { token: string }).token;
      const f = formBody(req);
      try {
        const link = await svc.resolveLink(token);
        await svc.rate(
          link.case_number,
          { ...ratingFrom(f), stage: link.stage, channel: link.channel },
          { via: 'link', link },
        );
        return page(
          req,
          reply,
          (ctx) => ctx.t('ratings.rate.thanks'),
          (ctx) => <p>{ctx.t('ratings.rate.thanksLink')}</p>,
        );
      } catch (e) {
        if (isDomainError(e) && e.code.startsWith('RATINGS.LINK')) throw e;
        return linkPage(req, reply, issuesOf(e, req.view(reply), 'level'), f, statusOf(e));
      }
    },
  );

  // ── the window pad (一次一评): the clerk of the receiving hall hands the pad to the applicant ──
  const padPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    issues: Issues = [],
    values?: Record<string, string>,
    status = 200,
    qr?: WindowQr,
  ) => {
    const n = (req.params as { caseNumber: string }).caseNumber;
    const win = (req.query as { window?: string } | undefined)?.window ?? values?.window ?? '';
    const v = await svc.padView(n, requirePrincipal(req));
    const m = {
      ...rateModel(v.case, v.ratings, 'window', `/workbench/rate/${enc(n)}`),
      values: { ...values, window: win },
    };
    const done = (req.query as { done?: string } | undefined)?.done === '1';
    return page(
      req,
      reply,
      (ctx) => ctx.t('ratings.rate.title', { caseNumber: n }),
      (ctx) => (
        <RatePage
          ctx={ctx}
          m={m}
          issues={issues}
          window={win}
          notice={done ? ctx.t('ratings.rate.thanks') : undefined}
          qr={qr}
          qrAction={`/workbench/rate/${enc(n)}/qr`}
        />
      ),
      status,
    );
  };
  const accept = { permission: 'cases.accept' } as const;
  app.get(
    '/workbench/rate/:caseNumber',
    {
      config: { permission: accept },
      schema: {
        hide: true,
        params: CaseParams,
        querystring: z.object({ window: z.string().max(16).optional(), done: z.string().max(1).optional() }),
      },
    },
    (req, reply) => padPage(req, reply),
  );
  app.post(
    '/workbench/rate/:caseNumber',
    { config: { permission: accept }, schema: { hide: true, params: CaseParams } },
    async (req, reply) => {
      const n = (req.params as { caseNumber: string }).caseNumber;
      const f = formBody(req);
      try {
        await svc.rate(
          n,
          { ...ratingFrom(f), channel: 'window', window: f.window || undefined },
          { via: 'principal', principal: requirePrincipal(req) },
        );
        return redirect(reply, `/workbench/rate/${enc(n)}?done=1&window=${enc(f.window ?? '')}`);
      } catch (e) {
        return padPage(req, reply, issuesOf(e, req.view(reply), 'level'), f, statusOf(e));
      }
    },
  );

  // the window's QR: a one-time link tied to the window and the clerk, drawn as an SVG QR code
  app.post(
    '/workbench/rate/:caseNumber/qr',
    { config: { permission: accept }, schema: { hide: true, params: CaseParams } },
    async (req, reply) => {
      const n = (req.params as { caseNumber: string }).caseNumber;
      const f = formBody(req);
      const window = String(f.window ?? '').trim();
      try {
        if (!/^[A-Za-z0-9-]{1,16}$/.test(window)) throw new DomainError('RATINGS.WINDOW_REQUIRED');
        const l = await svc.issueWindowLink(
          n,
          { stage: f.stage === 'completed' ? 'completed' : 'accepted', window },
          requirePrincipal(req),
        );
        const svg = await QRCode.toString(l.url, {
          type: 'svg',
          errorCorrectionLevel: 'M',
          margin: 2,
          width: 240,
        });
        return padPage(req, reply, [], { window }, 200, { svg, url: l.url, expiresAt: l.expiresAt });
      } catch (e) {
        return padPage(req, reply, issuesOf(e, req.view(reply), 'window'), { window }, statusOf(e));
      }
    },
  );

  app.get(
    '/ratings',
    { config: { permission: { permission: 'ratings.give' } }, schema: { hide: true } },
    async (req, reply) => {
      const rows = await svc.myRatings(requirePrincipal(req));
      return page(
        req,
        reply,
        (ctx) => ctx.t('ratings.mine.title'),
        (ctx) => <MyRatingsPage ctx={ctx} rows={rows} />,
      );
    },
  );

  app.get(
    '/ratings/results',
    {
      config: { permission: 'public' },
      schema: {
        hide: true,
        querystring: z.object({ month: z.string().max(7).optional(), region: z.string().max(12).optional() }),
      },
    },
    async (req, reply) => {
      const q = req.query as { month?: string; region?: string };
      const month = q.month && /^\d{4}-(0[1-9]|1[0-2])$/.test(q.month) ? q.month : chinaMonth(new Date());
      const region = q.region && /^\d{2,12}$/.test(q.region) ? q.region : '4101';
      const rows = await svc.monthlyResults(region, month);
      return page(
        req,
        reply,
        (ctx) => ctx.t('ratings.results.title'),
        (ctx) => <ResultsPage ctx={ctx} month={month} region={region} rows={rows} />,
        200,
        true,
      );
    },
  );

  // ── complaints (citizen) ───────────────────────────────────────────────────────────────────
  const give = { permission: 'ratings.give' } as const;
  app.get('/complaints', { config: { permission: give }, schema: { hide: true } }, async (req, reply) => {
    const rows = await svc.myComplaints(requirePrincipal(req));
    return page(
      req,
      reply,
      (ctx) => ctx.t('ratings.complaint.mine'),
      (ctx) => <MyComplaintsPage ctx={ctx} rows={rows} />,
      200,
      true,
    );
  });
  app.get(
    '/complaints/new',
    {
      config: { permission: give },
      schema: { hide: true, querystring: z.object({ case: z.string().max(64).optional() }) },
    },
    async (req, reply) => {
      const c = (req.query as { case?: string }).case;
      const values: Record<string, string> = c ? { subjectType: 'case', subjectRef: c } : {};
      return page(
        req,
        reply,
        (ctx) => ctx.t('ratings.complaint.new'),
        (ctx) => <ComplaintFormPage ctx={ctx} issues={[]} values={values} />,
      );
    },
  );
  app.post('/complaints', { config: { permission: give }, schema: { hide: true } }, async (req, reply) => {
    const f = formBody(req);
    const ref = (f.subjectRef ?? '').trim().toUpperCase();
    const subject =
      f.subjectType === 'item'
        ? { type: 'item', implementationCode: ref }
        : f.subjectType === 'hall'
          ? { type: 'hall', hallCode: ref }
          : { type: 'case', caseNumber: ref };
    try {
      const c = await svc.fileComplaint(
        { kind: f.kind, subject, title: f.title ?? '', body: f.body ?? '' },
        requirePrincipal(req),
      );
      return redirect(reply, `/complaints/${enc(c.complaintNumber)}?filed=1`);
    } catch (e) {
      const ctx = req.view(reply);
      const issues = issuesOf(e, ctx, 'subjectRef');
      return page(
        req,
        reply,
        (c) => c.t('ratings.complaint.new'),
        (c) => <ComplaintFormPage ctx={c} issues={issues} values={f} />,
        statusOf(e),
      );
    }
  });
  const complaintPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    mode: 'filer' | 'staff',
    issues: Issues = [],
    status = 200,
  ) => {
    const n = (req.params as { complaintNumber: string }).complaintNumber;
    const p = mode === 'staff' ? requireStaff(req) : requirePrincipal(req);
    const c = await svc.complaint(n, p);
    const q = req.query as { filed?: string; done?: string } | undefined;
    return page(
      req,
      reply,
      () => c.title,
      (ctx) => (
        <ComplaintPage
          ctx={ctx}
          c={c}
          mode={mode}
          issues={issues}
          notice={
            q?.filed
              ? ctx.t('ratings.complaint.filed', { dueOn: c.dueOn })
              : q?.done
                ? ctx.t('ratings.done')
                : undefined
          }
        />
      ),
      status,
    );
  };
  app.get(
    '/complaints/:complaintNumber',
    { config: { permission: give }, schema: { hide: true, params: NumberParams } },
    (req, reply) => complaintPage(req, reply, 'filer'),
  );
  app.post(
    '/complaints/:complaintNumber/rating',
    { config: { permission: give }, schema: { hide: true, params: NumberParams } },
    async (req, reply) => {
      const n = (req.params as { complaintNumber: string }).complaintNumber;
      const f = formBody(req);
      try {
        await svc.rateAnswer(n, { level: f.level ? Number(f.level) : undefined }, requirePrincipal(req));
        return redirect(reply, `/complaints/${enc(n)}?done=1`);
      } catch (e) {
        return complaintPage(req, reply, 'filer', issuesOf(e, req.view(reply), 'level'), statusOf(e));
      }
    },
  );

  // ── staff: rectifications and complaints; the supervisor's appeals ─────────────────────────
  app.get(
    '/staff/rectifications',
    {
      config: { permission: 'authenticated' },
      schema: {
        hide: true,
        querystring: z.object({ status: z.enum(['open', 'appealed', 'closed']).optional() }),
      },
    },
    async (req, reply) => {
      const p = requireStaff(req);
      const rows = await svc.rectificationQueue(p, { status: (req.query as { status?: 'open' }).status });
      return page(
        req,
        reply,
        (ctx) => ctx.t('ratings.staff.rectifications'),
        (ctx) => (
          <RectificationQueuePage ctx={ctx} rows={rows} title={ctx.t('ratings.staff.rectifications')} />
        ),
        200,
        true,
      );
    },
  );
  app.get(
    '/supervision/appeals',
    { config: { permission: { permission: 'ratings.supervise' } }, schema: { hide: true } },
    async (req, reply) => {
      const rows = await svc.rectificationQueue(requirePrincipal(req), { status: 'appealed' });
      return page(
        req,
        reply,
        (ctx) => ctx.t('ratings.staff.appeals'),
        (ctx) => <RectificationQueuePage ctx={ctx} rows={rows} title={ctx.t('ratings.staff.appeals')} />,
        200,
        true,
      );
    },
  );
  const rectPage = async (req: FastifyRequest, reply: FastifyReply, issues: Issues = [], status = 200) => {
    const p = requireStaff(req);
    const r = await svc.rectification((req.params as { id: string }).id, p);
    const scope = { regionCode: r.regionCode, departmentId: r.departmentId };
    const may = {
      handle: allows(p, 'ratings.handle', scope),
      supervise: allows(p, 'ratings.supervise', scope),
    };
    const done = (req.query as { done?: string } | undefined)?.done === '1';
    return page(
      req,
      reply,
      (ctx) => ctx.t('ratings.staff.rectification'),
      (ctx) => (
        <RectificationPage
          ctx={ctx}
          r={r}
          may={may}
          issues={issues}
          notice={done ? ctx.t('ratings.done') : undefined}
        />
      ),
      status,
    );
  };
  app.get(
    '/staff/rectifications/:id',
    { config: { permission: 'authenticated' }, schema: { hide: true, params: IdParams } },
    (req, reply) => rectPage(req, reply),
  );
  app.post(
    '/staff/rectifications/:id',
    { config: { permission: 'authenticated' }, schema: { hide: true, params: IdParams } },
    async (req, reply) => {
      const id = (req.params as { id: string }).id;
      const f = formBody(req);
      const step: Record<string, unknown> = { action: f.action, note: f.note ?? '' };
      if (f.action === 'appeal') step.ground = f.ground;
      if (f.action === 'decideAppeal')
        step.upheld = f.upheld === 'true' ? true : f.upheld === 'false' ? false : undefined;
      try {
        await svc.stepRectification(id, step, requireStaff(req));
        return redirect(reply, `/staff/rectifications/${enc(id)}?done=1`);
      } catch (e) {
        return rectPage(req, reply, issuesOf(e, req.view(reply), 'note'), statusOf(e));
      }
    },
  );
  app.get(
    '/staff/complaints',
    {
      config: { permission: 'authenticated' },
      schema: { hide: true, querystring: z.object({ status: z.enum(['open', 'answered']).optional() }) },
    },
    async (req, reply) => {
      const rows = await svc.complaintQueue(requireStaff(req), {
        status: (req.query as { status?: 'open' }).status,
      });
      return page(
        req,
        reply,
        (ctx) => ctx.t('ratings.staff.complaints'),
        (ctx) => <ComplaintQueuePage ctx={ctx} rows={rows} />,
        200,
        true,
      );
    },
  );
  app.get(
    '/staff/complaints/:complaintNumber',
    { config: { permission: 'authenticated' }, schema: { hide: true, params: NumberParams } },
    (req, reply) => complaintPage(req, reply, 'staff'),
  );
  app.post(
    '/staff/complaints/:complaintNumber/answer',
    {
      config: { permission: { permission: 'ratings.handle' } },
      schema: { hide: true, params: NumberParams },
    },
    async (req, reply) => {
      const n = (req.params as { complaintNumber: string }).complaintNumber;
      try {
        await svc.answerComplaint(n, { answer: formBody(req).answer ?? '' }, requirePrincipal(req));
        return redirect(reply, `/staff/complaints/${enc(n)}?done=1`);
      } catch (e) {
        return complaintPage(req, reply, 'staff', issuesOf(e, req.view(reply), 'answer'), statusOf(e));
      }
    },
  );
}
