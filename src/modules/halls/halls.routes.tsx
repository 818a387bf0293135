import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { DomainError } from '../../kernel/index.js';
import type { FastifyRequest } from 'fastify';
import { type App, formBody, requirePrincipal } from '../../platform/http/index.js';
import { parseInput } from '../../platform/input.js';
import { requireServe } from './halls.access.js';
import { renderPage, sendHtml } from '../../platform/views/index.js';
import type { HallFeed } from './halls.feed.js';
import { DeskPage, LayoutPage, ManagePage, NearestPage, TicketPage, screenPage } from './halls.pages.js';
import type { HallsService } from './halls.service.js';
import {
  AppointmentAction,
  AppointmentView,
  BookInput,
  CallResponse,
  DayFigures,
  HallCode,
  LayoutInput,
  LayoutView,
  type Line,
  NearestQuery,
  NearestResponse,
  QuotaInput,
  SlotsQuery,
  SlotsResponse,
  TakeTicketInput,
  TakeTicketResponse,
  TicketAction,
  TicketView,
} from './halls.types.js';

const tags = ['halls'];
const HallParams = z.object({ id: HallCode });
const TicketParams = z.object({ id: HallCode, ticket: z.string().min(1).max(64) });
const WindowParams = z.object({ id: HallCode, window: z.coerce.number().int().min(1).max(999) });
const here = dirname(fileURLToPath(import.meta.url));

const ASSETS: Record<string, string> = {
  'halls.css': 'text/css; charset=utf-8',
  'screen.js': 'text/javascript; charset=utf-8',
  'follow.js': 'text/javascript; charset=utf-8',
};

