import { z } from 'zod';
import { isCalendarDate } from './calendar.dates.js';

/** 'off': a day off (法定节假日 or a local one); 'work': a working day (调休 make-up or local). */
export const DayKind = z.enum(['off', 'work']);
export type DayKind = z.infer<typeof DayKind>;

/** Where a row came from: the chinese-days package (seeded at start) or an administrator. */
export type DaySource = 'package' | 'admin';

/** One row of calendar_days. regionCode '' is the national calendar. */
export interface DayEntry {
  regionCode: string;
  date: string;
  kind: DayKind;
  /** zh-CN name: 国庆节, 春节 … */
  name: string;
  nameEn: string;
  source: DaySource;
}

export interface HolidayName {
  zh: string;
  en: string;
}

/**
 * Why a day in an explanation counts or not. `start`: the day the period starts (期间开始之日,
 * not counted); `sameDay`: a 0-day period due on its start day; the rest are the day's own status.
 */
export type DayReason =
  | 'start'
  | 'sameDay'
  | 'workday'
  | 'weekend'
  | 'holiday'
  | 'makeup'
  | 'localOff'
  | 'localWork';

export interface ExplainedDay {
  date: string;
  counted: boolean;
  reason: DayReason;
  /** the holiday, make-up day or local override's name */
  name?: HolidayName;
  /** for counted days: which working day of the period this is (1 = the first) */
  ordinal?: number;
}

export interface Deadline {
  due: string;
  explanation: ExplainedDay[];
}

/** Largest period the calendar computes: far above any statutory limit (行政许可法: 20 + 10, 45 + 15). */
export const MAX_WORKING_DAYS = 1000;

/** 'YYYY-MM-DD', a real date of the covered range. */
export const CalendarDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine(isCalendarDate, { message: 'not a calendar date between 2000-01-01 and 2099-12-31' });

/** '' (national) or a region code prefix: 2 (province) … 12 (village) digits, GB/T 2260 based. */
export const RegionCode = z.string().regex(/^(\d{2,12})?$/);

export const DayInput = z.object({
  date: CalendarDate,
  kind: DayKind,
  name: z.string().trim().min(1).max(40),
  nameEn: z.string().trim().max(60).optional(),
});
export type DayInput = z.infer<typeof DayInput>;

/** POST /api/v1/calendar/days: one notice (or one local decision) at a time. */
export const PutDaysInput = z.object({
  regionCode: RegionCode.default(''),
  days: z.array(DayInput).min(1).max(200),
});
export type PutDaysInput = z.infer<typeof PutDaysInput>;

/** DELETE /api/v1/calendar/days */
export const RemoveDaysInput = z.object({
  regionCode: RegionCode.default(''),
  dates: z.array(CalendarDate).min(1).max(200),
});
export type RemoveDaysInput = z.infer<typeof RemoveDaysInput>;

/** Payload of the `calendar.changed` event: enough for the clocks to find the cases affected. */
export interface CalendarChanged {
  regionCode: string;
  dates: string[];
  source: DaySource;
  version: string;
}
