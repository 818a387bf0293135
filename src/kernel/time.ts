/**
 * China time (UTC+8, no daylight saving) for everything shown to people: pages, exports, notices.
 * Instants are stored as ISO-8601 UTC strings; a case filed at 2026-12-04T18:47Z happened on
 * 5 December at 02:47 in Zhengzhou, and that is the date its number and every page carry.
 */
const OFFSET_MS = 8 * 3600 * 1000;

function shifted(at: string | Date): string {
  const ms = typeof at === 'string' ? Date.parse(at) : at.getTime();
  if (Number.isNaN(ms)) throw new RangeError(`not an instant: ${String(at)}`);
  return new Date(ms + OFFSET_MS).toISOString();
}

/** The calendar day in China, `YYYY-MM-DD`. */
export const chinaDate = (at: string | Date): string => shifted(at).slice(0, 10);

/** Date and minute in China, `YYYY-MM-DD HH:mm` (label it: see CHINA_TIME_LABEL). */
export const chinaDateTime = (at: string | Date): string => shifted(at).slice(0, 16).replace('T', ' ');

/** Date and second in China, `YYYY-MM-DD HH:mm:ss`. */
export const chinaDateTimeSeconds = (at: string | Date): string => shifted(at).slice(0, 19).replace('T', ' ');

/** The month in China, `YYYY-MM` (the period of monthly figures). */
export const chinaMonth = (at: string | Date): string => shifted(at).slice(0, 7);

/** ISO-8601 with the +08:00 offset, for `<time datetime>` and exports that keep the zone. */
export const chinaIso = (at: string | Date): string => `${shifted(at).slice(0, 19)}+08:00`;

/** The zone label shown beside times (the same in both languages). */
export const CHINA_TIME_LABEL = 'UTC+8';
