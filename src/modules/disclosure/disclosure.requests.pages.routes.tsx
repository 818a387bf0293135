import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DomainError, type FieldIssue, isDomainError } from '../../kernel/index.js';
import {
  type App,
  type Principal,
  type UploadedFile,
  formBody,
  requirePrincipal,
  uploadedFiles,
} from '../../platform/http/index.js';
import { renderPage, sendHtml } from '../../platform/views/index.js';
import type { RequestsApi } from './disclosure.requests.js';
import {
  MyRequestsPage,
  QueuePage,
  RegisterEntryPage,
  RegisterListPage,
  RequestFormPage,
  RequestPage,
  requestHref,
} from './disclosure.requests.pages.js';
import { MAX_ATTACHMENT_BYTES } from './disclosure.requests.types.js';

/** the steps a page post may report done (`?done=`) */
const DONE: ReadonlySet<string> = new Set([
  'filed',
  'reply',
  'extend',
  'requestSupplement',
  'supplement',
  'consultThirdParty',
  'thirdPartyReplied',
  'withdraw',
]);

/** The city whose bodies a platform-wide grant or a first visit lists (the demo city). */
const CITY = '410100';
const HANDLE = 'disclosure.handle';
const Params = z.object({ requestNumber: z.string().min(10).max(40) });
type Issue = FieldIssue & { message: string };

const lines = (s: string | undefined) =>
  (s ?? '')
    .split(/\r?\n/)
    .map((x) => x.trim())
    .filter(Boolean);
const opt = (s: string | undefined) => (s ? s : undefined);

/** Files from a page post as attachments; one cut short by the upload limit is refused here. */
function attachmentsOf(files: readonly UploadedFile[]) {
  return files.map((f) => {
    if (f.tooLarge || f.overTotal)
      throw new DomainError('DISCLOSURE.ATTACHMENT_TOO_LARGE', {
        details: { filename: f.filename, maxBytes: MAX_ATTACHMENT_BYTES },
      });
    return { filename: f.filename, mediaType: f.declaredType, contentBase64: f.data.toString('base64') };
  });
}

/** The request form as the API's input. */
export function requestFromForm(b: Record<string, string>, files: readonly UploadedFile[]) {
  return {
    body: b.body ?? '',
    description: b.description ?? '',
    purpose: opt(b.purpose),
    form: opt(b.form),
    delivery: opt(b.delivery),
    requester: {
      kind: b.requesterKind || 'person',
      ...(b.requesterKind === 'organization' && b.orgType ? { orgType: b.orgType } : {}),
      name: b.name ?? '',
      idNumber: opt(b.idNumber),
      phone: opt(b.phone),
      email: opt(b.email),
      address: opt(b.address),
    },
    channel: b.channel || 'online',
    receivedOn: opt(b.receivedOn),
    publicRegister: b.publicRegister === '1',
    attachments: attachmentsOf(files),
  };
}

/** A posted action form (`action` plus `<action>.<field>` inputs) as the API's input. */
export function actionFromForm(b: Record<string, string>, files: readonly UploadedFile[]) {
  const action = b.action ?? '';
  const f = (name: string) => b[`${action}.${name}`];
  switch (action) {
    case 'reply': {
      const kind = f('kind') ?? '';
      const ground = opt(f('ground'));
      return {
        action,
        kind,
        text: f('text') ?? '',
        attachments: attachmentsOf(files),
        ...(kind === 'refuse' || kind === 'mayWithhold' ? { ground } : {}),
        ...(kind === 'partial'
          ? { redactions: lines(f('redactions')).map((part) => ({ part, ground })) }
          : {}),
        ...(kind === 'notResponsible'
          ? { rightBody: f('rightBody') ?? '', forward: f('forward') === '1' }
          : {}),
        ...(kind === 'duplicate' && f('previousRequest') ? { previousRequest: f('previousRequest') } : {}),
      };
    }
    case 'requestSupplement':
      return { action, points: lines(f('points')) };
    case 'extend':
      return { action, reason: f('reason') ?? '' };
    case 'consultThirdParty':
      return { action, thirdParty: f('thirdParty') ?? '', note: opt(f('note')) };
    case 'thirdPartyReplied':
      return { action, consents: f('consents') === '1', note: opt(f('note')) };
    case 'supplement':
      return { action, text: f('text') ?? '' };
    case 'withdraw':
      return { action, reason: opt(f('reason')) };
    default:
      return { action };
  }
}

