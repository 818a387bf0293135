/**
 * The working-day clocks of a rectification (15 working days by default) and of a complaint
 * (per kind): pure functions over a day rule, so a property test can hold them against any
 * calendar. Dates are YYYY-MM-DD China dates; the day a clock starts does not count (as for a
 * case's 承诺时限: the next working day is day one).
 */
export type IsWorkingDay = (date: string) => boolean;

const MS_DAY = 86_400_000;

export function nextDate(date: string, by = 1): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + by * MS_DAY).toISOString().slice(0, 10);
}

/** The date on which `n` working days after `start` are used up (n ≥ 1). */
export function dueAfter(start: string, n: number, isWorkingDay: IsWorkingDay): string {
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`working days must be a positive whole number: ${n}`);
  let d = start;
  let left = n;
  // a guard against a calendar with no working days at all (never in China: at most 8 in a row)
  for (let guard = 0; guard < n * 30 + 400; guard++) {
    d = nextDate(d);
    if (isWorkingDay(d) && --left === 0) return d;
  }
  throw new RangeError('no working day found');
}

/** Working days in (start, today]: what the clock has used. Negative never: 0 before it starts. */
export function workingDaysUsed(start: string, today: string, isWorkingDay: IsWorkingDay): number {
  let n = 0;
  for (let d = nextDate(start); d <= today; d = nextDate(d)) if (isWorkingDay(d)) n++;
  return n;
}

export type ClockColour = 'green' | 'yellow' | 'red' | 'stopped';

/** red once the due date has passed; yellow on the last two working days; stopped when closed. */
export function colourOf(
  dueOn: string,
  today: string,
  closed: boolean,
  isWorkingDay: IsWorkingDay,
): { colour: ClockColour; remaining: number } {
  const remaining =
    today <= dueOn
      ? workingDaysUsed(today, dueOn, isWorkingDay)
      : -workingDaysUsed(dueOn, today, isWorkingDay);
  if (closed) return { colour: 'stopped', remaining };
  if (today > dueOn) return { colour: 'red', remaining };
  return { colour: remaining <= 2 ? 'yellow' : 'green', remaining };
}
