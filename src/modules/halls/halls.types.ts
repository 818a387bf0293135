import { z } from 'zod';

/**
 * 预约 (appointments), 取号 (queue tickets), 叫号 (calls) and the hall's lines. One zod schema and
 * its type under one name; the API schemas feed OpenAPI.
 */

/** A hall's code: `H` + its region code (`H410105001`). */
export const HallCode = z.string().regex(/^H\d{6,12}$/, 'a hall code: H and 6 to 12 digits');

/**
 * 业务线 (business lines): the letter on a ticket. A hall's windows serve the line of their kind:
 * A 综合受理 at general windows, B 咨询 at enquiry windows, C 出件 at delivery windows; a hall
 * without a window of a kind serves its line at the general windows.
 */
export const Line = z.enum(['A', 'B', 'C']);
export type Line = z.infer<typeof Line>;
export const LINE_WINDOW_KIND: Readonly<Record<Line, 'general' | 'enquiry' | 'delivery'>> = {
  A: 'general',
  B: 'enquiry',
  C: 'delivery',
};

/** Where a ticket was taken: the kiosk, the clerk's desk, online (a citizen's phone), a check-in. */
export const TicketSource = z.enum(['kiosk', 'desk', 'online', 'appointment']);
export type TicketSource = z.infer<typeof TicketSource>;

export const TicketStatus = z.enum(['waiting', 'called', 'done', 'skipped', 'cancelled']);
export type TicketStatus = z.infer<typeof TicketStatus>;

export const TakeTicketInput = z.object({
  line: Line.default('A'),
  /** 实施编码 of the item the visit is for, when known */
  item: z
    .string()
    .regex(/^[0-9A-Z]{20,40}$/)
    .optional(),
  /** an existing case the visit is for (补正, 出件 …) */
  caseNumber: z.string().min(10).max(80).optional(),
});
export type TakeTicketInput = z.infer<typeof TakeTicketInput>;

export const TicketView = z.object({
  id: z.string().describe('unguessable: the receipt links to the ticket’s page by it'),
  ticket: z.string().describe('the number called out: line letter and three digits, A012'),
  hallId: z.string(),
  day: z.string().describe('the China date the ticket is numbered in'),
  line: Line,
  status: TicketStatus,
  window: z.number().int().nullable(),
  position: z.number().int().describe('tickets before this one in its line; 0 once called'),
  estimatedWaitMinutes: z.number().int(),
  takenAt: z.string(),
  calledAt: z.string().nullable(),
  caseNumber: z.string().nullable(),
});
export type TicketView = z.infer<typeof TicketView>;

export const TakeTicketResponse = z.object({
  ticket: z.string(),
  position: z.number().int(),
  id: z.string(),
  estimatedWaitMinutes: z.number().int(),
  url: z.string().describe('the ticket’s page: position and wait, for the citizen’s phone'),
});

export const CallInput = z.object({}).strict();

export const CallResponse = z.object({
  ticket: z.string().nullable().describe('null: nobody is waiting for this window'),
  id: z.string().nullable(),
  window: z.number().int(),
  caseNumber: z.string().nullable(),
  item: z.string().nullable(),
  /** where the clerk continues: the existing case, or the walk-in journey of the item */
  open: z.string().nullable(),
});
export type CallResponse = z.infer<typeof CallResponse>;

export const TicketAction = z.discriminatedUnion('action', [
  z.object({ action: z.literal('recall') }),
  z.object({ action: z.literal('skip') }),
  z.object({ action: z.literal('finish') }),
  z.object({ action: z.literal('transfer'), window: z.number().int().min(1).max(999) }),
]);
export type TicketAction = z.infer<typeof TicketAction>;

/** One call as the screen shows it: never a name, only the number and the window. */
export const CallEvent = z.object({
  seq: z.string(),
  hallId: z.string(),
  ticket: z.string(),
  window: z.number().int(),
  kind: z.enum(['call', 'recall', 'skip', 'transfer']),
  at: z.string(),
});
export type CallEvent = z.infer<typeof CallEvent>;

// ── appointments ────────────────────────────────────────────────────────────────────────────

const ChinaDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date, YYYY-MM-DD (China)');
const ItemCode = z.string().regex(/^[0-9A-Z]{20,40}$/);

export const SlotsQuery = z.object({
  item: ItemCode.optional(),
  date: ChinaDay,
});

export const Slot = z.object({
  start: z.string().describe('HH:mm, China time'),
  end: z.string(),
  line: Line,
  quota: z.number().int(),
  booked: z.number().int(),
  available: z.number().int(),
});
export type Slot = z.infer<typeof Slot>;

export const SlotsResponse = z.object({
  hallId: z.string(),
  date: z.string(),
  open: z.boolean().describe('false on a 法定节假日 or a day the hall has no hours'),
  slots: z.array(Slot),
});
export type SlotsResponse = z.infer<typeof SlotsResponse>;

export const BookInput = z.object({
  item: ItemCode.optional(),
  date: ChinaDay,
  start: z.string().regex(/^\d{2}:\d{2}$/),
  line: Line.default('A'),
});
export type BookInput = z.infer<typeof BookInput>;

export const AppointmentStatus = z.enum(['booked', 'cancelled', 'checkedIn', 'noShow']);

