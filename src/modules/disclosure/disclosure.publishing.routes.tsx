import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DomainError, type FieldIssue, isDomainError } from '../../kernel/index.js';
import type { Executor } from '../../platform/db/index.js';
import {
  type App,
  type Principal,
  formBody,
  requirePrincipal,
  uploadedFiles,
} from '../../platform/http/index.js';
import { renderPage, sendHtml } from '../../platform/views/index.js';
import { atomFeed, sitemapFile, sitemapFiles, sitemapIndex, sitemapOfPages } from './disclosure.feeds.js';
import type { Body } from './disclosure.ports.js';
import { DraftInput, PublicationActionInput, type PublishingApi } from './disclosure.publishing.js';
import {
  DraftFormPage,
  StaffPublicationPage,
  WorklistPage,
  staffPublicationHref,
} from './disclosure.publishing.pages.js';
import { DISCLOSURE_DOMAINS } from './disclosure.types.js';

const tags = ['disclosure'];
const PUBLISH = 'disclosure.publish';
const CITY = '410100';
const IdParams = z.object({ id: z.string().min(1).max(64) });
type Issue = FieldIssue & { message: string };

function requireJson(req: FastifyRequest): void {
  if (req.headers.authorization?.startsWith('Bearer ')) return;
  if (!String(req.headers['content-type'] ?? '').startsWith('application/json'))
    throw new DomainError('COMMON.UNSUPPORTED_MEDIA_TYPE');
}

function issuesOf(e: unknown, lang: 'zh-CN' | 'en'): Issue[] | undefined {
  if (!isDomainError(e) || e.status >= 500 || e.status === 401 || e.status === 403 || e.status === 404)
    return undefined;
  const message = e.messageIn(lang);
  if (e.code.startsWith('DISCLOSURE.ATTACHMENT')) return [{ field: 'attachments', rule: e.code, message }];
  const details = Array.isArray(e.details) ? (e.details as FieldIssue[]) : [];
  return details.length
    ? details.map((d) => ({ field: d.field, rule: d.rule, message }))
    : [{ field: 'form', rule: e.code, message }];
}

export interface PublishingRouteDeps {
  readonly publishing: PublishingApi;
  readonly bodies: { body(id: string): Promise<Body | undefined>; bodiesIn(region: string): Promise<Body[]> };
  readonly db: Executor;
  readonly publicUrl: string;
}

/** The bodies the caller publishes for: bound grants' departments, else the region's bodies. */
async function publishingBodies(d: PublishingRouteDeps, p: Principal): Promise<Body[]> {
  const out = new Map<string, Body>();
  for (const g of p.grants.filter((x) => x.permissions.includes(PUBLISH))) {
    if (g.departmentId) {
      const b = await d.bodies.body(g.departmentId);
      if (b) out.set(b.id, b);
    } else {
      const region = g.regionPrefix === '' ? CITY : g.regionPrefix.padEnd(6, '0').slice(0, 6);
      for (const b of await d.bodies.bodiesIn(region)) out.set(b.id, b);
    }
  }
  return [...out.values()];
}

