import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DomainError } from '../../kernel/index.js';
import { holds } from '../../platform/access.js';
import { type App, requirePrincipal } from '../../platform/http/index.js';
import type { RatingsService } from './ratings.service.js';
import {
  AnswerInput,
  AnswerRatingInput,
  ComplaintInput,
  HotlineInput,
  LinkRatingInput,
  RATING_STAGES,
  RatingInput,
  RectificationStep,
} from './ratings.types.js';

const tags = ['ratings'];
const CaseParams = z.object({ caseNumber: z.string().min(8).max(64) });
const IdParams = z.object({ id: z.string().min(1).max(64) });
const NumberParams = z.object({ complaintNumber: z.string().min(4).max(40) });
const TokenParams = z.object({ token: z.string().min(10).max(200) });

/** Refuses a cookie-carried JSON endpoint a cross-site form could reach (forms cannot send JSON). */
function requireJson(req: FastifyRequest): void {
  if (req.headers.authorization?.startsWith('Bearer ')) return;
  if (!String(req.headers['content-type'] ?? '').startsWith('application/json'))
    throw new DomainError('COMMON.UNSUPPORTED_MEDIA_TYPE');
}

/** Staff queues: a department's handlers (ratings.handle) and supervisors (ratings.supervise). */
function requireStaff(req: FastifyRequest) {
  const p = requirePrincipal(req);
  if (!holds(p, 'ratings.handle') && !holds(p, 'ratings.supervise'))
    throw new DomainError('COMMON.FORBIDDEN', { details: { permission: 'ratings.handle' } });
  return p;
}

