import { DomainError, chinaDate, newId } from '../../kernel/index.js';
import type { Principal } from '../../platform/access.js';
import { type Executor, inTransaction } from '../../platform/db/index.js';
import { appendEvent } from '../../platform/events/index.js';
import { mayBook, mayManage, mayServe, requireServe } from './halls.access.js';
import { applyLayout } from './halls.layout.js';
import type { HallsContext } from './halls.context.js';
import { issuesTickets, openingState } from './halls.hours.js';
import type { HallInfo, HallWindowInfo } from './halls.ports.js';
import * as st from './halls.store.js';
import {
  type CallResponse,
  LINE_WINDOW_KIND,
  type Line,
  type TakeTicketInput,
  type TicketAction,
  type TicketSource,
  type TicketView,
} from './halls.types.js';

/**
 * 取号 and 叫号: tickets per hall, China date and line, numbered by one atomic counter row; a
 * window calls the best waiting ticket it serves by claiming it with a conditional update (a
 * ticket another window claimed first is passed over), so no number is given twice and no ticket
 * is called twice, on SQLite and on PostgreSQL alike. Every call is written to halls_calls (the
 * screens' feed) and the outbox in the same transaction.
 */

export const HALLS_EVENTS = {
  ticketTaken: 'halls.ticketTaken',
  called: 'halls.called',
  visit: 'halls.visit',
  appointmentBooked: 'halls.appointmentBooked',
  appointmentCancelled: 'halls.appointmentCancelled',
  appointmentCheckedIn: 'halls.appointmentCheckedIn',
} as const;

/** minutes per ticket assumed before a line has served any today */
export const DEFAULT_SERVICE_MINUTES = 8;

const chinaTime = (d: Date) => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(11, 16);

export async function requireHall(
  ctx: HallsContext,
  code: string,
): Promise<{ hall: HallInfo; windows: readonly HallWindowInfo[] }> {
  if (!/^H\d{6,12}$/.test(code)) throw new DomainError('HALLS.NOT_FOUND');
  // a hall, its windows and hours change seldom: each node keeps them a few seconds (every ticket
  // and call needs them; reading them was a fifth of a ticket's CPU time, bench/halls.bench.ts)
  const hit = ctx.hallCache?.get(code);
  if (hit && hit.until > performance.now()) return hit.value;
  const h = await ctx.regions.hall(code);
  if (!h) throw new DomainError('HALLS.NOT_FOUND');
  // the hall manager's windows and hours, when set (halls.layout.ts)
  const value = applyLayout(h, await st.layoutOf(ctx.db, h.hall.id));
  ctx.hallCache?.set(code, { until: performance.now() + HALL_CACHE_MS, value });
  return value;
}

/** How long a node keeps a hall's windows and hours (a manager's change reaches other nodes within it). */
export const HALL_CACHE_MS = 5_000;

/** The lines a window serves: its kind's, and at a general window those no window of theirs serves. */
export function linesOf(windows: readonly HallWindowInfo[], window: number): Line[] {
  const w = windows.find((x) => x.number === window);
  if (!w) return [];
  if (w.lines) return [...w.lines];
  const kinds = new Set(windows.map((x) => x.kind));
  return (Object.keys(LINE_WINDOW_KIND) as Line[]).filter((l) => {
    const k = LINE_WINDOW_KIND[l];
    return k === w.kind || (w.kind === 'general' && !kinds.has(k));
  });
}

/** How many windows serve a line (at least one: the general windows serve what none else does). */
function windowsServing(windows: readonly HallWindowInfo[], line: Line): number {
  return Math.max(1, windows.filter((w) => linesOf(windows, w.number).includes(line)).length);
}

export async function estimate(
  db: Executor,
  t: st.TicketRow,
  windows: readonly HallWindowInfo[],
): Promise<{ position: number; minutes: number }> {
  if (t.status !== 'waiting') return { position: 0, minutes: 0 };
  const position = await st.aheadOf(db, t);
  const times = await st.recentServiceMs(db, t.hall_id, t.day, t.line);
  const perTicket = times.length
    ? times.reduce((a, b) => a + b, 0) / times.length / 60_000
    : DEFAULT_SERVICE_MINUTES;
  return {
    position,
    minutes: Math.round((position * perTicket) / windowsServing(windows, t.line as Line)),
  };
}

export function ticketView(t: st.TicketRow, e: { position: number; minutes: number }): TicketView {
  return {
    id: t.id,
    ticket: t.label,
    hallId: t.hall_id,
    day: t.day,
    line: t.line as Line,
    status: t.status as TicketView['status'],
    window: t.window,
    position: e.position,
    estimatedWaitMinutes: e.minutes,
    takenAt: t.taken_at,
    calledAt: t.called_at,
    caseNumber: t.case_number,
  };
}

