import { z } from 'zod';
import type { Config } from '../../config/index.js';
import { DomainError } from '../../kernel/index.js';
import type { App } from '../../platform/http/index.js';
import { renderPage, sendHtml } from '../../platform/views/index.js';
import { verifyScript } from './ledger.browser.js';
import { leafHash, parseTilePath } from './ledger.merkle.js';
import { LogHomePage, LogObjectPage, type LogVerifyView, LogVerifyPage } from './ledger.pages.js';
import type { LedgerService } from './ledger.service.js';

const b64 = (b: Buffer) => b.toString('base64');
const index = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/**
 * The log's public surface (CONTRACT.md): the tlog-tiles resources under /log, JSON proofs under
 * /api/v1/log, the witness endpoint, and the people's pages /log and /log/verify.
 */
export function ledgerRoutes(app: App, svc: LedgerService, config: Config): void {
  const tags = ['log'];

  app.get(
    '/log/checkpoint',
    {
      config: { permission: 'public', anonymous: true },
      schema: { tags, summary: 'The latest checkpoint (C2SP signed note, with witness cosignatures)' },
    },
    async (_req, reply) =>
      reply
        .type('text/plain; charset=utf-8')
        .header('cache-control', 'no-cache')
        .send(await svc.servedCheckpoint()),
  );

  app.get(
    '/log/key',
    {
      config: { permission: 'public', anonymous: true },
      schema: { tags, summary: 'The note verifier key of the log (origin+key hash+base64 key)' },
    },
    async (_req, reply) =>
      reply
        .type('text/plain; charset=utf-8')
        .header('cache-control', 'public, max-age=3600')
        .send(`${await svc.verifierKey()}\n`),
  );

  app.get(
    '/log/tile/*',
    {
      config: { permission: 'public', anonymous: true },
      schema: {
        tags,
        summary: 'A tile tile/{L}/{N}[.p/{W}] or an entry bundle tile/entries/{N}[.p/{W}] (C2SP tlog-tiles)',
        params: z.object({ '*': z.string() }),
      },
    },
    async (req, reply) => {
      const ref = parseTilePath(req.params['*']);
      if (!ref) throw new DomainError('LEDGER.BAD_TILE_PATH');
      const body = await svc.tile(ref);
      if (!body) throw new DomainError('LEDGER.TILE_NOT_FOUND');
      // a tile's bytes never change once served: partial tiles are prefixes of what follows
      return reply
        .type('application/octet-stream')
        .header('cache-control', 'public, max-age=31536000, immutable')
        .send(body);
    },
  );

  app.get(
    '/api/v1/log/proof/inclusion',
    {
      config: { permission: 'public' },
      schema: {
        tags,
        summary: 'RFC 6962 inclusion proof of leaf `index` in the tree of `size` leaves',
        querystring: z.object({ index, size: index }),
      },
    },
    async (req) => {
      const p = await svc.proveInclusion(req.query.index, req.query.size);
      return {
        index: p.index,
        size: p.size,
        leafHash: b64(p.leafHash),
        rootHash: b64(p.rootHash),
        entry: p.entry,
        hashes: p.hashes.map(b64),
      };
    },
  );

  app.get(
    '/api/v1/log/proof/consistency',
    {
      config: { permission: 'public' },
      schema: {
        tags,
        summary: 'RFC 6962 consistency proof between the trees of `from` and `to` leaves',
        querystring: z.object({ from: index, to: index }),
      },
    },
    async (req) => {
      const p = await svc.proveConsistency(req.query.from, req.query.to);
      return {
        from: p.from,
        to: p.to,
        fromRoot: b64(p.fromRoot),
        toRoot: b64(p.toRoot),
        hashes: p.hashes.map(b64),
      };
    },
  );

  app.get(
    '/api/v1/log/leaves/by-object',
    {
      config: { permission: 'public' },
      schema: {
        tags,
        summary: 'Leaf indexes of the events of one object (e.g. type=case&id=…), to link "verify"',
        querystring: z.object({ type: z.string().min(1).max(100), id: z.string().min(1).max(200) }),
      },
    },
    async (req) => {
      const leaves = await svc.leavesByObject(req.query.type, req.query.id);
      return { leaves: leaves.map((l) => ({ ...l, verifyUrl: `/log/verify?index=${l.index}` })) };
    },
  );

  app.post(
    '/api/v1/log/cosignatures',
    {
      // a machine route: the caller is authenticated by its signature, not by a session
      config: { permission: 'public', skipCsrf: true },
      schema: {
        tags,
        summary: 'A registered witness submits its tlog-cosignature/v1 line over a checkpoint of this log',
        body: z.object({
          checkpoint: z.string().min(1).max(10_000),
          cosignature: z.string().min(1).max(1_000),
        }),
      },
    },
    async (req, reply) => reply.code(201).send(await svc.addCosignature(req.body)),
  );

  app.get(
    '/log/verify.js',
    { config: { permission: 'public', anonymous: true }, schema: { hide: true } },
    async (_req, reply) =>
      reply
        .type('text/javascript; charset=utf-8')
        .header('cache-control', 'public, max-age=3600')
        .send(verifyScript),
  );

  app.get('/log', { config: { permission: 'public' }, schema: { hide: true } }, async (req, reply) => {
    const ctx = req.view(reply);
    const { checkpoint: c, cosignatures } = await svc.currentCheckpoint();
    const witnesses = cosignatures.map((s) => s.witness).filter((n) => n !== svc.origin);
    const html = renderPage(
      ctx,
      ctx.t('ledger.page.title'),
      <LogHomePage
        ctx={ctx}
        v={{
          origin: svc.origin,
          size: c.size,
          rootHash: c.rootHash,
          time: c.createdAt,
          verifierKey: await svc.verifierKey(),
          witnesses,
          baseUrl: config.publicUrl,
        }}
      />,
    );
    return sendHtml(reply, html);
  });

  app.get(
    '/log/object',
    {
      config: { permission: 'public' },
      schema: {
        hide: true,
        querystring: z.object({ type: z.string().min(1).max(100), id: z.string().min(1).max(200) }),
      },
    },
    async (req, reply) => {
      const ctx = req.view(reply);
      const leaves = await svc.leavesByObject(req.query.type, req.query.id);
      const html = renderPage(
        ctx,
        ctx.t('ledger.object.title'),
        <LogObjectPage ctx={ctx} objectType={req.query.type} objectId={req.query.id} leaves={leaves} />,
      );
      return sendHtml(reply, html);
    },
  );

  app.get(
    '/log/verify',
    {
      config: { permission: 'public' },
      schema: { hide: true, querystring: z.object({ index: z.string().max(40).optional() }) },
    },
    async (req, reply) => {
      const ctx = req.view(reply);
      const raw = (req.query.index ?? '').trim();
      const parsed = /^\d{1,15}$/.test(raw) ? Number(raw) : undefined;
      let v: LogVerifyView;
      if (parsed === undefined) v = { kind: 'bad-index', value: raw };
      else {
        const r = await svc.verifyLeaf(parsed);
        if (!r.included) v = { kind: 'not-yet', index: parsed, size: r.checkpoint.size };
        else
          v = {
            kind: 'proof',
            index: parsed,
            entry: r.proof.entry,
            leafHash: b64(leafHash(Buffer.from(r.proof.entry, 'utf8'))),
            hashes: r.proof.hashes.map(b64),
            checkpointSize: r.checkpoint.size,
            rootHash: r.checkpoint.rootHash,
            verified: r.verified,
          };
      }
      const html = renderPage(ctx, ctx.t('ledger.verify.title'), <LogVerifyPage ctx={ctx} v={v} />);
      return sendHtml(reply, html, v.kind === 'bad-index' ? 400 : 200);
    },
  );
}
