import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DomainError, isDomainError } from '../../kernel/index.js';
import { type App, formBody } from '../../platform/http/index.js';
import { sendHtml } from '../../platform/views/index.js';
import {
  type KioskDeps,
  KIOSK_IDLE_MS,
  kioskSession,
  kioskTicket,
  signInAtKiosk,
  signOutAtKiosk,
} from './halls.kiosk.js';
import {
  type KioskModel,
  kioskGuide,
  kioskMenu,
  kioskRate,
  kioskReceipt,
  kioskWelcome,
} from './halls.kiosk.pages.js';
import { receiptPdf } from './halls.receipt.js';
import type { HallsService } from './halls.service.js';
import { HallCode, Line } from './halls.types.js';

const COOKIE = 'tb_kiosk';
const CARE = 'tb_kiosk_care';
const here = dirname(fileURLToPath(import.meta.url));
const HallQuery = z.object({
  hall: HallCode,
  care: z.enum(['0', '1']).optional(),
  ticket: z.string().max(64).optional(),
  printed: z.enum(['1']).optional(),
  lang: z.string().max(8).optional(),
  /** 好差评: the case to rate, and "rated" after a rating */
  case: z.string().max(64).optional(),
  done: z.enum(['1']).optional(),
});

/** `/kiosk?hall={id}`: the 24-hour kiosk, its session in the store, its device and print ports. */
export function kioskRoutes(app: App, svc: HallsService, k: KioskDeps, demo: () => boolean): void {
  const script = readFileSync(join(here, 'assets', 'kiosk.js'));
  const worker = readFileSync(join(here, 'assets', 'kiosk-sw.js'));
  const js = (body: Buffer) => async (_req: FastifyRequest, reply: FastifyReply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(body);
  app.get(
    '/kiosk/kiosk.js',
    { config: { permission: 'public', anonymous: true }, schema: { hide: true } },
    js(script),
  );
  // the service worker sits under /kiosk/ so that its scope is the kiosk's pages
  app.get(
    '/kiosk/sw.js',
    { config: { permission: 'public', anonymous: true }, schema: { hide: true } },
    js(worker),
  );

  const model = async (req: FastifyRequest, reply: FastifyReply, hallCode: string): Promise<KioskModel> => {
    const { hall } = await svc.requireHall(hallCode);
    const q = req.query as { care?: string };
    let care = req.cookies?.[CARE] === '1';
    if (q.care === '1' || q.care === '0') {
      care = q.care === '1';
      reply.setCookie(CARE, q.care, { path: '/kiosk', sameSite: 'strict', httpOnly: true });
    }
    const s = await kioskSession(svc.ctx, req.cookies?.[COOKIE], hall.id);
    return { ctx: req.view(reply), hall, care, signedIn: s?.display_name };
  };
  const session = async (req: FastifyRequest, hallCode: string) => {
    const s = await kioskSession(svc.ctx, req.cookies?.[COOKIE], hallCode);
    if (!s) throw new DomainError('HALLS.KIOSK_SIGNED_OUT');
    return s;
  };
  const home = (hall: string) => `/kiosk?hall=${encodeURIComponent(hall)}`;
  const schema = { hide: true, querystring: HallQuery };
  const pub = { permission: 'public' as const };

  app.get('/kiosk', { config: pub, schema }, async (req, reply) => {
    const m = await model(req, reply, req.query.hall);
    return sendHtml(reply, m.signedIn ? kioskMenu(m) : kioskWelcome(m));
  });

  app.post('/kiosk/card', { config: pub, schema }, async (req, reply) => {
    try {
      const r = await signInAtKiosk(svc.ctx, k, req.query.hall);
      reply.setCookie(COOKIE, r.token, {
        path: '/',
        sameSite: 'strict',
        httpOnly: true,
        maxAge: Math.floor(KIOSK_IDLE_MS / 1000),
      });
      return reply.redirect(home(req.query.hall), 303);
    } catch (e) {
      if (!isDomainError(e) || e.code !== 'HALLS.FACE_MISMATCH') throw e;
      const m = await model(req, reply, req.query.hall);
      return sendHtml(reply, kioskWelcome(m, e.messageIn(m.ctx.lang)), 403);
    }
  });

  app.post('/kiosk/ticket', { config: pub, schema }, async (req, reply) => {
    const s = await session(req, req.query.hall);
    const line = Line.safeParse(formBody(req).line);
    if (!line.success) throw new DomainError('COMMON.VALIDATION');
    const r = await kioskTicket(svc.ctx, s, line.data);
    return reply.redirect(`/kiosk/receipt?hall=${encodeURIComponent(s.hall_id)}&ticket=${r.ticket.id}`, 303);
  });

  app.get('/kiosk/receipt', { config: pub, schema }, async (req, reply) => {
    await session(req, req.query.hall);
    const m = await model(req, reply, req.query.hall);
    const v = await svc.viewTicket(req.query.hall, req.query.ticket ?? '');
    return sendHtml(reply, kioskReceipt(m, v, req.query.printed === '1'));
  });

  app.post('/kiosk/print', { config: pub, schema }, async (req, reply) => {
    const s = await session(req, req.query.hall);
    const ticket = String(formBody(req).ticket ?? '');
    const v = await svc.viewTicket(s.hall_id, ticket);
    const { hall } = await svc.requireHall(s.hall_id);
    const ctx = req.view(reply);
    const pdf = await receiptPdf({
      hallName: hall.name,
      ticket: v.ticket,
      lineName: ctx.t(`halls.line.${v.line}`),
      ahead: v.position,
      takenAt: v.takenAt,
      followUrl: `/halls/${hall.id}/tickets/${v.id}`,
      demo: demo(),
    });
    await k.printer.print(hall.id, pdf, `ticket ${v.ticket}`);
    return reply.redirect(`/kiosk/receipt?hall=${encodeURIComponent(hall.id)}&ticket=${v.id}&printed=1`, 303);
  });

  // 好差评 at the kiosk (channel kiosk): the signed-in person's own cases, rated through the
  // ratings module's checks (a real case of theirs, a reached stage, once per stage and channel)
  const ratingsPort = () => {
    if (!k.ratings) throw new DomainError('COMMON.NOT_FOUND');
    return k.ratings;
  };
  const ratePage = async (
    req: FastifyRequest<{ Querystring: z.infer<typeof HallQuery> }>,
    reply: FastifyReply,
    opts: { caseNumber?: string | undefined; error?: string; done?: boolean; status?: number } = {},
  ) => {
    const s = await session(req, req.query.hall);
    const m = await model(req, reply, req.query.hall);
    const cases = s.account_id ? await ratingsPort().ratable(s.account_id) : [];
    const chosen = opts.caseNumber ? cases.find((c) => c.caseNumber === opts.caseNumber) : undefined;
    return sendHtml(
      reply,
      kioskRate(m, { cases, chosen, error: opts.error, done: opts.done ?? false }),
      opts.status ?? 200,
    );
  };
  app.get('/kiosk/rate', { config: pub, schema }, async (req, reply) =>
    ratePage(req, reply, { caseNumber: req.query.case, done: req.query.done === '1' }),
  );
  app.post('/kiosk/rate', { config: pub, schema }, async (req, reply) => {
    const s = await session(req, req.query.hall);
    const f = formBody(req);
    const caseNumber = String(f.case ?? '');
    try {
      if (!s.account_id) throw new DomainError('RATINGS.CASE_NOT_FOUND');
      await ratingsPort().rate(s.account_id, caseNumber, {
        level: Number(f.level),
        stage: f.stage === 'completed' ? 'completed' : 'accepted',
        indicators: (f.indicators ?? '').split('\n').filter(Boolean),
        text: f.text?.trim() ? f.text : undefined,
      });
    } catch (e) {
      if (!isDomainError(e) || e.status >= 500) throw e;
      const lang = req.view(reply).lang;
      return ratePage(req, reply, { caseNumber, error: e.messageIn(lang), status: e.status });
    }
    return reply.redirect(`/kiosk/rate?hall=${encodeURIComponent(s.hall_id)}&done=1`, 303);
  });

  // sign out: by the button, by kiosk.js after the idle time, or by the page's own meta refresh
  const signOut = async (req: FastifyRequest<{ Querystring: { hall: string } }>, reply: FastifyReply) => {
    await signOutAtKiosk(svc.ctx, req.cookies?.[COOKIE]);
    reply.clearCookie(COOKIE, { path: '/' });
    return reply.redirect(home(req.query.hall), 303);
  };
  app.post('/kiosk/signout', { config: pub, schema }, signOut);
  app.get('/kiosk/reset', { config: pub, schema }, signOut);

  app.get('/kiosk/guide', { config: pub, schema }, async (req, reply) => {
    const m = await model(req, reply, req.query.hall);
    return sendHtml(reply, kioskGuide({ ...m, signedIn: undefined }));
  });
}