export function hallsRoutes(app: App, svc: HallsService, feed: HallFeed): void {
  const assets = new Map(
    Object.entries(ASSETS).map(([f, type]) => [f, { type, body: readFileSync(join(here, 'assets', f)) }]),
  );
  app.get(
    '/halls/assets/:file',
    {
      config: { permission: 'public', anonymous: true },
      schema: { hide: true, params: z.object({ file: z.string().max(40) }) },
    },
    async (req, reply) => {
      const a = assets.get(req.params.file);
      if (!a) throw new DomainError('COMMON.NOT_FOUND');
      return reply.type(a.type).header('cache-control', 'public, max-age=3600').send(a.body);
    },
  );

  // ── tickets and calls (JSON) ───────────────────────────────────────────────────────────────
  app.post(
    '/api/v1/halls/:id/tickets',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags,
        summary:
          '取号: a ticket at a hall — at the clerk’s desk (a clerk of the hall, for a walk-in) or online (a citizen, for themself)',
        params: HallParams,
        body: TakeTicketInput.optional(),
        response: { 201: TakeTicketResponse },
      },
    },
    async (req, reply) => {
      const r = await svc.takeTicket(req.principal, req.params.id, req.body ?? {});
      return reply.code(201).send({
        ticket: r.ticket.label,
        position: r.position,
        id: r.ticket.id,
        estimatedWaitMinutes: r.minutes,
        url: `/halls/${r.ticket.hall_id}/tickets/${r.ticket.id}`,
      });
    },
  );

  app.get(
    '/api/v1/halls/:id/tickets/:ticket',
    {
      config: { permission: 'public' },
      schema: {
        tags,
        summary: 'A ticket: position in its line and estimated wait (by the ticket’s unguessable id)',
        params: TicketParams,
        response: { 200: TicketView },
      },
    },
    async (req) => svc.viewTicket(req.params.id, req.params.ticket),
  );

  app.post(
    '/api/v1/halls/:id/windows/:window/call',
    {
      config: { permission: { permission: 'halls.queue' } },
      schema: {
        tags,
        summary:
          '叫号: finish the window’s ticket and call the next it serves (transfers, appointments first)',
        params: WindowParams,
        response: { 200: CallResponse },
      },
    },
    async (req) => svc.callNext(requirePrincipal(req), req.params.id, req.params.window),
  );

  app.post(
    '/api/v1/halls/:id/tickets/:ticket/actions',
    {
      config: { permission: { permission: 'halls.queue' } },
      schema: {
        tags,
        summary: '重呼 recall, 过号 skip, 转窗口 transfer or 办结 finish the ticket a window is serving',
        params: TicketParams,
        body: TicketAction,
        response: { 200: TicketView },
      },
    },
    async (req) => svc.actOnTicket(requirePrincipal(req), req.params.id, req.params.ticket, req.body),
  );

  // ── 就近办 ─────────────────────────────────────────────────────────────────────────────────
  app.get(
    '/api/v1/halls/nearest',
    {
      config: { permission: 'public' },
      schema: {
        tags,
        summary:
          '就近办: halls nearest a division (region) or a map position (lat, lng), those accepting an item when given, with today’s opening and current wait',
        querystring: NearestQuery,
        response: { 200: NearestResponse },
      },
    },
    async (req) => svc.nearest(req.query),
  );

  app.get(
    '/halls/nearest',
    {
      config: { permission: 'public' },
      schema: {
        hide: true,
        querystring: z.object({
          region: z.string().max(12).optional(),
          item: z.string().max(40).optional(),
          lat: z.string().max(20).optional(),
          lng: z.string().max(20).optional(),
        }),
      },
    },
    async (req, reply) => {
      const raw = req.query;
      const given = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined && v !== ''));
      const ctx = req.view(reply);
      const r = given.region || (given.lat && given.lng) ? await svc.nearest(given) : undefined;
      return sendHtml(
        reply,
        renderPage(ctx, ctx.t('halls.nearest.title'), <NearestPage ctx={ctx} q={raw} r={r} />, {
          wide: true,
        }),
      );
    },
  );

  // ── appointments (JSON) ────────────────────────────────────────────────────────────────────
  app.get(
    '/api/v1/halls/:id/slots',
    {
      config: { permission: 'public' },
      schema: {
        tags,
        summary: '号源: a hall’s appointment slots on a date (China), per line, with places left',
        params: HallParams,
        querystring: SlotsQuery,
        response: { 200: SlotsResponse },
      },
    },
    async (req) => svc.slots(req.params.id, req.query.date),
  );

  app.post(
    '/api/v1/halls/:id/appointments',
    {
      config: { permission: { permission: 'halls.appointment' } },
      schema: {
        tags,
        summary: '预约: book a place in a slot for oneself (never past the slot’s quota)',
        params: HallParams,
        body: BookInput,
        response: { 201: AppointmentView },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await svc.book(requirePrincipal(req), req.params.id, req.body)),
  );

  app.post(
    '/api/v1/halls/:id/appointments/:appointment/actions',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags,
        summary: 'Cancel or change one’s appointment; check in on the day (oneself, or the hall’s clerk)',
        params: z.object({ id: HallCode, appointment: z.string().min(1).max(64) }),
        body: AppointmentAction,
        response: { 200: AppointmentView },
      },
    },
    async (req) =>
      svc.actOnAppointment(requirePrincipal(req), req.params.id, req.params.appointment, req.body),
  );

  app.get(
    '/api/v1/me/appointments',
    {
      config: { permission: 'authenticated' },
      schema: {
        tags,
        summary: 'My appointments from 30 days back (a booked one whose day has passed is a no-show)',
        response: { 200: z.object({ appointments: z.array(AppointmentView) }) },
      },
    },
    async (req) => ({ appointments: await svc.myAppointments(requirePrincipal(req)) }),
  );

  app.put(
    '/api/v1/halls/:id/quotas',
    {
      config: { permission: { permission: 'halls.manage' } },
      schema: {
        tags,
        summary: '号源: a line’s places per slot at the hall (the hall’s manager)',
        params: HallParams,
        body: QuotaInput,
      },
    },
    async (req, reply) => {
      await svc.setQuota(requirePrincipal(req), req.params.id, req.body);
      return reply.code(204).send();
    },
  );

  // ── hall management: the day's figures, quotas ─────────────────────────────────────────────
  const DayQuery = z.object({
    date: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .optional(),
  });
  app.get(
    '/api/v1/halls/:id/figures',
    {
      config: { permission: { permission: 'halls.manage' } },
      schema: {
        tags,
        summary: 'The day’s figures of a hall (the hall’s manager): tickets, wait, service time, no-shows',
        params: HallParams,
        querystring: DayQuery,
        response: { 200: DayFigures },
      },
    },
    async (req) => svc.dayFigures(requirePrincipal(req), req.params.id, req.query.date),
  );

  app.get(
    '/halls/:id/manage',
    {
      config: { permission: { permission: 'halls.manage' } },
      schema: {
        hide: true,
        params: HallParams,
        querystring: DayQuery.extend({ saved: z.enum(['1']).optional() }),
      },
    },
    async (req, reply) => {
      const f = await svc.dayFigures(requirePrincipal(req), req.params.id, req.query.date);
      const { hall } = await svc.requireHall(req.params.id);
      const ctx = req.view(reply);
      return sendHtml(
        reply,
        renderPage(
          ctx,
          ctx.t('halls.manage.title', { hall: hall.name }),
          <ManagePage ctx={ctx} hall={hall} f={f} saved={req.query.saved === '1'} />,
          { wide: true },
        ),
      );
    },
  );

  app.post(
    '/halls/:id/manage/quota',
    { config: { permission: { permission: 'halls.manage' } }, schema: { hide: true, params: HallParams } },
    async (req, reply) => {
      const b = formBody(req);
      await svc.setQuota(requirePrincipal(req), req.params.id, { line: b.line, perSlot: Number(b.perSlot) });
      return reply.redirect(`/halls/${req.params.id}/manage?saved=1`, 303);
    },
  );

  // ── 大厅管理: windows, lines, items, staff on duty, hours (one layout, saved whole) ───────────
  app.get(
    '/api/v1/halls/:id/layout',
    {
      config: { permission: { permission: 'halls.manage' } },
      schema: {
        tags,
        summary: 'A hall’s windows (lines, items, staff on duty) and opening hours (the hall’s manager)',
        params: HallParams,
        response: { 200: LayoutView },
      },
    },
    async (req) => svc.layout(requirePrincipal(req), req.params.id),
  );
  app.put(
    '/api/v1/halls/:id/layout',
    {
      config: { permission: { permission: 'halls.manage' } },
      schema: {
        tags,
        summary:
          'Sets a hall’s windows and hours whole (checked first: HALLS.LAYOUT_INVALID with field issues; one transaction)',
        params: HallParams,
        body: LayoutInput,
        response: { 200: LayoutView },
      },
    },
    async (req) => svc.saveLayout(requirePrincipal(req), req.params.id, req.body),
  );
  const layoutPage = async (
    req: FastifyRequest<{ Params: { id: string } }>,
    reply: Parameters<typeof sendHtml>[0],
    o: { issues?: ReadonlyArray<{ field: string; rule: string }>; saved?: boolean; form?: LayoutView } = {},
  ) => {
    const p = requirePrincipal(req);
    const layout = o.form ?? (await svc.layout(p, req.params.id));
    const { hall } = await svc.requireHall(req.params.id);
    const ctx = req.view(reply);
    return sendHtml(
      reply,
      renderPage(
        ctx,
        ctx.t('halls.layout.title'),
        <LayoutPage ctx={ctx} hall={hall} layout={layout} issues={o.issues ?? []} saved={o.saved ?? false} />,
      ),
      o.issues?.length ? 400 : 200,
    );
  };
  app.get(
    '/halls/:id/manage/layout',
    {
      config: { permission: { permission: 'halls.manage' } },
      schema: { hide: true, params: HallParams, querystring: z.object({ saved: z.enum(['1']).optional() }) },
    },
    async (req, reply) => layoutPage(req, reply, { saved: req.query.saved === '1' }),
  );
  app.post(
    '/halls/:id/manage/layout',
    { config: { permission: { permission: 'halls.manage' } }, schema: { hide: true, params: HallParams } },
    async (req, reply) => {
      const p = requirePrincipal(req);
      const input = layoutFromForm(formBody(req));
      try {
        await svc.saveLayout(p, req.params.id, input);
      } catch (e) {
        if (
          e instanceof DomainError &&
          (e.code === 'HALLS.LAYOUT_INVALID' || e.code === 'COMMON.VALIDATION') &&
          Array.isArray(e.details)
        ) {
          const current = await svc.layout(p, req.params.id);
          const form: LayoutView = { ...current, windows: input.windows, hours: input.hours };
          const issues = (e.details as Array<{ field: string; rule: string }>).map((i) => ({
            field: i.field === 'windows' && input.windows.length === 0 ? 'windows' : i.field,
            rule: i.field === 'windows' && input.windows.length === 0 ? 'LAYOUT.NO_WINDOWS' : i.rule,
          }));
          return layoutPage(req, reply, { issues, form });
        }
        throw e;
      }
      return reply.redirect(`/halls/${req.params.id}/manage/layout?saved=1`, 303);
    },
  );

  // ── the screens' feed (server-sent events) ─────────────────────────────────────────────────
  const streams = new Set<ServerResponse>();
  app.addHook('preClose', async () => {
    for (const s of streams) s.end();
    streams.clear();
  });
  app.get(
    '/api/v1/halls/:id/events',
    {
      config: { permission: 'public', anonymous: true },
      schema: {
        tags,
        summary:
          'Server-sent events of the hall’s calls (`event: call`, data: {seq, hallId, ticket, window, kind, at}); numbers and windows only',
        params: HallParams,
      },
    },
    async (req, reply) => {
      await svc.requireHall(req.params.id);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-accel-buffering': 'no',
        'x-content-type-options': 'nosniff',
      });
      res.write('retry: 3000\n\n');
      streams.add(res);
      const off = feed.subscribe(req.params.id, (e) => {
        res.write(`id: ${e.seq}\nevent: call\ndata: ${JSON.stringify(e)}\n\n`);
      });
      const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
      ping.unref();
      res.on('close', () => {
        off();
        clearInterval(ping);
        streams.delete(res);
      });
    },
  );

  // ── pages ──────────────────────────────────────────────────────────────────────────────────
  app.get(
    '/halls/:id/screen',
    { config: { permission: 'public' }, schema: { hide: true, params: HallParams } },
    async (req, reply) => {
      const q = await svc.queueState(req.params.id);
      const calls = await svc.recentCalls(req.params.id, 8);
      return sendHtml(reply, screenPage(req.view(reply), q.hall, calls, q.waiting));
    },
  );

  app.get(
    '/halls/:id/tickets/:ticket',
    { config: { permission: 'public' }, schema: { hide: true, params: TicketParams } },
    async (req, reply) => {
      const { hall } = await svc.requireHall(req.params.id);
      const v = await svc.viewTicket(req.params.id, req.params.ticket);
      const ctx = req.view(reply);
      const html = renderPage(
        ctx,
        ctx.t('halls.ticket.title', { ticket: v.ticket }),
        <TicketPage ctx={ctx} hall={hall} v={v} />,
      ).replace('</head>', '<script src="/halls/assets/follow.js" defer></script></head>');
      return sendHtml(reply, html);
    },
  );

  const DeskQuery = z.object({
    window: z.coerce.number().int().min(1).max(999).optional(),
    /** what the last post did, shown once (post → redirect → get) */
    called: z
      .string()
      .regex(/^[ABC]\d{3,4}$|^none$/)
      .optional(),
    taken: z
      .string()
      .regex(/^[ABC]\d{3,4}$/)
      .optional(),
    ahead: z.coerce.number().int().min(0).max(99999).optional(),
  });

  app.get(
    '/halls/:id/desk',
    {
      config: { permission: { permission: 'halls.queue' } },
      schema: { hide: true, params: HallParams, querystring: DeskQuery },
    },
    async (req, reply) => {
      const { hall } = await svc.requireHall(req.params.id);
      requireServe(requirePrincipal(req), hall.regionCode);
      const q = await svc.queueState(req.params.id);
      const w = req.query.window ?? q.windows[0]?.number ?? 1;
      const serving = await svc.servingAt(req.params.id, w);
      const ctx = req.view(reply);
      const flash = req.query.called
        ? req.query.called === 'none'
          ? ctx.t('halls.desk.nobody')
          : ctx.t('halls.desk.called', { ticket: req.query.called, window: w })
        : req.query.taken
          ? ctx.t('halls.desk.taken', { ticket: req.query.taken, n: req.query.ahead ?? 0 })
          : undefined;
      return sendHtml(
        reply,
        renderPage(
          ctx,
          ctx.t('halls.desk.title', { hall: q.hall.name }),
          <DeskPage
            ctx={ctx}
            hall={q.hall}
            windows={q.windows}
            waiting={q.waiting}
            window={w}
            serving={serving}
            flash={flash}
          />,
          { wide: true },
        ),
      );
    },
  );

  const DeskForm = z.object({
    window: z.coerce.number().int().min(1).max(999),
    action: z.enum(['recall', 'skip', 'finish', 'transfer']).optional(),
    ticket: z.string().max(64).optional(),
    to: z.coerce.number().int().min(1).max(999).optional(),
    line: z.enum(['A', 'B', 'C']).optional(),
  });
  const readDeskForm = (req: FastifyRequest) => parseInput(DeskForm, formBody(req));
  const back = (id: string, window: number, extra = '') => `/halls/${id}/desk?window=${window}${extra}`;

  app.post(
    '/halls/:id/desk/call',
    { config: { permission: { permission: 'halls.queue' } }, schema: { hide: true, params: HallParams } },
    async (req, reply) => {
      const f = readDeskForm(req);
      const r = await svc.callNext(requirePrincipal(req), req.params.id, f.window);
      return reply.redirect(back(req.params.id, f.window, `&called=${r.ticket ?? 'none'}`), 303);
    },
  );

  app.post(
    '/halls/:id/desk/act',
    { config: { permission: { permission: 'halls.queue' } }, schema: { hide: true, params: HallParams } },
    async (req, reply) => {
      const f = readDeskForm(req);
      const action =
        f.action === 'transfer' ? { action: 'transfer', window: f.to } : { action: f.action ?? 'finish' };
      await svc.actOnTicket(requirePrincipal(req), req.params.id, f.ticket ?? '', action);
      return reply.redirect(back(req.params.id, f.window), 303);
    },
  );

  app.post(
    '/halls/:id/desk/take',
    { config: { permission: { permission: 'halls.queue' } }, schema: { hide: true, params: HallParams } },
    async (req, reply) => {
      const f = readDeskForm(req);
      const r = await svc.takeTicket(requirePrincipal(req), req.params.id, { line: f.line ?? 'A' });
      return reply.redirect(
        back(req.params.id, f.window, `&taken=${r.ticket.label}&ahead=${r.position}`),
        303,
      );
    },
  );
}

