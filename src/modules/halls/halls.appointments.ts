import { DomainError, chinaDate, newId } from '../../kernel/index.js';
import type { Principal } from '../../platform/access.js';
import { type Executor, inTransaction } from '../../platform/db/index.js';
import { appendEvent } from '../../platform/events/index.js';
import { mayBook, mayServe, requireManage } from './halls.access.js';
import type { HallsContext } from './halls.context.js';
import { addMinutes, openingState } from './halls.hours.js';
import type { HallInfo, HallWindowInfo } from './halls.ports.js';
import { HALLS_EVENTS, issueTicket, linesOf, requireHall } from './halls.queue.js';
import * as st from './halls.store.js';
import type {
  AppointmentAction,
  AppointmentView,
  BookInput,
  Line,
  Slot,
  SlotsResponse,
} from './halls.types.js';

/**
 * 预约: slots of an hour within a hall's opening periods, per line (window group), each with a
 * quota (the hall manager's per line, else two per window serving the line). A booking takes one
 * place by a conditional update of the slot's row (never past the quota, halls.store takePlace);
 * a change takes the new place before it gives back the old, in one transaction. A booking still
 * open after its day is a no-show (爽约); three in 30 days suspend online booking for 30 days from
 * the third. Confirmations and the day-before reminder go by SMS through the notifier (the outbox).
 */

export const SLOT_MINUTES = 60;
export const BOOK_AHEAD_DAYS = 14;
export const NO_SHOW_LIMIT = 3;
export const NO_SHOW_WINDOW_DAYS = 30;
export const SUSPENSION_DAYS = 30;
const PER_WINDOW = 2;

