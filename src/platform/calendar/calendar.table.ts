import { DAY_COUNT, dateAt, weekdayAt } from './calendar.dates.js';
import type { DayEntry, DayReason, ExplainedDay, HolidayName } from './calendar.types.js';

/**
 * The working-day table of one region: pure data and arithmetic, no I/O.
 *
 * Each day of the covered range has a status byte. Two derived arrays make the deadline maths
 * O(1): `cum[i]` counts the working days on or before day i, and `work[k]` is the day number of the
 * (k+1)-th working day. "n working days after s" is then `work[cum[s] + n - 1]`, and the working
 * days in (a, b] are `cum[b] - cum[a]`; the clocks call these per case per request.
 */
export const Status = {
  /** Monday–Friday with nothing special: counted */
  workday: 0,
  weekend: 1,
  /** 法定节假日 (State Council notice): not counted */
  holiday: 2,
  /** 调休 make-up working day on a weekend: counted */
  makeup: 3,
  /** a region's own day off */
  localOff: 4,
  /** a region's own working day */
  localWork: 5,
} as const;
type StatusCode = (typeof Status)[keyof typeof Status];

const REASONS: readonly DayReason[] = ['workday', 'weekend', 'holiday', 'makeup', 'localOff', 'localWork'];
const isWorkStatus = (s: number): boolean =>
  s === Status.workday || s === Status.makeup || s === Status.localWork;

export interface DayTable {
  readonly status: Uint8Array;
  readonly cum: Int32Array;
  readonly work: Int32Array;
  /** holiday / make-up / override names by day number */
  readonly names: ReadonlyMap<number, HolidayName>;
}

/** Day numbers are resolved by the caller (dayIndex); entries outside the range are ignored. */
export interface IndexedEntry {
  readonly index: number;
  readonly entry: Pick<DayEntry, 'kind' | 'name' | 'nameEn'>;
}

/** The weekend-only base every table starts from; shared, never written to. */
const WEEKENDS: Uint8Array = (() => {
  const s = new Uint8Array(DAY_COUNT);
  for (let i = 0; i < DAY_COUNT; i++) {
    const w = weekdayAt(i);
    s[i] = w === 0 || w === 6 ? Status.weekend : Status.workday;
  }
  return s;
})();

/**
 * Builds a table: the national entries first, then each region layer in order from the least to
 * the most specific region prefix, so the most specific layer wins for a date.
 */
export function buildTable(
  national: readonly IndexedEntry[],
  layers: ReadonlyArray<readonly IndexedEntry[]>,
): DayTable {
  const status = WEEKENDS.slice();
  const names = new Map<number, HolidayName>();
  for (const { index, entry } of national) {
    status[index] = entry.kind === 'off' ? Status.holiday : Status.makeup;
    names.set(index, { zh: entry.name, en: entry.nameEn || entry.name });
  }
  for (const layer of layers) {
    for (const { index, entry } of layer) {
      status[index] = entry.kind === 'off' ? Status.localOff : Status.localWork;
      names.set(index, { zh: entry.name, en: entry.nameEn || entry.name });
    }
  }
  const cum = new Int32Array(DAY_COUNT);
  let count = 0;
  for (let i = 0; i < DAY_COUNT; i++) {
    if (isWorkStatus(status[i]!)) count++;
    cum[i] = count;
  }
  const work = new Int32Array(count);
  for (let i = 0, k = 0; i < DAY_COUNT; i++) if (isWorkStatus(status[i]!)) work[k++] = i;
  return { status, cum, work, names };
}

export const isWorkingAt = (t: DayTable, index: number): boolean => isWorkStatus(t.status[index]!);

/**
 * The day number of the due date: the n-th working day after `start` (期间开始之日不计算在内, the
 * start day itself is never counted). n = 0 means "the same day": the start day when it is a
 * working day, else the next working day. -1 when the result falls beyond the covered range.
 */
export function dueIndex(t: DayTable, start: number, n: number): number {
  const before = t.cum[start]!;
  const k = n === 0 ? (isWorkingAt(t, start) ? before - 1 : before) : before + n - 1;
  return k < t.work.length ? t.work[k]! : -1;
}

/** Working days in (a, b]; negative when b is before a. */
export const workingBetween = (t: DayTable, a: number, b: number): number => t.cum[b]! - t.cum[a]!;

/** Why one day counts or not. */
export function describeAt(
  t: DayTable,
  index: number,
): { working: boolean; reason: DayReason; name?: HolidayName } {
  const s = t.status[index]! as StatusCode;
  const name = t.names.get(index);
  const reason = REASONS[s]!;
  return name ? { working: isWorkStatus(s), reason, name } : { working: isWorkStatus(s), reason };
}

/**
 * The explanation of a period (start, end]: the start day (never counted), every day skipped or
 * counted specially, and the end day. Ordinary working days in between are left out: they need
 * no explaining. `ordinal` is the number of the working day for counted days.
 */
export function explainPeriod(t: DayTable, start: number, end: number): ExplainedDay[] {
  const out: ExplainedDay[] = [{ date: dateAt(start), counted: false, reason: 'start' }];
  const base = t.cum[start]!;
  for (let i = start + 1; i <= end; i++) {
    const s = t.status[i]!;
    if (s === Status.workday && i !== end) continue;
    const counted = isWorkStatus(s);
    const item: ExplainedDay = { date: dateAt(i), counted, reason: REASONS[s]! };
    const name = t.names.get(i);
    if (name) item.name = name;
    if (counted) item.ordinal = t.cum[i]! - base;
    out.push(item);
  }
  return out;
}