/**
 * The layout form as the API's input: rows without a window number (or a period without days)
 * are left out; the rest go to the same checks as the API, so the form shows the same problems.
 */
export function layoutFromForm(b: Record<string, string>): {
  windows: Array<{
    number: number;
    kind: 'general' | 'enquiry' | 'delivery';
    lines: Line[];
    items: string[];
    staff: string[];
  }>;
  hours: Array<{ days: 'weekdays' | 'saturday' | 'sunday' | 'daily'; from: string; to: string }>;
} {
  const rows = (k: string) => Math.min(120, Math.max(0, Number.parseInt(b[k] ?? '0', 10) || 0));
  const words = (s: string | undefined) => (s ?? '').split(/[\s,，、]+/).filter(Boolean);
  const windows = [];
  for (let i = 0; i < rows('windowRows'); i++) {
    const n = (b[`windows.${i}.number`] ?? '').trim();
    if (!n) continue;
    const kind = b[`windows.${i}.kind`];
    windows.push({
      number: /^\d{1,3}$/.test(n) ? Number(n) : Number.NaN,
      kind: (kind === 'enquiry' || kind === 'delivery' ? kind : 'general') as
        | 'general'
        | 'enquiry'
        | 'delivery',
      lines: (['A', 'B', 'C'] as const).filter((l) => b[`windows.${i}.line${l}`] === '1'),
      items: words(b[`windows.${i}.items`]).map((x) => x.toUpperCase()),
      staff: words(b[`windows.${i}.staff`]),
    });
  }
  const hours: Array<{ days: 'weekdays' | 'saturday' | 'sunday' | 'daily'; from: string; to: string }> = [];
  for (let i = 0; i < rows('hourRows'); i++) {
    const days = b[`hours.${i}.days`];
    if (days !== 'weekdays' && days !== 'saturday' && days !== 'sunday' && days !== 'daily') continue;
    hours.push({ days, from: (b[`hours.${i}.from`] ?? '').trim(), to: (b[`hours.${i}.to`] ?? '').trim() });
  }
  return { windows, hours };
}