export function ratingsApiRoutes(app: App, svc: RatingsService): void {
  // ── 好差评 ────────────────────────────────────────────────────────────────────────────────────
  app.post(
    '/api/v1/cases/:caseNumber/ratings',
    {
      // the applicant (ratings.give) on the case page or a kiosk, or the window clerk of the
      // receiving hall on the pad: the service decides which, from the case
      config: { permission: 'authenticated' },
      schema: {
        tags,
        summary:
          'Rate a case at a stage it reached: {"level":1-5,"stage","channel","indicators":[…],"text"?}',
        params: CaseParams,
        body: RatingInput,
      },
    },
    async (req, reply) => {
      requireJson(req);
      const { caseNumber } = req.params as { caseNumber: string };
      const r = await svc.rate(caseNumber, req.body, { via: 'principal', principal: requirePrincipal(req) });
      return reply.code(201).send(r);
    },
  );

  app.get(
    '/api/v1/cases/:caseNumber/ratings',
    {
      config: { permission: { permission: 'ratings.give' } },
      schema: { tags, summary: "The ratings given on one's own case", params: CaseParams },
    },
    async (req) => {
      const { caseNumber } = req.params as { caseNumber: string };
      const r = await svc.ratingsOfCase(caseNumber, requirePrincipal(req));
      return { caseNumber, ratings: r.ratings };
    },
  );

  app.post(
    '/api/v1/cases/:caseNumber/ratings/links',
    {
      config: { permission: { permission: 'cases.accept' } },
      schema: {
        tags,
        summary: "The window pad's one-time QR link (一次一评, tied to the window and the clerk)",
        params: CaseParams,
        body: z
          .object({ stage: z.enum(RATING_STAGES), window: z.string().regex(/^[A-Za-z0-9-]{1,16}$/) })
          .strict(),
      },
    },
    async (req, reply) => {
      requireJson(req);
      const { caseNumber } = req.params as { caseNumber: string };
      const l = await svc.issueWindowLink(
        caseNumber,
        req.body as { stage: 'accepted' | 'completed'; window: string },
        requirePrincipal(req),
      );
      return reply.code(201).send({ url: l.url, expiresAt: l.expiresAt });
    },
  );

  app.post(
    '/api/v1/ratings/links/:token',
    {
      // no login: the signed one-time link is the credential (a cross-site form cannot send JSON)
      config: { permission: 'public', limits: ['ratingLink'], skipCsrf: true },
      schema: {
        tags,
        summary: 'Rate through a one-time SMS or window link',
        params: TokenParams,
        body: LinkRatingInput,
      },
    },
    async (req, reply) => {
      if (!String(req.headers['content-type'] ?? '').startsWith('application/json'))
        throw new DomainError('COMMON.UNSUPPORTED_MEDIA_TYPE');
      const { token } = req.params as { token: string };
      const link = await svc.resolveLink(token);
      const body = { ...(req.body as object), stage: link.stage, channel: link.channel };
      const r = await svc.rate(link.case_number, body, { via: 'link', link });
      return reply.code(201).send(r);
    },
  );

  app.get(
    '/api/v1/ratings/mine',
    { config: { permission: { permission: 'ratings.give' } }, schema: { tags, summary: 'My ratings' } },
    async (req) => ({ ratings: await svc.myRatings(requirePrincipal(req)) }),
  );

  app.get(
    '/api/v1/ratings/results',
    {
      config: { permission: 'public' },
      schema: {
        tags,
        summary: "Each department's ratings and rectification rate in a month (public, no personal data)",
        querystring: z.object({
          region: z
            .string()
            .regex(/^\d{2,12}$/)
            .default('4101'),
          month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/),
        }),
      },
    },
    async (req) => {
      const q = req.query as { region: string; month: string };
      return { region: q.region, month: q.month, departments: await svc.monthlyResults(q.region, q.month) };
    },
  );

  // ── 差评整改 ──────────────────────────────────────────────────────────────────────────────────
  app.get(
    '/api/v1/rectifications',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags,
        summary: 'Rectifications of my departments (or, for a supervisor, my region), by due date',
        querystring: z.object({ status: z.enum(['open', 'appealed', 'closed']).optional() }),
      },
    },
    async (req) => {
      const p = requireStaff(req);
      const q = req.query as { status?: 'open' | 'appealed' | 'closed' };
      return { rectifications: await svc.rectificationQueue(p, { status: q.status }) };
    },
  );

  app.get(
    '/api/v1/rectifications/:id',
    {
      config: { permission: 'authenticated' },
      schema: { tags, summary: 'One rectification', params: IdParams },
    },
    async (req) => svc.rectification((req.params as { id: string }).id, requireStaff(req)),
  );

  app.post(
    '/api/v1/rectifications/:id/steps',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags,
        summary:
          'callback | fix | explain | appeal (the department); decideAppeal (a supervisor, with reasons)',
        params: IdParams,
        body: RectificationStep,
      },
    },
    async (req) => {
      requireJson(req);
      return svc.stepRectification((req.params as { id: string }).id, req.body, requireStaff(req));
    },
  );

  // ── 政民互动 ──────────────────────────────────────────────────────────────────────────────────
  app.post(
    '/api/v1/complaints',
    {
      config: { permission: { permission: 'ratings.give' } },
      schema: {
        tags,
        summary: 'File an enquiry, complaint or suggestion about an item, a hall or a case',
        body: ComplaintInput,
      },
    },
    async (req, reply) => {
      requireJson(req);
      return reply.code(201).send(await svc.fileComplaint(req.body, requirePrincipal(req)));
    },
  );

  app.post(
    '/api/v1/complaints/hotline',
    {
      config: { permission: { permission: 'complaints.intake' } },
      schema: {
        tags,
        summary: "A 12345 hotline ticket (client credentials; idempotent by the hotline's ticket number)",
        body: HotlineInput,
      },
    },
    async (req, reply) => {
      requireJson(req);
      const r = await svc.intakeHotline(req.body, requirePrincipal(req));
      return reply.code(r.created ? 201 : 200).send(r.complaint);
    },
  );

  app.get(
    '/api/v1/complaints',
    {
      config: { permission: { permission: 'ratings.give' } },
      schema: { tags, summary: 'My enquiries and complaints' },
    },
    async (req) => ({ complaints: await svc.myComplaints(requirePrincipal(req)) }),
  );

  app.get(
    '/api/v1/complaints/queue',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags,
        summary: "My departments' enquiries and complaints, by due date",
        querystring: z.object({ status: z.enum(['open', 'answered']).optional() }),
      },
    },
    async (req) => {
      const p = requireStaff(req);
      return {
        complaints: await svc.complaintQueue(p, { status: (req.query as { status?: 'open' }).status }),
      };
    },
  );

  app.get(
    '/api/v1/complaints/:complaintNumber',
    {
      config: { permission: 'authenticated' },
      schema: { tags, summary: 'One enquiry or complaint', params: NumberParams },
    },
    async (req) =>
      svc.complaint((req.params as { complaintNumber: string }).complaintNumber, requirePrincipal(req)),
  );

  app.post(
    '/api/v1/complaints/:complaintNumber/answer',
    {
      config: { permission: { permission: 'ratings.handle' } },
      schema: { tags, summary: "The department's answer", params: NumberParams, body: AnswerInput },
    },
    async (req) => {
      requireJson(req);
      const n = (req.params as { complaintNumber: string }).complaintNumber;
      return svc.answerComplaint(n, req.body, requirePrincipal(req));
    },
  );

  app.post(
    '/api/v1/complaints/:complaintNumber/rating',
    {
      config: { permission: { permission: 'ratings.give' } },
      schema: {
        tags,
        summary: 'The filer rates the answer: {"level":1-5}',
        params: NumberParams,
        body: AnswerRatingInput,
      },
    },
    async (req) => {
      requireJson(req);
      const n = (req.params as { complaintNumber: string }).complaintNumber;
      return svc.rateAnswer(n, req.body, requirePrincipal(req));
    },
  );
}
