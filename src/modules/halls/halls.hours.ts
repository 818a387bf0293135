import type { CalendarPort, OpeningPeriod } from './halls.ports.js';

/**
 * Opening hours on a China date: a hall opens on working days (including 调休 Saturdays and
 * Sundays, which count as weekdays) by its weekday periods, on ordinary weekends by its
 * Saturday/Sunday periods, and never on a 法定节假日. Pure, given the calendar's answer.
 */
export function periodsOn(
  hours: readonly OpeningPeriod[],
  date: string,
  day: { working: boolean; reason: string },
): OpeningPeriod[] {
  if (day.reason === 'holiday' || day.reason === 'localOff') return [];
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  const asWeekday = day.working;
  return hours.filter((p) => {
    if (p.days === 'daily') return true;
    if (p.days === 'weekdays') return asWeekday;
    if (asWeekday) return false;
    return (p.days === 'saturday' && weekday === 6) || (p.days === 'sunday' && weekday === 0);
  });
}

export interface OpeningState {
  readonly date: string;
  readonly open: boolean;
  /** open at this minute (China time) */
  readonly openNow: boolean;
  readonly periods: readonly OpeningPeriod[];
  /** the calendar's reason: holiday, makeup (调休), weekend, workday … */
  readonly reason: string;
}

/** The hall's state on a date at a China time of day (`HH:mm`). */
export function openingState(
  hours: readonly OpeningPeriod[],
  date: string,
  time: string,
  calendar: CalendarPort,
  regionCode: string,
): OpeningState {
  const day = calendar.describeDay(date, regionCode);
  const periods = periodsOn(hours, date, day);
  return {
    date,
    open: periods.length > 0,
    openNow: periods.some((p) => p.from <= time && time < p.to),
    periods,
    reason: day.reason,
  };
}

/** `HH:mm` plus minutes (no wrap past midnight: clamps to 23:59). */
export function addMinutes(hhmm: string, minutes: number): string {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  const t = Math.min(Math.max(h * 60 + m + minutes, 0), 23 * 60 + 59);
  return `${String(Math.floor(t / 60)).padStart(2, '0')}:${String(t % 60).padStart(2, '0')}`;
}

/** Tickets are issued from an hour before the first period until the last one ends. */
export function issuesTickets(s: OpeningState, time: string): boolean {
  if (!s.open) return false;
  const first = s.periods.map((p) => p.from).sort()[0]!;
  const last = s.periods
    .map((p) => p.to)
    .sort()
    .at(-1)!;
  return addMinutes(first, -60) <= time && time < last;
}
