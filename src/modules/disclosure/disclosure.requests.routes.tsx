import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DomainError } from '../../kernel/index.js';
import { type App, requirePrincipal } from '../../platform/http/index.js';
import type { RequestsApi } from './disclosure.requests.js';
import { requestPages } from './disclosure.requests.pages.routes.js';
import {
  FileRequestInput,
  FileRequestResponse,
  RequestActionInput,
  RequestQueueQuery,
} from './disclosure.requests.types.js';

const tags = ['disclosure'];
export const RequestNumberParams = z.object({ requestNumber: z.string().min(10).max(40) });

/** Refuses a JSON endpoint a cross-site form could reach: such forms cannot send JSON. */
function requireJson(req: FastifyRequest): void {
  if (req.headers.authorization?.startsWith('Bearer ')) return;
  if (!String(req.headers['content-type'] ?? '').startsWith('application/json'))
    throw new DomainError('COMMON.UNSUPPORTED_MEDIA_TYPE');
}

/** 依申请公开: the JSON API (CONTRACT "Disclosure") and the pages. */
export function requestRoutes(app: App, svc: RequestsApi): void {
  app.post(
    '/api/v1/disclosure/requests',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags,
        summary:
          'File a request for government information (online: your own; a clerk of the body: post or in person)',
        body: FileRequestInput,
        response: { 201: FileRequestResponse },
      },
    },
    async (req, reply) => {
      requireJson(req);
      return reply.code(201).send(await svc.file(requirePrincipal(req), req.body));
    },
  );

  app.get(
    '/api/v1/disclosure/requests',
    {
      config: { permission: { permission: 'disclosure.request' } },
      schema: { tags, summary: 'My requests, newest first' },
    },
    async (req) => ({ requests: await svc.mine(requirePrincipal(req)) }),
  );

  app.get(
    '/api/v1/disclosure/requests/:requestNumber',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags,
        summary: 'A request: state, statutory clock, actions and replies (its requester or the body)',
        params: RequestNumberParams,
      },
    },
    async (req) => {
      const { mayAct, viewerIsStaff, ...v } = await svc.view(req.params.requestNumber, requirePrincipal(req));
      return { ...v, mayAct };
    },
  );

  app.post(
    '/api/v1/disclosure/requests/:requestNumber/actions',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags,
        summary:
          'A step: {"action":"reply","kind":…} | extend | requestSupplement | supplement | consultThirdParty | thirdPartyReplied | withdraw',
        params: RequestNumberParams,
        body: RequestActionInput,
      },
    },
    async (req) => {
      requireJson(req);
      const { mayAct, viewerIsStaff, ...v } = await svc.act(
        req.params.requestNumber,
        req.body,
        requirePrincipal(req),
      );
      return { ...v, mayAct };
    },
  );

  app.get(
    '/api/v1/disclosure/requests/:requestNumber/attachments/:sha256',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags,
        summary: 'An attachment of the request or a reply (downloaded, never rendered inline)',
        params: RequestNumberParams.extend({ sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
      },
    },
    async (req, reply) => {
      const f = await svc.attachment(req.params.requestNumber, req.params.sha256, requirePrincipal(req));
      return reply
        .type(f.mediaType)
        .header('content-disposition', `attachment; filename="${f.sha256.slice(0, 16)}"`)
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "sandbox; default-src 'none'")
        .send(f.data);
    },
  );

  app.get(
    '/api/v1/disclosure/queue',
    {
      config: { permission: { permission: 'disclosure.handle' } },
      schema: {
        tags,
        summary: "A body's requests with their clocks, due first",
        querystring: RequestQueueQuery,
      },
    },
    async (req) => svc.queue(requirePrincipal(req), req.query),
  );

  app.get(
    '/api/v1/disclosure/register',
    {
      config: { permission: 'public' },
      schema: {
        tags,
        summary: 'The public register: answered requests whose requesters agreed (no names), newest first',
        querystring: z.object({
          body: z.string().max(100).optional(),
          page: z.coerce.number().int().min(1).max(10_000).default(1),
        }),
      },
    },
    async (req) => svc.registerList({ bodyId: req.query.body, page: req.query.page }),
  );

  requestPages(app, svc);
}