export const AppointmentView = z.object({
  id: z.string(),
  hallId: z.string(),
  date: z.string(),
  start: z.string(),
  line: Line,
  item: z.string().nullable(),
  status: AppointmentStatus.describe('noShow: still booked after its day'),
  ticket: z.string().nullable().describe('the ticket a check-in gave'),
  ticketId: z.string().nullable(),
});
export type AppointmentView = z.infer<typeof AppointmentView>;

export const AppointmentAction = z.discriminatedUnion('action', [
  z.object({ action: z.literal('cancel') }),
  z.object({ action: z.literal('change'), date: ChinaDay, start: z.string().regex(/^\d{2}:\d{2}$/) }),
  z.object({ action: z.literal('checkIn') }),
]);
export type AppointmentAction = z.infer<typeof AppointmentAction>;

export const QuotaInput = z.object({ line: Line, perSlot: z.number().int().min(0).max(500) });

// ── hall management: windows, lines, items, staff, hours ───────────────────────────────────

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:mm, China time');

export const WindowLayout = z.object({
  number: z.number().int().min(1).max(999),
  kind: z.enum(['general', 'enquiry', 'delivery']),
  /** the business lines the window calls */
  lines: z.array(Line).min(1).max(3),
  /** the items (实施编码) it serves; empty: every item of its lines */
  items: z.array(ItemCode).max(200).default([]),
  /** staff on duty there, by login; empty: any clerk of the hall */
  staff: z.array(z.string().trim().min(1).max(64)).max(10).default([]),
});

export const OpeningPeriodInput = z.object({
  days: z.enum(['weekdays', 'saturday', 'sunday', 'daily']),
  from: HHMM,
  to: HHMM,
});

export const LayoutInput = z.object({
  windows: z.array(WindowLayout).min(1).max(99),
  hours: z.array(OpeningPeriodInput).max(14),
});
export type LayoutInput = z.infer<typeof LayoutInput>;

export const LayoutView = z.object({
  hallId: z.string(),
  managed: z.boolean().describe('false: the regions module’s windows and hours, not yet set by a manager'),
  updatedAt: z.string().nullable(),
  windows: z.array(
    z.object({
      number: z.number().int(),
      kind: z.enum(['general', 'enquiry', 'delivery']),
      lines: z.array(Line),
      items: z.array(z.string()),
      staff: z.array(z.string()),
    }),
  ),
  hours: z.array(OpeningPeriodInput),
});
export type LayoutView = z.infer<typeof LayoutView>;

// ── 就近办 ──────────────────────────────────────────────────────────────────────────────────

export const NearestQuery = z.object({
  region: z
    .string()
    .regex(/^\d{6}(\d{3}(\d{3})?)?$/)
    .optional(),
  lat: z.coerce.number().min(-90).max(90).optional(),
  lng: z.coerce.number().min(-180).max(180).optional(),
  item: z
    .string()
    .regex(/^[0-9A-Z]{20,40}$/)
    .optional(),
  limit: z.coerce.number().int().min(1).max(50).default(10),
});

export const NearestHall = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.string(),
  address: z.string(),
  phone: z.string(),
  lat: z.number(),
  lng: z.number(),
  distanceKm: z.number(),
  openToday: z.boolean().describe('closed on 法定节假日, open on 调休 working days'),
  openNow: z.boolean(),
  todayHours: z.array(z.string()).describe('China time'),
  dayReason: z.string().describe('the calendar’s: workday, weekend, holiday, makeup (调休) …'),
  waiting: z.number().int(),
  estimatedWaitMinutes: z.number().int(),
});
export type NearestHall = z.infer<typeof NearestHall>;

export const NearestResponse = z.object({
  origin: z.object({ lat: z.number(), lng: z.number(), region: z.string().nullable() }),
  halls: z.array(NearestHall),
});

// ── the day's figures (hall management) ─────────────────────────────────────────────────────

export const DayFigures = z.object({
  hallId: z.string(),
  date: z.string(),
  lines: z.array(
    z.object({
      line: Line,
      taken: z.number().int(),
      called: z.number().int(),
      done: z.number().int(),
      skipped: z.number().int(),
      waiting: z.number().int(),
      averageWaitMinutes: z.number().nullable().describe('taken → called'),
      averageServiceMinutes: z.number().nullable().describe('called → finished'),
    }),
  ),
  byHour: z.array(z.object({ hour: z.string(), A: z.number(), B: z.number(), C: z.number() })),
  ratings: z
    .object({
      count: z.number().int(),
      good: z.number().int().describe('好评: 4 or 5'),
      poor: z.number().int().describe('差评: 1 or 2'),
      average: z.number().nullable(),
      byWindow: z.array(
        z.object({
          window: z.string(),
          clerk: z.string().nullable().describe('the clerk’s login'),
          count: z.number().int(),
          poor: z.number().int(),
          average: z.number(),
        }),
      ),
    })
    .describe(
      'first ratings given that day (China) to cases this hall received; by window from the window pad',
    ),
  appointments: z.object({
    booked: z.number().int(),
    checkedIn: z.number().int(),
    cancelled: z.number().int(),
    noShows: z.number().int().describe('still booked after the day (0 for today)'),
  }),
});
export type DayFigures = z.infer<typeof DayFigures>;