/**
 * Issues a ticket inside `db` (the caller's transaction or its own): the next number of the line
 * today, written with its event. `accountId`: whose ticket it is (none for an anonymous walk-in).
 */
export async function issueTicket(
  ctx: HallsContext,
  db: Executor,
  hall: HallInfo,
  v: {
    line: Line;
    source: TicketSource;
    accountId: string | null;
    takenBy: string | null;
    itemCode?: string | undefined;
    caseNumber?: string | undefined;
    departmentId?: string | undefined;
    appointmentId?: string | undefined;
    priority?: number;
  },
): Promise<st.TicketRow> {
  const now = ctx.clock.now();
  const day = chinaDate(now);
  const held = async () => {
    const t = v.accountId ? await st.waitingTicketOf(ctx.db, v.accountId, hall.id, day) : undefined;
    return new DomainError('HALLS.ALREADY_WAITING', { params: { ticket: t?.label ?? '' } });
  };
  try {
    return await issueTicketIn(ctx, db, hall, v, now, day);
  } catch (e) {
    // two requests of one person racing past the check: the store's partial unique index refuses
    // the second (halls_tickets_one_waiting)
    if (st.isOneWaitingViolation(e)) throw await held();
    throw e;
  }
}

async function issueTicketIn(
  ctx: HallsContext,
  db: Executor,
  hall: HallInfo,
  v: Parameters<typeof issueTicket>[3],
  now: Date,
  day: string,
): Promise<st.TicketRow> {
  return inTransaction(db, async (trx) => {
    if (v.accountId && v.source !== 'appointment') {
      const held = await st.waitingTicketOf(trx, v.accountId, hall.id, day);
      if (held) throw new DomainError('HALLS.ALREADY_WAITING', { params: { ticket: held.label } });
    }
    const number = await st.nextNumber(trx, {
      hallId: hall.id,
      day,
      line: v.line,
      regionCode: hall.regionCode,
    });
    const row: st.TicketRow = {
      id: newId(now.getTime()),
      hall_id: hall.id,
      region_code: hall.regionCode,
      day,
      line: v.line,
      number,
      label: `${v.line}${String(number).padStart(3, '0')}`,
      source: v.source,
      priority: v.priority ?? 0,
      account_id: v.accountId,
      appointment_id: v.appointmentId ?? null,
      item_code: v.itemCode ?? null,
      case_number: v.caseNumber ?? null,
      department_id: v.departmentId ?? null,
      status: 'waiting',
      window: null,
      target_window: null,
      taken_at: now.toISOString(),
      called_at: null,
      finished_at: null,
      calls: 0,
      called_by: null,
      taken_by: v.takenBy,
    };
    await st.insertTicket(trx, row);
    await appendEvent(trx, ctx.clock, {
      type: HALLS_EVENTS.ticketTaken,
      aggregateType: 'hall',
      aggregateId: hall.id,
      regionCode: hall.regionCode,
      actor: v.takenBy,
      payload: { hallId: hall.id, ticket: row.label, line: v.line, source: v.source },
    });
    return row;
  });
}

/**
 * 取号: at the clerk's desk (a clerk of the hall, for a walk-in), online (a citizen for themself),
 * or at the kiosk (`source: 'kiosk'`, the kiosk session's person). Refused when the hall issues
 * no tickets now (a 法定节假日, outside its hours).
 */
export async function takeTicket(
  ctx: HallsContext,
  p: Principal | undefined,
  hallCode: string,
  input: TakeTicketInput,
  opts: { kioskAccountId?: string | null } = {},
): Promise<{ ticket: st.TicketRow; position: number; minutes: number }> {
  const { hall, windows } = await requireHall(ctx, hallCode);
  let source: TicketSource;
  let accountId: string | null;
  if (opts.kioskAccountId !== undefined) {
    source = 'kiosk';
    accountId = opts.kioskAccountId;
  } else if (mayServe(p, hall.regionCode)) {
    source = 'desk';
    accountId = null;
  } else if (mayBook(p)) {
    source = 'online';
    accountId = p!.accountId;
  } else if (!p) {
    throw new DomainError('COMMON.UNAUTHENTICATED');
  } else {
    throw new DomainError('COMMON.FORBIDDEN', { details: { permission: 'halls.queue' } });
  }
  const now = ctx.clock.now();
  const state = openingState(hall.hours, chinaDate(now), chinaTime(now), ctx.calendar, hall.regionCode);
  if (!issuesTickets(state, chinaTime(now)))
    throw new DomainError('HALLS.CLOSED', { params: { date: state.date } });
  // a visit for a case: one the caller may see (the applicant, or the hall's clerk)
  let departmentId: string | undefined;
  if (input.caseNumber) {
    const c = p ? await ctx.cases?.caseFor(p, input.caseNumber) : undefined;
    if (!c) throw new DomainError('HALLS.CASE_NOT_FOUND');
    departmentId = c.departmentId;
  }
  const ticket = await issueTicket(ctx, ctx.db, hall, {
    line: input.line,
    source,
    accountId,
    takenBy: p?.accountId ?? null,
    itemCode: input.item,
    caseNumber: input.caseNumber,
    departmentId,
  });
  const e = await estimate(ctx.db, ticket, windows);
  return { ticket, position: e.position, minutes: e.minutes };
}