const addDays = (date: string, n: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

function quotaFor(line: Line, windows: readonly HallWindowInfo[], quotas: Map<string, number>): number {
  const set = quotas.get(line);
  if (set !== undefined) return set;
  const serving = windows.filter((w) => linesOf(windows, w.number).includes(line)).length;
  return serving * PER_WINDOW;
}

/** The slot starts of a day: each opening period cut into hours. */
function starts(hall: HallInfo, date: string, ctx: HallsContext): Array<{ start: string; end: string }> {
  const s = openingState(hall.hours, date, '00:00', ctx.calendar, hall.regionCode);
  const out: Array<{ start: string; end: string }> = [];
  for (const p of s.periods) {
    for (let t = p.from; t < p.to; t = addMinutes(t, SLOT_MINUTES)) {
      const end = addMinutes(t, SLOT_MINUTES);
      // the last slot of a period ends with it (times compare as HH:mm strings)
      const last = end >= p.to;
      out.push({ start: t, end: last ? p.to : end });
      if (last) break;
    }
  }
  return out;
}

export async function slots(ctx: HallsContext, hallCode: string, date: string): Promise<SlotsResponse> {
  const { hall, windows } = await requireHall(ctx, hallCode);
  const quotas = await st.quotasOf(ctx.db, hall.id);
  const booked = await st.bookedOn(ctx.db, hall.id, date);
  const list: Slot[] = [];
  const lines = (['A', 'B', 'C'] as const).filter((l) => quotaFor(l, windows, quotas) > 0);
  for (const s of starts(hall, date, ctx))
    for (const line of lines) {
      const quota = quotaFor(line, windows, quotas);
      const b = booked.get(`${s.start}|${line}`) ?? 0;
      list.push({ ...s, line, quota, booked: b, available: Math.max(0, quota - b) });
    }
  return { hallId: hall.id, date, open: list.length > 0, slots: list };
}

function view(a: st.AppointmentRow, today: string, ticket?: string | null): AppointmentView {
  return {
    id: a.id,
    hallId: a.hall_id,
    date: a.day,
    start: a.start,
    line: a.line as Line,
    item: a.item_code,
    status: a.status === 'booked' && a.day < today ? 'noShow' : (a.status as AppointmentView['status']),
    ticket: ticket ?? null,
    ticketId: a.ticket_id,
  };
}

/** Whether online booking is suspended for an account, and until when (a China date). */
export async function suspension(
  ctx: HallsContext,
  db: Executor,
  accountId: string,
): Promise<{ count: number; until: string } | undefined> {
  const today = chinaDate(ctx.clock.now());
  const since = addDays(today, -(NO_SHOW_WINDOW_DAYS + SUSPENSION_DAYS));
  const days = await st.noShowsOf(db, accountId, since, today);
  // the suspension runs from the third no-show within any 30 days (newest first)
  for (let i = 0; i + NO_SHOW_LIMIT - 1 < days.length; i++) {
    const newest = days[i]!;
    const oldest = days[i + NO_SHOW_LIMIT - 1]!;
    if (addDays(oldest, NO_SHOW_WINDOW_DAYS) > newest) {
      const until = addDays(newest, SUSPENSION_DAYS);
      if (until > today) return { count: NO_SHOW_LIMIT, until };
    }
  }
  return undefined;
}

async function checkSlot(ctx: HallsContext, hall: HallInfo, date: string, start: string): Promise<void> {
  const today = chinaDate(ctx.clock.now());
  if (date < today || date > addDays(today, BOOK_AHEAD_DAYS))
    throw new DomainError('HALLS.DATE_OUT_OF_RANGE', { params: { days: BOOK_AHEAD_DAYS } });
  if (!starts(hall, date, ctx).some((s) => s.start === start))
    throw new DomainError('HALLS.SLOT_NOT_FOUND', { params: { date } });
}

async function tell(ctx: HallsContext, trx: Executor, accountId: string, body: string): Promise<void> {
  if (!ctx.notifier || !ctx.contact) return;
  const mobile = await ctx.contact.mobile(accountId, trx);
  if (!mobile) return;
  await ctx.notifier.send(trx, { channel: 'sms', to: mobile, subject: '预约提醒', body });
}

const smsText = (hall: HallInfo, a: { day: string; start: string }, what: string) =>
  `${what}：${hall.name} ${a.day} ${a.start}（北京时间）。请携带身份证按时到达，可在大厅签到取号。`;

/** 预约: a person or an organisation books a place for themself. */
export async function book(
  ctx: HallsContext,
  p: Principal | undefined,
  hallCode: string,
  input: BookInput,
): Promise<AppointmentView> {
  if (!p) throw new DomainError('COMMON.UNAUTHENTICATED');
  if (!mayBook(p))
    throw new DomainError('COMMON.FORBIDDEN', { details: { permission: 'halls.appointment' } });
  const { hall, windows } = await requireHall(ctx, hallCode);
  await checkSlot(ctx, hall, input.date, input.start);
  const quota = quotaFor(input.line, windows, await st.quotasOf(ctx.db, hall.id));
  const now = ctx.clock.now();
  const today = chinaDate(now);
  const row = await inTransaction(ctx.db, async (trx) => {
    const s = await suspension(ctx, trx, p.accountId);
    if (s) throw new DomainError('HALLS.BOOKING_SUSPENDED', { params: { count: s.count, until: s.until } });
    if (await st.activeAppointmentOn(trx, p.accountId, hall.id, input.date))
      throw new DomainError('HALLS.ALREADY_BOOKED');
    const k = {
      hallId: hall.id,
      day: input.date,
      start: input.start,
      line: input.line,
      quota,
      regionCode: hall.regionCode,
    };
    if (!(await st.takePlace(trx, k))) throw new DomainError('HALLS.SLOT_FULL');
    const a: st.AppointmentRow = {
      id: newId(now.getTime()),
      hall_id: hall.id,
      region_code: hall.regionCode,
      day: input.date,
      start: input.start,
      line: input.line,
      item_code: input.item ?? null,
      account_id: p.accountId,
      status: 'booked',
      ticket_id: null,
      reminded_at: null,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    };
    await st.insertAppointment(trx, a);
    await appendEvent(trx, ctx.clock, {
      type: HALLS_EVENTS.appointmentBooked,
      aggregateType: 'appointment',
      aggregateId: a.id,
      regionCode: hall.regionCode,
      actor: p.accountId,
      payload: { hallId: hall.id, date: a.day, start: a.start, line: a.line },
    });
    await tell(ctx, trx, p.accountId, smsText(hall, a, '预约成功'));
    return a;
  });
  return view(row, today);
}

async function requireOwn(
  ctx: HallsContext,
  p: Principal,
  hall: HallInfo,
  id: string,
  staffMay: boolean,
): Promise<st.AppointmentRow> {
  const a = /^[0-9a-f-]{36}$/.test(id) ? await st.appointmentById(ctx.db, id) : undefined;
  // someone else's appointment is not found (no oracle), unless the hall's staff check it in
  if (!a || a.hall_id !== hall.id || (a.account_id !== p.accountId && !staffMay))
    throw new DomainError('HALLS.APPOINTMENT_NOT_FOUND');
  return a;
}

/** Cancel or change (the applicant), check in (the applicant or the hall's clerk, on the day). */
export async function actOnAppointment(
  ctx: HallsContext,
  p: Principal | undefined,
  hallCode: string,
  id: string,
  action: AppointmentAction,
): Promise<AppointmentView> {
  if (!p) throw new DomainError('COMMON.UNAUTHENTICATED');
  const { hall, windows } = await requireHall(ctx, hallCode);
  const staff = action.action === 'checkIn' && mayServe(p, hall.regionCode);
  const a = await requireOwn(ctx, p, hall, id, staff);
  const now = ctx.clock.now();
  const today = chinaDate(now);
  if (a.status !== 'booked' || a.day < today) throw new DomainError('HALLS.APPOINTMENT_NOT_ACTIVE');
  if (action.action === 'change') await checkSlot(ctx, hall, action.date, action.start);
  if (action.action === 'checkIn' && a.day !== today)
    throw new DomainError('HALLS.CHECKIN_WRONG_DAY', { params: { date: a.day } });
  const quota = quotaFor(a.line as Line, windows, await st.quotasOf(ctx.db, hall.id));
  let ticketLabel: string | null = null;
  const after = await inTransaction(ctx.db, async (trx) => {
    const at = now.toISOString();
    const old = { hallId: hall.id, day: a.day, start: a.start, line: a.line };
    switch (action.action) {
      case 'cancel': {
        if (!(await st.updateBooked(trx, a.id, { status: 'cancelled', updated_at: at })))
          throw new DomainError('HALLS.APPOINTMENT_NOT_ACTIVE');
        await st.releasePlace(trx, old);
        await appendEvent(trx, ctx.clock, {
          type: HALLS_EVENTS.appointmentCancelled,
          aggregateType: 'appointment',
          aggregateId: a.id,
          regionCode: hall.regionCode,
          actor: p.accountId,
          payload: { hallId: hall.id, date: a.day, start: a.start },
        });
        return { ...a, status: 'cancelled' };
      }
      case 'change': {
        if (action.date === a.day && action.start === a.start) return a;
        const k = { ...old, day: action.date, start: action.start, quota, regionCode: hall.regionCode };
        if (!(await st.takePlace(trx, k))) throw new DomainError('HALLS.SLOT_FULL');
        if (
          !(await st.updateBooked(trx, a.id, {
            day: action.date,
            start: action.start,
            updated_at: at,
            reminded_at: null,
          }))
        )
          throw new DomainError('HALLS.APPOINTMENT_NOT_ACTIVE');
        await st.releasePlace(trx, old);
        await appendEvent(trx, ctx.clock, {
          type: HALLS_EVENTS.appointmentBooked,
          aggregateType: 'appointment',
          aggregateId: a.id,
          regionCode: hall.regionCode,
          actor: p.accountId,
          payload: { hallId: hall.id, date: action.date, start: action.start, line: a.line, changed: true },
        });
        const changed = { ...a, day: action.date, start: action.start };
        await tell(ctx, trx, a.account_id, smsText(hall, changed, '预约已改期'));
        return changed;
      }
      case 'checkIn': {
        // the ticket goes first in its line (priority 1): the appointment kept its time
        const t = await issueTicket(ctx, trx, hall, {
          line: a.line as Line,
          source: 'appointment',
          accountId: a.account_id,
          takenBy: p.accountId,
          itemCode: a.item_code ?? undefined,
          appointmentId: a.id,
          priority: 1,
        });
        if (!(await st.updateBooked(trx, a.id, { status: 'checkedIn', ticket_id: t.id, updated_at: at })))
          throw new DomainError('HALLS.APPOINTMENT_NOT_ACTIVE');
        await appendEvent(trx, ctx.clock, {
          type: HALLS_EVENTS.appointmentCheckedIn,
          aggregateType: 'appointment',
          aggregateId: a.id,
          regionCode: hall.regionCode,
          actor: p.accountId,
          payload: { hallId: hall.id, ticket: t.label },
        });
        ticketLabel = t.label;
        return { ...a, status: 'checkedIn', ticket_id: t.id };
      }
    }
  });
  return view(after, today, ticketLabel);
}

export async function myAppointments(
  ctx: HallsContext,
  p: Principal | undefined,
): Promise<AppointmentView[]> {
  if (!p) throw new DomainError('COMMON.UNAUTHENTICATED');
  const today = chinaDate(ctx.clock.now());
  const rows = await st.appointmentsOf(ctx.db, p.accountId, addDays(today, -NO_SHOW_WINDOW_DAYS));
  return rows.map((r) => view(r, today));
}

/**
 * The day-before reminders: each booked appointment of tomorrow texted once, whichever node runs
 * the sweep (the reminded mark is set by a conditional update in the message's transaction).
 */
export async function remindTomorrow(ctx: HallsContext): Promise<number> {
  const tomorrow = addDays(chinaDate(ctx.clock.now()), 1);
  let n = 0;
  for (;;) {
    const rows = await st.unreminded(ctx.db, tomorrow, 200);
    if (rows.length === 0) return n;
    for (const a of rows) {
      const h = await ctx.regions.hall(a.hall_id);
      await inTransaction(ctx.db, async (trx) => {
        if (!(await st.markReminded(trx, a.id, ctx.clock.now().toISOString()))) return;
        if (h) await tell(ctx, trx, a.account_id, smsText(h.hall, a, '明日预约提醒'));
        n++;
      });
    }
  }
}

/** 号源: a hall manager sets a line's places per slot. */
export async function setQuota(
  ctx: HallsContext,
  p: Principal | undefined,
  hallCode: string,
  q: { line: Line; perSlot: number },
): Promise<void> {
  const { hall } = await requireHall(ctx, hallCode);
  const m = requireManage(p, hall.regionCode);
  await st.setQuota(ctx.db, {
    hall_id: hall.id,
    line: q.line,
    per_slot: q.perSlot,
    region_code: hall.regionCode,
    updated_at: ctx.clock.now().toISOString(),
    updated_by: m.accountId,
  });
}