/** A refused input as issues beside its fields; anything else is not the user's to fix here. */
function issuesOf(e: unknown, lang: 'zh-CN' | 'en', prefix = ''): Issue[] | undefined {
  if (!isDomainError(e) || e.status >= 500 || e.status === 401 || e.status === 403 || e.status === 404)
    return undefined;
  const message = e.messageIn(lang);
  const field =
    e.code === 'DISCLOSURE.UNKNOWN_BODY'
      ? 'body'
      : e.code === 'DISCLOSURE.RECEIVED_ON_INVALID'
        ? 'receivedOn'
        : e.code.startsWith('DISCLOSURE.ATTACHMENT')
          ? 'attachments'
          : undefined;
  const details = Array.isArray(e.details) ? (e.details as FieldIssue[]) : [];
  if (!field && details.length)
    return details.map((d) => ({ field: `${prefix}${d.field}`, rule: d.rule, message }));
  return [{ field: field ?? `${prefix}form`, rule: e.code, message }];
}

const holdsHandle = (p: Principal | undefined) => !!p?.grants.some((g) => g.permissions.includes(HANDLE));

/** The bodies whose requests the caller handles: bound grants' departments, else the region's bodies. */
async function handledBodies(svc: RequestsApi, p: Principal) {
  const grants = p.grants.filter((g) => g.permissions.includes(HANDLE));
  const out = new Map<string, { id: string; name: string; regionCode: string }>();
  for (const g of grants) {
    if (g.departmentId) {
      const b = await svc.body(g.departmentId);
      if (b) out.set(b.id, b);
    } else {
      const region = g.regionPrefix === '' ? CITY : g.regionPrefix.padEnd(6, '0').slice(0, 6);
      for (const b of await svc.bodiesIn(region)) out.set(b.id, b);
    }
  }
  return [...out.values()];
}