export async function viewTicket(ctx: HallsContext, hallCode: string, id: string): Promise<TicketView> {
  const { windows } = await requireHall(ctx, hallCode);
  const t = /^[0-9a-f-]{36}$/.test(id) ? await st.ticketById(ctx.db, id) : undefined;
  if (!t || t.hall_id !== hallCode) throw new DomainError('HALLS.TICKET_NOT_FOUND');
  return ticketView(t, await estimate(ctx.db, t, windows));
}

async function recordCall(
  ctx: HallsContext,
  trx: Executor,
  hall: HallInfo,
  t: st.TicketRow,
  window: number,
  kind: 'call' | 'recall' | 'skip' | 'transfer',
  actor: string,
): Promise<void> {
  const at = ctx.clock.now().toISOString();
  await st.insertCall(trx, {
    hall_id: hall.id,
    region_code: hall.regionCode,
    ticket: t.label,
    ticket_id: t.id,
    window,
    kind,
    at,
  });
  await appendEvent(trx, ctx.clock, {
    type: HALLS_EVENTS.called,
    aggregateType: 'hall',
    aggregateId: hall.id,
    regionCode: hall.regionCode,
    actor,
    payload: { hallId: hall.id, ticket: t.label, window, kind },
  });
}

function openLink(t: st.TicketRow): string | null {
  if (t.case_number) return `/workbench/cases/${encodeURIComponent(t.case_number)}`;
  if (t.item_code) return `/items/${encodeURIComponent(t.item_code)}/apply`;
  return null;
}

/**
 * 叫号: the window's current ticket is finished, and the best waiting ticket it serves is called
 * (a transfer to it first, then appointments, then by number). A ticket for a case counts a
 * visit of that case (`halls.visit`, 最多跑一次) in the same transaction.
 */
export async function callNext(
  ctx: HallsContext,
  p: Principal | undefined,
  hallCode: string,
  window: number,
): Promise<CallResponse> {
  const { hall, windows } = await requireHall(ctx, hallCode);
  const clerk = requireServe(p, hall.regionCode);
  const lines = linesOf(windows, window);
  if (lines.length === 0) throw new DomainError('HALLS.WINDOW_NOT_FOUND', { params: { window } });
  const w = windows.find((x) => x.number === window)!;
  // staff on duty: when the manager assigned some, only they (or the manager) call at the window
  if (w.staff?.length && !w.staff.includes(clerk.accountId) && !mayManage(clerk, hall.regionCode))
    throw new DomainError('HALLS.NOT_ON_DUTY', { params: { window } });
  const now = ctx.clock.now();
  const day = chinaDate(now);
  const r = await inTransaction(ctx.db, async (trx) => {
    // one call at a time per window: the window's counter row is locked until this commits (on
    // PostgreSQL a second call at the same window waits here, then sees the first one's ticket)
    await st.nextNumber(trx, { hallId: hall.id, day, line: `W${window}`, regionCode: hall.regionCode });
    const current = await st.servingAt(trx, hall.id, day, window);
    if (current)
      await st.moveTicket(trx, current.id, 'called', { status: 'done', finished_at: now.toISOString() });
    // claim the best candidate; another window may claim one first (then try the next)
    for (let round = 0; round < 5; round++) {
      const list = await st.candidates(trx, { hallId: hall.id, day, window, lines, items: w.items });
      if (list.length === 0) return undefined;
      for (const t of list) {
        if (!(await st.claim(trx, t.id, { window, at: now.toISOString(), by: clerk.accountId }))) continue;
        await recordCall(ctx, trx, hall, t, window, 'call', clerk.accountId);
        if (t.case_number) {
          await st.insertVisit(trx, {
            id: newId(now.getTime()),
            case_number: t.case_number,
            hall_id: hall.id,
            ticket_id: t.id,
            region_code: hall.regionCode,
            at: now.toISOString(),
          });
          await appendEvent(trx, ctx.clock, {
            type: HALLS_EVENTS.visit,
            aggregateType: 'case',
            aggregateId: t.case_number,
            regionCode: hall.regionCode,
            actor: clerk.accountId,
            payload: {
              caseNumber: t.case_number,
              hallId: hall.id,
              departmentId: t.department_id,
              window,
              // C (出件): collecting the result, which the result's handover already counts (stats)
              line: t.line,
            },
          });
        }
        return t;
      }
    }
    return undefined;
  });
  if (r) ctx.poke?.();
  return {
    ticket: r?.label ?? null,
    id: r?.id ?? null,
    window,
    caseNumber: r?.case_number ?? null,
    item: r?.item_code ?? null,
    open: r ? openLink(r) : null,
  };
}

