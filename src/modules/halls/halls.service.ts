import type { Principal } from '../../platform/access.js';
import { parseInput } from '../../platform/input.js';
import type { HallsContext } from './halls.context.js';
import * as ap from './halls.appointments.js';
import { dayFigures } from './halls.figures.js';
import { layoutOf, saveLayout } from './halls.layout.js';
import { nearest } from './halls.nearest.js';
import * as q from './halls.queue.js';
import * as st from './halls.store.js';
import {
  AppointmentAction,
  BookInput,
  LayoutInput,
  NearestQuery,
  QuotaInput,
  TakeTicketInput,
  TicketAction,
} from './halls.types.js';

/** The halls facade: binds the context for routes and other callers. */
export function createHallsService(ctx: HallsContext) {
  return {
    ctx,
    requireHall: (code: string) => q.requireHall(ctx, code),
    takeTicket: (
      p: Principal | undefined,
      hall: string,
      raw: unknown,
      opts?: { kioskAccountId?: string | null },
    ) => q.takeTicket(ctx, p, hall, parseInput(TakeTicketInput, raw ?? {}), opts),
    viewTicket: (hall: string, id: string) => q.viewTicket(ctx, hall, id),
    callNext: (p: Principal | undefined, hall: string, window: number) => q.callNext(ctx, p, hall, window),
    actOnTicket: (p: Principal | undefined, hall: string, id: string, raw: unknown) =>
      q.actOnTicket(ctx, p, hall, id, parseInput(TicketAction, raw)),
    queueState: (hall: string) => q.queueState(ctx, hall),
    servingAt: (hall: string, window: number) => q.servingAt(ctx, hall, window),
    recentCalls: (hall: string, n = 8) => st.recentCalls(ctx.db, hall, n),
    dayFigures: (p: Principal | undefined, hall: string, date?: string) => dayFigures(ctx, p, hall, date),
    nearest: (raw: unknown) => nearest(ctx, parseInput(NearestQuery, raw)),
    slots: (hall: string, date: string) => ap.slots(ctx, hall, date),
    book: (p: Principal | undefined, hall: string, raw: unknown) =>
      ap.book(ctx, p, hall, parseInput(BookInput, raw)),
    actOnAppointment: (p: Principal | undefined, hall: string, id: string, raw: unknown) =>
      ap.actOnAppointment(ctx, p, hall, id, parseInput(AppointmentAction, raw)),
    myAppointments: (p: Principal | undefined) => ap.myAppointments(ctx, p),
    remindTomorrow: () => ap.remindTomorrow(ctx),
    setQuota: (p: Principal | undefined, hall: string, raw: unknown) =>
      ap.setQuota(ctx, p, hall, parseInput(QuotaInput, raw)),
    layout: (p: Principal | undefined, hall: string) => layoutOf(ctx, p, hall, (c) => q.requireHall(ctx, c)),
    saveLayout: (p: Principal | undefined, hall: string, raw: unknown) =>
      saveLayout(ctx, p, hall, parseInput(LayoutInput, raw), (c) => q.requireHall(ctx, c)),
    /** 跑动次数 of a case: the times its applicant was called to a window for it */
    visitsOf: (caseNumber: string) => st.visitsOf(ctx.db, caseNumber),
  };
}

export type HallsService = ReturnType<typeof createHallsService>;