export function requestPages(app: App, svc: RequestsApi): void {
  const formPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    values: Record<string, string>,
    issues: Issue[],
    status = 200,
  ) => {
    const ctx = req.view(reply);
    const region = /^\d{6}$/.test(values.region ?? '') ? (values.region as string) : CITY;
    const [divisions, bodies] = await Promise.all([svc.divisions(CITY), svc.bodiesIn(region)]);
    // a body chosen before (in another region) stays on the list
    const chosen =
      values.body && !bodies.some((b) => b.id === values.body) ? await svc.body(values.body) : undefined;
    const m = {
      region,
      divisions,
      bodies: chosen ? [chosen, ...bodies] : bodies,
      values,
      issues,
      staff: holdsHandle(req.principal),
    };
    return sendHtml(
      reply,
      renderPage(ctx, ctx.t('disclosure.request.new.title'), <RequestFormPage ctx={ctx} m={m} />),
      status,
    );
  };

  app.get(
    '/disclosure/requests/new',
    {
      config: { permission: 'authenticated' },
      schema: { hide: true, querystring: z.object({ region: z.string().max(12).optional() }) },
    },
    async (req, reply) => formPage(req, reply, { region: req.query.region ?? CITY }, []),
  );

  app.post(
    '/disclosure/requests',
    { config: { permission: 'authenticated', uploads: true }, schema: { hide: true } },
    async (req, reply) => {
      const b = formBody(req);
      try {
        const r = await svc.file(requirePrincipal(req), requestFromForm(b, uploadedFiles(req)));
        return reply.redirect(`${requestHref(r.requestNumber)}?done=filed`, 303);
      } catch (e) {
        const issues = issuesOf(e, req.view(reply).lang);
        if (!issues || !isDomainError(e)) throw e;
        return formPage(req, reply, b, issues, e.status);
      }
    },
  );

  app.get(
    '/disclosure/requests',
    { config: { permission: { permission: 'disclosure.request' } }, schema: { hide: true } },
    async (req, reply) => {
      const ctx = req.view(reply);
      const rows = await svc.mine(requirePrincipal(req));
      return sendHtml(
        reply,
        renderPage(ctx, ctx.t('disclosure.request.mine.title'), <MyRequestsPage ctx={ctx} rows={rows} />),
      );
    },
  );

  const requestPage = async (
    req: FastifyRequest,
    reply: FastifyReply,
    n: string,
    issues: Issue[] = [],
    status = 200,
  ) => {
    const ctx = req.view(reply);
    const p = requirePrincipal(req);
    const v = await svc.view(n, p);
    const bodies = v.mayAct.includes('reply') ? await svc.bodiesIn(v.regionCode.slice(0, 6)) : [];
    const cityBodies =
      v.mayAct.includes('reply') && v.regionCode.slice(0, 6) !== CITY ? await svc.bodiesIn(CITY) : [];
    const done = (req.query as Record<string, unknown> | undefined)?.done;
    return sendHtml(
      reply,
      renderPage(
        ctx,
        ctx.t('disclosure.request.title', { n: v.requestNumber }),
        <RequestPage
          ctx={ctx}
          v={v}
          bodies={[...cityBodies, ...bodies]}
          done={typeof done === 'string' && DONE.has(done) ? done : undefined}
          issues={issues}
        />,
        { wide: true },
      ),
      status,
    );
  };

  app.get(
    '/disclosure/requests/:requestNumber',
    { config: { permission: 'authenticated' }, schema: { hide: true, params: Params } },
    async (req, reply) => requestPage(req, reply, req.params.requestNumber),
  );

  app.post(
    '/disclosure/requests/:requestNumber/actions',
    { config: { permission: 'authenticated', uploads: true }, schema: { hide: true, params: Params } },
    async (req, reply) => {
      const n = req.params.requestNumber;
      const b = formBody(req);
      try {
        await svc.act(n, actionFromForm(b, uploadedFiles(req)), requirePrincipal(req));
      } catch (e) {
        const issues = issuesOf(e, req.view(reply).lang, `${b.action ?? ''}.`);
        if (!issues || !isDomainError(e)) throw e;
        return requestPage(req, reply, n, issues, e.status);
      }
      return reply.redirect(`${requestHref(n)}?done=${encodeURIComponent(b.action ?? '')}`, 303);
    },
  );

  app.get(
    '/disclosure/register',
    {
      config: { permission: 'public' },
      schema: {
        hide: true,
        querystring: z.object({ page: z.coerce.number().int().min(1).max(10_000).optional() }),
      },
    },
    async (req, reply) => {
      const ctx = req.view(reply);
      const r = await svc.registerList({ page: req.query.page ?? 1 });
      return sendHtml(
        reply,
        renderPage(ctx, ctx.t('disclosure.register.title'), <RegisterListPage ctx={ctx} {...r} />, {
          wide: true,
        }),
      );
    },
  );

  app.get(
    '/disclosure/register/:requestNumber',
    { config: { permission: 'public' }, schema: { hide: true, params: Params } },
    async (req, reply) => {
      const e = await svc.publicEntry(req.params.requestNumber);
      if (!e) throw new DomainError('DISCLOSURE.REQUEST_NOT_FOUND');
      const ctx = req.view(reply);
      return sendHtml(
        reply,
        renderPage(
          ctx,
          ctx.t('disclosure.register.entry', { n: e.requestNumber }),
          <RegisterEntryPage ctx={ctx} e={e} />,
        ),
      );
    },
  );

  app.get(
    '/workbench/disclosure',
    {
      config: { permission: { permission: HANDLE } },
      schema: {
        hide: true,
        querystring: z.object({
          body: z.string().max(100).optional(),
          open: z.enum(['1', '0']).optional(),
          page: z.coerce.number().int().min(1).max(10_000).optional(),
        }),
      },
    },
    async (req, reply) => {
      const ctx = req.view(reply);
      const p = requirePrincipal(req);
      const bodies = await handledBodies(svc, p);
      const bodyId = req.query.body || bodies[0]?.id;
      const open = req.query.open !== '0';
      const q = bodyId
        ? await svc.queue(p, { body: bodyId, open: open ? '1' : '0', page: req.query.page ?? 1 })
        : undefined;
      const m = { body: q?.body, bodies, open, total: q?.total ?? 0, rows: q?.rows ?? [] };
      return sendHtml(
        reply,
        renderPage(ctx, ctx.t('disclosure.request.queue.title'), <QueuePage ctx={ctx} m={m} />, {
          wide: true,
        }),
      );
    },
  );
}
