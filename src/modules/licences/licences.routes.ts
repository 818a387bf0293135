import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DomainError } from '../../kernel/index.js';
import type { App } from '../../platform/http/index.js';
import { requirePrincipal } from '../../platform/http/index.js';
import { translator } from '../../platform/i18n/index.js';
import { sendHtml } from '../../platform/views/index.js';
import { verifyPage, validityText, walletPage } from './licences.pages.js';
import type { LicencesService } from './licences.service.js';

const identifierParam = z.object({ identifier: z.string().min(1).max(200) });

const statusSchema = z.enum(['valid', 'revoked', 'superseded', 'expired', 'notYetValid']);

const summarySchema = z.object({
  identifier: z.string(),
  typeCode: z.string(),
  typeName: z.string(),
  licenceNumber: z.string(),
  issuerCode: z.string(),
  issuerName: z.string(),
  holderNameMasked: z.string(),
  holderIdMasked: z.string(),
  holderIdType: z.enum(['111', '001']),
  issueDate: z.string(),
  validFrom: z.string(),
  validTo: z.string().nullable(),
  version: z.number().int(),
  regionCode: z.string(),
  status: statusSchema,
  revoked: z.boolean(),
  expired: z.boolean(),
});

const verifySchema = z.object({
  valid: z.boolean(),
  status: statusSchema.describe('the register status; `valid` also needs a good signature'),
  revoked: z.boolean(),
  expired: z.boolean(),
  identifier: z.string(),
  type: z.string(),
  issuer: z.string(),
  holder: z.string().describe('masked'),
  validFrom: z.string(),
  validTo: z.string().nullable().describe('null: long-term (长期)'),
  signatureValid: z.boolean(),
});

const signatureSchema = z.object({
  algorithm: z.literal('SM2-SM3'),
  distinguishingId: z.string(),
  signedBytes: z.string().describe('base64 of the exact bytes signed (RFC 8785 canonical JSON)'),
  signature: z.string().describe('base64 DER SEQUENCE { r, s }'),
  keyId: z.string(),
  publicKeyPem: z.string().describe('SubjectPublicKeyInfo, curve SM2 (1.2.156.10197.1.301)'),
});

export function licencesRoutes(app: App, svc: LicencesService, opts: { publicUrl: string }): void {
  app.get(
    '/api/v1/licences',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags: ['licences'],
        summary: 'The signed-in holder’s e-licences (证照夹)',
        querystring: z.object({ holder: z.literal('me') }),
        response: { 200: z.object({ total: z.number().int(), licences: z.array(summarySchema) }) },
      },
    },
    async (req) => {
      const p = requirePrincipal(req);
      const licences = await svc.listForAccount(p.accountId);
      return { total: licences.length, licences };
    },
  );

  app.get(
    '/api/v1/licences/:identifier/verify',
    {
      config: { permission: 'public', limits: ['licenceVerify'] },
      schema: {
        tags: ['licences'],
        summary: 'Verify an e-licence (public, no login): status, masked holder and signature check',
        params: identifierParam,
        response: { 200: verifySchema },
      },
    },
    async (req) => svc.verify((req.params as { identifier: string }).identifier),
  );

  app.get(
    '/api/v1/licences/:identifier/signature',
    {
      config: { permission: 'public', limits: ['licenceVerify'] },
      schema: {
        tags: ['licences'],
        summary:
          'Exactly what was signed, the SM2 signature and the issuer key, for independent verification',
        params: identifierParam,
        response: { 200: signatureSchema },
      },
    },
    async (req) => svc.signatureOf((req.params as { identifier: string }).identifier),
  );

  // ── pages ─────────────────────────────────────────────────────────────────────────────────
  async function verifyAndRender(req: FastifyRequest, reply: FastifyReply, raw: string) {
    const ctx = req.view(reply);
    try {
      const result = await svc.verify(raw);
      return sendHtml(reply, verifyPage(ctx, { value: result.identifier, result }));
    } catch (e) {
      if (e instanceof DomainError && e.status < 500) {
        return sendHtml(reply, verifyPage(ctx, { value: raw, error: e.messageIn(ctx.lang) }), e.status);
      }
      throw e;
    }
  }

  app.get(
    '/licences/verify',
    {
      config: { permission: 'public', limits: ['licenceVerify'] },
      schema: {
        hide: true,
        querystring: z.object({ id: z.string().max(200).optional(), lang: z.string().optional() }),
      },
    },
    async (req, reply) => {
      const id = (req.query as { id?: string }).id?.trim();
      if (!id) return sendHtml(reply, verifyPage(req.view(reply), {}));
      return verifyAndRender(req, reply, id);
    },
  );

  app.get(
    '/licences/verify/:identifier',
    {
      config: { permission: 'public', limits: ['licenceVerify'] },
      schema: { hide: true, params: identifierParam },
    },
    async (req, reply) => verifyAndRender(req, reply, (req.params as { identifier: string }).identifier),
  );

  app.get(
    '/licences',
    { config: { permission: 'authenticated' }, schema: { hide: true } },
    async (req, reply) => {
      const p = requirePrincipal(req);
      const { licences, uses } = await svc.walletOf(p.accountId);
      return sendHtml(reply, walletPage(req.view(reply), licences, uses));
    },
  );

  // the holder's PDF (staff access goes through the cases module's material view)
  app.get(
    '/licences/:file',
    {
      config: { permission: 'authenticated', limits: ['licencePdf'] },
      schema: { hide: true, params: z.object({ file: z.string().max(220) }) },
    },
    async (req, reply) => {
      const file = (req.params as { file: string }).file;
      if (!file.endsWith('.pdf')) throw new DomainError('COMMON.NOT_FOUND');
      const p = requirePrincipal(req);
      const doc = await svc.documentFor(file.slice(0, -4), p.accountId);
      const s = doc.summary;
      const t = translator('zh-CN');
      // pdf-lib, fontkit and the font subsetter cost ~1.5 s to load: only when a PDF is asked for
      const { renderLicencePdf } = await import('./licences.pdf.js');
      const pdf = await renderLicencePdf(
        {
          typeName: s.typeName,
          identifier: s.identifier,
          licenceNumber: s.licenceNumber,
          holderName: doc.holderName,
          holderId: doc.holderId,
          issuerName: s.issuerName,
          issueDate: s.issueDate,
          validity: validityText({ ...req.view(reply), t }, s.validFrom, s.validTo),
          version: s.version,
          keyId: doc.keyId,
          fields: doc.fields,
          verifyUrl: `${opts.publicUrl}/licences/verify/${s.identifier}`,
        },
        t,
      );
      return reply
        .type('application/pdf')
        .header('cache-control', 'private, no-store')
        .header('content-disposition', `inline; filename="licence-${s.identifier}.pdf"`)
        .send(Buffer.from(pdf));
    },
  );
}
