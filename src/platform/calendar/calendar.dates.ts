/**
 * Calendar dates as 'YYYY-MM-DD' strings in China time, and their day numbers.
 *
 * A day number is the count of days since FIRST_DATE. The calendar covers FIRST_YEAR…LAST_YEAR:
 * wide enough for any case a platform handles today, small enough for a few typed arrays per region.
 * China has kept UTC+8 without daylight saving since 1991, so China time is a fixed offset.
 */
export const FIRST_YEAR = 2000;
export const LAST_YEAR = 2099;
const MS_PER_DAY = 86_400_000;
const CHINA_OFFSET_MS = 8 * 3_600_000;
const EPOCH_MS = Date.UTC(FIRST_YEAR, 0, 1);
export const DAY_COUNT = Math.round((Date.UTC(LAST_YEAR + 1, 0, 1) - EPOCH_MS) / MS_PER_DAY);

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** Every date string of the covered range, built once: index → 'YYYY-MM-DD' without allocation. */
const DATE_STRINGS: readonly string[] = (() => {
  const out = new Array<string>(DAY_COUNT);
  for (let i = 0; i < DAY_COUNT; i++) {
    const d = new Date(EPOCH_MS + i * MS_PER_DAY);
    out[i] = `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
  }
  return out;
})();

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

const digit = (s: string, i: number): number => {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1000;
};

/**
 * The day number of a 'YYYY-MM-DD' date, or -1 when the text is not a real date of the covered
 * range (2025-02-29, 2025-13-01 and 1999-12-31 all give -1). Hand-parsed: the clocks call it a lot.
 */
export function dayIndex(date: string): number {
  // the real dates of the range are finite (≈ 36,500): each is worked out once
  const known = INDEX_OF.get(date);
  if (known !== undefined) return known;
  const i = parseDayIndex(date);
  if (i >= 0) INDEX_OF.set(date, i);
  return i;
}
const INDEX_OF = new Map<string, number>();

function parseDayIndex(date: string): number {
  if (
    typeof date !== 'string' ||
    date.length !== 10 ||
    date.charCodeAt(4) !== 45 ||
    date.charCodeAt(7) !== 45
  )
    return -1;
  const y = digit(date, 0) * 1000 + digit(date, 1) * 100 + digit(date, 2) * 10 + digit(date, 3);
  const m = digit(date, 5) * 10 + digit(date, 6);
  const d = digit(date, 8) * 10 + digit(date, 9);
  if (y < FIRST_YEAR || y > LAST_YEAR || m < 1 || m > 12 || d < 1) return -1;
  const dim = m === 2 && isLeap(y) ? 29 : DAYS_IN_MONTH[m - 1]!;
  if (d > dim) return -1;
  return Math.round((Date.UTC(y, m - 1, d) - EPOCH_MS) / MS_PER_DAY);
}

/** The date string of a day number (which must be in range). */
export const dateAt = (index: number): string => DATE_STRINGS[index]!;

/** true for a syntactically valid, real calendar date of the covered range. */
export const isCalendarDate = (date: string): boolean => dayIndex(date) >= 0;

/** 0 = Sunday … 6 = Saturday. 2000-01-01 was a Saturday. */
export const weekdayAt = (index: number): number => (index + 6) % 7;

/**
 * The China date (Asia/Shanghai) of an instant: '2025-09-30T16:30:00Z' is already 1 October in
 * Zhengzhou. Accepts an ISO-8601 timestamp (with Z or an offset) or a Date.
 */
export function chinaDate(instant: string | Date): string {
  // China is UTC+8 all year: a UTC instant's date depends on its UTC date and hour only, and the
  // clocks ask about the same few hours over and over. Only `…Z` text is cached: with an offset
  // the same hour text is another time.
  const hour =
    typeof instant === 'string' &&
    instant.length >= 14 &&
    instant.charCodeAt(10) === 84 &&
    instant.endsWith('Z')
      ? instant.slice(0, 13)
      : undefined;
  const known = hour === undefined ? undefined : DATE_OF_UTC_HOUR.get(hour);
  if (known !== undefined) return known;
  const ms = typeof instant === 'string' ? Date.parse(instant) : instant.getTime();
  if (!Number.isFinite(ms)) throw new RangeError(`not a timestamp: ${String(instant)}`);
  const d = new Date(ms + CHINA_OFFSET_MS);
  const date = `${String(d.getUTCFullYear()).padStart(4, '0')}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
  if (hour !== undefined) {
    if (DATE_OF_UTC_HOUR.size >= 4096) DATE_OF_UTC_HOUR.clear();
    DATE_OF_UTC_HOUR.set(hour, date);
  }
  return date;
}
const DATE_OF_UTC_HOUR = new Map<string, string>();

/** The year in China at an instant. */
export const chinaYear = (instant: Date): number => Number(chinaDate(instant).slice(0, 4));