export function publishingRoutes(app: App, d: PublishingRouteDeps): void {
  const svc = d.publishing;
  const base = d.publicUrl.replace(/\/$/, '');

  // ── JSON API ──────────────────────────────────────────────────────────────────────────────
  app.post(
    '/api/v1/disclosure/publications',
    {
      config: { permission: { permission: PUBLISH } },
      schema: {
        tags,
        summary: '主动公开: draft a publication for a department (PDF attachments)',
        body: DraftInput,
      },
    },
    async (req, reply) => {
      requireJson(req);
      return reply.code(201).send(await svc.draft(requirePrincipal(req), req.body));
    },
  );
  app.get(
    '/api/v1/disclosure/publications/:id',
    {
      config: { permission: { permission: PUBLISH } },
      schema: {
        tags,
        summary: "A publication as its department's staff see it, with its 20-day clock",
        params: IdParams,
      },
    },
    async (req) => svc.view(req.params.id, requirePrincipal(req)),
  );
  app.post(
    '/api/v1/disclosure/publications/:id/actions',
    {
      config: { permission: { permission: PUBLISH } },
      schema: {
        tags,
        summary: 'A step: submit | return (note) | publish (another person) | withdraw (reason)',
        params: IdParams,
        body: PublicationActionInput,
      },
    },
    async (req) => {
      requireJson(req);
      return svc.act(req.params.id, req.body, requirePrincipal(req));
    },
  );

  // ── feeds and the sitemap (public) ────────────────────────────────────────────────────────
  const atom = (reply: FastifyReply, body: string) =>
    reply
      .type('application/atom+xml; charset=utf-8')
      .header('cache-control', 'public, max-age=300')
      .send(body);
  app.get(
    '/disclosure/domains/:domain/feed.atom',
    {
      config: { permission: 'public' },
      schema: { hide: true, params: z.object({ domain: z.enum(DISCLOSURE_DOMAINS) }) },
    },
    async (req, reply) =>
      atom(
        reply,
        await atomFeed(d.db, base, {
          domain: req.params.domain,
          title: `政府信息公开 · ${req.params.domain}`,
          selfPath: `/disclosure/domains/${encodeURIComponent(req.params.domain)}/feed.atom`,
        }),
      ),
  );
  app.get(
    '/disclosure/departments/:department/feed.atom',
    {
      config: { permission: 'public' },
      schema: { hide: true, params: z.object({ department: z.string().min(1).max(100) }) },
    },
    async (req, reply) =>
      atom(
        reply,
        await atomFeed(d.db, base, {
          department: req.params.department,
          title: `政府信息公开 · ${req.params.department}`,
          selfPath: `/disclosure/departments/${encodeURIComponent(req.params.department)}/feed.atom`,
        }),
      ),
  );
  const xml = (reply: FastifyReply, body: string) =>
    reply.type('application/xml; charset=utf-8').header('cache-control', 'public, max-age=3600').send(body);
  app.get('/sitemap.xml', { config: { permission: 'public' }, schema: { hide: true } }, async (_req, reply) =>
    xml(reply, sitemapIndex(base, await sitemapFiles(d.db))),
  );
  app.get(
    '/sitemaps/pages.xml',
    { config: { permission: 'public' }, schema: { hide: true } },
    async (_req, reply) => xml(reply, sitemapOfPages(base, DISCLOSURE_DOMAINS)),
  );
  app.get(
    '/sitemaps/disclosure-:n.xml',
    {
      config: { permission: 'public' },
      schema: { hide: true, params: z.object({ n: z.coerce.number().int().min(1).max(1000) }) },
    },
    async (req, reply) => {
      const body = await sitemapFile(d.db, base, req.params.n);
      if (!body) throw new DomainError('COMMON.NOT_FOUND');
      return xml(reply, body);
    },
  );

  // ── staff pages ───────────────────────────────────────────────────────────────────────────
  app.get(
    '/workbench/disclosure/publications',
    {
      config: { permission: { permission: PUBLISH } },
      schema: { hide: true, querystring: z.object({ department: z.string().max(100).optional() }) },
    },
    async (req, reply) => {
      const ctx = req.view(reply);
      const p = requirePrincipal(req);
      const bodies = await publishingBodies(d, p);
      const id = req.query.department || bodies[0]?.id;
      const w = id ? await svc.worklist(p, id) : undefined;
      return sendHtml(
        reply,
        renderPage(
          ctx,
          ctx.t('disclosure.publishing.title'),
          <WorklistPage ctx={ctx} body={w?.body} bodies={bodies} rows={w?.rows ?? []} />,
          { wide: true },
        ),
      );
    },
  );

  const draftPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    values: Record<string, string>,
    issues: Issue[],
    status = 200,
  ) => {
    const ctx = req.view(reply);
    const body = await d.bodies.body(values.department ?? '');
    if (!body) throw new DomainError('DISCLOSURE.UNKNOWN_BODY');
    return sendHtml(
      reply,
      renderPage(
        ctx,
        ctx.t('disclosure.publishing.new'),
        <DraftFormPage ctx={ctx} body={body} values={values} issues={issues} />,
      ),
      status,
    );
  };
  app.get(
    '/workbench/disclosure/publications/new',
    {
      config: { permission: { permission: PUBLISH } },
      schema: { hide: true, querystring: z.object({ department: z.string().max(100) }) },
    },
    async (req, reply) => draftPage(req, reply, { department: req.query.department }, []),
  );
  app.post(
    '/workbench/disclosure/publications',
    { config: { permission: { permission: PUBLISH }, uploads: true }, schema: { hide: true } },
    async (req, reply) => {
      const b = formBody(req);
      const opt = (s: string | undefined) => (s ? s : undefined);
      try {
        const attachments = uploadedFiles(req).map((f) => {
          if (f.tooLarge || f.overTotal) throw new DomainError('DISCLOSURE.ATTACHMENT_TOO_LARGE');
          return {
            filename: f.filename,
            mediaType: f.declaredType,
            contentBase64: f.data.toString('base64'),
          };
        });
        const v = await svc.draft(requirePrincipal(req), {
          department: b.department ?? '',
          domain: b.domain ?? '',
          category: b.category ?? '',
          title: b.title ?? '',
          body: b.body ?? '',
          docNumber: opt(b.docNumber),
          madeOn: b.madeOn ?? '',
          effectiveFrom: opt(b.effectiveFrom),
          expiresOn: opt(b.expiresOn),
          attachments,
        });
        return reply.redirect(staffPublicationHref(v.id), 303);
      } catch (e) {
        const issues = issuesOf(e, req.view(reply).lang);
        if (!issues || !isDomainError(e)) throw e;
        return draftPage(req, reply, b, issues, e.status);
      }
    },
  );

  const staffPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    id: string,
    issues: Issue[] = [],
    status = 200,
  ) => {
    const ctx = req.view(reply);
    const v = await svc.view(id, requirePrincipal(req));
    return sendHtml(
      reply,
      renderPage(ctx, v.title, <StaffPublicationPage ctx={ctx} v={v} issues={issues} />),
      status,
    );
  };
  app.get(
    '/workbench/disclosure/publications/:id',
    { config: { permission: { permission: PUBLISH } }, schema: { hide: true, params: IdParams } },
    async (req, reply) => staffPage(req, reply, req.params.id),
  );
  app.post(
    '/workbench/disclosure/publications/:id/actions',
    { config: { permission: { permission: PUBLISH } }, schema: { hide: true, params: IdParams } },
    async (req, reply) => {
      const b = formBody(req);
      const input =
        b.action === 'return'
          ? { action: 'return', note: b.note ?? '' }
          : b.action === 'withdraw'
            ? { action: 'withdraw', reason: b.reason ?? '' }
            : { action: b.action ?? '' };
      try {
        await svc.act(req.params.id, input, requirePrincipal(req));
      } catch (e) {
        const issues = issuesOf(e, req.view(reply).lang);
        if (!issues || !isDomainError(e)) throw e;
        return staffPage(req, reply, req.params.id, issues, e.status);
      }
      return reply.redirect(staffPublicationHref(req.params.id), 303);
    },
  );
}