/** 重呼 / 过号 / 转窗口 / 办结 on the ticket a window is serving. */
export async function actOnTicket(
  ctx: HallsContext,
  p: Principal | undefined,
  hallCode: string,
  id: string,
  action: TicketAction,
): Promise<TicketView> {
  const { hall, windows } = await requireHall(ctx, hallCode);
  const clerk = requireServe(p, hall.regionCode);
  const t = /^[0-9a-f-]{36}$/.test(id) ? await st.ticketById(ctx.db, id) : undefined;
  if (!t || t.hall_id !== hall.id) throw new DomainError('HALLS.TICKET_NOT_FOUND');
  if (action.action === 'transfer' && !windows.some((w) => w.number === action.window))
    throw new DomainError('HALLS.WINDOW_NOT_FOUND', { params: { window: action.window } });
  const now = ctx.clock.now().toISOString();
  const done = await inTransaction(ctx.db, async (trx) => {
    const cur = await st.ticketById(trx, t.id);
    if (cur?.status !== 'called' || cur.window === null) return false;
    const w = cur.window;
    switch (action.action) {
      case 'recall':
        if (!(await st.moveTicket(trx, t.id, 'called', { calls: cur.calls + 1, called_at: now })))
          return false;
        await recordCall(ctx, trx, hall, cur, w, 'recall', clerk.accountId);
        return true;
      case 'skip':
        if (!(await st.moveTicket(trx, t.id, 'called', { status: 'skipped', finished_at: now })))
          return false;
        await recordCall(ctx, trx, hall, cur, w, 'skip', clerk.accountId);
        return true;
      case 'finish':
        return st.moveTicket(trx, t.id, 'called', { status: 'done', finished_at: now });
      case 'transfer':
        // back to waiting, for that window only, at the front (it keeps its priority and number)
        if (
          !(await st.moveTicket(trx, t.id, 'called', {
            status: 'waiting',
            window: null,
            target_window: action.window,
          }))
        )
          return false;
        await recordCall(ctx, trx, hall, cur, action.window, 'transfer', clerk.accountId);
        return true;
    }
  });
  if (!done) throw new DomainError('HALLS.TICKET_NOT_CALLED');
  ctx.poke?.();
  const after = (await st.ticketById(ctx.db, t.id))!;
  return ticketView(after, await estimate(ctx.db, after, windows));
}

/** The hall's queue now: waiting per line, and what each window is serving. */
export async function queueState(
  ctx: HallsContext,
  hallCode: string,
): Promise<{
  hall: HallInfo;
  windows: ReadonlyArray<HallWindowInfo & { serving: string | null; lines: Line[] }>;
  waiting: Record<Line, number>;
}> {
  const { hall, windows } = await requireHall(ctx, hallCode);
  const day = chinaDate(ctx.clock.now());
  const w = await st.waitingByLine(ctx.db, hall.id, day);
  const serving = await Promise.all(windows.map((x) => st.servingAt(ctx.db, hall.id, day, x.number)));
  return {
    hall,
    windows: windows.map((x, i) => ({
      ...x,
      serving: serving[i]?.label ?? null,
      lines: linesOf(windows, x.number),
    })),
    waiting: { A: w.get('A') ?? 0, B: w.get('B') ?? 0, C: w.get('C') ?? 0 },
  };
}

/** The ticket a window is serving now, if any. */
export async function servingAt(
  ctx: HallsContext,
  hallCode: string,
  window: number,
): Promise<TicketView | undefined> {
  const { windows } = await requireHall(ctx, hallCode);
  const t = await st.servingAt(ctx.db, hallCode, chinaDate(ctx.clock.now()), window);
  return t ? ticketView(t, await estimate(ctx.db, t, windows)) : undefined;
}
